"""The outbox on the database side: mark what is missed, plan escalations, claim rows, record
deliveries. Every function is one short transaction; none holds one while mail is sent.

Claiming is one UPDATE … RETURNING: on PostgreSQL its subselect locks with FOR UPDATE SKIP
LOCKED, so concurrent dispatchers take disjoint rows without waiting; SQLite runs one writer
at a time, so the same statement is atomic there. A claim is a lease (`claimed_until`): a
dispatcher that dies mid-send leaves its rows to be taken over when the lease ends, and
`delivered_to` tells the next one whom not to mail again.

Leases are fenced: `claimed_by` is a token of one dispatch run, and every later statement on
a claimed row (renewing its lease before a send, recording a delivery, closing the claim)
names that token and `status = 'sending'` in its WHERE, so a run whose row was taken over
changes nothing and stops sending it. Lease times are wall-clock times (`wall`), never the
run's `now`: a replay (`--send` on a past day) or a scheduled run started late has a `now`
in the past, and a lease counted from it would be over before it began.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from models.domain.bodies import Rules, rules_of
from models.domain.calendar import WorkCalendar
from models.domain.reminders import (
    ESCALATION_TAG,
    FAILURE_STEP,
    MAX_ATTEMPTS,
    NOT_REMINDED,
    OPERATIONS_TAG,
    SEND_TIME,
    Step,
    backoff,
    escalation_step,
    pending_reminder,
)
from models.domain.timeutil import to_local, to_utc
from models.domain.vocab import OWED, DeadlineStatus, ReminderStatus
from models.store.repo import open_past_due
from models.store.tables import Deadline, Organization, Reminder

R = Reminder.__table__  # type: ignore[attr-defined]
D = Deadline.__table__  # type: ignore[attr-defined]


def mark_missed(engine: Engine, now: datetime) -> list[int]:
    """Open deadlines past due become missed (set-based, idempotent); returns their ids."""
    now = to_utc(now)
    with engine.begin() as connection:
        result = connection.execute(
            sa.update(D)
            .where(open_past_due(now))
            .values(status=DeadlineStatus.missed.value, updated_at=now)
            .returning(D.c.id)
        )
        return sorted(row[0] for row in result)


def plan_escalations(engine: Engine, now: datetime, rules: Rules) -> int:
    """Today's escalation row for every committee with a missed deadline, once per working
    day of its body's calendar (a Bavarian town escalates nothing on Heilige Drei Könige, an
    NRW town in the same installation does). The committees come from the sweep index alone
    (no table rows read); the rows are few, and ON CONFLICT DO NOTHING on their key makes
    two sweeps at once harmless. What an escalation lists is read when it is sent: a
    deadline met in between is not in it. `rules` is asked once per body (a Rulebook read
    in one statement, see models.services.bodies.rulebook), never per deadline."""
    now = to_utc(now)
    if to_local(now).time() < SEND_TIME:  # no body escalates before the send time
        return 0
    orgs = Organization.__table__  # type: ignore[attr-defined]
    with engine.begin() as connection:
        found = connection.execute(
            sa.select(D.c.body_id, D.c.organization_id)
            .where(
                D.c.status == DeadlineStatus.missed.value,
                D.c.kind.not_in(sorted(NOT_REMINDED - {"session"})),
            )
            .distinct()
        ).all()
        steps = _escalation_steps(now, rules, {body for body, _ in found})
        scopes = [(body, org) for body, org in found if steps[body] is not None]
        if not scopes:
            return 0
        names: dict[int, str] = dict(
            connection.execute(
                sa.select(orgs.c.id, orgs.c.name).where(
                    orgs.c.id.in_({o for _, o in scopes if o is not None})
                )
            ).all()
        )
        rows = [
            pending_reminder(
                step,
                tag=ESCALATION_TAG,
                committee=names.get(org),
                now=now,
                scope=escalation_scope(body, org),
                body_id=body,
                organization_id=org,
            )
            for body, org in sorted(scopes, key=lambda s: (s[0], s[1] or 0))
            if (step := steps[body]) is not None
        ]
        # one short statement executed for every row (the driver's executemany; psycopg
        # pipelines it): a VALUES list of 1,000 rows, compiled by SQLAlchemy and parsed by
        # psycopg anew each time, took 0.5 s (SQLite) to 2 s (PostgreSQL) for the 3,168
        # committees of 396 bodies. rowcount is the sum over the rows, skipped ones 0 (kept
        # for an INSERT only when asked: preserve_rowcount).
        result = connection.execute(
            _insert(connection).on_conflict_do_nothing(index_elements=["scope", "step", "tag"]),
            rows,
            execution_options={"preserve_rowcount": True},
        )
        return result.rowcount


def _escalation_steps(now: datetime, rules: Rules, bodies: set[int]) -> dict[int, Step | None]:
    """Each body's escalation step today (None: not a working day in its calendar). Asked
    once per body and once per calendar: 396 bodies share a few dozen calendars."""
    by_calendar: dict[WorkCalendar, Step | None] = {}
    steps: dict[int, Step | None] = {}
    for body in bodies:
        calendar = rules_of(rules, body).calendar
        if calendar not in by_calendar:
            by_calendar[calendar] = escalation_step(now, calendar)
        steps[body] = by_calendar[calendar]
    return steps


def escalation_scope(body_id: int, organization_id: int | None) -> str:
    return f"{body_id}/{organization_id if organization_id is not None else '-'}"


FAILURE_SCOPE = "fehler/"


def failure_scope(reminder_id: int) -> str:
    return f"{FAILURE_SCOPE}{reminder_id}"


def plan_failure_notices(engine: Engine, now: datetime) -> int:
    """One operations notice (tag `betrieb`) for every reminder that failed for good and has
    none yet: a row of its own in the outbox, keyed by the failed row (`fehler/<id>`,
    `fehlgeschlagen`, `betrieb`), so it is planned once and sent once whatever runs plan it,
    and a row revived by `--retry-failed` that fails again is not announced twice. A notice
    that fails itself is not announced (it would announce its own failure forever)."""
    now = to_utc(now)
    with engine.begin() as connection:
        failed = connection.execute(
            sa.select(R.c.id, R.c.paper_id, R.c.body_id).where(
                R.c.status == ReminderStatus.failed.value, R.c.tag != OPERATIONS_TAG
            )
        ).all()
        if not failed:
            return 0
        known = set(
            connection.execute(
                sa.select(R.c.scope).where(
                    R.c.tag == OPERATIONS_TAG, R.c.scope.like(FAILURE_SCOPE + "%")
                )
            ).scalars()
        )
        step = Step(FAILURE_STEP, now)
        rows = [
            pending_reminder(
                step,
                tag=OPERATIONS_TAG,
                committee=None,
                now=now,
                scope=failure_scope(reminder_id),
                paper_id=paper_id,
                body_id=body_id,
            )
            for reminder_id, paper_id, body_id in failed
            if failure_scope(reminder_id) not in known
        ]
        planned = 0
        for start in range(0, len(rows), 1000):
            result = connection.execute(
                _insert(connection)
                .values(rows[start : start + 1000])
                .on_conflict_do_nothing(index_elements=["scope", "step", "tag"])
                .returning(R.c.id)
            )
            planned += len(result.fetchall())
        return planned


def _insert(connection: sa.Connection) -> Any:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as pg_insert

        return pg_insert(R)
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    return sqlite_insert(R)


def _due(now: datetime, wall: datetime, body_id: int | None = None) -> Any:
    """Due as of `now` (or abandoned by the clock `wall`); with `body_id` only that body's
    rows (`dispatch --body`: one town's office sends its own reminders)."""
    pending = sa.and_(
        R.c.status == ReminderStatus.pending.value,
        R.c.send_at <= now,
        sa.or_(R.c.next_attempt_at.is_(None), R.c.next_attempt_at <= now),
    )
    abandoned = sa.and_(R.c.status == ReminderStatus.sending.value, R.c.claimed_until < wall)
    due = sa.or_(pending, abandoned)
    return due if body_id is None else sa.and_(R.c.body_id == body_id, due)


def _superseded(now: datetime) -> Any:
    """A pending row due now with a later step of the same deadline and tag also due (or
    already sending or sent)."""
    later = R.alias("later")
    return sa.and_(
        R.c.status == ReminderStatus.pending.value,
        R.c.deadline_id.is_not(None),
        R.c.send_at <= now,
        sa.exists(
            sa.select(later.c.id).where(
                later.c.deadline_id == R.c.deadline_id,
                later.c.tag == R.c.tag,
                later.c.id != R.c.id,
                later.c.send_at <= now,
                later.c.status.in_(_LIVE),
                sa.or_(
                    later.c.send_at > R.c.send_at,
                    sa.and_(later.c.send_at == R.c.send_at, later.c.id > R.c.id),
                ),
            )
        ),
    )


def supersede_earlier(engine: Engine, now: datetime) -> int:
    """After a gap several steps of one deadline may be due at once (7, 3 and 1 days before,
    or 'neu' and the next step): only the latest goes out, the earlier pending ones become
    superseded. A later step already sending or sent supersedes too. Set-based, idempotent;
    returns how many rows it marked."""
    now = to_utc(now)
    with engine.begin() as connection:
        chosen = sa.select(R.c.id).where(_superseded(now))
        if connection.dialect.name == "postgresql":  # as in claim: no waiting for each other
            chosen = chosen.with_for_update(skip_locked=True)
        result = connection.execute(
            sa.update(R)
            .where(R.c.id.in_(chosen.scalar_subquery()), _superseded(now))
            .values(
                status=ReminderStatus.superseded.value,
                last_error="überholt: ein späterer Schritt derselben Frist geht statt dessen",
                updated_at=now,
            )
        )
        return result.rowcount or 0


_LIVE = (ReminderStatus.pending.value, ReminderStatus.sending.value, ReminderStatus.sent.value)


def claim(
    engine: Engine,
    *,
    worker: str,
    now: datetime,
    lease: timedelta,
    limit: int = 500,
    wall: datetime | None = None,
    body_id: int | None = None,
) -> list[int]:
    """Take up to `limit` due rows for this worker; no two workers get the same row. Due is
    judged as of `now`; the lease runs from `wall` (the clock, default `now`) and a sending
    row is abandoned once its lease ended by the clock. With `body_id`, only that body's.

    The ids are chosen first and the rows updated by that list: as one statement (`UPDATE …
    WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`) PostgreSQL may plan a nested loop
    that runs the subselect once per row, and then LIMIT limits nothing (seen on a table not
    yet analysed: 855 of 3,000 rows claimed with limit 500). On PostgreSQL the chosen rows
    stay locked until the update commits, so no other worker can take them in between."""
    now = to_utc(now)
    wall = to_utc(wall) if wall is not None else now
    with engine.begin() as connection:
        chosen: Any = (
            sa.select(R.c.id)
            .where(_due(now, wall, body_id))
            .order_by(R.c.send_at, R.c.id)
            .limit(limit)
        )
        if connection.dialect.name == "postgresql":
            chosen = chosen.with_for_update(skip_locked=True)
        ids = [row[0] for row in connection.execute(chosen)]
        if not ids:
            return []
        result = connection.execute(
            sa.update(R)
            .where(R.c.id.in_(ids), _due(now, wall, body_id))
            .values(
                status=ReminderStatus.sending.value,
                claimed_by=worker,
                claimed_until=wall + lease,
                updated_at=now,
            )
            .returning(R.c.id)
        )
        return sorted(row[0] for row in result)


def due_ids(
    engine: Engine, now: datetime, wall: datetime | None = None, body_id: int | None = None
) -> list[int]:
    """What a dispatch would take now, without taking it (for --dry-run); rows it would
    supersede first are not counted."""
    now = to_utc(now)
    wall = to_utc(wall) if wall is not None else now
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(R.c.id)
            .where(_due(now, wall, body_id), sa.not_(_superseded(now)))
            .order_by(R.c.send_at, R.c.id)
        )
        return [row[0] for row in rows]


