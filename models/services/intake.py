"""Taking in a parsed document: the paper row, its consultations and questions, and its
first step (submit), all in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlmodel import Session, select

from models.domain.bodies import Rules
from models.domain.errors import InvalidInput
from models.domain.intake import ParsedPaper
from models.domain.timeutil import local_datetime, to_utc
from models.services.deadlines import Timeliness, timeliness
from models.services.steps import submit
from models.store.profiles import default_rules
from models.store.repo import (
    DEFAULT_MEETING_TIME,
    get_or_create_body,
    get_or_create_organization,
    meeting_on,
)
from models.store.tables import Consultation, Paper, Question


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
    rules: Rules | None = None,
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
