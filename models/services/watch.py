"""Watch lists for managers: what nobody moves, one query per list.

A manager's question is not "what is overdue" (the sweep's table answers that) but "what is
stuck": motions nobody touched for weeks, referrals ("verwiesen") the target committee never
scheduled, decisions whose implementation is past its Wiedervorlage, and council system
results that still wait for a person ("Ergebnis prüfen"). Each list is one set-based query
(no query per row), returning plain data; flows.render_reports turns it into tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.domain.rules import DeadlineKind
from models.domain.states import Event, Result, State
from models.domain.timeutil import to_utc
from models.services.overview import OVERDUE_COLUMNS, Overdue, tracked
from models.store.tables import (
    AgendaItem,
    Body,
    Consultation,
    Deadline,
    LifecycleEvent,
    Meeting,
    Organization,
    Paper,
)

DEFAULT_WEEKS = 6
"""Six weeks without a step: about one cycle of committee meetings missed."""

WATCHED_STATES: tuple[str, ...] = tuple(
    s.value for s in State if not s.terminal and s is not State.in_implementation
)
"""States in which a motion waits for somebody's next step. A motion in implementation is
watched by its Wiedervorlage (`implementations_overdue`), not by the weeks since its last
step: three quiet months are what the rules allow it."""


@dataclass(frozen=True, slots=True)
class Stale:
    """A motion without a step since `last_at`."""

    committee: str | None
    reference: str
    title: str
    public: bool
    state: str
    last_event: str
    last_at: datetime


@dataclass(frozen=True, slots=True)
class Referral:
    """A motion referred to another committee on `referred_at` and not scheduled since."""

    referred_by: str | None
    referred_to: str | None
    reference: str
    title: str
    public: bool
    referred_at: datetime


@dataclass(frozen=True, slots=True)
class Review:
    """An agenda item result from the council system that a person must read."""

    committee: str
    meeting: datetime
    item: str
    reference: str | None
    title: str | None
    public: bool
    result: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class WatchLists:
    """The four lists as of `now`, with the number of weeks they were asked with."""

    now: datetime
    weeks: int
    stale: list[Stale] = field(default_factory=list)
    referrals: list[Referral] = field(default_factory=list)
    implementations: list[Overdue] = field(default_factory=list)
    reviews: list[Review] = field(default_factory=list)


def _latest_events(states: tuple[str, ...]) -> Any:
    """Subquery: the last recorded lifecycle event (by id: the order of recording) of each
    paper in one of `states` (the closed majority of an archive is not grouped at all)."""
    return (
        select(
            col(LifecycleEvent.paper_id).label("paper_id"),
            sa.func.max(col(LifecycleEvent.id)).label("event_id"),
        )
        .where(
            col(LifecycleEvent.paper_id).in_(
                select(col(Paper.id)).where(col(Paper.state).in_(states))
            )
        )
        .group_by(col(LifecycleEvent.paper_id))
        .subquery()
    )


_DETAILS = LifecycleEvent.__table__.c.details  # type: ignore[attr-defined]
"""The event's JSON details, for the keys the queries read (result, organization, …)."""


def stale_motions(session: Session, now: datetime, weeks: int = DEFAULT_WEEKS) -> list[Stale]:
    """Open motions (not in implementation) whose last step is `weeks` or more ago, the
    longest untouched first."""
    cutoff = to_utc(now) - timedelta(weeks=weeks)
    latest = _latest_events(WATCHED_STATES)
    rows = session.exec(
        select(  # type: ignore[call-overload]  # sqlmodel types at most four columns
            # where the motion is now; once decided, the committee that decided it
            sa.func.coalesce(col(Organization.name), _DETAILS["organization"].as_string()),
            Paper.reference,
            Paper.name,
            Paper.public,
            Paper.state,
            LifecycleEvent.event,
            LifecycleEvent.at,
        )
        .join(latest, latest.c.paper_id == Paper.id)
        .join(LifecycleEvent, col(LifecycleEvent.id) == latest.c.event_id)
        .outerjoin(Organization, col(Organization.id) == Paper.current_organization_id)
        .where(col(Paper.state).in_(WATCHED_STATES), col(LifecycleEvent.at) < cutoff)
        .order_by(col(LifecycleEvent.at), col(Paper.reference))
    ).all()
    return [Stale(*row) for row in rows]


