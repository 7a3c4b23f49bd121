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
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.rules import RuleSet
from models.tables import (
    Body,
    Consultation,
    Deadline,
    Meeting,
    Organization,
    Paper,
    Question,
    Reminder,
)
from models.timeutil import to_local, to_utc
from notifications import outbox
from notifications.messages import Item, render
from notifications.messages import Question as QuestionItem
from notifications.routes import Recipient, Routes
from notifications.send import Outcome, deliver

Sender = Callable[[Recipient, Any, Routes], Outcome]


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
        if self.waiting_without_routes:
            out.append(
                f"  ohne Apprise-Konfiguration warten: {self.waiting_without_routes} "
                "(RATSFRIST_APPRISE_CONFIG setzen)"
            )
        out += [f"  Fehler: {e}" for e in self.errors[:10]]
        return out


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
    sender: Sender = deliver,
) -> Summary:
    now = to_utc(now)
    summary = Summary(now=now, dry_run=dry_run)
    if dry_run:
        summary.due = len(outbox.due_ids(engine, now))
        with Session(engine) as session:
            summary.marked_missed = len(
                session.exec(
                    select(Deadline.id).where(
                        Deadline.status == "open", Deadline.due < now, Deadline.kind != "proposal"
                    )
                ).all()
            )
        return summary
    summary.missed_ids = outbox.mark_missed(engine, now)
    summary.marked_missed = len(summary.missed_ids)
    summary.escalations_planned = outbox.plan_escalations(engine, now, rules)
    if routes is None:
        summary.waiting_without_routes = len(outbox.due_ids(engine, now))
        return summary
    worker = worker or worker_name()
    while True:
        ids = outbox.claim(engine, worker=worker, now=now, lease=lease, limit=batch)
        if not ids:
            break
        summary.due += len(ids)
        _send_batch(engine, ids, worker, now, routes, summary, digest, ui_url, sender)
        if len(ids) < batch:
            break
    return summary


def _send_batch(
    engine: Engine,
    ids: list[int],
    worker: str,
    now: datetime,
    routes: Routes,
    summary: Summary,
    digest: bool,
    ui_url: str | None,
    sender: Sender,
) -> None:
    rows = load_items(engine, ids, now, ui_url)
    plan: dict[str, list[tuple[Item, Recipient]]] = defaultdict(list)
    per_row_recipients: dict[int, list[Recipient]] = {}
    for reminder_id, (item, reminder, deadline_status) in rows.items():
        if deadline_status not in ("open", "missed"):
            summary.cancelled += 1
            outbox.finish(engine, reminder_id, worker, now=now, error=None, cancel="Frist erledigt")
            continue
        if not reminder.escalation and deadline_status == "missed":
            summary.cancelled += 1
            outbox.finish(
                engine,
                reminder_id,
                worker,
                now=now,
                error=None,
                cancel="überholt: Frist versäumt, die Eskalation übernimmt",
            )
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
            plan[group].append((item, recipient))
    failures: dict[int, str] = {}
    for group in plan.values():
        recipient = group[0][1]
        items = [item for item, _ in group]
        message = render(items, cleared=recipient.cleared, now=now)
        outcome = sender(recipient, message, routes)
        if outcome.ok:
            summary.mails += 1
            for item in items:
                outbox.record_delivery(engine, item.reminder_id, worker, recipient.key)
                summary.sent.append(
                    {
                        "reminder": item.reminder_id,
                        "reference": item.reference,
                        "kind": item.kind,
                        "recipient": recipient.label,
                    }
                )
        else:
            for item in items:
                failures[item.reminder_id] = outcome.error or "Fehler"
    for reminder_id in per_row_recipients:
        error = failures.get(reminder_id)
        if error:
            summary.errors.append(f"#{reminder_id}: {error}")
        _count(outbox.finish(engine, reminder_id, worker, now=now, error=error), summary)


def _count(status: str, summary: Summary) -> None:
    if status == "sent":
        summary.sent_rows += 1
    elif status == "pending":
        summary.retry_later += 1
    elif status == "failed":
        summary.failed += 1


def load_items(
    engine: Engine, ids: list[int], now: datetime, ui_url: str | None
) -> dict[int, tuple[Item, Reminder, str]]:
    """Everything a message needs, for a batch of reminder rows, in few queries."""
    with Session(engine) as session:
        rows = session.exec(
            select(Reminder, Deadline, Paper, Body, Organization, Meeting)
            .join(Deadline, col(Deadline.id) == Reminder.deadline_id)
            .join(Paper, col(Paper.id) == Deadline.paper_id)
            .join(Body, col(Body.id) == Paper.body_id)
            .outerjoin(Consultation, col(Consultation.id) == Deadline.consultation_id)
            .outerjoin(Organization, col(Organization.id) == Consultation.organization_id)
            .outerjoin(Meeting, col(Meeting.id) == Deadline.meeting_id)
            .where(col(Reminder.id).in_(ids))
        ).all()
        paper_ids = {paper.id for _, _, paper, *_ in rows}
        questions: dict[int, list[QuestionItem]] = defaultdict(list)
        for q in session.exec(
            select(Question)
            .where(col(Question.paper_id).in_(paper_ids), col(Question.answered_at).is_(None))
            .order_by(col(Question.number))
        ).all():
            questions[q.paper_id].append(QuestionItem(q.number, q.text))
        items: dict[int, tuple[Item, Reminder, str]] = {}
        for reminder, deadline, paper, body, org, meeting in rows:
            assert reminder.id is not None
            overdue = 0
            if reminder.escalation:
                overdue = max(1, (to_local(now).date() - to_local(deadline.due).date()).days)
            items[reminder.id] = (
                Item(
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
                    link=f"{ui_url.rstrip('/')}/artifacts/key/ueberfaellige-fristen"
                    if ui_url and reminder.escalation
                    else (f"{ui_url.rstrip('/')}/runs" if ui_url else None),
                    body_name=body.name,
                    deadline_key=deadline.key,
                ),
                reminder,
                deadline.status,
            )
        return items
