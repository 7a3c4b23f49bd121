"""The decision steps: the result of a consultation (with referral to another committee)
and the start of its implementation."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from models.domain.intake import ROLES
from models.domain.states import (
    Decision,
    Event,
    Result,
    ResultKind,
    State,
    parse_result,
    transition,
)
from models.domain.steps import FieldError
from models.domain.timeutil import to_local
from models.services.step_call import Change, StepCall, office_name, open_agenda_item, performs
from models.store.repo import find_organization
from models.store.tables import Consultation, Meeting, Organization, Paper


@performs("decide")
def _decide(
    call: StepCall,
    *,
    result: Result | str,
    referred_to: str | None = None,
    referral_role: str = "Vorberatung",
    resolution_text: str | None = None,
) -> Change:
    """Record the result of the current consultation and move the motion on accordingly."""
    session, paper = call.session, call.paper
    result = result if isinstance(result, Result) else parse_result(result)
    consultation = call.require_current()
    following = [c for c in call.consultations() if not c.done and c.id != consultation.id]
    decision = Decision(
        result=result,
        authoritative=consultation.authoritative,
        has_next_consultation=bool(following) or result.kind is ResultKind.referral,
    )
    target_org: Organization | None = None
    if result.kind is ResultKind.referral:
        if not referred_to:
            raise FieldError("referred_to", "verwiesen: {field} angeben (an welches Gremium)")
        if referral_role not in ROLES:
            raise FieldError(
                "referral_role", f"{{field}} {referral_role!r}: erlaubt sind {', '.join(ROLES)}"
            )
        target_org = find_organization(session, paper.body_id, referred_to)
    elif referred_to:
        raise FieldError(
            "referred_to", f"{{field}} passt nur zu 'verwiesen', nicht zu '{result.value}'"
        )
    # Ask the state machine first: an illegal decision must not touch the agenda.
    transition(State(paper.state), Event.decide, decision=decision)

    org = session.get(Organization, consultation.organization_id)
    assert org is not None
    item = open_agenda_item(session, consultation)
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
    return Change(Event.decide, details, meeting_id=held_at, decision=decision)


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


@performs("start_implementation")
def _start_implementation(call: StepCall, *, office: str) -> Change:
    """The decision goes to the office that carries it out; allowed after a decision."""
    results = [c.result for c in call.consultations() if c.done and c.result]
    last_result = Result(results[-1]) if results else None
    return Change(
        Event.start_implementation, {"office": office_name(office)}, last_result=last_result
    )
