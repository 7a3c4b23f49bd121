"""The use cases: plain functions over a session that change the database.

The CLI and the Prefect flows both call these and nothing else, so a step behaves the same
wherever it is started. Each function takes `now` and `actor` explicitly; each lifecycle step
goes through `_apply`, which asks models.domain.states whether it is allowed and writes the
LifecycleEvent in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session, col, select

from models.domain.errors import InvalidInput
from models.domain.intake import ROLES, ParsedPaper
from models.domain.rules import RuleSet
from models.domain.states import (
    Decision,
    Event,
    Result,
    ResultKind,
    State,
    parse_result,
    transition,
)
from models.domain.timeutil import format_local, local_datetime, to_local, to_utc
from models.services.deadlines import Timeliness, deadlines_of, mark_met, replan, timeliness
from models.store.profiles import default_rules
from models.store.repo import (
    DEFAULT_MEETING_TIME,
    consultations_of,
    current_consultation,
    find_organization,
    find_paper,
    get_or_create_body,
    get_or_create_organization,
    meeting_on,
)
from models.store.tables import (
    AgendaItem,
    Body,
    Consultation,
    LifecycleEvent,
    Meeting,
    Organization,
    Paper,
    Question,
)

__all__ = [
    "consultations_of",
    "current_consultation",
    "find_organization",
    "find_paper",
    "get_or_create_body",
    "get_or_create_organization",
    "meeting_on",
]


def parse_question_numbers(text: str | None) -> list[int] | None:
    """'1, 2,5' → [1, 2, 5]; empty → None (all questions). Shared by CLI and forms."""
    if not text or not text.strip():
        return None
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise InvalidInput(f"--answers {text!r}: Fragennummern wie 1,2,5 erwartet") from None


# --- the one path for every lifecycle step -----------------------------------------------------


def _apply(
    session: Session,
    paper: Paper,
    event: Event,
    *,
    now: datetime,
    actor: str,
    details: dict[str, Any],
    rules: RuleSet | None = None,
    meeting_id: int | None = None,
    decision: Decision | None = None,
    last_result: Result | None = None,
) -> LifecycleEvent:
    """Validate and record one step, then settle its deadlines: mark the ones it meets and
    re-plan the rest, all in the caller's transaction."""
    before = State(paper.state) if paper.state else None
    after = transition(before, event, decision=decision, last_result=last_result)
    now = to_utc(now)
    paper.state = after.value
    paper.updated_at = now
    session.add(paper)
    session.flush()
    assert paper.id is not None
    record = LifecycleEvent(
        paper_id=paper.id,
        at=now,
        actor=actor,
        event=event.value,
        from_state=before.value if before else None,
        to_state=after.value,
        details=details,
    )
    session.add(record)
    session.flush()
    mark_met(session, paper, record, meeting_id=meeting_id)
    replan(session, paper, rules or default_rules(), now)
    return record


# --- intake ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    paper: Paper
    created: bool
    timeliness: Timeliness | None = None


