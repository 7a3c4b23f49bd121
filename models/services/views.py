"""What a motion looks like to a reader: the whole of it (`show --json`), its timeline (the
Prefect artifact), and the list of motions."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from models.domain.bodies import Rules
from models.domain.deadlines import deadline_view, late_by, status_label
from models.domain.rules import DeadlineKind
from models.domain.states import Event, State
from models.domain.timeutil import to_local, to_utc
from models.domain.vocab import OWED, DeadlineStatus
from models.services.deadlines import deadlines_of, not_yet_computable
from models.store.repo import consultations_of
from models.store.tables import (
    AgendaItem,
    Body,
    Consultation,
    Deadline,
    LifecycleEvent,
    Meeting,
    Organization,
    Paper,
    Question,
)


def paper_view(
    session: Session, paper: Paper, now: datetime | None = None, rules: Rules | None = None
) -> dict[str, Any]:
    """The motion as a plain dict, OParl names for OParl things (what `show --json` prints).
    With `rules`, also the deadlines its rules require that cannot be computed yet
    (`deadlinesNotYetComputable`: a count of meetings beyond the calendar)."""
    body = session.get(Body, paper.body_id)
    consultations = []
    for c in consultations_of(session, paper):
        org = session.get(Organization, c.organization_id)
        meeting = session.get(Meeting, c.meeting_id) if c.meeting_id else None
        items = session.exec(
            select(AgendaItem)
            .where(AgendaItem.consultation_id == c.id)
            .order_by(col(AgendaItem.id))
        ).all()
        consultations.append(
            {
                "organization": org.name if org else None,
                "meeting_date": to_local(meeting.start).date().isoformat() if meeting else None,
                "meeting_start": to_local(meeting.start).isoformat() if meeting else None,
                "public": c.public,
                "role": c.role,
                "authoritative": c.authoritative,
                "position": c.position,
                "result": c.result,
                "done": c.done,
                "agendaItems": [
                    {"number": i.number, "result": i.result, "meeting_id": i.meeting_id}
                    for i in items
                ],
            }
        )
    questions = session.exec(
        select(Question).where(Question.paper_id == paper.id).order_by(col(Question.number))
    ).all()
    return {
        "reference": paper.reference,
        "body": body.name if body else None,
        "paperType": paper.paper_type,
        "name": paper.name,
        "subtitle": paper.subtitle,
        "date": paper.date.isoformat(),
        "public": paper.public,
        "legalBasis": paper.legal_basis,
        "submitters": list(paper.submitters),
        "signatories": list(paper.signatories),
        "consultations": consultations,
        "resolutionProposal": paper.resolution_proposal,
        "reasoning": paper.reasoning,
        "questions": [q.text for q in questions],
        "openQuestions": [q.number for q in questions if q.answered_at is None],
        "attachments": list(paper.attachments),
        "state": paper.state,
        "intakeNumber": paper.intake_number,
        "uncertain": [dict(u) for u in paper.uncertain],
        "proposedConsultations": [dict(c) for c in paper.proposed_consultations],
        "receivedAt": to_local(paper.received_at).isoformat(),
        "deadlines": deadlines_of(session, paper, now or paper.updated_at),
        **(
            {"deadlinesNotYetComputable": not_yet_computable(session, paper, rules)}
            if rules is not None
            else {}
        ),
        **_with_urgency(history(session, paper)),
    }


def _with_urgency(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The history, and the urgency it records (None: not urgent): the audit log is where
    urgency is kept (models.services.deadline_steps)."""
    urgent = next((e for e in events if e["event"] == Event.mark_urgent.value), None)
    return {
        "urgent": {"reason": urgent["details"].get("reason"), "at": urgent["at"]}
        if urgent
        else None,
        "history": events,
    }


def history(session: Session, paper: Paper) -> list[dict[str, Any]]:
    """The motion's lifecycle events, oldest first, as plain dicts (models.domain.timeline);
    `late` lists the deadlines an event met late ('Stellungnahme der Verwaltung: verspätet
    erfüllt (7 Tage)'), so the Verlauf keeps the lateness too."""
    events = session.exec(
        select(LifecycleEvent)
        .where(LifecycleEvent.paper_id == paper.id)
        .order_by(col(LifecycleEvent.id))
    ).all()
    late: dict[int, list[str]] = {}
    for row in session.exec(
        select(Deadline).where(
            Deadline.paper_id == paper.id,
            col(Deadline.met_by_event_id).is_not(None),
            Deadline.status == DeadlineStatus.met.value,
        )
    ).all():
        if row.met_by_event_id is not None and late_by(row.due, row.met_at) is not None:
            text = f"{row.label}: {status_label(row.status, row.due, row.met_at)}"
            late.setdefault(row.met_by_event_id, []).append(text)
    return [
        {
            "at": to_local(e.at).isoformat(),
            "actor": e.actor,
            "event": e.event,
            "from_state": e.from_state,
            "to_state": e.to_state,
            "details": e.details,
            "late": late.get(e.id or 0, []),
        }
        for e in events
    ]


def timeline_view(session: Session, paper: Paper) -> dict[str, Any]:
    """What models.domain.timeline.markdown needs of a motion: its head and its history, one
    query on top of the paper a step already holds (not the whole paper_view)."""
    return {
        "reference": paper.reference,
        "paperType": paper.paper_type,
        "name": paper.name,
        "public": paper.public,
        "state": paper.state,
        "history": history(session, paper),
    }


def list_papers(
    session: Session, *, state: State | None = None, body_id: int | None = None
) -> list[dict[str, Any]]:
    query = select(Paper, Body.name).join(Body).order_by(col(Paper.date), col(Paper.reference))
    if state is not None:
        query = query.where(Paper.state == state.value)
    if body_id is not None:
        query = query.where(Paper.body_id == body_id)
    return [
        {
            "reference": paper.reference,
            "body": body_name,
            "paperType": paper.paper_type,
            "name": paper.name,
            "date": paper.date.isoformat(),
            "public": paper.public,
            "state": paper.state,
        }
        for paper, body_name in session.exec(query).all()
    ]


def list_deadlines(
    session: Session,
    *,
    now: datetime,
    due_within: timedelta | None = None,
    overdue: bool = False,
    committee: str | None = None,
    include_closed: bool = False,
    body_id: int | None = None,
) -> list[dict[str, Any]]:
    """Deadlines across all papers, soonest first. By default the ones still owed (open or
    missed); `overdue` only those past due; `due_within` only those due before now + window;
    `body_id` only one body's."""
    now = to_utc(now)
    query = (
        select(Deadline, Paper.reference, Organization.name)
        .join(Paper, col(Paper.id) == Deadline.paper_id)
        .outerjoin(Consultation, col(Consultation.id) == Deadline.consultation_id)
        .outerjoin(Organization, col(Organization.id) == Consultation.organization_id)
        .order_by(col(Deadline.due), col(Deadline.id))
    )
    if not include_closed:
        query = query.where(col(Deadline.status).in_(OWED))
        query = query.where(Deadline.kind != DeadlineKind.proposal.value)
    if overdue:
        query = query.where(col(Deadline.status).in_(OWED), Deadline.due < now)
    if due_within is not None:
        query = query.where(Deadline.due <= now + due_within)
    if body_id is not None:
        query = query.where(Deadline.body_id == body_id)
    if committee is not None:
        query = query.where(
            (Organization.name == committee) | (Organization.short_name == committee)
        )
    return [
        deadline_view(row, reference, now, committee=org)
        for row, reference, org in session.exec(query).all()
    ]
