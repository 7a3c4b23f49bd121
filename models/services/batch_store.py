"""The set-based writes of a batch import (models.services.intake_batch): new papers and
everything a first submit gives them, a handful of multi-row INSERTs per batch in the
caller's transaction, with the same values the one-by-one path computes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from models.domain.bodies import Rules, rules_of
from models.domain.deadlines import (
    Timeliness,
    coming_meetings,
    new_deadline_values,
    reminder_steps,
    verdict,
)
from models.domain.explain import stored_explanation
from models.domain.intake import ParsedPaper
from models.domain.planning import ConsultationFacts, PaperFacts, counts_meetings, plan
from models.domain.reminders import pending_reminder
from models.domain.rules import DeadlineKind, RuleSet
from models.domain.states import Event, transition
from models.domain.vocab import DeadlineStatus
from models.services.deadlines import committee_calendars
from models.services.intake import paper_values, received_time
from models.store.repo import get_or_create_organization, meeting_on
from models.store.tables import (
    Consultation,
    Deadline,
    LifecycleEvent,
    Meeting,
    Organization,
    Paper,
    Question,
    Reminder,
)


@dataclass(frozen=True, slots=True)
class BatchOutcome:
    """One document's result, as the CLI reports it."""

    source: str
    reference: str
    created: bool
    paper_type: str = ""
    name: str = ""
    state: str = ""
    timeliness: Timeliness | None = None
    error: str | None = None
    uncertain: tuple[dict[str, str], ...] = ()
    """What the intake doubted, while the motion is `in_review` (field, reason)."""
    intake_number: str | None = None
    """The Eingangsnummer of a document that came without a number."""


def _table(model: type) -> sa.Table:
    return model.__table__  # type: ignore[attr-defined]


def _insert(
    session: Session, model: type, rows: list[dict[str, Any]], key: tuple[str, ...] = ()
) -> list[int]:
    """Multi-row INSERTs; with a `key` (columns unique per row), the new ids in the order of
    `rows`. Ids are matched by key, not by position: asking SQLAlchemy to keep the order
    makes it insert row by row on SQLite, which cannot promise RETURNING's order."""
    if not rows:
        return []
    table = _table(model)
    connection = session.connection()
    if not key:
        connection.execute(sa.insert(table), rows)
        return []
    result = connection.execute(
        sa.insert(table).returning(table.c.id, *(table.c[k] for k in key)), rows
    )
    ids = {tuple(row[1:]): row[0] for row in result}
    if len(ids) != len(rows):  # two rows with one key: which id is whose cannot be told
        raise ValueError(f"{table.name}: {key} not unique within the batch")
    return [ids[tuple(row[k] for k in key)] for row in rows]


