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
from datetime import datetime, time

from sqlmodel import Session, col, select

from models.domain.bodies import Rules
from models.domain.intake import ParsedPaper
from models.domain.timeutil import to_utc
from models.services.batch_store import BatchOutcome, store_new
from models.services.deadlines import timeliness
from models.store.profiles import default_rules
from models.store.repo import DEFAULT_MEETING_TIME, get_or_create_body
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
) -> list[BatchOutcome]:
    """Store and submit parsed documents; one outcome per document, in their order."""
    rules = rules or default_rules()
    now = to_utc(now)
    body = get_or_create_body(session, body_name)
    assert body.id is not None
    known = _known(session, body.id, {p.reference for p in papers})
    outcomes: dict[int, BatchOutcome] = {}
    first_new: dict[str, int] = {}  # reference → index of its first document in this batch
    copies: dict[int, int] = {}
    for index, parsed in enumerate(papers):
        if parsed.reference in first_new:
            first = papers[first_new[parsed.reference]]
            if first.content_hash == parsed.content_hash:
                copies[index] = first_new[parsed.reference]
            else:
                outcomes[index] = _refused(parsed, first.source)
            continue
        existing = known.get(parsed.reference)
        if existing is None:
            first_new[parsed.reference] = index
        elif existing.content_hash != parsed.content_hash:
            outcomes[index] = _refused(parsed, existing.source)
        else:
            outcomes[index] = BatchOutcome(
                parsed.source,
                parsed.reference,
                created=False,
                paper_type=existing.paper_type,
                name=existing.name,
                state=existing.state,
                timeliness=timeliness(session, existing, rules),
            )
    indexes = list(first_new.values())
    stored = store_new(
        session,
        body.id,
        [papers[i] for i in indexes],
        now,
        actor,
        received_at,
        meeting_time,
        rules,
    )
    outcomes |= dict(zip(indexes, stored, strict=True))
    for index, first_index in copies.items():
        stored_first = outcomes[first_index]
        outcomes[index] = BatchOutcome(
            papers[index].source,
            stored_first.reference,
            created=False,
            paper_type=stored_first.paper_type,
            name=stored_first.name,
            state=stored_first.state,
            timeliness=stored_first.timeliness,
        )
    return [outcomes[i] for i in range(len(papers))]


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
