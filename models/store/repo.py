"""Look-ups shared by the use cases: papers by reference, committees by name, meetings by day.

Errors name what was looked for and, where it helps, what exists.
"""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import Session, col, select

from models.domain.errors import InvalidInput, NotFound
from models.domain.rules import DeadlineKind
from models.domain.text import name_key
from models.domain.timeutil import local_datetime, to_utc
from models.domain.vocab import OWED, DeadlineStatus
from models.store.tables import (
    Body,
    Consultation,
    Deadline,
    IntakeCounter,
    Meeting,
    Organization,
    Paper,
)

DEFAULT_MEETING_TIME = time(17, 0)
"""The start of a meeting whose time nobody gave; RATSFRIST_MEETING_TIME overrides it, and
the callers pass that setting on (flows.settings.Settings.meeting_time)."""


def past_due(now: datetime) -> Any:
    """SQL: a deadline whose due time has passed and that counts as owed work (a proposal
    deadline is a verdict at intake, never overdue)."""
    return sa.and_(
        col(Deadline.due) < to_utc(now), col(Deadline.kind) != DeadlineKind.proposal.value
    )


def open_past_due(now: datetime) -> Any:
    """SQL: an open deadline past due, i.e. missed but not yet marked so. The sweep marks
    these missed; a dry run counts them. models.domain.deadlines.open_past_due is the same
    test on one row in Python."""
    return sa.and_(col(Deadline.status) == DeadlineStatus.open.value, past_due(now))


def owed_past_due(now: datetime) -> Any:
    """SQL: past due and still owed (open or missed): what the overview calls overdue."""
    return sa.and_(col(Deadline.status).in_(OWED), past_due(now))


def get_or_create_body(session: Session, name: str) -> Body:
    body = session.exec(select(Body).where(Body.name == name)).first()
    if body is None:
        body = Body(name=name)
        session.add(body)
        session.flush()
    return body


def normalise_reference(reference: str) -> str:
    return " ".join(reference.split())


def find_paper(session: Session, reference: str, body: str | None = None) -> Paper:
    """The paper with this reference; with several bodies the body must be named (by its
    name, short name or slug)."""
    reference = normalise_reference(reference)
    query = select(Paper).where(
        (col(Paper.reference) == reference) | (col(Paper.intake_number) == reference)
    )
    if body is not None:
        query = query.join(Body).where(
            (Body.name == body) | (Body.short_name == body) | (Body.slug == body)
        )
    papers = session.exec(query).all()
    if not papers:
        raise NotFound(f"Vorlage {reference!r} ist nicht erfasst")
    if len(papers) > 1:
        raise InvalidInput(f"Vorlage {reference!r} gibt es in mehreren Kommunen: --body angeben")
    return papers[0]


def find_organization(session: Session, body_id: int, name: str) -> Organization:
    wanted = name_key(name)
    org = session.exec(
        select(Organization).where(
            Organization.body_id == body_id,
            (func.lower(Organization.name) == wanted)
            | (func.lower(Organization.short_name) == wanted),
        )
    ).first()
    if org is None:
        known = session.exec(
            select(Organization.name)
            .where(Organization.body_id == body_id)
            .order_by(Organization.name)
        ).all()
        hint = f" (bekannt: {', '.join(known)})" if known else ""
        raise NotFound(f"unbekanntes Gremium {name!r}{hint}")
    return org


def has_organizations(session: Session, body_id: int) -> bool:
    """Does the body know any committee yet? A body without any learns its committees from
    its first document; after that a name nobody knows is proposed for review."""
    return (
        session.exec(
            select(Organization.id).where(Organization.body_id == body_id).limit(1)
        ).first()
        is not None
    )


def organization_named(session: Session, body_id: int, name: str) -> Organization | None:
    try:
        return find_organization(session, body_id, name)
    except NotFound:
        return None


def next_intake_number(session: Session, body_id: int, year: int) -> int:
    """The next Eingangsnummer of the body in `year` (1, 2, …), never given twice.

    The counter is raised by one UPDATE before it is read: the statement takes the row's
    lock on PostgreSQL (a second intake waits, then counts on from the committed value) and
    SQLite's write lock, whereas reading first (even SELECT … FOR UPDATE, which SQLite
    ignores and runs outside the transaction) gave 8 intakes at once the numbers 1,1,1,1,2,2.
    The first number of a year inserts the row in a savepoint; losing that race to a
    concurrent insert (unique key) means counting on from the winner's row."""
    where = (col(IntakeCounter.body_id) == body_id, col(IntakeCounter.year) == year)
    table = IntakeCounter.__table__  # type: ignore[attr-defined]
    raise_by_one = sa.update(table).where(*where).values(last=table.c.last + 1)
    if session.connection().execute(raise_by_one).rowcount == 0:
        try:
            with session.begin_nested():
                session.connection().execute(
                    sa.insert(table).values(body_id=body_id, year=year, last=1)
                )
            return 1
        except sa.exc.IntegrityError:
            session.connection().execute(raise_by_one)
    return session.connection().execute(sa.select(table.c.last).where(*where)).scalar_one()


def get_or_create_organization(session: Session, body_id: int, name: str) -> Organization:
    try:
        return find_organization(session, body_id, name)
    except NotFound:
        org = Organization(body_id=body_id, name=" ".join(name.split()))
        session.add(org)
        session.flush()
        return org


def meeting_on(
    session: Session,
    organization: Organization,
    day: date,
    *,
    at: time | None = None,
    create: bool = True,
) -> Meeting | None:
    """The organization's meeting on a (Berlin) calendar day, created with the default start
    time if the document names a date the calendar does not know yet."""
    day_start = local_datetime(day, time(0, 0))
    next_day = local_datetime(date.fromordinal(day.toordinal() + 1), time(0, 0))
    meeting = session.exec(
        select(Meeting)
        .where(
            Meeting.organization_id == organization.id,
            Meeting.start >= day_start,
            Meeting.start < next_day,
        )
        .order_by(col(Meeting.start))
    ).first()
    if meeting is None and create:
        assert organization.id is not None
        meeting = Meeting(
            organization_id=organization.id,
            name=f"Sitzung {organization.name} {day:%d.%m.%Y}",
            start=local_datetime(day, at or DEFAULT_MEETING_TIME),
        )
        session.add(meeting)
        session.flush()
    return meeting


def consultations_of(session: Session, paper: Paper) -> list[Consultation]:
    return list(
        session.exec(
            select(Consultation)
            .where(Consultation.paper_id == paper.id)
            .order_by(col(Consultation.position), col(Consultation.id))
        ).all()
    )


def current_consultation(session: Session, paper: Paper) -> Consultation | None:
    """The open consultation first in the Beratungsfolge: the one the next step concerns."""
    return next((c for c in consultations_of(session, paper) if not c.done), None)
