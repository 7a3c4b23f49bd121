"""Session calendars: committees and their meetings, and what moving or cancelling one does.

A moved or cancelled meeting re-plans every deadline that hangs on it
(models.services.deadlines), in the same transaction as the change, and says which motions
now need a new meeting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from models.domain.bodies import Rules, rules_of
from models.domain.calendar import expand_rrule
from models.domain.deadlines import extension_note
from models.domain.errors import InvalidInput, NotFound
from models.domain.explain import explained_line
from models.domain.ics import CalendarEntry, deadline_entry, stable_uid
from models.domain.planning import TERMINAL_STATES, WAITING_STATES, meeting_rules
from models.domain.rules import DeadlineKind
from models.domain.timeutil import local_datetime, to_local
from models.domain.vocab import OWED, DeadlineStatus
from models.services.deadlines import PlanChange, replan, sync_reminders
from models.store.profiles import default_rules
from models.store.repo import (
    DEFAULT_MEETING_TIME,
    find_organization,
    get_or_create_body,
    meeting_on,
)
from models.store.tables import Body, Consultation, Deadline, Meeting, Organization, Paper


def add_committee(
    session: Session, *, body_name: str, name: str, short_name: str | None = None
) -> Organization:
    body = get_or_create_body(session, body_name)
    assert body.id is not None
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("Name des Gremiums fehlt")
    try:
        existing = find_organization(session, body.id, name)
    except NotFound:
        existing = None
    if existing is not None:
        raise InvalidInput(f"Gremium {existing.name!r} gibt es schon")
    org = Organization(body_id=body.id, name=name, short_name=short_name)
    session.add(org)
    session.flush()
    return org


def list_committees(session: Session, body_id: int | None = None) -> list[dict[str, Any]]:
    """The committees of one body (None: of all), by name."""
    query = select(Organization, Body.name).join(Body, col(Body.id) == Organization.body_id)
    if body_id is not None:
        query = query.where(Organization.body_id == body_id)
    return [
        {"name": o.name, "short_name": o.short_name, "body": body}
        for o, body in session.exec(query.order_by(col(Organization.name), col(Body.name))).all()
    ]


def _committee(session: Session, body_name: str, name: str) -> Organization:
    body = get_or_create_body(session, body_name)
    assert body.id is not None
    return find_organization(session, body.id, name)


def _meeting(session: Session, org: Organization, day: date) -> Meeting:
    meeting = meeting_on(session, org, day, create=False)
    if meeting is None:
        raise NotFound(f"keine Sitzung {org.name} am {day:%d.%m.%Y}")
    return meeting


def add_meeting(
    session: Session,
    *,
    body_name: str,
    committee: str,
    day: date,
    now: datetime,
    at: time = DEFAULT_MEETING_TIME,
    location: str | None = None,
    rules: Rules | None = None,
) -> MeetingChange:
    """A new meeting; deadlines counted in the committee's meetings ("spätestens in der
    übernächsten Sitzung") that were not computable yet are planned (MeetingChange)."""
    org = _committee(session, body_name, committee)
    if meeting_on(session, org, day, create=False) is not None:
        raise InvalidInput(f"Sitzung {org.name} am {day:%d.%m.%Y} gibt es schon")
    assert org.id is not None
    meeting = Meeting(
        organization_id=org.id,
        name=f"Sitzung {org.name} {day:%d.%m.%Y}",
        start=local_datetime(day, at),
        location=location,
        updated_at=now,
    )
    session.add(meeting)
    session.flush()
    return replan_meeting(session, meeting, now=now, rules=rules, new=True)


