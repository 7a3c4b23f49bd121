"""Sending one claimed batch: its rows grouped into messages (one per recipient and row, or
per recipient with digest), sent by a bounded pool of threads.

Why threads: a mail to a local server costs a few milliseconds, most of them waiting for the
server's replies and for the database's commit; a handful of sends in flight keep both busy
(see docs/reminders.md, Speed, for what one dispatcher sends now).
The guarantees stay those of one sender, per message:

- before a message is handed to a thread, the run holds the lease of its rows (renewed by
  an UPDATE naming the run's token; a row not returned is lost and not sent). A renewal
  covers the next messages too, and is repeated once it is a quarter lease old, so every send
  starts with at least three quarters of the lease ahead of it;
- the delivery is committed right after the server accepted it, by an UPDATE that names the
  token (a row taken over meanwhile records nothing); the row's last recipient closes the
  claim in that same statement;
- that commit runs on a thread of its own (`_Recorder`) while the sender renders and builds
  its next mail, and the next mail goes to the server only once every commit before it is
  done (the gate in notifications/smtp_hooks.py): the commit's wait for the disk overlaps
  with work, the number of mails accepted and not yet committed does not grow;
- the recipients of one row are recorded one at a time (a lock per row): two threads never
  read and rewrite `delivered_to` at once.

So a crash duplicates only messages accepted by the server and not yet committed: at most
one per thread in flight (`senders`).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from models.domain.reminders import OPERATIONS_TAG
from models.domain.timeutil import to_utc
from notifications import outbox
from notifications.content import Loaded, load_items
from notifications.links import UiLinks
from notifications.messages import Message, render, render_notices
from notifications.routes import Recipient, Routes
from notifications.send import deliver
from notifications.smtp_hooks import Pool, pooled
from notifications.summary import Summary, count

SENDERS = 1
"""Messages in flight at once per dispatcher by default (see the module doc). One, because each
message in flight is one more mail a killed process may duplicate: staff are promised "never
twice". More senders are an operator's informed choice, and since the commits run on a thread
of their own they gain little (RATSFRIST_SENDERS=4: 94-125 mails/s where one sender sent
73-115 in the same runs on the loaded test machine, docs/reminders.md)."""


@dataclass
class Lease:
    """The claims of one batch, kept alive while it is being sent (see the module doc)."""

    engine: Engine
    token: str
    clock: Callable[[], datetime]
    length: timedelta
    ids: list[int]
    renewed: datetime
    lost: set[int] = field(default_factory=set)
    fresh: dict[int, datetime] = field(default_factory=dict)
    """When each row's lease was last taken or renewed (by the clock)."""

    def __post_init__(self) -> None:
        self.fresh = dict.fromkeys(self.ids, self.renewed)  # the claim is a fresh lease

    def hold(self, wanted: list[int], ahead: list[int] | None = None) -> set[int]:
        """Those of `wanted` still ours, each with at least three quarters of a lease ahead;
        renewing, when needed, `ahead` (the next messages' rows) in the same statement."""
        wall = to_utc(self.clock())
        if wall - self.renewed > self.length / 2:  # the whole batch: rows waiting their turn
            self._renew([i for i in self.ids if i not in self.lost], wall)
            self.renewed = wall
        wanted = [i for i in wanted if i not in self.lost]
        if any(wall - self.fresh.get(i, self.renewed) > self.length / 4 for i in wanted):
            more = [i for i in ahead or [] if i not in self.lost]
            chunk = list(dict.fromkeys(wanted + more))
            self._renew(chunk, wall)
        return {i for i in wanted if i not in self.lost}

    def _renew(self, ids: list[int], wall: datetime) -> None:
        kept = outbox.renew(self.engine, ids, self.token, wall=wall, lease=self.length)
        self.lost |= set(ids) - kept
        for i in kept:
            self.fresh[i] = wall


@dataclass
class _Message:
    """One message to one recipient, standing for one or more rows."""

    rows: list[Loaded]
    recipient: Recipient

    @property
    def ids(self) -> list[int]:
        return [loaded.reminder.id for loaded in self.rows if loaded.reminder.id is not None]


