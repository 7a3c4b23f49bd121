"""What managers see at a glance: overdue deadlines, and open motions by committee and state.

Set-based queries; the rows are plain dicts, ready for a Prefect table artifact. Titles of
non-public papers are replaced by "nichtöffentlich": artifacts are read by everyone with
access to the Prefect UI.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.domain.states import State
from models.domain.timeutil import local_datetime, to_local, to_utc
from models.domain.vocab import OWED
from models.services.deadlines import Waiting, WaitingList
from models.store.repo import owed_past_due
from models.store.tables import Body, Deadline, Organization, Paper

K = TypeVar("K")

UPCOMING_DAYS = 7
"""The overview counts deadlines coming up in this many days (not all of the future: what a
manager plans for, and a window of the index rather than all of it)."""


ROLE_WORDS = {
    "fraktion": "Fraktion",
    "sitzungsdienst": "Sitzungsdienst",
    "fachamt": "Fachamt",
    "gremium": "Gremium",
    "verwaltung": "Verwaltung",
    "buergermeister": "Bürgermeister/in",
}
"""The roles of the profiles as staff say them (the slugs are routing tags, not words)."""

TITLE_CHARS = 60
"""Titles in the rows are cut to this many characters (the artifact cuts them further to fit
its columns: flows/render.py)."""

_TRAILING = "der die das des dem den und oder mit in im an am auf für von vom zu zur zum bei"
TRAILING_WORDS = frozenset([*_TRAILING.split(" "), "nach", "über", "aus", "ein", "eine"])
"""Words a cut text does not end on: 'Stellungnahme der…' says less than 'Stellungnahme…'."""


def tracked(now: datetime) -> Any:
    """SQL (needs Body joined): past due, still owed, and due on or after the body's start of
    tracking (`Body.oparl_history_before`): a 2021 deadline of the RIS archive is history, not
    the longest overdue item of 2026."""
    return sa.and_(
        owed_past_due(now),
        sa.or_(
            col(Body.oparl_history_before).is_(None),
            col(Deadline.due) >= col(Body.oparl_history_before),
        ),
    )


def of_body(body_id: int | None) -> Any:
    """SQL: the deadlines of one body (None: of all)."""
    return sa.true() if body_id is None else col(Deadline.body_id) == body_id


def overdue_count(session: Session, now: datetime, body_id: int | None = None) -> int:
    return int(
        session.exec(
            select(sa.func.count())
            .select_from(Deadline)
            .join(Body, col(Body.id) == Deadline.body_id)
            .where(tracked(now), of_body(body_id))
        ).one()
    )


@dataclass(frozen=True, slots=True)
class Overdue:
    """What one row of the overdue table is built from (plain data, no session)."""

    committee: str | None
    reference: str
    title: str
    public: bool
    label: str
    responsible: str
    office: str | None
    due: datetime
    extended_from: datetime | None = None
    """The rules' date while a Fristverlängerung holds `due` later (Deadline.extended_from)."""


EXTENDED = " (verlängert)"
"""Appended to the Frist of an extended deadline in the overdue rows; its `fällig seit` is
the extended date (the artifact abbreviates it to fit: flows/render.py)."""


def who(responsible: str, office: str | None, committee: str | None = None) -> str:
    """Who owes it, in words: the office where one was named ('Amt 23 (Liegenschaften)'),
    the committee for the committee's own deadlines, else the role as a word ('Fachamt')."""
    if office:
        return office
    if responsible == "gremium" and committee:
        return committee
    return ROLE_WORDS.get(responsible, responsible.replace("_", " ").capitalize())


