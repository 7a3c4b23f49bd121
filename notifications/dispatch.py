"""One dispatch as of an instant: mark missed deadlines, plan escalations, send every due
reminder exactly once per recipient. The same function runs for `ratsfrist dispatch` and for
the scheduled sweep, and running it twice for the same instant sends nothing the second time.

The guarantee, precisely: a reminder row is sent to each of its recipients at least once, and
more than once only if the process dies after a mail server accepted a message and before the
next statement committed that recipient into `delivered_to` (a window of one SMTP reply and
one small UPDATE). SMTP itself cannot rule that out; nothing else can produce a duplicate.

That holds while one send takes less than the lease (Apprise's connect and read timeouts,
`cto`/`rto`, bound it): before each message the run renews the lease of its rows and drops
those it no longer holds, and a batch still being sent has its whole lease renewed every
half lease, so a second dispatch takes over only the rows of a run that stopped.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.domain.rules import RuleSet
from models.domain.timeutil import to_local, to_utc
from models.domain.vocab import ReminderStatus
from models.store.repo import open_past_due
from models.store.tables import (
    Deadline,
)
from notifications import outbox
from notifications.content import Loaded, load_items
from notifications.messages import render
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
    lost: int = 0
    sending: int = 0
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
        if self.lost:
            out.append(f"  von einem anderen Lauf übernommen: {self.lost}")
        if self.sending:
            out.append(f"  im Versand (anderer Lauf, reminders --sending): {self.sending}")
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


def run_token(worker: str | None = None) -> str:
    """The owner token of one dispatch run: who (host:pid, or the name given) and a random
    part, so two runs of one process (a flow server) never share a claim."""
    return f"{(worker or worker_name())[:80]}~{uuid.uuid4().hex[:12]}"


def system_wall() -> datetime:
    return datetime.now(UTC)


@dataclass
class _Lease:
    """The claims of one batch, kept alive while it is being sent (see the module doc)."""

    engine: Engine
    token: str
    clock: Callable[[], datetime]
    length: timedelta
    ids: list[int]
    renewed: datetime
    lost: set[int] = field(default_factory=set)

    def hold(self, wanted: list[int]) -> set[int]:
        """Renew and return those of `wanted` still ours; the others are lost for good."""
        wall = to_utc(self.clock())
        if wall - self.renewed > self.length / 2:
            live = [i for i in self.ids if i not in self.lost]
            kept = outbox.renew(self.engine, live, self.token, wall=wall, lease=self.length)
            self.lost |= set(live) - kept
            self.renewed = wall
        wanted = [i for i in wanted if i not in self.lost]
        kept = outbox.renew(self.engine, wanted, self.token, wall=wall, lease=self.length)
        self.lost |= set(wanted) - kept
        return kept


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
    clock: Callable[[], datetime] = system_wall,
) -> Summary:
    """`now` is the instant the run stands for (what is due, what is missed); `clock` the
    wall clock the leases are taken and renewed by (see notifications.outbox)."""
    now = to_utc(now)
    summary = Summary(now=now, dry_run=dry_run)
    if dry_run:
        summary.due = len(outbox.due_ids(engine, now, clock()))
        summary.sending = outbox.sending_count(engine)
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
        summary.waiting_without_routes = len(outbox.due_ids(engine, now, clock()))
        summary.sending = outbox.sending_count(engine)
        return summary
    token = run_token(worker)
    while True:
        wall = to_utc(clock())
        ids = outbox.claim(engine, worker=token, now=now, lease=lease, limit=batch, wall=wall)
        if not ids:
            break
        summary.due += len(ids)
        held = _Lease(engine, token, clock, lease, ids, renewed=wall)
        _send_batch(engine, ids, held, now, routes, summary, digest, ui_url)
        summary.lost += len(held.lost)
        if len(ids) < batch:
            break
    summary.sending = outbox.sending_count(engine)
    return summary


def _send_batch(
    engine: Engine,
    ids: list[int],
    held: _Lease,
    now: datetime,
    routes: Routes,
    summary: Summary,
    digest: bool,
    ui_url: str | None,
) -> None:
    worker = held.token
    rows = load_items(engine, ids, now, ui_url)
    plan: dict[str, list[tuple[Loaded, Recipient]]] = defaultdict(list)
    per_row_recipients: dict[int, list[Recipient]] = {}
    for reminder_id, loaded in rows.items():
        reminder = loaded.reminder
        if loaded.cancel:
            summary.cancelled += 1
            outbox.finish(engine, reminder_id, worker, now=now, error=None, cancel=loaded.cancel)
            continue
        recipients = routes.for_tag(reminder.tag, reminder.committee, reminder.body_id)
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
    failures: dict[int, tuple[str, bool]] = {}
    for queue in plan.values():
        kept = held.hold([queued.reminder.id for queued, _ in queue if queued.reminder.id])
        batch = [(queued, r) for queued, r in queue if queued.reminder.id in kept]
        if not batch:
            continue  # taken over by another run: it sends these now
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
                failures[queued.reminder.id] = (outcome.error or "Fehler", outcome.permanent)
    for reminder_id in per_row_recipients:
        if reminder_id in held.lost:
            continue
        failure, permanent = failures.get(reminder_id, (None, False))
        if failure:
            summary.errors.append(f"#{reminder_id}: {failure}")
        status = outbox.finish(
            engine, reminder_id, worker, now=now, error=failure, permanent=permanent
        )
        _count(status, summary)


def _count(status: ReminderStatus | None, summary: Summary) -> None:
    if status is ReminderStatus.sent:
        summary.sent_rows += 1
    elif status is ReminderStatus.pending:
        summary.retry_later += 1
    elif status is ReminderStatus.failed:
        summary.failed += 1
