"""A list page stored set-based: the bulk path of the OParl sync.

A first sync brings thousands of papers that are new. One by one (OParlStore.apply in a
SAVEPOINT each) every paper costs some 80 ORM statements: about 75 papers a second. Here the
page's new papers are replayed in memory (models.services.oparl_replay: the same steps, rules
and rows) after reading what they link to in a handful of queries, and written with one
multi-row INSERT per table and one UPDATE of the agenda items they adopted. Everything else
(committees, meetings, papers already stored, deletions, a paper the replay does not take)
goes the one-by-one way, in the page's order, so the rows and their ids come out as one by
one; tests/services/test_oparl_bulk.py checks that row for row on SQLite and PostgreSQL.

One bad object still never blocks a page: the batch is written in its own SAVEPOINT, and if
the database refuses it, its papers are applied again one by one, so the bad one is skipped
with its OParl id and the reason, and the rest lands.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlmodel import Session, SQLModel

from models.domain.bodies import rules_of
from models.domain.oparl import OParlObject, PaperIn
from models.domain.planning import counts_meetings, deadline_key
from models.domain.timeutil import to_utc
from models.services.deadlines import committee_calendars
from models.services.oparl_replay import Replay
from models.services.oparl_report import SyncReport, reason, tail
from models.services.oparl_store import DEFAULT_ROLE, OParlStore
from models.services.replay_rows import LOCAL, Known, MeetingRow, NotBulk, Org, Replayed
from models.store.bulk import insert_rows, reserve_ids, table_of, update_rows
from models.store.tables import (
    AgendaItem,
    Consultation,
    Deadline,
    LifecycleEvent,
    Meeting,
    Organization,
    Paper,
    Reminder,
)

#: Written in this order (each row's foreign keys point at rows written before it).
TABLES: tuple[type[SQLModel], ...] = (Paper, Consultation, LifecycleEvent, Deadline, Reminder)
ITEM_COLUMNS = ("consultation_id", "consultation_oparl_id", "result", "resolution_text")
MEETING_COLUMNS = ("id", "oparl_id", "start", "cancelled", "minutes_at")


def apply_page(
    session: Session,
    store: OParlStore,
    objects: Sequence[OParlObject],
    report: SyncReport,
    known: Known | None = None,
) -> None:
    """Every object of a page in its order: new papers replayed and written together,
    everything else through `apply_one`, each in its SAVEPOINT. `known`: what the list's
    pages before read (ListSync keeps it from page to page)."""
    known = known if known is not None else Known()
    taken = _taken(session, store, [o for o in objects if isinstance(o, PaperIn)])
    replay: Replay | None = None
    done: list[tuple[PaperIn, Replayed]] = []
    for index, obj in enumerate(objects):
        if isinstance(obj, PaperIn) and not obj.deleted and not taken.intersection(_keys(obj)):
            if replay is None:
                replay = _replay(session, store, objects[index:], known)
            try:
                values = store.new_paper_values(obj, _keys(obj)[1])
                done.append((obj, replay.paper(obj, values)))
                replay.commit(done[-1][1])
                taken.update(_keys(obj))
                continue
            except NotBulk:
                pass
        if not _write(session, store, done, report):
            known.clear()
        done, replay = [], None
        apply_one(session, store, obj, report)
        known.clear()  # what the one-by-one path changed is read anew
        if isinstance(obj, PaperIn):
            taken.update(_keys(obj))
    if not _write(session, store, done, report):
        known.clear()


def _keys(paper: PaperIn) -> tuple[str, str, str]:
    """What a new paper must not meet stored already: its OParl id and its reference (as
    given, and cut to the column), which the one-by-one path matches or is refused on."""
    reference = paper.reference or f"OParl {tail(paper.id)}"
    return (paper.id, reference, reference[:100])


def _taken(session: Session, store: OParlStore, papers: list[PaperIn]) -> set[str]:
    """The OParl ids and references of `papers` stored already, in one query (per 500)."""
    connection = session.connection()
    taken: set[str] = set()
    ids = _chunks(sorted({p.id for p in papers}))
    references = _chunks(sorted({r for p in papers for r in _keys(p)[1:]}))
    paper = _t(Paper)
    for index in range(max(len(ids), len(references))):
        id_chunk = ids[index] if index < len(ids) else []
        reference_chunk = references[index] if index < len(references) else []
        query = sa.select(paper.c.oparl_id, paper.c.body_id, paper.c.reference).where(
            sa.or_(
                paper.c.oparl_id.in_(id_chunk),
                sa.and_(paper.c.body_id == store.body_id, paper.c.reference.in_(reference_chunk)),
            )
        )
        wanted_ids, wanted_references = set(id_chunk), set(reference_chunk)
        for row in connection.execute(query):
            if row.oparl_id in wanted_ids:
                taken.add(row.oparl_id)
            if row.body_id == store.body_id and row.reference in wanted_references:
                taken.add(row.reference)
    return taken


def apply_one(session: Session, store: OParlStore, obj: OParlObject, report: SyncReport) -> None:
    """One object in its own SAVEPOINT: a failure undoes that object alone and becomes one
    line naming its OParl id in `report.skipped`, never a traceback."""
    store.report = SyncReport()
    _open_transaction(session)
    try:
        with session.begin_nested():
            store.apply(obj)
    except Exception as error:  # one object never blocks the town, whatever went wrong
        report.skipped.append(f"{obj.id}: {reason(error)}")
    else:
        report.merge(store.report)


def _open_transaction(session: Session) -> None:
    """SQLite's driver opens a transaction only before a write, so a SAVEPOINT taken first
    would be the outermost and its RELEASE a commit: one fsync per object, and a page no
    longer one transaction with its cursor. BEGIN first, as the SQLAlchemy docs advise."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        raw = connection.connection.dbapi_connection
        if raw is not None and not getattr(raw, "in_transaction", True):
            connection.exec_driver_sql("BEGIN")