def plan_meetings(
    session: Session,
    *,
    body_name: str,
    committee: str,
    rrule: str,
    start: date,
    until: date,
    now: datetime,
    at: time = DEFAULT_MEETING_TIME,
    exceptions: list[date] | None = None,
    rules: Rules | None = None,
    skip_closed: bool = True,
) -> tuple[list[Meeting], list[date]]:
    """Meetings from an RRULE (e.g. FREQ=MONTHLY;BYDAY=2TU), minus the exceptions and, by
    default, minus days the office is closed. Days that already have a meeting are left
    alone; returns (created, skipped as already there)."""
    org = _committee(session, body_name, committee)
    assert org.id is not None
    if until < start:
        raise InvalidInput("--until liegt vor --from")
    calendar = rules_of(rules or default_rules(), org.body_id).calendar if skip_closed else None
    starts = expand_rrule(
        rrule, start=start, until=until, at=at, exceptions=exceptions or (), skip_closed=calendar
    )
    created, existing = [], []
    for moment in starts:
        day = to_local(moment).date()
        if meeting_on(session, org, day, create=False) is not None:
            existing.append(day)
            continue
        meeting = Meeting(
            organization_id=org.id,
            name=f"Sitzung {org.name} {day:%d.%m.%Y}",
            start=moment,
            updated_at=now,
        )
        session.add(meeting)
        created.append(meeting)
    session.flush()
    if created:
        _replan_counting(session, org, now=now, rules=rules)
    return created, existing


@dataclass
class MeetingChange:
    meeting: Meeting
    deadlines: PlanChange = field(default_factory=PlanChange)
    needs_new_meeting: list[str] = field(default_factory=list)
    """References of motions on the agenda of a cancelled meeting."""


def _affected_papers(session: Session, meeting: Meeting) -> list[Paper]:
    by_consultation = select(Consultation.paper_id).where(Consultation.meeting_id == meeting.id)
    by_deadline = select(Deadline.paper_id).where(Deadline.meeting_id == meeting.id)
    return list(
        session.exec(
            select(Paper)
            .where(col(Paper.id).in_(by_consultation) | col(Paper.id).in_(by_deadline))
            .order_by(col(Paper.reference))
        ).all()
    )


def move_meeting(
    session: Session,
    *,
    body_name: str,
    committee: str,
    day: date,
    new_day: date,
    at: time | None = None,
    now: datetime,
    rules: Rules | None = None,
) -> MeetingChange:
    """Verlegung: the same meeting at another date; every deadline on it follows."""
    org = _committee(session, body_name, committee)
    meeting = _meeting(session, org, day)
    if meeting.cancelled:
        raise InvalidInput(f"Sitzung {org.name} am {day:%d.%m.%Y} ist abgesagt")
    clash = meeting_on(session, org, new_day, create=False)
    if clash is not None and clash.id != meeting.id:
        raise InvalidInput(f"am {new_day:%d.%m.%Y} gibt es schon eine Sitzung {org.name}")
    keep = to_local(meeting.start).time().replace(tzinfo=None)
    meeting.start = local_datetime(new_day, at or keep)
    meeting.name = f"Sitzung {org.name} {new_day:%d.%m.%Y}"
    meeting.updated_at = now
    session.add(meeting)
    session.flush()
    return replan_meeting(session, meeting, now=now, rules=rules)


def cancel_meeting(
    session: Session,
    *,
    body_name: str,
    committee: str,
    day: date,
    now: datetime,
    rules: Rules | None = None,
) -> MeetingChange:
    """Absage: deadlines that hang on the meeting are cancelled; motions on its agenda are
    named, since they need a new meeting (`ratsfrist schedule REF --meeting …`)."""
    org = _committee(session, body_name, committee)
    meeting = _meeting(session, org, day)
    if meeting.cancelled:
        raise InvalidInput(f"Sitzung {org.name} am {day:%d.%m.%Y} ist schon abgesagt")
    meeting.cancelled = True
    meeting.updated_at = now
    session.add(meeting)
    session.flush()
    return replan_meeting(session, meeting, now=now, rules=rules)


def replan_meeting(
    session: Session,
    meeting: Meeting,
    *,
    now: datetime,
    rules: Rules | None = None,
    new: bool = False,
) -> MeetingChange:
    """After a meeting was added, or its date or status changed (here or in the council
    information system): re-plan every motion that hangs on it, and those whose deadlines
    count its committee's meetings, and name those that need a new meeting. A `new` meeting
    has nothing hanging on it yet: only the counting ones are looked for."""
    change = MeetingChange(meeting)
    org = session.get(Organization, meeting.organization_id)
    assert org is not None
    affected = {} if new else {p.id: p for p in _affected_papers(session, meeting)}
    counting = _counting_papers(session, org, rules or default_rules())
    for paper in sorted({**affected, **counting}.values(), key=lambda p: p.reference):
        change.deadlines.merge(replan(session, paper, rules or default_rules(), now))
        if not meeting.cancelled:
            continue
        on_agenda = session.exec(
            select(Consultation.id).where(
                Consultation.paper_id == paper.id,
                Consultation.meeting_id == meeting.id,
                col(Consultation.done).is_(False),
            )
        ).first()
        if on_agenda is not None:
            change.needs_new_meeting.append(paper.reference)
    return change