def import_paper(
    session: Session,
    parsed: ParsedPaper,
    *,
    body_name: str,
    now: datetime,
    actor: str,
    received_at: datetime | None = None,
    meeting_time: time = DEFAULT_MEETING_TIME,
    rules: RuleSet | None = None,
) -> ImportOutcome:
    """Store a parsed document and submit it; the same document again changes nothing."""
    rules = rules or default_rules()
    body = get_or_create_body(session, body_name)
    assert body.id is not None
    existing = session.exec(
        select(Paper).where(Paper.body_id == body.id, Paper.reference == parsed.reference)
    ).first()
    if existing is not None:
        if existing.content_hash == parsed.content_hash:
            return ImportOutcome(
                existing, created=False, timeliness=timeliness(session, existing, rules)
            )
        raise InvalidInput(
            f"{parsed.source}: {parsed.reference} ist schon mit anderem Inhalt erfasst "
            f"(aus {existing.source or 'unbekannt'}); nichts geändert"
        )
    now = to_utc(now)
    received = received_time(parsed, received_at)
    paper = Paper(**paper_values(parsed, body.id, received, now))
    session.add(paper)
    session.flush()
    assert paper.id is not None
    for row in parsed.consultations:
        org = get_or_create_organization(session, body.id, row.organization)
        meeting = (
            meeting_on(session, org, row.meeting_date, at=meeting_time)
            if row.meeting_date
            else None
        )
        assert org.id is not None
        session.add(
            Consultation(
                paper_id=paper.id,
                organization_id=org.id,
                meeting_id=meeting.id if meeting else None,
                position=row.position,
                role=row.role,
                authoritative=row.authoritative,
                public=row.public and parsed.public,
            )
        )
    for number, text in enumerate(parsed.questions, start=1):
        session.add(Question(paper_id=paper.id, number=number, text=text))
    submit(
        session,
        paper,
        now=now,
        actor=actor,
        details={"source": parsed.source, "received_at": received.isoformat()},
        rules=rules,
    )
    return ImportOutcome(paper, created=True, timeliness=timeliness(session, paper, rules))


def paper_values(
    parsed: ParsedPaper, body_id: int, received: datetime, now: datetime
) -> dict[str, Any]:
    """A parsed document as the columns of its paper row, before its first step."""
    return {
        "body_id": body_id,
        "reference": parsed.reference,
        "paper_type": parsed.paper_type,
        "name": parsed.name,
        "subtitle": parsed.subtitle,
        "date": parsed.date,
        "public": parsed.public,
        "legal_basis": parsed.legal_basis,
        "submitters": list(parsed.submitters),
        "signatories": [
            {"name": s.name, "function": s.function, "faction": s.faction}
            for s in parsed.signatories
        ],
        "resolution_proposal": parsed.resolution_proposal,
        "reasoning": parsed.reasoning,
        "attachments": list(parsed.attachments),
        "state": "",
        "received_at": received,
        "source": parsed.source[:500] or None,
        "content_hash": parsed.content_hash,
        "created_at": now,
        "updated_at": now,
    }


def received_time(parsed: ParsedPaper, received_at: datetime | None) -> datetime:
    """When the motion arrived: as given, else the start of the document's date."""
    return to_utc(received_at) if received_at else local_datetime(parsed.date, time(0, 0))


def submit(
    session: Session,
    paper: Paper,
    *,
    now: datetime,
    actor: str,
    details: dict[str, Any],
    rules: RuleSet | None = None,
) -> LifecycleEvent:
    """The first step of a stored paper (document intake, OParl sync): its consultations
    must be in the session already, since they decide its first deadlines."""
    return _apply(session, paper, Event.submit, now=now, actor=actor, details=details, rules=rules)


# --- the lifecycle steps -----------------------------------------------------------------------


def _require_current(session: Session, paper: Paper) -> Consultation:
    consultation = current_consultation(session, paper)
    if consultation is None:
        raise InvalidInput(f"{paper.reference}: keine offene Beratung in der Beratungsfolge")
    return consultation