def _owned(worker: str | sa.BindParameter[str]) -> Any:
    return sa.and_(R.c.claimed_by == worker, R.c.status == ReminderStatus.sending.value)


def renew(
    engine: Engine, ids: list[int], worker: str, *, wall: datetime, lease: timedelta
) -> set[int]:
    """Extend the lease of those of `ids` this worker still holds, and say which they are: a
    row missing from the answer was taken over (its lease ran out) and must not be sent."""
    if not ids:
        return set()
    with engine.begin() as connection:
        result = connection.execute(
            sa.update(R)
            .where(R.c.id.in_(ids), _owned(worker))
            .values(claimed_until=to_utc(wall) + lease)
            .returning(R.c.id)
        )
        return {row[0] for row in result}


@contextmanager
def _transaction(bind: Engine | Connection) -> Iterator[Connection]:
    """One transaction: on a connection of the engine's pool, or on one the caller holds for
    many (the dispatcher's recorder thread, notifications/batch.py)."""
    if isinstance(bind, Connection):
        with bind.begin():
            yield bind
    else:
        with bind.begin() as connection:
            yield connection


def _recording(close: bool) -> Any:
    """The UPDATE that records a delivery (and with `close`, closes the claim as sent), made
    once: building the statement and its cache key per mail cost four times its execution
    (0.08 of 0.1 ms, on the recorder's thread, holding the interpreter lock)."""
    values: dict[str, Any] = {
        "delivered_to": sa.bindparam("delivered", type_=R.c.delivered_to.type)
    }
    if close:
        at = sa.bindparam("at", type_=R.c.sent_at.type)
        values |= {
            "status": ReminderStatus.sent.value,
            "sent_at": at,
            "last_error": None,
            "claimed_by": None,
            "claimed_until": None,
            "updated_at": at,
        }
    owned = _owned(sa.bindparam("worker"))
    return sa.update(R).where(R.c.id == sa.bindparam("reminder"), owned).values(**values)


