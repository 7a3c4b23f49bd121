"""One dispatch as of an instant: mark missed deadlines, plan escalations, send every due
reminder exactly once per recipient. The same function runs for `ratsfrist dispatch` and for
the scheduled sweep, and running it twice for the same instant sends nothing the second time.

The guarantee, precisely: a reminder row is sent to each of its recipients at least once, and
more than once only if the process dies after a mail server accepted a message and before the
next statement committed that recipient into `delivered_to` (a window of one SMTP reply and
one small UPDATE). SMTP itself cannot rule that out; nothing else can produce a duplicate.
"""

from __future__ import annotations

import os
import socket
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.domain.reminders import NOT_REMINDED
from models.domain.rules import RuleSet
from models.domain.timeutil import to_local, to_utc
from models.domain.vocab import OWED, DeadlineStatus, ReminderStatus
from models.store.repo import open_past_due
from models.store.tables import (
    Body,
    Deadline,
    Meeting,
    Organization,
    Paper,
    Question,
    Reminder,
)
from notifications import outbox
from notifications.messages import Item, render
from notifications.messages import Question as QuestionItem
from notifications.routes import Recipient, Routes
from notifications.send import deliver


@dataclass
class Summary:
    now: datetime
    dry_run: bool = False
    marked_missed: int = 0
    escalations_planned: int = 0
    due: int = 0
    sent_rows: int = 0
    mails: int = 0
    retry_later: int = 0
    failed: int = 0
    cancelled: int = 0
    superseded: int = 0
    waiting_without_routes: int = 0
    missed_ids: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)

    def lines(self) -> list[str]:
        when = to_local(self.now).strftime("%d.%m.%Y %H:%M")
        head = f"Versand Stand {when}" + (" (Probelauf, nichts geändert)" if self.dry_run else "")
        out = [
            head,
            f"  versäumte Fristen neu markiert: {self.marked_missed}",
            f"  Eskalationen geplant:           {self.escalations_planned}",
            f"  fällige Erinnerungen:           {self.due}",
        ]
        if not self.dry_run:
            out += [
                f"  gesendet:                       {self.sent_rows} ({self.mails} Mails)",
                f"  später erneut:                  {self.retry_later}",
                f"  endgültig fehlgeschlagen:       {self.failed}",
                f"  entfallen:                      {self.cancelled}",
            ]
        if self.superseded:
            out.append(f"  überholt (nur der letzte Schritt): {self.superseded}")
        if self.waiting_without_routes:
            out.append(
                f"  ohne Apprise-Konfiguration warten: {self.waiting_without_routes} "
                "(RATSFRIST_APPRISE_CONFIG setzen)"
            )
        out += [f"  Fehler: {e}" for e in self.errors[:10]]
        return out


#: A dispatch as of an instant further back than this is a replay: it changes nothing and
#: sends nothing unless asked to (`dispatch --send`, the sweep's `send=True`). An hour is far
#: more than any start delay of a scheduled run and far less than the day a replay goes back.
REPLAY_TOLERANCE = timedelta(hours=1)


def is_replay(now: datetime, wall: datetime, tolerance: timedelta = REPLAY_TOLERANCE) -> bool:
    """Whether `now` lies in the past by more than `tolerance`: the docs' replay of a past
    day once sent real escalations listing today's deadlines as overdue since 2021."""
    return to_utc(now) < to_utc(wall) - tolerance


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def dispatch(
    engine: Engine,
    *,
    now: datetime,
    rules: RuleSet,
    routes: Routes | None,
    dry_run: bool = False,
    digest: bool = False,
    ui_url: str | None = None,
    worker: str | None = None,
    lease: timedelta = timedelta(minutes=10),
    batch: int = 500,
) -> Summary:
    now = to_utc(now)
    summary = Summary(now=now, dry_run=dry_run)
    if dry_run:
        summary.due = len(outbox.due_ids(engine, now))
        with Session(engine) as session:
            summary.marked_missed = len(
                session.exec(select(Deadline.id).where(open_past_due(now))).all()
            )
        return summary
    summary.missed_ids = outbox.mark_missed(engine, now)
    summary.marked_missed = len(summary.missed_ids)
    summary.escalations_planned = outbox.plan_escalations(engine, now, rules)
    summary.superseded = outbox.supersede_earlier(engine, now)
    if routes is None:
        summary.waiting_without_routes = len(outbox.due_ids(engine, now))
        return summary
    worker = worker or worker_name()
    while True:
        ids = outbox.claim(engine, worker=worker, now=now, lease=lease, limit=batch)
        if not ids:
            break
        summary.due += len(ids)
        _send_batch(engine, ids, worker, now, routes, summary, digest, ui_url)
        if len(ids) < batch:
            break
    return summary