def _counting_papers(session: Session, org: Organization, rules: Rules) -> dict[int | None, Paper]:
    """The papers before this committee (an open consultation) whose deadlines count its
    meetings and are not met yet for that consultation (one met in an earlier consultation,
    before a Verweisung, does not count): none unless the body's profile has a rule counted
    in meetings, and only papers of the types it applies to (a moved meeting of a town's
    council must not re-plan every paper of the council)."""
    counting = meeting_rules(rules_of(rules, org.body_id))
    if not counting:
        return {}
    before = select(Consultation.paper_id).where(
        Consultation.organization_id == org.id, col(Consultation.done).is_(False)
    )
    met = (  # for the consultation before this committee: consulted again, it owes anew
        select(Deadline.id)
        .join(Consultation, col(Consultation.id) == Deadline.consultation_id)
        .where(
            Deadline.paper_id == Paper.id,
            col(Deadline.rule).in_({name for name, _ in counting}),
            Deadline.status == DeadlineStatus.met.value,
            Consultation.organization_id == org.id,
            col(Consultation.done).is_(False),
        )
        .exists()
    )
    query = select(Paper).where(
        col(Paper.id).in_(before),
        col(Paper.state).not_in(TERMINAL_STATES | WAITING_STATES),
        ~met,
    )
    if all(rule.paper_types is not None for _, rule in counting):
        types = {t for _, rule in counting for t in rule.paper_types or ()}
        query = query.where(col(Paper.paper_type).in_(types))
    return {p.id: p for p in session.exec(query).all()}


def _replan_counting(
    session: Session, org: Organization, *, now: datetime, rules: Rules | None
) -> PlanChange:
    """Re-plan the papers whose deadlines count this committee's meetings (after meetings
    were added)."""
    change = PlanChange()
    papers = _counting_papers(session, org, rules or default_rules())
    for paper in sorted(papers.values(), key=lambda p: p.reference):
        change.merge(replan(session, paper, rules or default_rules(), now))
    return change


def record_minutes(
    session: Session,
    *,
    body_name: str,
    committee: str,
    day: date,
    now: datetime,
    rules: Rules | None = None,
) -> list[Deadline]:
    """Niederschrift erstellt: meets the minutes deadline of every motion dealt with at the
    meeting (minutes belong to the meeting, so no lifecycle event of a motion meets them)."""
    org = _committee(session, body_name, committee)
    meeting = _meeting(session, org, day)
    rows = meet_minutes(session, meeting, now=now, rules=rules)
    if not rows:
        raise InvalidInput(f"keine offene Niederschrift-Frist für {org.name} am {day:%d.%m.%Y}")
    return rows


def meet_minutes(
    session: Session, meeting: Meeting, *, now: datetime, rules: Rules | None = None
) -> list[Deadline]:
    """The minutes deadlines of the meeting that are still owed, marked met; the meeting
    remembers, so that a motion dealt with there and synced later finds them done."""
    if meeting.minutes_at is None:
        meeting.minutes_at = now
        session.add(meeting)
    rows = session.exec(
        select(Deadline).where(
            Deadline.meeting_id == meeting.id,
            Deadline.kind == DeadlineKind.minutes.value,
            col(Deadline.status).in_(OWED),
        )
    ).all()
    for row in rows:
        row.status, row.met_at, row.updated_at = DeadlineStatus.met.value, now, now
        session.add(row)
    session.flush()
    for paper in session.exec(
        select(Paper).where(col(Paper.id).in_({row.paper_id for row in rows}))
    ).all():
        sync_reminders(session, paper, rules or default_rules(), now)
    return list(rows)