class _Recorder:
    """The commits after each send, in the order of the sends, on a thread of their own: the
    next mail is rendered and built while the last one's delivery is being committed (its
    fsync takes from a tenth of a mail's time on a quiet disk to more than all of it on a busy
    one). Before the next mail goes to the server, its sender waits here (`settled`) until
    every commit handed in before it is done, and sends nothing if one failed: so no more
    mails are ever accepted and not yet committed than when each commit ran before the next
    send. After a failed write nothing more is written (the rows stay claimed; the lease hands
    them on) and `close` raises it: a database error is the dispatch's error.

    The writes go over one connection the thread holds for the batch. Handing in a write
    (`submit`) returns once that write reached its commit (or ended without one): its Python
    part runs while the sender waits anyway (one interpreter lock), and the disk's wait then
    overlaps with the sender's work. Returning at once instead, the thread would get the lock
    only when the sender next waits, at the gate, and nothing would overlap."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="verbuchen")
        self._lock = threading.Lock()
        self._last: Future[None] | None = None
        self._connection: Connection | None = None
        self._writing = threading.local()
        """`handed`: the event of the write running on this recorder thread (its sender waits
        for it); per thread, so a listener never sets another write's event."""
        self.error: BaseException | None = None

    def submit(self, write: Callable[..., None], *args: object) -> None:
        """Run `write(connection, *args)` on the thread, after every write handed in before."""
        handed = threading.Event()
        with self._lock:
            self._last = self._thread.submit(self._run, handed, write, *args)
        handed.wait()

    def _run(self, handed: threading.Event, write: Callable[..., None], *args: object) -> None:
        self._writing.handed = handed
        try:
            if self.error is None:
                write(self._bind(), *args)
        except BaseException as exc:
            self.error = exc
        finally:
            handed.set()

    def _bind(self) -> Connection:
        if self._connection is None:
            self._connection = self._engine.connect()
            sa.event.listen(self._connection, "commit", self._committing)
        return self._connection

    def _committing(self, _connection: Connection) -> None:
        handed: threading.Event | None = getattr(self._writing, "handed", None)
        if handed is not None:
            handed.set()  # right before the driver's commit: the sender may go on

    def settled(self) -> bool:
        """Whether every write handed in so far went through (waiting for them)."""
        with self._lock:
            last = self._last
        if last is not None:
            last.result()  # _run keeps what a write raised in `error`
        return self.error is None

    def close(self) -> None:
        """Wait for every write handed in, give the connection back; raise the first error."""
        self._thread.submit(self._release).result()
        self._thread.shutdown(wait=True)
        if self.error is not None:
            raise self.error

    def _release(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class _Batch:
    """The bookkeeping of one batch while its messages are in flight."""

    def __init__(self, engine: Engine, token: str, now: datetime, summary: Summary) -> None:
        self.engine, self.token, self.now, self.summary = engine, token, now, summary
        self.recorder = _Recorder(engine)
        self.lock = threading.Lock()
        self.row_locks: dict[int, threading.Lock] = defaultdict(threading.Lock)
        self.outstanding: dict[int, int] = defaultdict(int)
        self.failures: dict[int, tuple[str, bool]] = {}
        self.delivered: dict[int, list[str]] = {}
        """Each row's recipients so far: as claimed, plus what this batch recorded (only the
        holder of a row writes them, see outbox.record_delivery)."""

    def close(
        self,
        reminder_id: int,
        error: str | None = None,
        permanent: bool = False,
        bind: Engine | Connection | None = None,
    ) -> None:
        status = outbox.finish(
            bind or self.engine,
            reminder_id,
            self.token,
            now=self.now,
            error=error,
            permanent=permanent,
        )
        with self.lock:
            if error:
                self.summary.errors.append(f"#{reminder_id}: {error}")
            count(status, self.summary)

    def cancel(self, reminder_id: int, reason: str | None) -> None:
        """Close a row with nothing to send: its deadline is gone (`reason` says why) or, for
        an operators' notice, nobody is there to tell."""
        outbox.finish(self.engine, reminder_id, self.token, now=self.now, error=None, cancel=reason)
        with self.lock:
            self.summary.cancelled += 1

    def record(
        self,
        bind: Connection,
        ids: list[int],
        delivered_to: str | None,
        failure: tuple[str, bool] | None,
    ) -> None:
        """A message is through: each of its rows (on the recorder's thread)."""
        for reminder_id in ids:
            self.done(bind, reminder_id, delivered_to, failure)

    def done(
        self,
        bind: Connection,
        reminder_id: int,
        delivered_to: str | None,
        failure: tuple[str, bool] | None,
    ) -> None:
        """One message of the row is through (delivered to `delivered_to`, or failed)."""
        with self.lock:
            if failure:
                self.failures[reminder_id] = failure
            self.outstanding[reminder_id] -= 1
            last = self.outstanding[reminder_id] == 0
            failed = self.failures.get(reminder_id)
        with self.row_locks[reminder_id]:
            if delivered_to is not None:
                close_at = self.now if last and not failed else None
                known = self.delivered.get(reminder_id)
                recorded = outbox.record_delivery(
                    bind,
                    reminder_id,
                    self.token,
                    delivered_to,
                    close_at=close_at,
                    delivered=known,
                )
                if recorded and known is not None and delivered_to not in known:
                    self.delivered[reminder_id] = [*known, delivered_to]
                if close_at is not None:
                    if recorded:
                        with self.lock:
                            self.summary.sent_rows += 1
                    return
            if last:
                error, permanent = failed or (None, False)
                self.close(reminder_id, error, permanent, bind)


def send_batch(
    engine: Engine,
    ids: list[int],
    held: Lease,
    now: datetime,
    routes: Routes,
    summary: Summary,
    digest: bool,
    links: UiLinks,
    senders: int = SENDERS,
    connections: Pool | None = None,
) -> None:
    """`connections`: the SMTP connections kept open between mails (notifications/
    smtp_hooks.py), for the whole dispatch; without, this batch's own, closed at its end."""
    if connections is None:
        own = Pool()
        try:
            send_batch(engine, ids, held, now, routes, summary, digest, links, senders, own)
        finally:
            own.close()
        return
    batch = _Batch(engine, held.token, now, summary)
    try:
        _send_all(batch, engine, ids, held, now, routes, digest, links, senders, connections)
    finally:
        batch.recorder.close()  # every accepted mail committed before the batch ends
    with batch.lock:
        summary.lost += len(held.lost)


def _send_all(
    batch: _Batch,
    engine: Engine,
    ids: list[int],
    held: Lease,
    now: datetime,
    routes: Routes,
    digest: bool,
    links: UiLinks,
    senders: int,
    connections: Pool,
) -> None:
    messages = _plan(batch, load_items(engine, ids, now, links), routes, digest)
    slots = threading.BoundedSemaphore(max(1, senders))
    futures: list[Future[None]] = []
    with (
        pooled(connections),
        ThreadPoolExecutor(
            max_workers=max(1, senders),
            thread_name_prefix="versand",
            initializer=_use_pool,
            initargs=(connections,),
        ) as pool,
    ):
        for n, message in enumerate(messages):
            slots.acquire()
            if batch.recorder.error is not None:
                slots.release()
                break  # a commit failed: send nothing more (close() raises it)
            ahead = [i for later in messages[n + 1 : n + 1 + 4 * senders] for i in later.ids]
            kept = held.hold(message.ids, ahead)
            message.rows = [r for r in message.rows if r.reminder.id in kept]
            if not message.rows:
                slots.release()
                continue  # taken over by another run: it sends these now
            if senders <= 1:  # one at a time, in this thread
                try:
                    _send(batch, message, routes, now)
                finally:
                    slots.release()
                continue
            future = pool.submit(_send, batch, message, routes, now)
            future.add_done_callback(lambda _: slots.release())
            futures.append(future)
    for future in futures:
        future.result()  # an error in a thread is the dispatch's error


def _use_pool(connections: Pool) -> None:
    """A sending thread's sends use the dispatch's connections (for the thread's life)."""
    pooled(connections).__enter__()


def _plan(batch: _Batch, rows: dict[int, Loaded], routes: Routes, digest: bool) -> list[_Message]:
    """The messages of a batch; rows with nothing (left) to send are closed at once."""
    grouped: dict[str, _Message] = {}
    for reminder_id, loaded in rows.items():
        reminder = loaded.reminder
        if loaded.cancel:
            batch.cancel(reminder_id, loaded.cancel)
            continue
        if loaded.notice is not None:
            recipients = routes.for_tag(OPERATIONS_TAG)
            if not recipients:  # nobody to tell: the failure stays in reminders --failed
                batch.cancel(
                    reminder_id, f"kein Empfänger mit Tag '{OPERATIONS_TAG}' in {routes.source}"
                )
                continue
        else:
            recipients = routes.for_tag(reminder.tag, reminder.committee, reminder.body_id)
        if not recipients:
            error = (
                f"kein Empfänger mit Tag '{reminder.tag}'"
                + (f" für {reminder.committee}" if reminder.committee else "")
                + f" in {routes.source}"
            )
            batch.close(reminder_id, error)
            continue
        batch.delivered[reminder_id] = list(reminder.delivered_to)
        waiting = [r for r in recipients if r.key not in reminder.delivered_to]
        if not waiting:  # a dispatcher before us got this far
            batch.close(reminder_id)
            continue
        for recipient in waiting:
            if loaded.notice is not None:  # the operators get one mail for all in the batch
                group = f"{recipient.key}#betrieb"
            else:
                group = recipient.key if digest else f"{recipient.key}#{reminder_id}"
            grouped.setdefault(group, _Message([], recipient)).rows.append(loaded)
            batch.outstanding[reminder_id] += 1
    return list(grouped.values())


def _send(batch: _Batch, message: _Message, routes: Routes, now: datetime) -> None:
    target = message.recipient
    outcome = deliver(target, _render(message, now), routes, gate=batch.recorder.settled)
    if outcome.ok:
        with batch.lock:
            batch.summary.mails += 1
            batch.summary.sent += [
                {
                    "reminder": item.reminder_id,
                    "reference": item.reference,
                    "kind": item.kind,
                    "recipient": target.label,
                }
                for loaded in message.rows
                for item in loaded.items
            ]
    failure = None if outcome.ok else (outcome.error or "Fehler", outcome.permanent)
    batch.recorder.submit(batch.record, message.ids, target.key if outcome.ok else None, failure)


def _render(message: _Message, now: datetime) -> Message:
    notices = [loaded.notice for loaded in message.rows if loaded.notice is not None]
    if notices:
        return render_notices(notices)
    items = [item for loaded in message.rows for item in loaded.items]
    omitted = sum(loaded.omitted for loaded in message.rows)
    return render(items, cleared=message.recipient.cleared, now=now, omitted=omitted)
