"""Many documents at once: the same rows `services.import_paper` writes, set-based.

A town's archive, or a state-wide service taking in every municipality's motions, brings
thousands of documents; stored one transaction and some twenty ORM statements each, that is
about a hundred a second. Here a batch is a handful of multi-row INSERTs in the caller's
transaction (models.services.batch_store), and every rule comes from the same place as for a
single document: the paper's columns (`services.paper_values`), its first step
(`states.transition`), its deadlines (`planning.plan`, `deadlines.new_deadline_values`), their
reminders (`deadlines.reminder_steps`) and the timeliness verdict (`deadlines.next_reachable`).
tests/services/test_intake_batch.py holds the two paths to the same database, row for row.

A document whose reference is known with the same content is reported unchanged; with other
content it is refused with the same message as a single import, and the rest of the batch goes
in. All of a batch or nothing of it reaches the database: the caller's transaction decides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time

from sqlmodel import Session, col, select

from models.domain.bodies import Rules
from models.domain.intake import ParsedPaper
from models.domain.text import name_key
from models.domain.timeutil import to_utc
from models.services.batch_store import BatchOutcome, store_new
from models.services.deadlines import Timeliness, timeliness
from models.services.intake import DEFAULT_INTAKE_NUMBER, import_paper, same_document
from models.store.profiles import default_rules
from models.store.repo import (
    DEFAULT_MEETING_TIME,
    get_or_create_body,
    has_organizations,
    organization_named,
)
from models.store.tables import Paper


def import_batch(
    session: Session,
    papers: Sequence[ParsedPaper],
    *,
    body_name: str,
    now: datetime,
    actor: str,
    received_at: datetime | None = None,
    meeting_time: time = DEFAULT_MEETING_TIME,
    rules: Rules | None = None,
    intake_number: str = DEFAULT_INTAKE_NUMBER,
) -> list[BatchOutcome]:
    """Store and submit parsed documents; one outcome per document, in their order.

    A document that does not go straight to `submitted` (the reader doubted a field, it names
    a committee the body does not know, it has no number or no Beratungsfolge) is stored by
    the one-by-one path, `services.import_paper`, at its place in the order: the documents
    before it are written first, so both paths see the same database at every document."""
    rules = rules or default_rules()
    now = to_utc(now)
    body = get_or_create_body(session, body_name)
    assert body.id is not None
    known = _known(session, body.id, {p.reference for p in papers if p.reference})
    committees = _Committees(session, body.id)
    outcomes: dict[int, BatchOutcome] = {}
    first_new: dict[str, int] = {}  # reference → index of its first document in this batch
    copies: dict[int, int] = {}
    waiting: list[int] = []  # new documents for the next set-based write

    def write_waiting() -> None:
        stored = store_new(
            session,
            body.id or 0,
            [papers[i] for i in waiting],
            now,
            actor,
            received_at,
            meeting_time,
            rules,
        )
        outcomes.update(zip(waiting, stored, strict=True))
        waiting.clear()

    for index, parsed in enumerate(papers):
        if parsed.reference in first_new:
            first = papers[first_new[parsed.reference]]
            if first.content_hash == parsed.content_hash:
                copies[index] = first_new[parsed.reference]
            else:
                outcomes[index] = _refused(parsed, first.source)
            continue
        existing = known.get(parsed.reference) if parsed.reference else None
        if existing is not None:
            if not same_document(existing, parsed):
                outcomes[index] = _refused(parsed, existing.source)
            else:
                outcomes[index] = _unchanged(session, parsed, existing, rules)
            continue
        if parsed.reference:
            first_new[parsed.reference] = index
        if committees.straight_through(parsed):
            waiting.append(index)
            continue
        if waiting:
            write_waiting()
        outcome = import_paper(
            session,
            parsed,
            body_name=body_name,
            now=now,
            actor=actor,
            received_at=received_at,
            meeting_time=meeting_time,
            rules=rules,
            intake_number=intake_number,
        )
        outcomes[index] = (
            _stored(parsed, outcome.paper, outcome.timeliness)
            if outcome.created
            else _unchanged(session, parsed, outcome.paper, rules)
        )
        committees.forget()
    if waiting:
        write_waiting()
    for index, first_index in copies.items():
        stored_first = outcomes[first_index]
        outcomes[index] = replace(stored_first, source=papers[index].source, created=False)
    return [outcomes[i] for i in range(len(papers))]


class _Committees:
    """Which committees the body knows at each document of the batch, as the one-by-one
    path would see them (models.services.intake.uncertainties): those in the database, and
    those of the documents waiting to be written before it."""

    def __init__(self, session: Session, body_id: int) -> None:
        self.session = session
        self.body_id = body_id
        self.found: dict[str, bool] = {}
        self.queued: set[str] = set()
        self.any = has_organizations(session, body_id)
        self.letters = self._letters()

    def _letters(self) -> set[tuple[str, str, date]]:
        """(kind, title, date) of the motions still known only by their Eingangsnummer: a
        numbered document matching one completes it (services.assignment.complete_letter)."""
        rows = self.session.exec(
            select(Paper).where(
                Paper.body_id == self.body_id,
                col(Paper.intake_number).is_not(None),
                col(Paper.reference) == col(Paper.intake_number),
            )
        ).all()
        return {(p.paper_type, p.name, p.date) for p in rows}

    def forget(self) -> None:
        """After a document stored one by one: it may have created committees or letters."""
        self.found.clear()
        self.any = has_organizations(self.session, self.body_id)
        self.letters = self._letters()

    def knows(self, name: str) -> bool:
        key = name_key(name)
        if key in self.queued:
            return True
        if key not in self.found:
            self.found[key] = organization_named(self.session, self.body_id, name) is not None
        return self.found[key]

    def straight_through(self, parsed: ParsedPaper) -> bool:
        """Does the document go straight to `submitted`? If so, its committees are known
        to the documents after it."""
        if parsed.uncertain or not parsed.reference or not parsed.consultations:
            return False
        if (parsed.paper_type, parsed.name, parsed.date) in self.letters:
            return False
        known = all(self.knows(row.organization) for row in parsed.consultations)
        if (self.any or self.queued) and not known:
            return False
        self.queued |= {name_key(row.organization) for row in parsed.consultations}
        return True


def _stored(
    parsed: ParsedPaper, paper: Paper, verdict: Timeliness | None, created: bool = True
) -> BatchOutcome:
    return BatchOutcome(
        parsed.source,
        paper.reference,
        created=created,
        paper_type=paper.paper_type,
        name=paper.name,
        state=paper.state,
        timeliness=verdict,
        uncertain=tuple(paper.uncertain),
        intake_number=paper.intake_number,
    )


def _unchanged(
    session: Session, parsed: ParsedPaper, existing: Paper, rules: Rules
) -> BatchOutcome:
    return _stored(parsed, existing, timeliness(session, existing, rules), created=False)


def _refused(parsed: ParsedPaper, source: str | None) -> BatchOutcome:
    return BatchOutcome(
        parsed.source,
        parsed.reference,
        created=False,
        error=f"{parsed.source}: {parsed.reference} ist schon mit anderem Inhalt erfasst "
        f"(aus {source or 'unbekannt'}); nichts geändert",
    )


def _known(session: Session, body_id: int, references: set[str]) -> dict[str, Paper]:
    found: dict[str, Paper] = {}
    ordered = sorted(references)
    for start in range(0, len(ordered), 500):
        for paper in session.exec(
            select(Paper).where(
                Paper.body_id == body_id, col(Paper.reference).in_(ordered[start : start + 500])
            )
        ).all():
            found[paper.reference] = paper
    return found
