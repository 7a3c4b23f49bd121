"""The database tables. Names follow OParl 1.1 where OParl has a name for the thing
(Body, Organization, Meeting, Paper, Consultation, AgendaItem; reference, paper_type ↔
paperType, role, authoritative); Python attributes are the snake_case of the OParl names.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import JSON, Column, Text, UniqueConstraint, event
from sqlalchemy.orm import Session as OrmSession
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC out, on every backend.

    SQLite has no time zones and hands back naive values; PostgreSQL's timestamptz does.
    Storing UTC and converting at the edge keeps both identical and sortable.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r} cannot be stored; pass an aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _json_list() -> Any:
    return Field(default_factory=list, sa_column=Column(JSON, nullable=False))


class Body(SQLModel, table=True):
    """The municipality (OParl Body)."""

    __tablename__ = "body"
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=200, unique=True)
    short_name: str | None = Field(default=None, max_length=50)
    oparl_id: str | None = Field(default=None, max_length=500, unique=True)
    """The object's URL in the council information system it was synced from (OParl id):
    what identifies a synced body, whatever it is named (models.services.oparl_store)."""
    oparl_name: str | None = Field(default=None, max_length=200)
    """The name the source gives the body (SessionNet: "Instance 0001"), kept as it says it;
    `name` is the name ratsfrist shows and `--body` finds, which may differ."""
    oparl_history_before: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """The start of tracking, set by the body's first OParl sync: meetings before it are
    history, whose deadlines are no alarms (models.services.oparl_catch_up). Kept beside the
    sync cursors' state but on the body, since the cursors are per list and this is not."""
    profile: str | None = Field(default=None, max_length=500)
    """The body's Geschäftsordnung profile (a shipped name or a path); None: RATSFRIST_RULES,
    so that a one-body installation keeps following its setting (models.services.bodies)."""
    state: str | None = Field(default=None, max_length=2)
    """Bundesland code (NW, BY, SN, …) whose holidays count; None: the profile's state."""
    holiday_categories: str | None = Field(default=None, max_length=200)
    """The municipality's holiday categories, comma-separated (`catholic`, `augsburg`)."""
    slug: str | None = Field(default=None, max_length=100, unique=True)
    """Its routing name: reminders carry the Apprise tag `koerperschaft-<slug>`; None: the
    name's slug (models.domain.bodies.slugify)."""


class Organization(SQLModel, table=True):
    """A committee or the council itself (OParl Organization)."""

    __tablename__ = "organization"
    __table_args__ = (UniqueConstraint("body_id", "name"),)
    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    name: str = Field(max_length=200)
    short_name: str | None = Field(default=None, max_length=50)
    classification: str | None = Field(default=None, max_length=100)
    oparl_id: str | None = Field(default=None, max_length=500, unique=True)
    """The object's URL in the council information system it was synced from (OParl id)."""


