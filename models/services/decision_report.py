"""The Beschlusskontrolle: every decision of the council's committees with where its
implementation stands, as councils receive it each month.

Councils (Dortmund, Hagen, Erfurt, Wesel) ask their council information system for this
report and do not get it: the decision is in the RIS, its implementation in the
administration's files. ratsfrist has both, in the lifecycle: the decision (a `decide` step
that made the motion `decided`), the office that carries it out (`start_implementation`),
the Wiedervorlage (the implementation deadline) and its closing. Three set-based queries
(decisions, their deadlines, their later steps), however many decisions there are.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.domain.deadlines import status_label
from models.domain.errors import NotFound
from models.domain.rules import DeadlineKind
from models.domain.states import IMPLEMENTABLE, Event, State
from models.domain.text import name_key
from models.domain.timeutil import local_datetime, to_local, to_utc
from models.domain.vocab import DeadlineStatus
from models.services.overview import tracked, who
from models.store.tables import (
    Body,
    Consultation,
    Deadline,
    LifecycleEvent,
    Meeting,
    Organization,
    Paper,
)


@dataclass(frozen=True, slots=True)
class Overdue:
    """A deadline of the decision still owed and past due."""

    label: str
    due: datetime
    days: int
    responsible: str
    """Who owes it, by name (the minutes are the Sitzungsdienst's, not the office's)."""


@dataclass(frozen=True, slots=True)
class DecisionRow:
    """One decision and its implementation, as plain data."""

    committee: str
    decided_on: date
    reference: str
    title: str
    public: bool
    result: str
    state: str
    """Where the implementation stands, in German ('in Umsetzung seit 01.07.2021')."""
    responsible: str
    """The office that carries it out, by name ('Amt 50'); '–' where nothing is to do."""
    wiedervorlage: datetime | None
    wiedervorlage_status: str | None
    """'offen', 'versäumt', 'erfüllt', 'verspätet erfüllt (7 Tage)'."""
    overdue: list[Overdue] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class DecisionReport:
    now: datetime
    since: date | None
    committee: str | None
    rows: list[DecisionRow]

    @property
    def overdue(self) -> list[DecisionRow]:
        """The decisions with something overdue (the report's second part)."""
        return [row for row in self.rows if row.overdue]


def committee_ids(session: Session, name: str) -> list[int]:
    """The committees called `name` (or with that short name) in any body; NotFound naming
    the known ones when there is none."""
    wanted = name_key(name)
    ids = session.exec(
        select(Organization.id).where(
            sa.or_(
                sa.func.lower(col(Organization.name)) == wanted,
                sa.func.lower(col(Organization.short_name)) == wanted,
            )
        )
    ).all()
    if not ids:
        known = session.exec(select(Organization.name).order_by(col(Organization.name))).all()
        hint = f" (bekannt: {', '.join(sorted(set(known)))})" if known else ""
        raise NotFound(f"--committee: unbekanntes Gremium {name!r}{hint}")
    return [i for i in ids if i is not None]


def decision_report(
    session: Session,
    now: datetime,
    *,
    since: date | None = None,
    committee: str | None = None,
) -> DecisionReport:
    """Every decision (since `since`, a Berlin day; of `committee`) with its implementation
    state, responsible office, Wiedervorlage and overdue deadlines as of `now`, in the order
    of the meetings."""
    now = to_utc(now)
    details = LifecycleEvent.__table__.c.details  # type: ignore[attr-defined]
    decided_on = sa.func.coalesce(col(Meeting.start), col(LifecycleEvent.at))
    query = (
        select(  # type: ignore[call-overload]  # sqlmodel types at most four columns
            Paper.id,
            Organization.name,
            decided_on,
            Paper.reference,
            Paper.name,
            Paper.public,
            details["result"].as_string(),
            Paper.state,
        )
        .select_from(LifecycleEvent)
        .join(Paper, col(Paper.id) == LifecycleEvent.paper_id)
        .join(Consultation, col(Consultation.id) == details["consultation_id"].as_integer())
        .join(Organization, col(Organization.id) == Consultation.organization_id)
        .outerjoin(Meeting, col(Meeting.id) == Consultation.meeting_id)
        .where(
            col(LifecycleEvent.event) == Event.decide.value,
            col(LifecycleEvent.to_state) == State.decided.value,
        )
        .order_by(decided_on, col(Paper.reference))
    )
    if since is not None:
        query = query.where(decided_on >= local_datetime(since, time(0, 0)))
    if committee is not None:
        query = query.where(col(Organization.id).in_(committee_ids(session, committee)))
    decisions = session.exec(query).all()
    papers = query.with_only_columns(col(Paper.id)).order_by(None).scalar_subquery()
    deadlines = _deadlines(session, papers, now)
    steps = _later_steps(session, papers)
    rows = [
        _row(
            decision,
            deadlines.get(decision[0], ([], None)),
            steps.get(decision[0], {}),
            now,
        )
        for decision in decisions
    ]
    return DecisionReport(now=now, since=since, committee=committee, rows=rows)


_Deadlines = tuple[list[Overdue], Deadline | None]


def _deadlines(session: Session, papers: Any, now: datetime) -> dict[int, _Deadlines]:
    """Per paper: its overdue deadlines (tracked, owed, past due) and its Wiedervorlage."""
    is_overdue = tracked(now)
    rows = session.exec(
        select(Deadline, is_overdue, Organization.name)
        .join(Body, col(Body.id) == Deadline.body_id)
        .outerjoin(Organization, col(Organization.id) == Deadline.organization_id)
        .where(
            col(Deadline.paper_id).in_(papers),
            sa.or_(is_overdue, col(Deadline.kind) == DeadlineKind.implementation.value),
        )
        .order_by(col(Deadline.due), col(Deadline.id))
    ).all()
    today = to_local(now).date()
    found: dict[int, _Deadlines] = defaultdict(lambda: ([], None))
    for deadline, overdue, committee in rows:
        late, wiedervorlage = found[deadline.paper_id]
        if overdue:
            days = (today - to_local(deadline.due).date()).days
            owes = who(deadline.responsible, deadline.office, committee)
            late.append(Overdue(deadline.label, deadline.due, days, owes))
        if deadline.kind == DeadlineKind.implementation.value:
            wiedervorlage = deadline
        found[deadline.paper_id] = (late, wiedervorlage)
    return found


def _later_steps(session: Session, papers: Any) -> dict[int, dict[str, LifecycleEvent]]:
    """Per paper: its start_implementation and close steps (the last of each)."""
    events = session.exec(
        select(LifecycleEvent)
        .where(
            col(LifecycleEvent.paper_id).in_(papers),
            col(LifecycleEvent.event).in_([Event.start_implementation.value, Event.close.value]),
        )
        .order_by(col(LifecycleEvent.id))
    ).all()
    found: dict[int, dict[str, LifecycleEvent]] = defaultdict(dict)
    for event in events:
        found[event.paper_id][event.event] = event
    return found


def _row(
    decision: Any,
    deadlines: _Deadlines,
    steps: dict[str, LifecycleEvent],
    now: datetime,
) -> DecisionRow:
    _, committee, decided_at, reference, title, public, result, state = decision
    late, wiedervorlage = deadlines
    started = steps.get(Event.start_implementation.value)
    closed = steps.get(Event.close.value)
    implementable = result in {r.value for r in IMPLEMENTABLE}
    if state == State.closed:
        where = f"erledigt am {to_local(closed.at):%d.%m.%Y}" if closed else "erledigt"
    elif state == State.in_implementation:
        where = f"in Umsetzung seit {to_local(started.at):%d.%m.%Y}" if started else "in Umsetzung"
    elif implementable:
        where = "Umsetzung nicht begonnen"
    else:
        where = "nichts umzusetzen"
    office = started.details.get("office") if started else None
    if office:
        responsible = str(office)
    elif wiedervorlage is not None:
        responsible = who(wiedervorlage.responsible, wiedervorlage.office, committee)
    else:
        responsible = "–"
    status = None
    if wiedervorlage is not None:
        current = wiedervorlage.status
        if current == DeadlineStatus.open and wiedervorlage.due < now:
            current = DeadlineStatus.missed.value  # before the sweep has written so
        status = status_label(current, wiedervorlage.due, wiedervorlage.met_at)
    return DecisionRow(
        committee=committee,
        decided_on=to_local(to_utc(decided_at)).date(),
        reference=reference,
        title=title,
        public=public,
        result=str(result),
        state=where,
        responsible=responsible,
        wiedervorlage=wiedervorlage.due if wiedervorlage is not None else None,
        wiedervorlage_status=status,
        overdue=late,
    )