def place_on_agenda(
    session: Session,
    reference: str,
    *,
    item_number: str,
    now: datetime,
    actor: str,
    meeting_day: date | None = None,
    meeting_time: time = DEFAULT_MEETING_TIME,
    body: str | None = None,
    rules: RuleSet | None = None,
    meeting: Meeting | None = None,
) -> Paper:
    """Put the current consultation on a meeting's agenda as item `item_number` (TOP).

    Already on an agenda, the item moves to the meeting given (reschedule): the old agenda
    item is marked 'abgesetzt' and the deadlines follow the new meeting."""
    paper = find_paper(session, reference, body)
    consultation = _require_current(session, paper)
    org = session.get(Organization, consultation.organization_id)
    assert org is not None
    event = Event.place_on_agenda if paper.state == State.submitted.value else Event.reschedule
    # Validate the transition before changing anything, so an illegal step leaves no trace.
    transition(State(paper.state), event)
    if meeting is not None:
        pass  # the meeting the council information system names
    elif meeting_day is not None:
        meeting = meeting_on(session, org, meeting_day, at=meeting_time)
    elif consultation.meeting_id is not None and event is Event.place_on_agenda:
        meeting = session.get(Meeting, consultation.meeting_id)
    else:
        raise InvalidInput(
            f"{paper.reference}: für die Beratung im {org.name} ist keine neue Sitzung "
            "bekannt; --meeting DATUM angeben"
        )
    assert meeting is not None and meeting.id is not None
    held = format_local(meeting.start, with_time=False)
    if meeting.cancelled:
        raise InvalidInput(f"die Sitzung {org.name} am {held} ist abgesagt")
    number = item_number.strip().removeprefix("TOP").strip()
    if not number:
        raise InvalidInput("--item: Nummer des Tagesordnungspunkts fehlt")
    taken = session.exec(
        select(AgendaItem).where(AgendaItem.meeting_id == meeting.id, AgendaItem.number == number)
    ).first()
    # An item synced from the council information system before its paper was known waits
    # for its consultation; any other item with the number is taken.
    adopt = (
        taken is not None
        and taken.consultation_id is None
        and taken.consultation_oparl_id in (None, consultation.oparl_id)
    )
    if taken is not None and not adopt:
        raise InvalidInput(f"TOP {number} der Sitzung {org.name} am {held} ist schon belegt")
    details: dict[str, Any] = {
        "organization": org.name,
        "meeting": to_local(meeting.start).isoformat(),
        "agenda_item": number,
    }
    if event is Event.reschedule:
        old = _open_agenda_item(session, consultation)
        if old is not None:
            if old.meeting_id == meeting.id:
                raise InvalidInput(f"{paper.reference} steht schon auf dieser Tagesordnung")
            old.result = "abgesetzt"
            session.add(old)
            details["previous_agenda_item"] = old.number
    consultation.meeting_id = meeting.id
    assert consultation.id is not None
    session.add(consultation)
    if adopt:
        assert taken is not None
        taken.consultation_id = consultation.id
        session.add(taken)
    else:
        session.add(
            AgendaItem(
                meeting_id=meeting.id,
                consultation_id=consultation.id,
                number=number,
                name=paper.name,
                public=consultation.public,
            )
        )
    _apply(
        session,
        paper,
        event,
        now=now,
        actor=actor,
        details=details,
        rules=rules,
        meeting_id=meeting.id,
    )
    return paper


def request_report(
    session: Session,
    reference: str,
    *,
    office: str,
    now: datetime,
    actor: str,
    body: str | None = None,
    rules: RuleSet | None = None,
) -> Paper:
    """Ask the administration (an office, e.g. 'Amt 50') for its report."""
    paper = find_paper(session, reference, body)
    office = " ".join(office.split())
    if not office:
        raise InvalidInput("--office: zuständige Stelle fehlt")
    _apply(
        session,
        paper,
        Event.request_report,
        now=now,
        actor=actor,
        details={"office": office},
        rules=rules,
    )
    return paper


