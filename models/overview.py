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

from models.states import State
from models.tables import Consultation, Deadline, Meeting, Organization, Paper
from models.timeutil import local_datetime, to_local, to_utc

OWED = ("open", "missed")


def _overdue_filter(now: datetime) -> Any:
    return sa.and_(col(Deadline.status).in_(OWED), Deadline.due < now, Deadline.kind != "proposal")


def overdue_count(session: Session, now: datetime) -> int:
    return int(
        session.exec(
            select(sa.func.count()).select_from(Deadline).where(_overdue_filter(to_utc(now)))
        ).one()
    )


def overdue_rows(session: Session, now: datetime, limit: int = 1000) -> list[dict[str, Any]]:
    """One row per deadline past due and still owed, the longest overdue first; at most
    `limit` (after an outage there may be hundreds of thousands: the table shows the oldest,
    the count says how many there are)."""
    now = to_utc(now)
    today = to_local(now).date()
    rows = session.exec(
        select(
            Deadline, Paper.reference, Paper.name, Paper.public, Organization.name, Meeting.start
        )
        .join(Paper, col(Paper.id) == Deadline.paper_id)
        .outerjoin(Consultation, col(Consultation.id) == Deadline.consultation_id)
        .outerjoin(Organization, col(Organization.id) == Consultation.organization_id)
        .outerjoin(Meeting, col(Meeting.id) == Deadline.meeting_id)
        .where(_overdue_filter(now))
        .order_by(col(Deadline.due), col(Paper.reference), col(Deadline.id))
        .limit(limit)
    ).all()
    return [
        {  # what and who first: the UI shows the left columns without scrolling
            "Vorlage": reference,
            "Frist": deadline.label,
            "Tage überfällig": (today - to_local(deadline.due).date()).days,
            "zuständig": deadline.responsible
            + (f" ({deadline.office})" if deadline.office else ""),
            "fällig": f"{to_local(deadline.due):%d.%m.%Y %H:%M}",
            "Gremium": committee or "",
            "Sitzung": f"{to_local(meeting):%d.%m.%Y}" if meeting else "",
            "Titel": title if public else "nichtöffentlich",
        }
        for deadline, reference, title, public, committee, meeting in rows
    ]


def overview_markdown(session: Session, now: datetime) -> str:
    """Open motions by committee and state, with counts of upcoming, due (today) and overdue
    deadlines, as a markdown document."""
    now = to_utc(now)
    today = to_local(now).date()
    open_states = [s.value for s in State if not s.terminal]
    # The committee a motion is with: that of its first open consultation.
    first_open = (
        select(Consultation.paper_id, sa.func.min(Consultation.position).label("position"))
        .where(col(Consultation.done).is_(False))
        .group_by(col(Consultation.paper_id))
        .subquery()
    )
    papers = session.exec(
        select(Organization.name, Paper.state, sa.func.count(col(Paper.id)))
        .select_from(Paper)
        .join(first_open, first_open.c.paper_id == Paper.id, isouter=True)
        .join(
            Consultation,
            sa.and_(
                col(Consultation.paper_id) == first_open.c.paper_id,
                col(Consultation.position) == first_open.c.position,
            ),
            isouter=True,
        )
        .join(Organization, col(Organization.id) == Consultation.organization_id, isouter=True)
        .where(col(Paper.state).in_(open_states))
        .group_by(col(Organization.name), col(Paper.state))
    ).all()
    end_of_today = local_datetime(today + timedelta(days=1), time(0, 0))

    def bucket(condition: Any) -> Any:
        return sa.func.sum(sa.case((condition, 1), else_=0))

    deadlines = session.exec(
        select(
            Organization.name,
            bucket(Deadline.due >= end_of_today),
            bucket(sa.and_(Deadline.due >= now, Deadline.due < end_of_today)),
            bucket(Deadline.due < now),
        )
        .select_from(Deadline)
        .join(Consultation, col(Consultation.id) == Deadline.consultation_id, isouter=True)
        .join(Organization, col(Organization.id) == Consultation.organization_id, isouter=True)
        .where(col(Deadline.status).in_(OWED), Deadline.kind != "proposal")
        .group_by(col(Organization.name))
    ).all()
    by_state: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for committee, state, count in papers:
        by_state[committee or "(ohne Gremium)"][state] += count
    counts: dict[str, dict[str, int]] = defaultdict(
        lambda: {"kommend": 0, "heute": 0, "überfällig": 0}
    )
    for committee, upcoming, due_today, overdue in deadlines:
        counts[committee or "(ohne Gremium)"] = {
            "kommend": int(upcoming or 0),
            "heute": int(due_today or 0),
            "überfällig": int(overdue or 0),
        }
    committees = sorted(set(by_state) | set(counts))
    states = [s for s in State if not s.terminal]
    lines = [
        f"# Fristenübersicht, Stand {to_local(now):%d.%m.%Y %H:%M}",
        "",
        "| Gremium | "
        + " | ".join(s.label for s in states)
        + " | Fristen kommend | heute fällig | überfällig |",
        "|---|" + "---|" * len(states) + "---|---|---|",
    ]
    for name in committees:
        row = [str(by_state[name].get(s.value, 0)) for s in states]
        c = counts[name]
        lines.append(
            f"| {name} | "
            + " | ".join(row)
            + f" | {c['kommend']} | {c['heute']} | **{c['überfällig']}** |"
        )
    total = sum(c["überfällig"] for c in counts.values())
    lines += ["", f"Überfällige Fristen insgesamt: **{total}**", ""]
    return "\n".join(lines)
