"""Taking in a parsed document: the paper row, its consultations and questions, and its
first step (submit), all in the caller's transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from sqlmodel import Session, col, select

from models.domain.bodies import Rules
from models.domain.document import MAX_REFERENCE
from models.domain.errors import InvalidInput
from models.domain.intake import ParsedPaper
from models.domain.states import Entry
from models.domain.timeutil import local_datetime, to_local, to_utc
from models.services.assignment import (
    complete_letter,
    consultation_values,
    store_consultations,
    waiting_letter,
)
from models.services.deadlines import Timeliness, timeliness
from models.services.steps import submit
from models.store.profiles import default_rules
from models.store.repo import (
    DEFAULT_MEETING_TIME,
    get_or_create_body,
    has_organizations,
    next_intake_number,
    organization_named,
)
from models.store.tables import Paper, Question


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    paper: Paper
    created: bool
    timeliness: Timeliness | None = None


DEFAULT_INTAKE_NUMBER = "E {year}/{seq:04d}"
"""The Eingangsnummer of a document without a number of its own (RATSFRIST_INTAKE_NUMBER)."""


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
    intake_number: str = DEFAULT_INTAKE_NUMBER,
) -> ImportOutcome:
    """Store a parsed document and submit it; the same document again changes nothing.

    A document the reader was unsure of, or that names a committee the body does not know,
    waits `in_review` with its Beratungsfolge proposed, not stored; one without a number gets
    an Eingangsnummer (`intake_number`, a str.format pattern of year and seq) and, without a
    Beratungsfolge, waits for the Sitzungsdienst to assign one."""
    rules = rules or default_rules()
    body = get_or_create_body(session, body_name)
    assert body.id is not None
    existing = known_paper(session, body.id, parsed)
    if existing is not None:
        if same_document(existing, parsed):
            return ImportOutcome(
                existing, created=False, timeliness=timeliness(session, existing, rules)
            )
        raise InvalidInput(
            f"{parsed.source}: {parsed.reference} ist schon mit anderem Inhalt erfasst "
            f"(aus {existing.source or 'unbekannt'}); nichts geändert"
        )
    now = to_utc(now)
    letter = waiting_letter(session, body.id, parsed)
    if letter is not None:
        complete_letter(
            session, letter, parsed, now=now, actor=actor, rules=rules, meeting_time=meeting_time
        )
        return ImportOutcome(letter, created=False, timeliness=timeliness(session, letter, rules))
    received = received_time(parsed, received_at)
    doubts = uncertainties(session, body.id, parsed)
    entry = Entry(uncertain=bool(doubts), assigned=bool(parsed.consultations))
    values = paper_values(parsed, body.id, received, now)
    if not parsed.reference:
        year = to_local(now).year
        given = format_intake_number(
            intake_number, year, next_intake_number(session, body.id, year)
        )
        values |= {"reference": given, "intake_number": given}
    rows = [consultation_values(row) for row in parsed.consultations]
    if entry.uncertain:
        values |= {"uncertain": doubts, "proposed_consultations": rows}
    paper = Paper(**values)
    session.add(paper)
    session.flush()
    assert paper.id is not None
    if not entry.uncertain:
        store_consultations(session, paper, rows, meeting_time=meeting_time, create_committees=True)
    for number, text in enumerate(parsed.questions, start=1):
        session.add(Question(paper_id=paper.id, number=number, text=text))
    submit(
        session,
        paper,
        now=now,
        actor=actor,
        details=submit_details(parsed, received, doubts),
        rules=rules,
        entry=entry,
    )
    return ImportOutcome(paper, created=True, timeliness=timeliness(session, paper, rules))


def submit_details(
    parsed: ParsedPaper, received: datetime, doubts: list[dict[str, str]]
) -> dict[str, Any]:
    details: dict[str, Any] = {"source": parsed.source, "received_at": received.isoformat()}
    if doubts:
        details["uncertain"] = doubts
    return details


def same_document(existing: Paper, parsed: ParsedPaper) -> bool:
    """Is the stored paper this document? The same content; or, for a motion registered
    under an Eingangsnummer, its numbered document again (same kind, title and date): the
    paper keeps the letter's content and hash, so the letter again is unchanged too."""
    if existing.content_hash == parsed.content_hash:
        return True
    return existing.intake_number is not None and (
        existing.paper_type,
        existing.name,
        existing.date,
    ) == (parsed.paper_type, parsed.name, parsed.date)


def known_paper(session: Session, body_id: int, parsed: ParsedPaper) -> Paper | None:
    """The paper this document is already stored as: by its number, or, for a document
    without one, by its content among the papers given an Eingangsnummer."""
    if parsed.reference:
        return session.exec(
            select(Paper).where(Paper.body_id == body_id, Paper.reference == parsed.reference)
        ).first()
    return session.exec(
        select(Paper).where(
            Paper.body_id == body_id,
            col(Paper.intake_number).is_not(None),
            Paper.content_hash == parsed.content_hash,
        )
    ).first()


def uncertainties(session: Session, body_id: int, parsed: ParsedPaper) -> list[dict[str, str]]:
    """What the reader doubted, and every committee of the Beratungsfolge the body does not
    know (a body that knows none yet takes its first document's committees as they are)."""
    doubts = [{"field": u.field, "reason": u.reason} for u in parsed.uncertain]
    if parsed.consultations and has_organizations(session, body_id):
        for row in parsed.consultations:
            if organization_named(session, body_id, row.organization) is None:
                doubts.append(
                    {
                        "field": f"consultations.{row.position}",
                        "reason": f"Gremium unbekannt: {row.organization!r} (Zeile "
                        f"{row.position} der Beratungsfolge); wird erst mit der Prüfung angelegt",
                    }
                )
    return doubts


def format_intake_number(pattern: str, year: int, seq: int) -> str:
    """'E {year}/{seq:04d}' → 'E 2026/0042'."""
    try:
        number = " ".join(pattern.format(year=year, seq=seq).split())
    except (KeyError, IndexError, ValueError) as exc:
        raise InvalidInput(
            f"RATSFRIST_INTAKE_NUMBER {pattern!r}: nur {{year}} und {{seq}} erlaubt ({exc})"
        ) from None
    if not number or len(number) > MAX_REFERENCE:
        raise InvalidInput(
            f"RATSFRIST_INTAKE_NUMBER {pattern!r}: ergibt {len(number)} Zeichen "
            f"(1 bis {MAX_REFERENCE})"
        )
    return number


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