def deliver_report(
    session: Session,
    reference: str,
    *,
    now: datetime,
    actor: str,
    answered: list[int] | None = None,
    note: str | None = None,
    body: str | None = None,
    rules: RuleSet | None = None,
) -> Paper:
    """Record the report; `answered` lists the question numbers it answers (None: all)."""
    paper = find_paper(session, reference, body)
    questions = list(
        session.exec(
            select(Question).where(Question.paper_id == paper.id).order_by(col(Question.number))
        ).all()
    )
    numbers = {q.number for q in questions}
    wanted = numbers if answered is None else set(answered)
    unknown = sorted(wanted - numbers)
    if unknown:
        raise InvalidInput(
            f"{paper.reference}: Frage(n) {', '.join(map(str, unknown))} gibt es nicht "
            f"(die Vorlage hat {len(numbers)} Fragen)"
        )
    transition(State(paper.state), Event.deliver_report)
    for question in questions:
        if question.number in wanted and question.answered_at is None:
            question.answered_at = to_utc(now)
            session.add(question)
    still_open = sorted(
        q.number for q in questions if q.number not in wanted and q.answered_at is None
    )
    details: dict[str, Any] = {"answered": sorted(wanted), "open": still_open}
    if note:
        details["note"] = note
    _apply(session, paper, Event.deliver_report, now=now, actor=actor, details=details, rules=rules)
    return paper


def decide(
    session: Session,
    reference: str,
    *,
    result: Result | str,
    now: datetime,
    actor: str,
    referred_to: str | None = None,
    referral_role: str = "Vorberatung",
    resolution_text: str | None = None,
    body: str | None = None,
    rules: RuleSet | None = None,
) -> Paper:
    """Record the result of the current consultation and move the motion on accordingly."""
    paper = find_paper(session, reference, body)
    result = result if isinstance(result, Result) else parse_result(result)
    consultation = _require_current(session, paper)
    following = [
        c for c in consultations_of(session, paper) if not c.done and c.id != consultation.id
    ]
    decision = Decision(
        result=result,
        authoritative=consultation.authoritative,
        has_next_consultation=bool(following) or result.kind is ResultKind.referral,
    )
    target_org: Organization | None = None
    if result.kind is ResultKind.referral:
        if not referred_to:
            raise InvalidInput("verwiesen: --to GREMIUM angeben (an welches Gremium)")
        if referral_role not in ROLES:
            raise InvalidInput(f"--role {referral_role!r}: erlaubt sind {', '.join(ROLES)}")
        target_org = find_organization(session, paper.body_id, referred_to)
    elif referred_to:
        raise InvalidInput(f"--to passt nur zu 'verwiesen', nicht zu '{result.value}'")
    # Ask the state machine first: an illegal decision must not touch the agenda.
    transition(State(paper.state), Event.decide, decision=decision)

    org = session.get(Organization, consultation.organization_id)
    assert org is not None
    item = _open_agenda_item(session, consultation)
    if item is not None:
        item.result = result.value
        item.resolution_text = resolution_text
        session.add(item)
    held_at = consultation.meeting_id
    details: dict[str, Any] = {
        "consultation_id": consultation.id,
        "organization": org.name,
        "role": consultation.role,
        "authoritative": consultation.authoritative,
        "result": result.value,
    }
    if consultation.meeting_id is not None:
        meeting = session.get(Meeting, consultation.meeting_id)
        assert meeting is not None
        details["meeting"] = to_local(meeting.start).isoformat()
    if item is not None:
        details["agenda_item"] = item.number
    if resolution_text:
        details["resolution_text"] = resolution_text

    consultation.result = result.value
    if result.kind is ResultKind.postponement:
        consultation.meeting_id = None  # it must be placed on a later agenda
    else:
        consultation.done = True
    session.add(consultation)
    if target_org is not None:
        _insert_referral(session, paper, consultation, following, target_org, referral_role)
        details["referred_to"] = target_org.name
        details["referral_role"] = referral_role
    _apply(
        session,
        paper,
        Event.decide,
        now=now,
        actor=actor,
        details=details,
        decision=decision,
        rules=rules,
        meeting_id=held_at,
    )
    return paper


def _open_agenda_item(session: Session, consultation: Consultation) -> AgendaItem | None:
    if consultation.meeting_id is None:
        return None
    return session.exec(
        select(AgendaItem).where(
            AgendaItem.consultation_id == consultation.id,
            AgendaItem.meeting_id == consultation.meeting_id,
        )
    ).first()