_RECORD, _RECORD_AND_CLOSE = _recording(close=False), _recording(close=True)


def record_delivery(
    engine: Engine | Connection,
    reminder_id: int,
    worker: str,
    recipient_key: str,
    *,
    close_at: datetime | None = None,
    delivered: list[str] | None = None,
) -> bool:
    """Commit that one recipient has the reminder, right after the send: the only window for
    a duplicate is between the mail server's acceptance and this commit. The UPDATE itself
    checks that the worker still holds the row (False if not: nothing is written). With
    `close_at` (the row's last recipient) the same statement closes the claim as sent: one
    commit per mail instead of two.

    `delivered`: the row's recipients so far as the run holding it knows them (read when it
    claimed the row, plus what it recorded since). Only the holder of a row writes them (this
    UPDATE names its token), so that list is the row's, and the write is one statement;
    without it they are read first, in the same transaction."""
    with _transaction(engine) as connection:
        if delivered is None:
            current = connection.execute(
                sa.select(R.c.delivered_to).where(R.c.id == reminder_id, _owned(worker))
            ).scalar_one_or_none()
            if current is None:
                return False
            delivered = list(current)
        if recipient_key not in delivered:
            delivered = [*delivered, recipient_key]
        parameters: dict[str, Any] = {
            "reminder": reminder_id,
            "worker": worker,
            "delivered": delivered,
        }
        if close_at is not None:
            parameters["at"] = to_utc(close_at)
        statement = _RECORD if close_at is None else _RECORD_AND_CLOSE
        return bool(connection.execute(statement, parameters).rowcount)