def store_new(
    session: Session,
    body_id: int,
    papers: list[ParsedPaper],
    now: datetime,
    actor: str,
    received_at: datetime | None,
    meeting_time: time,
    rules: Rules,
) -> list[BatchOutcome]:
    """Insert new papers with their consultations, questions, first event, deadlines and
    reminders, a few multi-row INSERTs per table; one outcome per paper, in order. The
    batch is one body's: its rules are looked up once."""
    ruleset = rules_of(rules, body_id)
    state = transition(None, Event.submit).value
    orgs: dict[str, Organization] = {}
    meetings: dict[tuple[int, Any], Meeting | None] = {}
    received = [received_time(p, received_at) for p in papers]
    # Each consultation's committee and meeting, looked up (or created, in document order, as
    # one by one would) once and used for the paper, consultation and planning rows below.
    places: list[list[tuple[Organization, Meeting | None]]] = []
    for parsed in papers:
        found = []
        for row in parsed.consultations:
            if row.organization not in orgs:
                orgs[row.organization] = get_or_create_organization(
                    session, body_id, row.organization
                )
            org = orgs[row.organization]
            assert org.id is not None
            meeting = None
            if row.meeting_date:
                if (org.id, row.meeting_date) not in meetings:
                    meetings[(org.id, row.meeting_date)] = meeting_on(
                        session, org, row.meeting_date, at=meeting_time
                    )
                meeting = meetings[(org.id, row.meeting_date)]
            found.append((org, meeting))
        places.append(found)

    def org_of(parsed: ParsedPaper) -> int | None:
        first = min(parsed.consultations, key=lambda c: c.position, default=None)
        return orgs[first.organization].id if first else None

    paper_ids = _insert(
        session,
        Paper,
        key=("body_id", "reference"),
        rows=[
            paper_values(parsed, body_id, at, now)
            | {"state": state, "current_organization_id": org_of(parsed)}
            for parsed, at in zip(papers, received, strict=True)
        ],
    )
    consultation_rows = []
    for paper_id, parsed, found in zip(paper_ids, papers, places, strict=True):
        for row, (org, meeting) in zip(parsed.consultations, found, strict=True):
            consultation_rows.append(
                {
                    "paper_id": paper_id,
                    "organization_id": org.id,
                    "meeting_id": meeting.id if meeting else None,
                    "position": row.position,
                    "role": row.role,
                    "authoritative": row.authoritative,
                    "public": row.public and parsed.public,
                    "done": False,
                }
            )
    consultation_ids = iter(
        _insert(session, Consultation, consultation_rows, key=("paper_id", "position", "role"))
    )
    _insert(
        session,
        Question,
        [
            {"paper_id": paper_id, "number": number, "text": text}
            for paper_id, parsed in zip(paper_ids, papers, strict=True)
            for number, text in enumerate(parsed.questions, start=1)
        ],
    )
    _insert(
        session,
        LifecycleEvent,
        [
            {
                "paper_id": paper_id,
                "at": now,
                "actor": actor,
                "event": Event.submit.value,
                "from_state": None,
                "to_state": state,
                "details": {"source": parsed.source, "received_at": at.isoformat()},
            }
            for paper_id, parsed, at in zip(paper_ids, papers, received, strict=True)
        ],
    )
    deadline_rows: list[dict[str, Any]] = []
    committee_names: list[str | None] = []
    calendars = (
        committee_calendars(session, (o.id for o in orgs.values() if o.id is not None))
        if counts_meetings(ruleset)
        else {}
    )
    for paper_id, parsed, at, found in zip(paper_ids, papers, received, places, strict=True):
        facts = []
        for row, (org, meeting) in zip(parsed.consultations, found, strict=True):
            facts.append(
                ConsultationFacts(
                    id=next(consultation_ids),
                    position=row.position,
                    organization=org.name,
                    meeting_id=meeting.id if meeting else None,
                    meeting_start=meeting.start if meeting else None,
                    meeting_cancelled=bool(meeting and meeting.cancelled),
                    done=False,
                    organization_id=org.id or 0,
                )
            )
        facts.sort(key=lambda c: (c.position, c.id))
        committee_of = {c.id: (c.organization_id, c.organization) for c in facts}
        # as gather_facts reads them: the current (first) committee's meetings after receipt
        coming = coming_meetings(calendars.get(facts[0].organization_id, []), at) if facts else ()
        for p in plan(
            PaperFacts(
                paper_type=parsed.paper_type,
                state=state,
                received_at=at,
                has_questions=bool(parsed.questions),
                consultations=tuple(facts),
                meetings=coming,
            ),
            ruleset,
        ):
            org_id, org_name = committee_of.get(p.consultation_id or -1, (None, None))
            deadline_rows.append(
                new_deadline_values(
                    p,
                    paper_id=paper_id,
                    body_id=body_id,
                    organization_id=org_id,
                    received_at=at,
                    now=now,
                    explanation=stored_explanation(ruleset, p, meetings=coming),
                )
            )
            committee_names.append(org_name)
    deadline_ids = _insert(session, Deadline, deadline_rows, key=("paper_id", "key"))
    _insert(
        session,
        Reminder,
        [
            pending_reminder(
                step,
                tag=row["responsible"],
                committee=committee,
                now=now,
                deadline_id=deadline_id,
                paper_id=row["paper_id"],
                body_id=body_id,
            )
            for deadline_id, row, committee in zip(
                deadline_ids, deadline_rows, committee_names, strict=True
            )
            for step in reminder_steps(row["kind"], row["status"], row["due"], ruleset, now)
        ],
    )
    starts = {m.id: m.start for m in meetings.values() if m is not None and m.id is not None}
    verdicts = _timeliness(
        session, deadline_rows, committee_names, received, paper_ids, starts, ruleset, calendars
    )
    return [
        BatchOutcome(
            parsed.source,
            parsed.reference,
            created=True,
            paper_type=parsed.paper_type,
            name=parsed.name,
            state=state,
            timeliness=verdicts.get(paper_id),
        )
        for paper_id, parsed in zip(paper_ids, papers, strict=True)
    ]


def _timeliness(
    session: Session,
    deadline_rows: list[dict[str, Any]],
    committee_names: list[str | None],
    received: list[datetime],
    paper_ids: list[int],
    starts: dict[int, datetime],
    rules: RuleSet,
    calendars: dict[int, list[datetime]],
) -> dict[int, Timeliness]:
    """The proposal deadline's verdict per paper. `starts` are the batch's meetings (already
    at hand); `calendars` the committees' meetings read so far (the planning's, when the
    rules count meetings), completed here for a late motion's committee."""
    arrived = dict(zip(paper_ids, received, strict=True))

    def meetings(org_id: int) -> list[datetime]:
        """A committee's meetings, read once per batch (shared with the planning's calendars
        when the rules count meetings) and only for a late motion."""
        if org_id not in calendars:
            calendars.update(committee_calendars(session, [org_id]))
        return calendars[org_id]

    verdicts: dict[int, Timeliness] = {}
    for row, committee in zip(deadline_rows, committee_names, strict=True):
        if row["kind"] != DeadlineKind.proposal.value or row["meeting_id"] is None:
            continue
        if row["consultation_id"] is None or committee is None:
            continue
        verdicts[row["paper_id"]] = verdict(
            met=row["status"] == DeadlineStatus.met,
            organization=committee,
            meeting_start=starts[row["meeting_id"]],
            due=row["due"],
            received_at=arrived[row["paper_id"]],
            rule=row["rule"],
            later_starts=partial(meetings, row["organization_id"]),
            rules=rules,
        )
    return verdicts