# --- reading what a batch links to ------------------------------------------------------------


def _replay(
    session: Session, store: OParlStore, objects: Sequence[OParlObject], known: Known
) -> Replay:
    """A replay for the papers in `objects`; what they link to and `known` does not hold
    yet is read in a few queries (a page's papers share their meetings with the next)."""
    papers = [o for o in objects if isinstance(o, PaperIn) and not o.deleted]
    connection = session.connection()
    consultations = [c for p in papers for c in p.consultations]
    named_orgs = {c.organizations[0] for c in consultations if c.organizations}
    for chunk in _chunks(sorted(named_orgs - known.orgs.keys())):
        for row in connection.execute(
            sa.select(_t(Organization)).where(_in(Organization, "oparl_id", chunk))
        ):
            known.orgs[row.oparl_id] = Org(row.id, row.name, row.classification)
    item_urls = _chunks(
        sorted({c.agenda_item for c in consultations if c.agenda_item} - known.item_ids.keys())
    )
    meeting_urls = _chunks(
        sorted({c.meeting for c in consultations if c.meeting} - known.meeting_ids.keys())
    )
    meeting, item = _t(Meeting), _t(AgendaItem)
    found: dict[int, sa.Row[Any]] = {}
    for index in range(max(len(item_urls), len(meeting_urls))):
        # The meetings named, and those of the agenda items named, in one query.
        by_url = meeting_urls[index] if index < len(meeting_urls) else []
        by_item = item_urls[index] if index < len(item_urls) else []
        query = sa.select(*(meeting.c[k] for k in MEETING_COLUMNS)).where(
            sa.or_(
                meeting.c.oparl_id.in_(by_url),
                meeting.c.id.in_(sa.select(item.c.meeting_id).where(item.c.oparl_id.in_(by_item))),
            )
        )
        named = set(by_url)
        for row in connection.execute(query):
            if row.oparl_id in named:
                known.meeting_ids[row.oparl_id] = row.id
            found[row.id] = row
    _load_meetings(connection, known, [found[i] for i in sorted(found.keys() - known.meetings)])
    rules = rules_of(store.rules, store.body_id)
    if counts_meetings(rules):  # the committees' calendars, as gather_facts reads them
        needed = {known.orgs[u].id for u in named_orgs if u in known.orgs} - known.calendars.keys()
        found_calendars = committee_calendars(session, needed)
        known.calendars.update({org_id: found_calendars.get(org_id, []) for org_id in needed})
    replay = Replay(
        known,
        body_id=store.body_id,
        body_name=store.body.name,
        now=store.now,
        actor=store.actor,
        rules=rules,
        history_before=store.history_before,
        default_role=DEFAULT_ROLE,
    )
    return replay


