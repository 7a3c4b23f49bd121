"""Where a motion is consulted: storing its Beratungsfolge, the `assign` step for a motion
that came without one (a faction's letter), and its external number once it is known.

One path stores consultations for intake, review and assignment, so a committee and a
meeting named by any of them are found (or, where a person confirmed it, created) alike.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

from sqlmodel import Session, col, select

from models.domain.bodies import Rules
from models.domain.document import (
    AUTHORITATIVE_ROLE,
    MAX_REFERENCE,
    ParsedConsultation,
    ParsedPaper,
)
from models.domain.errors import InvalidInput
from models.domain.states import Event, State, transition
from models.domain.steps import FieldError
from models.domain.timeutil import to_local
from models.services.step_call import Change, StepCall, apply, performs
from models.store.repo import (
    find_organization,
    get_or_create_organization,
    meeting_on,
    normalise_reference,
    organization_named,
)
from models.store.tables import Consultation, Organization, Paper


def store_consultations(
    session: Session,
    paper: Paper,
    rows: Iterable[dict[str, Any]],
    *,
    meeting_time: time,
    create_committees: bool,
) -> list[str]:
    """Store the rows of a Beratungsfolge (organization, meeting_date, public, role,
    authoritative, position) for the paper; returns the committees it had to create. Without
    `create_committees` an unknown committee is an error (intake asks a person first)."""
    assert paper.id is not None
    created: list[str] = []
    for row in rows:
        if create_committees:
            known = organization_named(session, paper.body_id, row["organization"])
            org = known or get_or_create_organization(session, paper.body_id, row["organization"])
            if known is None:
                created.append(org.name)
        else:
            org = find_organization(session, paper.body_id, row["organization"])
        assert org.id is not None
        day = row.get("meeting_date")
        if isinstance(day, str):
            day = date.fromisoformat(day)
        meeting = meeting_on(session, org, day, at=meeting_time) if day else None
        session.add(
            Consultation(
                paper_id=paper.id,
                organization_id=org.id,
                meeting_id=meeting.id if meeting else None,
                position=row["position"],
                role=row["role"],
                authoritative=row["authoritative"],
                public=row["public"] and paper.public,
            )
        )
    session.flush()
    return created


def consultation_values(row: ParsedConsultation) -> dict[str, Any]:
    """A row of the Beratungsfolge as plain JSON-able values (stored, or proposed)."""
    return {
        "organization": row.organization,
        "meeting_date": row.meeting_date.isoformat() if row.meeting_date else None,
        "public": row.public,
        "role": row.role,
        "authoritative": row.authoritative,
        "position": row.position,
    }


def waiting_letter(session: Session, body_id: int, parsed: ParsedPaper) -> Paper | None:
    """The motion this numbered document is, if it was registered before without a number:
    same kind, title and date, still known only by its Eingangsnummer."""
    if not parsed.reference:
        return None
    return session.exec(
        select(Paper).where(
            Paper.body_id == body_id,
            col(Paper.intake_number).is_not(None),
            col(Paper.reference) == col(Paper.intake_number),
            Paper.paper_type == parsed.paper_type,
            Paper.name == parsed.name,
            Paper.date == parsed.date,
        )
    ).first()


def complete_letter(
    session: Session,
    paper: Paper,
    parsed: ParsedPaper,
    *,
    now: datetime,
    actor: str,
    rules: Rules,
    meeting_time: time,
) -> None:
    """The numbered document of a motion registered under an Eingangsnummer: the motion keeps
    the external number from now on; if it still waits for its consultation and the document
    names one whose committees are all known (and nothing in it is doubtful), that is its
    assignment, and its deadlines start. Otherwise only the number is taken (renumber) and the
    Sitzungsdienst assigns as before."""
    call = StepCall(session, paper, now, actor, rules, meeting_time)
    set_number(session, paper, parsed.reference, "reference")
    details: dict[str, Any] = {"source": parsed.source, "number": paper.reference}
    known = all(
        organization_named(session, paper.body_id, row.organization) is not None
        for row in parsed.consultations
    )
    assign = (
        paper.state == State.awaiting_assignment.value
        and bool(parsed.consultations)
        and not parsed.uncertain
        and known
    )
    if assign:
        first = min(parsed.consultations, key=lambda c: c.position)
        details |= {"organization": first.organization, "role": first.role}
        store_consultations(
            session,
            paper,
            [consultation_values(row) for row in parsed.consultations],
            meeting_time=meeting_time,
            create_committees=False,
        )
    apply(call, Change(Event.assign if assign else Event.renumber, details))


def set_number(session: Session, paper: Paper, number: str, what: str = "number") -> bool:
    """Give a motion its external number (Drucksachennummer); the Eingangsnummer stays and
    still finds it. True if the number changed."""
    number = normalise_reference(number)
    if not number:
        raise FieldError(what, "{field}: Nummer ist leer")
    if len(number) > MAX_REFERENCE:
        raise FieldError(
            what, f"{{field}}: Nummer zu lang ({len(number)} Zeichen, höchstens {MAX_REFERENCE})"
        )
    if number == paper.reference:
        return False
    taken = session.exec(
        select(Paper.id).where(
            Paper.body_id == paper.body_id,
            (col(Paper.reference) == number) | (col(Paper.intake_number) == number),
            Paper.id != paper.id,
        )
    ).first()
    if taken is not None:
        raise FieldError(what, f"{{field}}: {number} ist schon eine andere Vorlage")
    paper.reference = number
    session.add(paper)
    return True


@performs("assign")
def _assign(
    call: StepCall,
    *,
    organization: str,
    meeting_day: date | None = None,
    role: str = AUTHORITATIVE_ROLE,
    number: str | None = None,
) -> Change:
    """The Sitzungsdienst names the committee (and the meeting) that consults a motion that
    came without a Beratungsfolge; its deadlines start now. The committee must be known:
    `ratsfrist committees add` creates one, an assignment does not."""
    session, paper = call.session, call.paper
    transition(State(paper.state), Event.assign)  # before anything changes
    if not organization.strip():
        raise FieldError("organization", "{field}: Gremium fehlt")
    org: Organization = find_organization(session, paper.body_id, organization)
    position = max((c.position for c in call.consultations()), default=0) + 1
    details: dict[str, Any] = {"organization": org.name, "role": role}
    if meeting_day is not None:
        meeting = meeting_on(session, org, meeting_day, at=call.meeting_time)
        assert meeting is not None
        if meeting.cancelled:
            raise InvalidInput(f"die Sitzung {org.name} am {meeting_day:%d.%m.%Y} ist abgesagt")
        details["meeting"] = to_local(meeting.start).isoformat()
    if number and set_number(session, paper, number):
        details["number"] = paper.reference
    store_consultations(
        session,
        paper,
        [
            {
                "organization": org.name,
                "meeting_date": meeting_day,
                "public": paper.public,
                "role": role,
                "authoritative": role == AUTHORITATIVE_ROLE,
                "position": position,
            }
        ],
        meeting_time=call.meeting_time,
        create_committees=False,
    )
    return Change(Event.assign, details)