@dataclass
class Loaded:
    """A claimed row and what its mail says; `cancel` the reason it is no longer sent."""

    reminder: Reminder
    items: list[Item]
    omitted: int = 0
    cancel: str | None = None


def _send_batch(
    engine: Engine,
    ids: list[int],
    worker: str,
    now: datetime,
    routes: Routes,
    summary: Summary,
    digest: bool,
    ui_url: str | None,
) -> None:
    rows = load_items(engine, ids, now, ui_url)
    plan: dict[str, list[tuple[Loaded, Recipient]]] = defaultdict(list)
    per_row_recipients: dict[int, list[Recipient]] = {}
    for reminder_id, loaded in rows.items():
        reminder = loaded.reminder
        if loaded.cancel:
            summary.cancelled += 1
            outbox.finish(engine, reminder_id, worker, now=now, error=None, cancel=loaded.cancel)
            continue
        recipients = routes.for_tag(reminder.tag, reminder.committee)
        if not recipients:
            error = (
                f"kein Empfänger mit Tag '{reminder.tag}'"
                + (f" für {reminder.committee}" if reminder.committee else "")
                + f" in {routes.source}"
            )
            summary.errors.append(f"#{reminder_id}: {error}")
            _count(outbox.finish(engine, reminder_id, worker, now=now, error=error), summary)
            continue
        per_row_recipients[reminder_id] = recipients
        for recipient in recipients:
            if recipient.key in reminder.delivered_to:
                continue  # a dispatcher before us got this far
            group = recipient.key if digest else f"{recipient.key}#{reminder_id}"
            plan[group].append((loaded, recipient))
    failures: dict[int, str] = {}
    for batch in plan.values():
        target = batch[0][1]
        items = [item for queued, _ in batch for item in queued.items]
        omitted = sum(queued.omitted for queued, _ in batch)
        message = render(items, cleared=target.cleared, now=now, omitted=omitted)
        outcome = deliver(target, message, routes)
        if outcome.ok:
            summary.mails += 1
            for queued, _ in batch:
                assert queued.reminder.id is not None
                outbox.record_delivery(engine, queued.reminder.id, worker, target.key)
            summary.sent += [
                {
                    "reminder": item.reminder_id,
                    "reference": item.reference,
                    "kind": item.kind,
                    "recipient": target.label,
                }
                for item in items
            ]
        else:
            for queued, _ in batch:
                assert queued.reminder.id is not None
                failures[queued.reminder.id] = outcome.error or "Fehler"
    for reminder_id in per_row_recipients:
        failure = failures.get(reminder_id)
        if failure:
            summary.errors.append(f"#{reminder_id}: {failure}")
        _count(outbox.finish(engine, reminder_id, worker, now=now, error=failure), summary)


def _count(status: ReminderStatus | None, summary: Summary) -> None:
    if status is ReminderStatus.sent:
        summary.sent_rows += 1
    elif status is ReminderStatus.pending:
        summary.retry_later += 1
    elif status is ReminderStatus.failed:
        summary.failed += 1


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


def load_items(
    engine: Engine, ids: list[int], now: datetime, ui_url: str | None
) -> dict[int, Loaded]:
    """Everything the mails need, for a batch of claimed rows: a deadline's reminder is that
    deadline; a committee's escalation is its deadlines missed now (read now, not when it was
    planned, so a report delivered at 06:59 is not escalated at 07:00)."""
    with Session(engine) as session:
        reminders = session.exec(select(Reminder).where(col(Reminder.id).in_(ids))).all()
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
            items = [_item(reminder, row, questions, now, ui_url) for row in rows]
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
    ui_url: str | None,
) -> Item:
    deadline, paper, body, org, meeting = row
    assert reminder.id is not None
    overdue = 0
    if reminder.escalation:
        overdue = max(1, (to_local(now).date() - to_local(deadline.due).date()).days)
    link = None
    if ui_url:
        page = "artifacts/key/ueberfaellige-fristen" if reminder.escalation else "runs"
        link = f"{ui_url.rstrip('/')}/{page}"
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
        office=deadline.office,
        questions=tuple(questions.get(paper.id or 0, []))
        if deadline.kind in ("report", "answer")
        else (),
        link=link,
        body_name=body.name,
        deadline_key=deadline.key,
    )