class Meeting(SQLModel, table=True):
    """A session of one organization (OParl Meeting). A joint session of several (OParl
    lists them all) keeps the first here and every one in MeetingOrganization."""

    __tablename__ = "meeting"
    __table_args__ = (UniqueConstraint("organization_id", "start"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    name: str | None = Field(default=None, max_length=300)
    start: datetime = Field(sa_type=UTCDateTime, index=True)
    end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    public: bool = True
    cancelled: bool = False
    location: str | None = Field(default=None, max_length=300)
    minutes_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the minutes (Niederschrift, OParl resultsProtocol) were recorded or published."""
    meeting_state: str | None = Field(default=None, max_length=100)
    """OParl meetingState as the source says it (e.g. 'eingeladen', 'durchgeführt')."""
    oparl_id: str | None = Field(default=None, max_length=500, unique=True)
    """The object's URL in the council information system it was synced from (OParl id)."""
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Last change of date or status: calendar subscribers see updates by it."""


class MeetingOrganization(SQLModel, table=True):
    """The organizations of a meeting, in the source's order (OParl Meeting.organization is a
    list: a joint session of two committees). `Meeting.organization_id` is the first, for the
    queries that know one committee per meeting."""

    __tablename__ = "meeting_organization"
    meeting_id: int = Field(foreign_key="meeting.id", primary_key=True)
    organization_id: int = Field(foreign_key="organization.id", primary_key=True, index=True)
    position: int = 0


@event.listens_for(Meeting, "after_insert")
def _first_organization_linked(_mapper: Any, connection: sa.Connection, meeting: Meeting) -> None:
    """Every meeting, however made (typed in, named by a document, synced), has its
    organization as the first link, so MeetingOrganization alone answers "whose meetings"."""
    connection.execute(
        sa.insert(MeetingOrganization.__table__).values(  # type: ignore[attr-defined]
            meeting_id=meeting.id, organization_id=meeting.organization_id, position=0
        )
    )


class Paper(SQLModel, table=True):
    """The motion (OParl Paper), with the lifecycle state ratsfrist keeps for it."""

    __tablename__ = "paper"
    __table_args__ = (
        UniqueConstraint("body_id", "reference"),
        sa.Index("ix_paper_overview", "state", "body_id", "current_organization_id"),
        sa.Index("ix_paper_body_intake_number", "body_id", "intake_number", unique=True),
    )
    id: int | None = Field(default=None, primary_key=True)
    body_id: int = Field(foreign_key="body.id", index=True)
    reference: str = Field(max_length=100, index=True)
    paper_type: str = Field(max_length=100)
    name: str = Field(sa_column=Column(Text, nullable=False))
    subtitle: str | None = Field(default=None, sa_column=Column(Text))
    date: date
    public: bool = True
    legal_basis: str | None = Field(default=None, max_length=300)
    submitters: list[str] = _json_list()
    signatories: list[dict[str, Any]] = _json_list()
    resolution_proposal: str | None = Field(default=None, sa_column=Column(Text))
    reasoning: str | None = Field(default=None, sa_column=Column(Text))
    attachments: list[str] = _json_list()
    state: str = Field(max_length=30, index=True)
    received_at: datetime = Field(sa_type=UTCDateTime)
    source: str | None = Field(default=None, max_length=500)
    content_hash: str | None = Field(default=None, max_length=64)
    intake_number: str | None = Field(default=None, max_length=100)
    """The Eingangsnummer ('E 2026/0042') of a document that came without a number of its
    own (a faction's letter); `reference` is it until the external number is known, and
    `find_paper` finds the motion by either."""
    uncertain: list[dict[str, Any]] = _json_list()
    """What the intake was unsure of, [{field, reason}], while the motion is `in_review`;
    emptied by the review, whose event keeps what was checked."""
    proposed_consultations: list[dict[str, Any]] = _json_list()
    """The Beratungsfolge as read, while the motion is `in_review`: stored as consultations
    (and unknown committees created) only once a person has checked it."""
    oparl_id: str | None = Field(default=None, max_length=500, unique=True)
    """The object's URL in the council information system it was synced from (OParl id)."""
    upstream_deleted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the source reported the paper deleted; the row and its history stay."""
    current_organization_id: int | None = Field(default=None, foreign_key="organization.id")
    """The committee of its first open consultation: where the motion is now. Kept by
    deadlines.replan, so that the overview counts motions per committee from an index."""
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class IntakeCounter(SQLModel, table=True):
    """The last Eingangsnummer given per body and year. Read with SELECT … FOR UPDATE, so two
    intakes at once on PostgreSQL wait for each other instead of taking the same number
    (models.store.repo.next_intake_number)."""

    __tablename__ = "intake_counter"
    body_id: int = Field(foreign_key="body.id", primary_key=True)
    year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    last: int = 0


class Consultation(SQLModel, table=True):
    """One row of the Beratungsfolge: a paper before one organization (OParl Consultation).

    The current consultation is the open one with the lowest position; `done` is set when a
    result other than a postponement ends it.
    """

    __tablename__ = "consultation"
    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="paper.id", index=True)
    organization_id: int = Field(foreign_key="organization.id", index=True)
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    position: int
    role: str = Field(max_length=50)
    authoritative: bool = False
    public: bool = True
    result: str | None = Field(default=None, max_length=50)
    done: bool = False
    source_meeting_id: int | None = Field(default=None, foreign_key="meeting.id")
    """The meeting the council information system assigns (OParl Consultation.meeting); the
    sync moves the lifecycle there, `meeting_id` is where ratsfrist has it now."""
    oparl_id: str | None = Field(default=None, max_length=500, unique=True)
    """The object's URL in the council information system it was synced from (OParl id)."""


class AgendaItem(SQLModel, table=True):
    """A point on a meeting's agenda (OParl AgendaItem); a postponed consultation gets a new
    one at the next meeting, so the old item keeps its result as history.

    Synced items are identified by their OParl id (unique), not by (meeting, number): council
    systems number the public and the non-public part from 1 again (More!Rubin). Items typed in
    by hand keep a number unique per meeting; models.services.agenda checks that."""

    __tablename__ = "agenda_item"
    __table_args__ = (sa.Index("ix_agenda_item_meeting_number", "meeting_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    meeting_id: int = Field(foreign_key="meeting.id", index=True)
    consultation_id: int | None = Field(default=None, foreign_key="consultation.id", index=True)
    """None for an item synced before (or without) the paper it deals with."""
    number: str = Field(max_length=20)
    name: str | None = Field(default=None, sa_column=Column(Text))
    public: bool = True
    result: str | None = Field(default=None, sa_column=Column(Text))
    """The result as the source words it, whole (a vote, a sentence, a table)."""
    result_review: str | None = Field(default=None, sa_column=Column(Text))
    """Why the result needs a person ("Ergebnis prüfen: …"); None when it was read or is
    absent. Listed by `ratsfrist oparl-review`."""
    resolution_text: str | None = Field(default=None, sa_column=Column(Text))
    oparl_id: str | None = Field(default=None, max_length=500, unique=True)
    """The object's URL in the council information system it was synced from (OParl id)."""
    consultation_oparl_id: str | None = Field(default=None, max_length=500, index=True)
    """The consultation the source links the item to, kept until that paper is synced."""


class Question(SQLModel, table=True):
    """A question the administration's report must answer."""

    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("paper_id", "number"),)
    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="paper.id", index=True)
    number: int
    text: str = Field(sa_column=Column(Text, nullable=False))
    answered_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class LifecycleEvent(SQLModel, table=True):
    """Append-only audit log: one row per transition, written in the same transaction."""

    __tablename__ = "lifecycle_event"
    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="paper.id", index=True)
    at: datetime = Field(sa_type=UTCDateTime)
    actor: str = Field(max_length=200)
    event: str = Field(max_length=50)
    from_state: str | None = Field(default=None, max_length=30)
    to_state: str = Field(max_length=30)
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AppendOnlyViolation(RuntimeError):
    pass


@event.listens_for(OrmSession, "before_flush")
def _lifecycle_events_are_append_only(session: OrmSession, *_: object) -> None:
    """The audit log is evidence; the ORM refuses to change or delete it."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, LifecycleEvent) and (obj in session.deleted or session.is_modified(obj)):
            raise AppendOnlyViolation("lifecycle_event is append-only")


class Deadline(SQLModel, table=True):
    """A deadline computed from the rules of procedure; never typed in by hand.

    `key` (rule, consultation, meeting) identifies it within the paper, so re-planning after a
    moved meeting updates the same row, and a new meeting gives a new one.

    `body_id` and `organization_id` repeat what the paper and the consultation say (neither
    changes for a row), so that the sweep's index holds everything its queries ask: marking,
    the day's escalations and the overview read the index alone, whatever the table's size.

    `explanation` (models.domain.explain.Explanation.as_dict: profile, version, paragraph,
    wording, steps) is stored when the deadline is planned or re-dated, not recomputed when
    shown: recomputing from the anchor and the body's current rules would be cheaper to
    store, but a later profile version would then rewrite why a met or missed deadline ended
    when it did, and the Geschäftsordnung that applied is what the record must keep. It also
    makes showing cheap: a reminder mail, the .ics and the OParl export only read the column.
    NULL for deadlines planned before migration 0011 until their next re-plan.
    """

    __tablename__ = "deadline"
    __table_args__ = (
        UniqueConstraint("paper_id", "key"),
        sa.Index("ix_deadline_sweep", "status", "due", "kind", "body_id", "organization_id"),
    )
    id: int | None = Field(default=None, primary_key=True)
    paper_id: int = Field(foreign_key="paper.id", index=True)
    body_id: int = Field(foreign_key="body.id")
    consultation_id: int | None = Field(default=None, foreign_key="consultation.id")
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    meeting_id: int | None = Field(default=None, foreign_key="meeting.id", index=True)
    key: str = Field(max_length=100)
    rule: str = Field(max_length=50)
    kind: str = Field(max_length=30)
    label: str = Field(max_length=200)
    description: str | None = Field(default=None, max_length=300)
    due: datetime = Field(sa_type=UTCDateTime)
    responsible: str = Field(max_length=100)
    office: str | None = Field(default=None, max_length=200)
    status: str = Field(max_length=20)
    met_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    met_by_event_id: int | None = Field(default=None, foreign_key="lifecycle_event.id")
    explanation: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    extended_from: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """The due date the rules give, while a Fristverlängerung holds `due` later; None: not
    extended. Re-planning compares the rules with this, never with the extended date."""
    extension_reason: str | None = Field(default=None, sa_column=Column(Text))


class Reminder(SQLModel, table=True):
    """The transactional outbox: one row per (deadline, step, recipient tag), and one
    escalation row per (committee, working day, tag).

    Planned in the same transaction as the deadline change that causes it; sent outside any
    transaction by a dispatcher that claims it first. `delivered_to` lists the recipients that
    already have it (committed after each send), so a retry never mails them again.

    An escalation row (`scope` set, no deadline) stands for all deadlines of its committee
    that are missed when it is sent: the managers get one mail a day per committee, and the
    sweep writes a handful of rows a day instead of one per missed deadline.
    """

    __tablename__ = "reminder"
    __table_args__ = (
        UniqueConstraint("deadline_id", "step", "tag"),
        UniqueConstraint("scope", "step", "tag"),
        sa.Index("ix_reminder_status_send_at", "status", "send_at"),
    )
    id: int | None = Field(default=None, primary_key=True)
    deadline_id: int | None = Field(default=None, foreign_key="deadline.id", index=True)
    paper_id: int | None = Field(default=None, foreign_key="paper.id", index=True)
    scope: str | None = Field(default=None, max_length=60)
    """Escalations only: 'body/organization' ('7/-' for deadlines without a committee)."""
    body_id: int | None = Field(default=None, foreign_key="body.id")
    """The body it concerns (escalations and, since 0008, deadline reminders too): routed to
    `koerperschaft-<slug>` tags (notifications.routes)."""
    organization_id: int | None = Field(default=None, foreign_key="organization.id")
    step: str = Field(max_length=60)
    """vorher-7@2021-06-10, am-tag@…, neu@…, eskalation@2021-06-11"""
    tag: str = Field(max_length=100)
    committee: str | None = Field(default=None, max_length=200)
    escalation: bool = False
    send_at: datetime = Field(sa_type=UTCDateTime)
    status: str = Field(max_length=20)
    """pending → sending (claimed) → sent / failed; cancelled once its deadline needs it no more"""
    attempts: int = 0
    next_attempt_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=1000)
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    delivered_to: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class OParlCursor(SQLModel, table=True):
    """Where the sync of one OParl list stands, so that an interrupted sync resumes at the
    page it stopped on and the next one asks only for what changed since the last full run.

    The page's objects and the cursor move on in the same transaction: a crash repeats at
    most the page in hand, and upserts by `oparl_id` make that repetition harmless.
    """

    __tablename__ = "oparl_cursor"
    id: int | None = Field(default=None, primary_key=True)
    list_url: str = Field(max_length=500, unique=True)
    next_url: str | None = Field(default=None, sa_column=Column(Text))
    """The page still to fetch in a run in progress; None when no run is in progress."""
    run_since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """modified_since of the run in progress (None: everything)."""
    run_started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    synced_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """Start of the last complete run: the next run asks for modified_since this."""
    objects: int = 0
    updated_at: datetime = Field(sa_type=UTCDateTime)