def finish(
    engine: Engine | Connection,
    reminder_id: int,
    worker: str,
    *,
    now: datetime,
    error: str | None,
    cancel: str | None = None,
    permanent: bool = False,
) -> ReminderStatus | None:
    """Close a claim: sent, cancelled, or back to pending with backoff (failed after
    MAX_ATTEMPTS, or at once when the error is `permanent`: a 5xx reply will not change on
    retrying). Returns the new status, or None if the claim was lost (the lease ran out and
    another dispatcher took the row over)."""
    now = to_utc(now)
    with _transaction(engine) as connection:
        attempts = connection.execute(
            sa.select(R.c.attempts).where(R.c.id == reminder_id, _owned(worker))
        ).scalar_one_or_none()
        if attempts is None:
            return None
        values: dict[str, Any] = {
            "claimed_by": None,
            "claimed_until": None,
            "updated_at": now,
        }
        if cancel is not None:
            status = ReminderStatus.cancelled
            values |= {"last_error": cancel}
        elif error is None:
            status = ReminderStatus.sent
            values |= {"sent_at": now, "last_error": None}
        else:
            attempts += 1
            exhausted = permanent or attempts >= MAX_ATTEMPTS
            status = ReminderStatus.failed if exhausted else ReminderStatus.pending
            values |= {
                "attempts": attempts,
                "last_error": error,
                "next_attempt_at": now + backoff(attempts),
            }
        values["status"] = status.value
        result = connection.execute(
            sa.update(R).where(R.c.id == reminder_id, _owned(worker)).values(**values)
        )
        return status if result.rowcount else None


def sending_count(engine: Engine) -> int:
    """Rows claimed right now (by this run or another, or left by one that died)."""
    with engine.connect() as connection:
        return int(
            connection.execute(
                sa.select(sa.func.count())
                .select_from(R)
                .where(R.c.status == ReminderStatus.sending.value)
            ).scalar_one()
        )


def retry_failed(engine: Engine, now: datetime) -> int:
    """Failed rows of deadlines still owed go back to pending, attempts reset."""
    with engine.begin() as connection:
        owed = sa.select(D.c.id).where(D.c.status.in_(OWED))
        result = connection.execute(
            sa.update(R)
            .where(
                R.c.status == ReminderStatus.failed.value,
                sa.or_(R.c.deadline_id.in_(owed), R.c.deadline_id.is_(None)),
            )
            .values(
                status=ReminderStatus.pending.value,
                attempts=0,
                next_attempt_at=None,
                updated_at=to_utc(now),
            )
        )
        return result.rowcount or 0
