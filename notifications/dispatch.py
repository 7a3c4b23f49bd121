"""One dispatch as of an instant: mark missed deadlines, plan escalations, send every due
reminder exactly once per recipient. The same function runs for `ratsfrist dispatch` and for
the scheduled sweep, and running it twice for the same instant sends nothing the second time.

The guarantee, precisely: a reminder row is sent to each of its recipients at least once, and
more than once only if the process dies after a mail server accepted a message and before the
next statement committed that recipient into `delivered_to` (a window of one SMTP reply and
one small UPDATE). SMTP itself cannot rule that out; nothing else can produce a duplicate.

With several messages in flight at once (`senders`, notifications/batch.py) the window is
one such message per sender thread.

That holds while one send takes less than three quarters of the lease (Apprise's connect and
read timeouts, `cto`/`rto`, bound it): before each message the run holds the lease of its
rows (renewed when a quarter lease old) and drops those it no longer holds, and a batch still
being sent has its whole lease renewed every half lease, so a second dispatch takes over only
the rows of a run that stopped.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Callable, Mapping
from contextlib import closing
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.domain.bodies import Rules
from models.domain.timeutil import to_utc
from models.store.repo import open_past_due
from models.store.tables import Deadline
from notifications import outbox
from notifications.batch import SENDERS, Lease, send_batch
from notifications.links import UiLinks
from notifications.routes import Routes
from notifications.smtp_hooks import Pool
from notifications.summary import Summary

__all__ = ["REPLAY_TOLERANCE", "Summary", "dispatch", "is_replay", "run_token"]


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


def dispatch(
    engine: Engine,
    *,
    now: datetime,
    rules: Rules,
    routes: Routes | None,
    dry_run: bool = False,
    digest: bool = False,
    ui_url: str | None = None,
    tables: Mapping[int | None, str] | None = None,
    worker: str | None = None,
    lease: timedelta = timedelta(minutes=10),
    batch: int = 500,
    clock: Callable[[], datetime] = system_wall,
    senders: int = SENDERS,
    body_id: int | None = None,
) -> Summary:
    """`now` is the instant the run stands for (what is due, what is missed); `clock` the
    wall clock the leases are taken and renewed by (see notifications.outbox); `senders` how
    many messages are in flight at once (see notifications.batch); `tables` the overdue
    tables just published (body id → artifact id, see notifications.links) that escalation
    mails link; `body_id` sends only that body's reminders (missed deadlines and escalations
    are still marked and planned for all, so that the next run of any body finds them);
    `rules` each body's calendar, which says on which days its escalations go out (a
    Rulebook read at once, flows.app.rulebook_for(every_body=True))."""
    now = to_utc(now)
    summary = Summary(now=now, dry_run=dry_run)
    if dry_run:
        summary.due = len(outbox.due_ids(engine, now, clock(), body_id))
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
        summary.waiting_without_routes = len(outbox.due_ids(engine, now, clock(), body_id))
        summary.sending = outbox.sending_count(engine)
        return summary
    token = run_token(worker)
    links = UiLinks(ui_url, tables or {})
    options = (digest, links, lease, batch, clock, senders, body_id)
    _send_due(engine, token, now, routes, summary, *options)
    # reminders that failed for good (in this run or before) are told to the operators now,
    # not by the next run
    summary.notices_planned = outbox.plan_failure_notices(engine, now)
    if summary.notices_planned:
        _send_due(engine, token, now, routes, summary, *options)
    summary.sending = outbox.sending_count(engine)
    return summary


def _send_due(
    engine: Engine,
    token: str,
    now: datetime,
    routes: Routes,
    summary: Summary,
    digest: bool,
    links: UiLinks,
    lease: timedelta,
    batch: int,
    clock: Callable[[], datetime],
    senders: int,
    body_id: int | None,
) -> None:
    """Claim and send batch after batch until nothing is due, over SMTP connections kept
    open for the whole run and closed at its end (notifications/smtp_hooks.py)."""
    with closing(Pool()) as connections:
        while True:
            wall = to_utc(clock())
            ids = outbox.claim(
                engine,
                worker=token,
                now=now,
                lease=lease,
                limit=batch,
                wall=wall,
                body_id=body_id,
            )
            if not ids:
                break
            summary.due += len(ids)
            held = Lease(engine, token, clock, lease, ids, renewed=wall)
            send_batch(engine, ids, held, now, routes, summary, digest, links, senders, connections)
            if len(ids) < batch:
                break