def _load_meetings(connection: Connection, known: Known, meetings: list[sa.Row[Any]]) -> None:
    """Meetings (rows of MEETING_COLUMNS, by id) and every agenda item of them into `known`."""
    table = _t(AgendaItem)
    columns = ("id", "meeting_id", "number", "oparl_id", "result_review", *ITEM_COLUMNS)
    for rows in _chunks(meetings):
        chunk = [row.id for row in rows]
        for row in rows:
            known.meetings[row.id] = MeetingRow(
                row.id,
                to_utc(row.start),
                row.cancelled,
                to_utc(row.minutes_at) if row.minutes_at else None,
            )
            known.by_meeting[row.id] = []
        query = sa.select(*(table.c[k] for k in columns)).where(
            _in(AgendaItem, "meeting_id", chunk)
        )
        for row in connection.execute(query.order_by(table.c.id)):
            item = dict(row._mapping)
            known.items[row.id] = item
            known.by_meeting[row.meeting_id].append(row.id)
            if row.oparl_id:
                known.item_ids[row.oparl_id] = row.id


def _chunks(values: list[Any], size: int = 500) -> list[list[Any]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


_t = table_of


def _c(model: type[SQLModel], column: str) -> sa.Column[Any]:
    return _t(model).c[column]


def _in(model: type[SQLModel], column: str, values: list[Any]) -> sa.ColumnElement[bool]:
    return _t(model).c[column].in_(values)


# --- writing a batch ------------------------------------------------------------------------


def _write(
    session: Session,
    store: OParlStore,
    done: list[tuple[PaperIn, Replayed]],
    report: SyncReport,
) -> bool:
    """The batch in one SAVEPOINT; refused, its papers one by one (the bad one is named),
    and False."""
    if not done:
        return True
    session.flush()
    _open_transaction(session)
    try:
        with session.begin_nested():
            _insert(session.connection(), [r for _, r in done])
    except Exception:  # which object it was, the one-by-one path tells
        session.expire_all()
        for obj, _ in done:
            apply_one(session, store, obj, report)
        return False
    session.expire_all()  # the agenda items changed under the session's eyes
    for _, replayed in done:
        report.merge(replayed.report)
    return True


def _insert(connection: Connection, batch: list[Replayed]) -> None:
    rows: dict[str, list[dict[str, Any]]] = {
        "paper": [r.paper for r in batch],
        "consultation": [c for r in batch for c in r.consultations],
        "lifecycle_event": [e for r in batch for e in r.events],
        "deadline": [d for r in batch for d in r.deadlines],
        "reminder": [m for r in batch for m in r.reminders],
    }
    tables = {table_of(model).name: table_of(model) for model in TABLES}
    reserved = reserve_ids(connection, {tables[name]: len(found) for name, found in rows.items()})
    real = {name: reserved[tables[name]] for name in rows}

    def to(name: str, value: int | None) -> int | None:
        return real[name][value - LOCAL - 1] if value is not None and value > LOCAL else value

    out: dict[str, list[dict[str, Any]]] = {
        "paper": [{**p, "id": to("paper", p["id"])} for p in rows["paper"]],
        "consultation": [
            {**c, "id": to("consultation", c["id"]), "paper_id": to("paper", c["paper_id"])}
            for c in rows["consultation"]
        ],
        "lifecycle_event": [
            {
                **e,
                "id": to("lifecycle_event", e["id"]),
                "paper_id": to("paper", e["paper_id"]),
                "details": (
                    {
                        **e["details"],
                        "consultation_id": to("consultation", e["details"]["consultation_id"]),
                    }
                    if "consultation_id" in e["details"]
                    else e["details"]
                ),
            }
            for e in rows["lifecycle_event"]
        ],
        "deadline": [
            {
                **d,
                "id": to("deadline", d["id"]),
                "paper_id": to("paper", d["paper_id"]),
                "consultation_id": to("consultation", d["consultation_id"]),
                "met_by_event_id": to("lifecycle_event", d["met_by_event_id"]),
                "key": deadline_key(
                    d["rule"], to("consultation", d["consultation_id"]), d["meeting_id"]
                ),
            }
            for d in rows["deadline"]
        ],
        "reminder": [
            {
                **m,
                "id": to("reminder", m["id"]),
                "paper_id": to("paper", m["paper_id"]),
                "deadline_id": to("deadline", m["deadline_id"]),
            }
            for m in rows["reminder"]
        ],
    }
    for model in TABLES:
        insert_rows(connection, model, out[table_of(model).name])
    changed: dict[int, dict[str, Any]] = {}
    for replayed in batch:
        changed |= replayed.items
    for item in changed.values():  # the same dicts `known` keeps for the next pages
        item["consultation_id"] = to("consultation", item["consultation_id"])
    columns = (*ITEM_COLUMNS, "result_review")
    update_rows(
        connection,
        _t(AgendaItem),
        {item_id: {k: item[k] for k in columns} for item_id, item in changed.items()},
    )
