"""What a batch of claimed reminder rows says: the deadlines, papers, committees and open
questions each mail names, read when it is sent (not when it was planned)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.domain.explain import explained_line
from models.domain.reminders import NOT_REMINDED, OPERATIONS_TAG
from models.domain.timeutil import to_local
from models.domain.vocab import OWED, DeadlineStatus
from models.store.tables import (
    Body,
    Deadline,
    Meeting,
    Organization,
    Paper,
    Question,
    Reminder,
)
from notifications.links import UiLinks
from notifications.messages import FailureNotice, Item, failure_notice
from notifications.messages import Question as QuestionItem


@dataclass
class Loaded:
    """A claimed row and what its mail says; `cancel` the reason it is no longer sent."""

    reminder: Reminder
    items: list[Item]
    omitted: int = 0
    cancel: str | None = None
    notice: FailureNotice | None = None
    """An operations notice: the failed reminder it tells of (instead of `items`)."""


#: An escalation mail lists at most this many deadlines, the longest overdue first; the rest
#: are counted and are in the overview (after an outage a committee may have hundreds).
ESCALATION_LIST_LIMIT = 50

_Row = tuple[Deadline, Paper, Body, Organization | None, Meeting | None]


def _content() -> Any:
    """A deadline with what its mail names: paper, body, committee and meeting."""
    return (
        select(Deadline, Paper, Body, Organization, Meeting)  # type: ignore[call-overload]
        .join(Paper, col(Paper.id) == Deadline.paper_id)
        .join(Body, col(Body.id) == Paper.body_id)
        .outerjoin(Organization, col(Organization.id) == Deadline.organization_id)
        .outerjoin(Meeting, col(Meeting.id) == Deadline.meeting_id)
    )


def load_items(engine: Engine, ids: list[int], now: datetime, links: UiLinks) -> dict[int, Loaded]:
    """Everything the mails need, for a batch of claimed rows: a deadline's reminder is that
    deadline; a committee's escalation is its deadlines missed now (read now, not when it was
    planned, so a report delivered at 06:59 is not escalated at 07:00). In the order they fell
    due, on every database (PostgreSQL returns rows in their physical order, which an UPDATE
    changes): the mails go out in it."""
    with Session(engine) as session:
        everything = session.exec(
            select(Reminder)
            .where(col(Reminder.id).in_(ids))
            .order_by(col(Reminder.send_at), col(Reminder.id))
        ).all()
        reminders = [r for r in everything if not _is_notice(r)]
        by_deadline: dict[int, list[int]] = defaultdict(list)
        for r in reminders:
            if r.deadline_id is not None and r.id is not None:
                by_deadline[r.deadline_id].append(r.id)
        content: dict[int, list[_Row]] = defaultdict(list)
        for row in session.exec(_content().where(col(Deadline.id).in_(list(by_deadline)))).all():
            for reminder_id in by_deadline[row[0].id or 0]:
                content[reminder_id].append(row)
        totals: dict[int, int] = {}
        for reminder in reminders:
            if reminder.deadline_id is None and reminder.id is not None:
                content[reminder.id], totals[reminder.id] = _escalated(session, reminder)
        paper_ids = {paper.id for rows in content.values() for _, paper, *_ in rows}
        questions: dict[int, list[QuestionItem]] = defaultdict(list)
        for q in session.exec(
            select(Question)
            .where(col(Question.paper_id).in_(paper_ids), col(Question.answered_at).is_(None))
            .order_by(col(Question.number))
        ).all():
            questions[q.paper_id].append(QuestionItem(q.number, q.text))
        loaded: dict[int, Loaded] = {}
        for reminder in reminders:
            assert reminder.id is not None
            rows = content.get(reminder.id, [])
            items = [_item(reminder, row, questions, now, links) for row in rows]
            entry = Loaded(
                reminder, items, omitted=totals.get(reminder.id, len(items)) - len(items)
            )
            if reminder.deadline_id is None:
                if not items:
                    entry.cancel = "keine versäumten Fristen mehr"
            elif not rows or rows[0][0].status not in OWED:
                entry.cancel = "Frist erledigt"
            elif not reminder.escalation and rows[0][0].status == DeadlineStatus.missed:
                entry.cancel = "überholt: Frist versäumt, die Eskalation übernimmt"
            loaded[reminder.id] = entry
        loaded |= _notices(session, [r for r in everything if _is_notice(r)])
        return loaded


def _is_notice(reminder: Reminder) -> bool:
    return reminder.tag == OPERATIONS_TAG and reminder.deadline_id is None


def _notices(session: Session, rows: list[Reminder]) -> dict[int, Loaded]:
    """Operations notices: what each one's failed reminder says, read now (its reference,
    its deadline's label, its error as stored, masked)."""
    if not rows:
        return {}
    failed_ids = {int((r.scope or "0").rsplit("/", 1)[-1]): r for r in rows}
    found = session.exec(
        select(Reminder, Deadline.label, Paper.reference)
        .outerjoin(Deadline, col(Deadline.id) == Reminder.deadline_id)
        .outerjoin(Paper, col(Paper.id) == Reminder.paper_id)
        .where(col(Reminder.id).in_(list(failed_ids)))
    ).all()
    loaded: dict[int, Loaded] = {}
    for failed, label, reference in found:
        assert failed.id is not None
        row = failed_ids[failed.id]
        assert row.id is not None
        notice = failure_notice(
            failed.id,
            reference or "",
            label or "Eskalation",
            failed.step,
            failed.tag,
            failed.attempts,
            failed.last_error or "",
        )
        loaded[row.id] = Loaded(row, [], notice=notice)
    for row in rows:
        assert row.id is not None
        loaded.setdefault(row.id, Loaded(row, [], cancel="Erinnerung nicht mehr vorhanden"))
    return loaded