def list_meetings(
    session: Session,
    *,
    committee: str | None = None,
    since: datetime | None = None,
    body_id: int | None = None,
) -> list[dict[str, Any]]:
    """The meetings of one body (None: of all), the earliest first."""
    query = (
        select(Meeting, Organization.name, Body.name)
        .join(Organization, col(Organization.id) == Meeting.organization_id)
        .join(Body, col(Body.id) == Organization.body_id)
        .order_by(col(Meeting.start))
    )
    if body_id is not None:
        query = query.where(Organization.body_id == body_id)
    if committee:
        query = query.where(
            (Organization.name == committee) | (Organization.short_name == committee)
        )
    if since:
        query = query.where(Meeting.start >= since)
    return [
        {
            "organization": org,
            "body": body,
            "start": to_local(m.start).isoformat(),
            "cancelled": m.cancelled,
            "location": m.location,
            "public": m.public,
        }
        for m, org, body in session.exec(query).all()
    ]


def calendar_entries(
    session: Session,
    *,
    committee: str | None = None,
    role: str | None = None,
    include_confidential: bool = False,
    body_id: int | None = None,
) -> list[CalendarEntry]:
    """Meetings and deadlines for the .ics export. Titles of non-public papers stay out
    unless asked for: a subscribed calendar travels further than its owner thinks."""
    entries: list[CalendarEntry] = []
    meetings = session.exec(
        select(Meeting, Organization, Body)
        .join(Organization, col(Organization.id) == Meeting.organization_id)
        .join(Body, col(Body.id) == Organization.body_id)
        .order_by(col(Meeting.start))
    ).all()
    for meeting, org, body in meetings:
        if role is not None or (committee and committee not in (org.name, org.short_name)):
            continue
        if body_id is not None and body.id != body_id:
            continue
        entries.append(
            CalendarEntry(
                uid=stable_uid("meeting", body.name, org.name, meeting.id),
                summary=f"Sitzung {org.name}",
                start=meeting.start,
                end=meeting.end or meeting.start + timedelta(hours=2),
                all_day=False,
                description=f"{meeting.name or 'Sitzung'} ({_public_word(meeting.public)})",
                cancelled=meeting.cancelled,
                updated_at=meeting.updated_at or meeting.start,
                categories=("Sitzung",),
                location=meeting.location,
            )
        )
    rows = session.exec(
        select(Deadline, Paper, Body, Organization)
        .join(Paper, col(Paper.id) == Deadline.paper_id)
        .join(Body, col(Body.id) == Paper.body_id)
        .outerjoin(Consultation, col(Consultation.id) == Deadline.consultation_id)
        .outerjoin(Organization, col(Organization.id) == Consultation.organization_id)
        .where(Deadline.kind != DeadlineKind.proposal.value)
        .order_by(col(Deadline.due), col(Deadline.id))
    ).all()
    for deadline, paper, body, org in rows:
        if role is not None and deadline.responsible != role:
            continue
        if body_id is not None and body.id != body_id:
            continue
        if committee and (org is None or committee not in (org.name, org.short_name)):
            continue
        shown = paper.public or include_confidential
        title = f" – {paper.name}" if shown else " (nichtöffentlich)"
        done = "erledigt: " if deadline.status == DeadlineStatus.met else ""
        lines = [
            f"Vorlage: {paper.reference} ({paper.paper_type})",
            f"Frist: {deadline.label}, {deadline.description or ''}".rstrip(", "),
            f"zuständig: {deadline.responsible}"
            + (f" ({deadline.office})" if deadline.office else ""),
            f"Status: {deadline.status}",
        ]
        extended = extension_note(deadline.due, deadline.extended_from, deadline.extension_reason)
        lines[2:2] = [extended] if extended else []
        if shown:
            lines.insert(1, f"Titel: {paper.name}")
        if org is not None:
            lines.append(f"Gremium: {org.name}")
        explained = explained_line(deadline.explanation)
        if explained:
            lines.append(explained)
        entries.append(
            deadline_entry(
                body=body.name,
                reference=paper.reference,
                key=deadline.key,
                summary=f"{done}{deadline.label}{' (verlängert)' if extended else ''}: "
                f"{paper.reference}{title}",
                due=deadline.due,
                description="\n".join(lines),
                kind=deadline.kind,
                updated_at=deadline.updated_at,
                cancelled=deadline.status == DeadlineStatus.cancelled,
            )
        )
    return entries


def _public_word(public: bool) -> str:
    return "öffentlich" if public else "nichtöffentlich"