def unscheduled_referrals(
    session: Session, now: datetime, weeks: int = DEFAULT_WEEKS
) -> list[Referral]:
    """Motions whose last step is a referral ("verwiesen") `weeks` or more ago: the
    committee it went to has not put it on an agenda since."""
    cutoff = to_utc(now) - timedelta(weeks=weeks)
    latest = _latest_events((State.submitted.value,))
    details = _DETAILS
    rows = session.exec(
        select(  # type: ignore[call-overload]
            details["organization"].as_string(),
            details["referred_to"].as_string(),
            Paper.reference,
            Paper.name,
            Paper.public,
            LifecycleEvent.at,
        )
        .join(latest, latest.c.paper_id == Paper.id)
        .join(LifecycleEvent, col(LifecycleEvent.id) == latest.c.event_id)
        .where(
            col(Paper.state) == State.submitted.value,
            col(LifecycleEvent.event) == Event.decide.value,
            details["result"].as_string() == Result.verwiesen.value,
            col(LifecycleEvent.at) < cutoff,
        )
        .order_by(col(LifecycleEvent.at), col(Paper.reference))
    ).all()
    return [Referral(*row) for row in rows]


def implementations_overdue(session: Session, now: datetime) -> list[Overdue]:
    """Decisions past their Wiedervorlage (the implementation deadline) and still owed,
    since the start of tracking, the longest overdue first."""
    rows = session.exec(
        select(*OVERDUE_COLUMNS)  # type: ignore[call-overload]
        .join(Body, col(Body.id) == Deadline.body_id)
        .join(Paper, col(Paper.id) == Deadline.paper_id)
        .outerjoin(Organization, col(Organization.id) == Deadline.organization_id)
        .where(tracked(now), col(Deadline.kind) == DeadlineKind.implementation.value)
        .order_by(col(Deadline.due), col(Paper.reference), col(Deadline.id))
    ).all()
    return [Overdue(*row) for row in rows]


def results_for_review(session: Session) -> list[Review]:
    """Agenda item results flagged "Ergebnis prüfen" whose consultation is still open (or
    whose paper is not synced yet), the oldest meeting first. The same selection as
    `ratsfrist oparl-review`, in one query."""
    rows = session.exec(
        select(  # type: ignore[call-overload]
            Organization.name,
            Meeting.start,
            AgendaItem.number,
            Paper.reference,
            Paper.name,
            sa.and_(col(AgendaItem.public), sa.func.coalesce(col(Paper.public), sa.true())),
            AgendaItem.result,
            AgendaItem.result_review,
        )
        .select_from(AgendaItem)
        .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
        .join(Organization, col(Organization.id) == Meeting.organization_id)
        .outerjoin(Consultation, col(Consultation.id) == AgendaItem.consultation_id)
        .outerjoin(Paper, col(Paper.id) == Consultation.paper_id)
        .where(
            col(AgendaItem.result_review).is_not(None),
            sa.or_(col(Consultation.id).is_(None), sa.not_(col(Consultation.done))),
        )
        .order_by(col(Meeting.start), col(AgendaItem.id))
    ).all()
    return [
        Review(committee, meeting, item, reference, title, bool(public), result, reason)
        for committee, meeting, item, reference, title, public, result, reason in rows
    ]


def watch_lists(session: Session, now: datetime, weeks: int = DEFAULT_WEEKS) -> WatchLists:
    """All four lists as of `now` (four queries in the caller's transaction)."""
    return WatchLists(
        now=to_utc(now),
        weeks=weeks,
        stale=stale_motions(session, now, weeks),
        referrals=unscheduled_referrals(session, now, weeks),
        implementations=implementations_overdue(session, now),
        reviews=results_for_review(session),
    )