def _escalated(session: Session, reminder: Reminder) -> tuple[list[_Row], int]:
    """The deadlines an escalation row stands for, as of now, and how many there are."""
    organization = (
        col(Deadline.organization_id).is_(None)
        if reminder.organization_id is None
        else col(Deadline.organization_id) == reminder.organization_id
    )
    where = (
        col(Deadline.status) == DeadlineStatus.missed.value,
        col(Deadline.kind).not_in(sorted(NOT_REMINDED - {"session"})),
        col(Deadline.body_id) == reminder.body_id,
        organization,
    )
    total = session.exec(select(sa.func.count()).select_from(Deadline).where(*where)).one()
    rows = session.exec(
        _content()
        .where(*where)
        .order_by(col(Deadline.due), col(Paper.reference), col(Deadline.id))
        .limit(ESCALATION_LIST_LIMIT)
    ).all()
    return list(rows), int(total)


def _item(
    reminder: Reminder,
    row: _Row,
    questions: dict[int, list[QuestionItem]],
    now: datetime,
    links: UiLinks,
) -> Item:
    deadline, paper, body, org, meeting = row
    assert reminder.id is not None
    overdue = 0
    if reminder.escalation:
        overdue = max(1, (to_local(now).date() - to_local(deadline.due).date()).days)
    link = links.escalation(body.id) if reminder.escalation else links.reminder()
    return Item(
        reminder_id=reminder.id,
        reference=paper.reference,
        paper_type=paper.paper_type,
        public=paper.public,
        title=paper.name,
        kind=deadline.kind,
        label=deadline.label,
        due=deadline.due,
        step=reminder.step,
        escalation=reminder.escalation,
        days_overdue=overdue,
        committee=org.name if org else None,
        meeting_start=meeting.start if meeting else None,
        rule=deadline.description,
        explanation=explained_line(deadline.explanation),
        office=deadline.office,
        questions=tuple(questions.get(paper.id or 0, []))
        if deadline.kind in ("report", "answer")
        else (),
        link=link,
        body_name=body.name,
        deadline_key=deadline.key,
        extended_from=deadline.extended_from,
    )