def _insert_referral(
    session: Session,
    paper: Paper,
    current: Consultation,
    following: list[Consultation],
    target: Organization,
    role: str,
) -> None:
    """Verweisung: the target committee deliberates next. Referred for a Vorberatung, the
    motion then comes back to the referring committee in its old role; referred for the
    decision, the target decides instead."""
    assert paper.id is not None and target.id is not None
    inserted = [
        Consultation(
            paper_id=paper.id,
            organization_id=target.id,
            position=current.position + 1,
            role=role,
            authoritative=role == "Entscheidung",
            public=current.public,
        )
    ]
    if role != "Entscheidung":
        inserted.append(
            Consultation(
                paper_id=paper.id,
                organization_id=current.organization_id,
                position=current.position + 2,
                role=current.role,
                authoritative=current.authoritative,
                public=current.public,
            )
        )
    for later in following:
        later.position += len(inserted)
        session.add(later)
    session.add_all(inserted)


def _last_result(session: Session, paper: Paper) -> Result | None:
    done = [c for c in consultations_of(session, paper) if c.done and c.result]
    return Result(done[-1].result) if done else None


def start_implementation(
    session: Session,
    reference: str,
    *,
    office: str,
    now: datetime,
    actor: str,
    body: str | None = None,
    rules: RuleSet | None = None,
) -> Paper:
    paper = find_paper(session, reference, body)
    office = " ".join(office.split())
    if not office:
        raise InvalidInput("--office: zuständige Stelle fehlt")
    _apply(
        session,
        paper,
        Event.start_implementation,
        now=now,
        actor=actor,
        details={"office": office},
        last_result=_last_result(session, paper),
        rules=rules,
    )
    return paper


def close(
    session: Session,
    reference: str,
    *,
    now: datetime,
    actor: str,
    note: str | None = None,
    body: str | None = None,
    rules: RuleSet | None = None,
) -> Paper:
    paper = find_paper(session, reference, body)
    _apply(
        session,
        paper,
        Event.close,
        now=now,
        actor=actor,
        details={"note": note} if note else {},
        rules=rules,
    )
    return paper


def withdraw(
    session: Session,
    reference: str,
    *,
    now: datetime,
    actor: str,
    note: str | None = None,
    body: str | None = None,
    rules: RuleSet | None = None,
) -> Paper:
    """Zurückgezogen by the submitters; an agenda item already set keeps it as its result."""
    paper = find_paper(session, reference, body)
    transition(State(paper.state), Event.withdraw)
    consultation = current_consultation(session, paper)
    if consultation is not None:
        item = _open_agenda_item(session, consultation)
        if item is not None and item.result is None:
            item.result = "zurückgezogen"
            session.add(item)
    _apply(
        session,
        paper,
        Event.withdraw,
        now=now,
        actor=actor,
        details={"note": note} if note else {},
        rules=rules,
    )
    return paper


# --- views -------------------------------------------------------------------------------------


def paper_view(session: Session, paper: Paper, now: datetime | None = None) -> dict[str, Any]:
    """The motion as a plain dict, OParl names for OParl things (what `show --json` prints)."""
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
    history = session.exec(
        select(LifecycleEvent)
        .where(LifecycleEvent.paper_id == paper.id)
        .order_by(col(LifecycleEvent.id))
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
        "receivedAt": to_local(paper.received_at).isoformat(),
        "deadlines": deadlines_of(session, paper, now or paper.updated_at),
        "history": [
            {
                "at": to_local(e.at).isoformat(),
                "actor": e.actor,
                "event": e.event,
                "from_state": e.from_state,
                "to_state": e.to_state,
                "details": e.details,
            }
            for e in history
        ],
    }


def list_papers(session: Session, *, state: State | None = None) -> list[dict[str, Any]]:
    query = select(Paper, Body.name).join(Body).order_by(col(Paper.date), col(Paper.reference))
    if state is not None:
        query = query.where(Paper.state == state.value)
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