def short(text: str, limit: int = TITLE_CHARS) -> str:
    """'Sanierung der Turnhalle …' — at most `limit` characters, cut after a whole word that
    is not a function word ('Stellungnahme…', not 'Stellungnahme der…') where that keeps at
    least half of the room, else in the middle of a word (more of the title says more)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = limit - 1 if text[limit - 1] == " " else cut.rfind(" ")  # the last whole word
    words = cut[: max(space, 0)].split(" ")
    while len(words) > 1 and words[-1].lower().rstrip(",;:-") in TRAILING_WORDS:
        words.pop()
    at_word = " ".join(words).rstrip(" ,;:-")
    return (at_word if len(at_word) >= limit // 2 else cut.rstrip(" ,;:-")) + "…"


def fit(text: str, limit: int) -> str:
    """A cell of at most `limit` characters that still names the thing: 'Amt 23
    (Liegenschaften)' → 'Amt 23', 'Wiedervorlage: Stand der Umsetzung' → 'Wiedervorlage',
    else `short`."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    for mark in (" (", ": "):
        head = text.split(mark, 1)[0]
        if head != text and 0 < len(head) <= limit:
            return head
    return short(text, limit)


def overdue_table(
    items: list[Overdue],
    today: date,
    link: Callable[[str], str | None] | None = None,
    verlauf: Callable[[str], str | None] | None = None,
) -> list[dict[str, Any]]:
    """The rows of the overdue table: by committee, the longest overdue first within each;
    short cells so that it fits 1440 px. `link` gives the address the reference opens (where
    a step is recorded for the motion; None: the reference stays plain), `verlauf` the
    motion's Verlauf (with the full title), which the table links behind the title it cuts
    (the column "Verlauf", only with it: the CLI's rows stay as they were)."""
    ordered = sorted(items, key=lambda i: (i.committee is None, i.committee or "", i.due))
    rows = []
    for i in ordered:
        target = link(i.reference) if link else None
        rows.append(
            {
                "Gremium": i.committee or "(ohne Gremium)",
                "Vorlage": f"[{i.reference}]({target})" if target else i.reference,
                "Titel": short(i.title) if i.public else "nichtöffentlich",
                "Frist": i.label + (EXTENDED if i.extended_from else ""),
                "wer": who(i.responsible, i.office, i.committee),
                "fällig seit": f"{to_local(i.due):%d.%m.%y}",
                "Tage": (today - to_local(i.due).date()).days,
            }
        )
        if verlauf:
            rows[-1]["Verlauf"] = verlauf(i.reference)
    return rows


OVERDUE_COLUMNS = (
    Organization.name,
    Paper.reference,
    Paper.name,
    Paper.public,
    Deadline.label,
    Deadline.responsible,
    Deadline.office,
    Deadline.due,
    Deadline.extended_from,
)
"""What a row of an overdue list reads (Overdue's fields): one list for the overdue table and
the watch lists' implementations, so that both show a deadline the same way."""


def overdue_items(
    session: Session, now: datetime, limit: int = 1000, body_id: int | None = None
) -> list[Overdue]:
    """The deadlines past due and still owed since the start of tracking, the longest
    overdue first; at most `limit` (after an outage there may be hundreds of thousands: the
    table shows the oldest, the count says how many there are). The oldest are chosen from
    the sweep index (and the few bodies) alone, and only they are joined to their papers:
    the oldest of each owed status, read in the index's order (status, due) and merged. As
    one `status IN (…) ORDER BY due` PostgreSQL scanned and sorted the whole table (the index
    orders each status by due, not both together): 0.1 s of the sweep at a million deadlines."""
    now = to_utc(now)
    per_status = [  # each status's oldest, in the order of the sweep index (status, due, …)
        select(col(Deadline.id).label("id"), col(Deadline.due).label("due"))
        .join(Body, col(Body.id) == Deadline.body_id)
        .where(tracked(now), of_body(body_id), col(Deadline.status) == status)
        .order_by(col(Deadline.due), col(Deadline.id))
        .limit(limit)
        .subquery()
        for status in OWED
    ]
    merged = sa.union_all(*(sa.select(b.c.id, b.c.due) for b in per_status)).subquery()
    oldest = sa.select(merged.c.id).order_by(merged.c.due, merged.c.id).limit(limit).subquery()
    rows = session.exec(
        select(*OVERDUE_COLUMNS)  # type: ignore[call-overload]  # sqlmodel types at most four
        .join(oldest, oldest.c.id == Deadline.id)
        .join(Paper, col(Paper.id) == Deadline.paper_id)
        .outerjoin(Organization, col(Organization.id) == Deadline.organization_id)
        .order_by(col(Deadline.due), col(Paper.reference), col(Deadline.id))
    ).all()
    return [Overdue(*row) for row in rows]


def overdue_rows(
    session: Session,
    now: datetime,
    limit: int = 1000,
    link: Callable[[str], str | None] | None = None,
    body_id: int | None = None,
    verlauf: Callable[[str], str | None] | None = None,
) -> list[dict[str, Any]]:
    """The overdue table as of `now` (see overdue_items and overdue_table), of one body or
    of all."""
    items = overdue_items(session, now, limit, body_id)
    return overdue_table(items, to_local(to_utc(now)).date(), link, verlauf)


def overview_markdown(
    session: Session, now: datetime, body_id: int | None = None, *, waiting: WaitingList
) -> str:
    """Open motions by committee and state, with counts of deadlines due in the coming days,
    today and overdue, as a markdown document, and the deadlines not computable yet
    (`waiting`, models.services.deadlines.waiting_deadlines: asked by the caller, which the
    sweep does once for all bodies and their overviews). The deadline counts are read from
    the sweep index alone; committees are told apart by body where there is more than one.
    Its reads go through the session's connection (Core rows, not the ORM's result
    machinery): for the 3,168 committees of 396 bodies that was 0.04 s of the sweep's
    artifacts step."""
    now = to_utc(now)
    today = to_local(now).date()
    open_states = [s.value for s in State if not s.terminal]
    papers = (
        session.connection()
        .execute(
            select(Paper.body_id, Paper.current_organization_id, Paper.state, sa.func.count())
            .where(
                col(Paper.state).in_(open_states),
                sa.true() if body_id is None else col(Paper.body_id) == body_id,
            )
            .group_by(col(Paper.body_id), col(Paper.current_organization_id), col(Paper.state))
        )
        .all()
    )
    end_of_today = local_datetime(today + timedelta(days=1), time(0, 0))
    horizon = local_datetime(today + timedelta(days=UPCOMING_DAYS + 1), time(0, 0))

    def bucket(condition: Any) -> Any:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    deadlines = (
        session.connection()
        .execute(  # a window of the sweep index: what is owed before the horizon
            select(  # type: ignore[call-overload]  # sqlmodel types at most four columns
                Deadline.body_id,
                Deadline.organization_id,
                bucket(col(Deadline.due) >= end_of_today),
                bucket(sa.and_(col(Deadline.due) >= now, col(Deadline.due) < end_of_today)),
                bucket(col(Deadline.due) < now),
            )
            .join(Body, col(Body.id) == Deadline.body_id)
            # owed, due before the horizon, since tracking started
            .where(tracked(horizon), of_body(body_id))
            .group_by(col(Deadline.body_id), col(Deadline.organization_id))
        )
        .all()
    )
    Scope = tuple[int, int | None]
    by_state: dict[Scope, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for body, org, state, count in papers:
        by_state[(body, org)][state] += count
    counts: dict[Scope, dict[str, int]] = defaultdict(
        lambda: {"kommend": 0, "heute": 0, "überfällig": 0}
    )
    for body, org, upcoming, due_today, overdue in deadlines:
        counts[(body, org)] = {
            "kommend": int(upcoming or 0),
            "heute": int(due_today or 0),
            "überfällig": int(overdue or 0),
        }
    scopes = set(by_state) | set(counts)
    parts = _names(session, scopes)
    names = {scope: joined(*parts[scope]) for scope in scopes}
    cells = cell_names(parts, GREMIUM_CHARS)
    states = [s for s in State if not s.terminal]
    lines = [
        f"# Fristenübersicht, Stand {to_local(now):%d.%m.%Y %H:%M}",
        "",
        f"| Gremium | offen | in {UPCOMING_DAYS} Tagen fällig | heute fällig | überfällig |",
        "|---|--:|--:|--:|--:|",
    ]
    order = sorted(scopes, key=lambda s: names[s])
    motions = {s: {st: by_state[s].get(st.value, 0) for st in states} for s in order}
    for scope in order:
        lines.append(overview_line(cells[scope], motions[scope], counts[scope]))
    total = sum(c["überfällig"] for c in counts.values())
    lines += ["", f"Überfällige Fristen insgesamt: **{total}**", ""]
    waiting_here = waiting.of_body(body_id)
    if waiting_here.items:
        lines += [
            f"Noch nicht berechenbare Fristen: **{len(waiting_here.items)}** "
            "(warten auf terminierte Sitzungen)",
            "",
        ]
    detail = [state_line(names[s], motions[s]) for s in order if sum(motions[s].values())]
    if detail:
        lines += ["## Offene Vorlagen nach Zustand", "", *detail, ""]
    several = len({b for b, _ in scopes} | {w.body_id for w in waiting_here.items}) > 1
    lines += waiting_section(waiting_here, by_body=several)
    return "\n".join(lines)


WAITING_SHOWN = 1000
"""At most this many rows in the overview's list of deadlines not computable yet (its count
says how many there are), as the overdue table shows the oldest 1,000."""

WAITING_COLUMNS = ("Gremium", "Vorlage", "Frist", "es fehlt")
WAITING_CHARS = {"Gremium": 24, "Frist": 24, "es fehlt": 41}
"""Cells cut as the overdue table's are (flows/render.py, CELL_CHARS: six columns of ≈ 94
characters fit beside the Prefect UI's sidebar at 1440 px): four columns of at most ≈ 100
characters, fewer cells, so less padding. The reason leaves out the committee, which is a
column: 'noch keine übernächste Sitzung terminiert' (41)."""


def waiting_section(waiting: WaitingList, *, by_body: bool = False) -> list[str]:
    """The deadlines not computable yet as markdown lines: a heading with their number and a
    table by committee and reference (`by_body`: one per body, under its name, where several
    bodies share the overview); nothing when there are none. Bodies whose rules could not be
    loaded are named (not looked at: the list may be incomplete)."""
    lines: list[str] = []
    if waiting.items:
        shown = waiting.items[:WAITING_SHOWN]
        more = f" (die ersten {len(shown)} gezeigt)" if len(shown) < len(waiting.items) else ""
        lines += [
            f"## Noch nicht berechenbar ({len(waiting.items)})",
            "",
            "Fristen, die die Geschäftsordnung in Sitzungen zählt (z. B. „spätestens in der "
            "übernächsten Sitzung“), solange der Sitzungskalender des Gremiums zu wenige "
            f"Sitzungen hat: sie werden berechnet, sobald die Sitzungen terminiert sind{more}.",
            "",
        ]
        groups: dict[str, list[Waiting]] = {}
        for w in sorted(shown, key=lambda w: w.body) if by_body else shown:
            groups.setdefault(w.body if by_body else "", []).append(w)
        for body, group in groups.items():
            if by_body:
                lines += [f"### {body} ({len(group)})", ""]
            lines += ["| " + " | ".join(WAITING_COLUMNS) + " |", "|---|---|---|---|"]
            committees = cell_names(
                {w.committee: (None, w.committee) for w in group}, WAITING_CHARS["Gremium"]
            )
            lines += [waiting_row(w, committees[w.committee]) for w in group]
            lines.append("")
    for line in waiting.unchecked:
        lines += [f"Nicht auf noch nicht berechenbare Fristen geprüft: {line}", ""]
    return lines


def waiting_row(w: Waiting, committee: str | None = None) -> str:
    """One row of the list of deadlines not computable yet, its cells cut to WAITING_CHARS
    (`committee`: the committee's cell as `cell_names` cut it, told apart from the others')."""
    cells = {
        "Gremium": committee or w.committee,
        "Vorlage": w.reference,
        "Frist": w.label,
        "es fehlt": w.reason.removesuffix(f" ({w.committee})"),
    }
    row = [fit(cells[c], WAITING_CHARS[c]) if c in WAITING_CHARS else cells[c] for c in cells]
    return "| " + " | ".join(cell.replace("|", "/") for cell in row) + " |"


GREMIUM_CHARS = 40
"""Committee names in the overview's table are cut to this (the list below it names them in
full): five columns that fit beside the Prefect UI's sidebar at 1440 px."""

BODY_CHARS = 12
"""What is left at least of a body's name before a committee's in a cut cell ('Große
Kreis…: Sozialausschuss'): enough to tell the bodies of a state-wide service apart in most
cases (where not, `cell_names` cuts in the middle or keeps the whole name)."""


def joined(body: str | None, committee: str) -> str:
    """'Stadt X: Sozialausschuss', or the committee alone where one body is shown."""
    return f"{body}: {committee}" if body else committee


def cut_name(body: str | None, committee: str, limit: int) -> str:
    """One committee's cell of at most `limit` characters: the body's name is cut first, as
    the committee's is what tells a body's rows apart ('Große Kreisstadt…: Sozialausschuss'
    for 'Große Kreisstadt Hoyerswerda-Mitte: Sozialausschuss', which `fit` cut to the body);
    a committee's own long name is cut as `fit` cuts it, after a stub of the body's."""
    full = joined(body, committee)
    if len(full) <= limit:
        return full
    if body is None:
        return fit(committee, limit)
    room = limit - len(committee) - 2
    if room >= BODY_CHARS:
        return f"{short(body, room)}: {committee}"
    return f"{short(body, BODY_CHARS)}: {fit(committee, limit - BODY_CHARS - 2)}"


def cell_names(parts: dict[K, tuple[str | None, str]], limit: int) -> dict[K, str]:
    """The committees' cells of the overview's table, (body, committee) each, cut to `limit`
    (`cut_name`) and still told apart: a cut that two different names share (cut at the
    same word) keeps both ends of the body's and of the committee's name instead
    ('Ausschuss f…und Energie' and 'Ausschuss f…und Verkehr' in 24 characters, where `fit`
    gave both 'Ausschuss für Umwelt…'), and where that is shared too, the name stays whole
    (a wide cell rather than two committees under one name, which a manager cannot tell
    apart). 3,168 committees of 396 bodies: 11 ms (`fit` alone: 4 ms)."""
    full = {k: joined(*p) for k, p in parts.items()}
    cells = {k: cut_name(*p, limit) for k, p in parts.items()}
    for fallback in (_middles, lambda body, committee, _: joined(body, committee)):
        names: dict[str, set[str]] = defaultdict(set)
        for k, cell in cells.items():
            names[cell].add(full[k])
        for k, cell in cells.items():
            if len(names[cell]) > 1:
                cells[k] = fallback(*parts[k], limit)
    return cells


def _middles(body: str | None, committee: str, limit: int) -> str:
    """Both ends of the body's name and of the committee's ('Große K…werda-Nord:
    Ausschuss f…und Verkehr'): where names differ at the end of one part, as the towns of a
    Kreis named 'Große Kreisstadt …' do."""
    if body is None or len(joined(body, committee)) <= limit:
        return _middle(joined(body, committee), limit)
    room = limit - 2 - min(len(committee), (limit - 2) * 3 // 5)
    return joined(_middle(body, room), _middle(committee, limit - 2 - room))


def _middle(text: str, limit: int) -> str:
    """The start and the end of `text`, `limit` characters with the '…' between them."""
    if len(text) <= limit:
        return text
    head = (limit - 1) // 2
    return f"{text[:head].rstrip()}…{text[len(text) - (limit - 1 - head) :].lstrip()}"


def overview_line(name: str, by_state: dict[State, int], counts: dict[str, int]) -> str:
    """One committee's row: its open motions and its deadlines coming up, due today and
    overdue. Numbers only, so that the table fits at 1440 px (no horizontal scroll: cells of
    the UI's tables do not wrap); what the motions wait for is `state_line`."""
    return (
        f"| {fit(name, GREMIUM_CHARS)} | {sum(by_state.values())} | {counts['kommend']} "
        f"| {counts['heute']} | **{counts['überfällig']}** |"
    )


def state_line(name: str, by_state: dict[State, int]) -> str:
    """'- **Sozialausschuss**: 2 eingereicht, 1 Bericht angefordert' — a list item, which
    wraps where a table cell would not."""
    detail = ", ".join(f"{n} {state.label}" for state, n in by_state.items() if n)
    return f"- **{name}**: {detail}"


def _names(
    session: Session, scopes: set[tuple[int, int | None]]
) -> dict[tuple[int, int | None], tuple[str | None, str]]:
    """(None, 'Sozialausschuss'), or ('Stadt X', 'Sozialausschuss') where several bodies
    share the database (a state-wide service): `joined` says it in one, `cell_names` cuts
    it for the table."""
    bodies: dict[int, str] = dict(session.connection().execute(select(Body.id, Body.name)).all())
    orgs: dict[int, str] = dict(
        session.connection()
        .execute(
            select(Organization.id, Organization.name).where(
                col(Organization.id).in_({o for _, o in scopes if o is not None})
            )
        )
        .all()
    )
    several = len({b for b, _ in scopes}) > 1
    return {
        (body, org): (
            str(bodies.get(body, body)) if several else None,
            orgs.get(org, "?") if org is not None else "(ohne Gremium)",
        )
        for body, org in scopes
    }
