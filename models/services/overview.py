"""What managers see at a glance: overdue deadlines, and open motions by committee and state.

Set-based queries; the rows are plain dicts, ready for a Prefect table artifact. Titles of
non-public papers are replaced by "nichtöffentlich": artifacts are read by everyone with
access to the Prefect UI.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.domain.states import State
from models.domain.timeutil import local_datetime, to_local, to_utc
from models.store.repo import owed_past_due
from models.store.tables import Body, Deadline, Meeting, Organization, Paper

UPCOMING_DAYS = 7
"""The overview counts deadlines coming up in this many days (not all of the future: what a
manager plans for, and a window of the index rather than all of it)."""


def overdue_count(session: Session, now: datetime) -> int:
    return int(
        session.exec(select(sa.func.count()).select_from(Deadline).where(owed_past_due(now))).one()
    )


def overdue_rows(session: Session, now: datetime, limit: int = 1000) -> list[dict[str, Any]]:
    """One row per deadline past due and still owed, the longest overdue first; at most
    `limit` (after an outage there may be hundreds of thousands: the table shows the oldest,
    the count says how many there are). The oldest are chosen from the sweep index alone,
    and only they are joined to their papers and committees."""
    now = to_utc(now)
    today = to_local(now).date()
    oldest = (
        select(Deadline.id)
        .where(owed_past_due(now))
        .order_by(col(Deadline.due), col(Deadline.id))
        .limit(limit)
        .subquery()
    )
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types at most four columns
            Deadline.label,
            Deadline.due,
            Deadline.responsible,
            Deadline.office,
            Paper.reference,
            Paper.name,
            Paper.public,
            Organization.name,
            Meeting.start,
        )
        .join(oldest, oldest.c.id == Deadline.id)
        .join(Paper, col(Paper.id) == Deadline.paper_id)
        .outerjoin(Organization, col(Organization.id) == Deadline.organization_id)
        .outerjoin(Meeting, col(Meeting.id) == Deadline.meeting_id)
        .order_by(col(Deadline.due), col(Paper.reference), col(Deadline.id))
    ).all()
    return [
        {  # what and who first: the UI shows the left columns without scrolling
            "Vorlage": reference,
            "Frist": label,
            "Tage überfällig": (today - to_local(due).date()).days,
            "zuständig": responsible + (f" ({office})" if office else ""),
            "fällig": f"{to_local(due):%d.%m.%Y %H:%M}",
            "Gremium": committee or "",
            "Sitzung": f"{to_local(meeting):%d.%m.%Y}" if meeting else "",
            "Titel": title if public else "nichtöffentlich",
        }
        for label, due, responsible, office, reference, title, public, committee, meeting in rows
    ]


def overview_markdown(session: Session, now: datetime) -> str:
    """Open motions by committee and state, with counts of deadlines due in the coming days,
    today and overdue, as a markdown document. The deadline counts are read from the sweep index
    alone; committees are told apart by body where there is more than one."""
    now = to_utc(now)
    today = to_local(now).date()
    open_states = [s.value for s in State if not s.terminal]
    papers = session.exec(
        select(Paper.body_id, Paper.current_organization_id, Paper.state, sa.func.count())
        .where(col(Paper.state).in_(open_states))
        .group_by(col(Paper.body_id), col(Paper.current_organization_id), col(Paper.state))
    ).all()
    end_of_today = local_datetime(today + timedelta(days=1), time(0, 0))
    horizon = local_datetime(today + timedelta(days=UPCOMING_DAYS + 1), time(0, 0))

    def bucket(condition: Any) -> Any:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    deadlines = session.exec(  # a window of the sweep index: what is owed before the horizon
        select(  # type: ignore[call-overload]  # sqlmodel types at most four columns
            Deadline.body_id,
            Deadline.organization_id,
            bucket(col(Deadline.due) >= end_of_today),
            bucket(sa.and_(col(Deadline.due) >= now, col(Deadline.due) < end_of_today)),
            bucket(col(Deadline.due) < now),
        )
        .where(owed_past_due(horizon))  # owed and due before the horizon
        .group_by(col(Deadline.body_id), col(Deadline.organization_id))
    ).all()
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
    names = _names(session, scopes)
    states = [s for s in State if not s.terminal]
    lines = [
        f"# Fristenübersicht, Stand {to_local(now):%d.%m.%Y %H:%M}",
        "",
        "| Gremium | "
        + " | ".join(s.label for s in states)
        + f" | fällig in {UPCOMING_DAYS} Tagen | heute fällig | überfällig |",
        "|---|" + "---|" * len(states) + "---|---|---|",
    ]
    for scope in sorted(scopes, key=lambda s: names[s]):
        row = [str(by_state[scope].get(s.value, 0)) for s in states]
        c = counts[scope]
        lines.append(
            f"| {names[scope]} | "
            + " | ".join(row)
            + f" | {c['kommend']} | {c['heute']} | **{c['überfällig']}** |"
        )
    total = sum(c["überfällig"] for c in counts.values())
    lines += ["", f"Überfällige Fristen insgesamt: **{total}**", ""]
    return "\n".join(lines)


def _names(
    session: Session, scopes: set[tuple[int, int | None]]
) -> dict[tuple[int, int | None], str]:
    """'Sozialausschuss', or 'Stadt X: Sozialausschuss' where several bodies share the
    database (a state-wide service)."""
    bodies = dict(session.exec(select(Body.id, Body.name)).all())
    orgs = dict(
        session.exec(
            select(Organization.id, Organization.name).where(
                col(Organization.id).in_({o for _, o in scopes if o is not None})
            )
        ).all()
    )
    several = len({b for b, _ in scopes}) > 1
    return {
        (body, org): (f"{bodies.get(body, body)}: " if several else "")
        + (orgs.get(org, "?") if org is not None else "(ohne Gremium)")
        for body, org in scopes
    }
