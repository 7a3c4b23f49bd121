"""The outbox on the database side: mark what is missed, plan escalations, claim rows, record
deliveries. Every function is one short transaction; none holds one while mail is sent.

Claiming is one UPDATE … RETURNING: on PostgreSQL its subselect locks with FOR UPDATE SKIP
LOCKED, so concurrent dispatchers take disjoint rows without waiting; SQLite runs one writer
at a time, so the same statement is atomic there. A claim is a lease (`claimed_until`): a
dispatcher that dies mid-send leaves its rows to be taken over when the lease ends, and
`delivered_to` tells the next one whom not to mail again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models.reminders import ESCALATION_TAG, MAX_ATTEMPTS, NOT_REMINDED, backoff, escalation_step
from models.rules import RuleSet
from models.tables import Consultation, Deadline, Organization, Reminder
from models.timeutil import to_utc

R = Reminder.__table__  # type: ignore[attr-defined]
D = Deadline.__table__  # type: ignore[attr-defined]


def mark_missed(engine: Engine, now: datetime) -> list[int]:
    """Open deadlines past due become missed (set-based, idempotent); returns their ids."""
    now = to_utc(now)
    with engine.begin() as connection:
        result = connection.execute(
            sa.update(D)
            .where(D.c.status == "open", D.c.due < now, D.c.kind != "proposal")
            .values(status="missed", updated_at=now)
            .returning(D.c.id)
        )
        return sorted(row[0] for row in result)


def plan_escalations(engine: Engine, now: datetime, rules: RuleSet) -> int:
    """Today's escalation row for every missed deadline, once per working day (set-based:
    INSERT … SELECT, and ON CONFLICT DO NOTHING so that two sweeps at once are harmless)."""
    step = escalation_step(to_utc(now), rules.calendar)
    if step is None:
        return 0
    now = to_utc(now)
    cons = Consultation.__table__  # type: ignore[attr-defined]
    orgs = Organization.__table__  # type: ignore[attr-defined]
    committee = orgs.c.name
    already = sa.exists().where(
        R.c.deadline_id == D.c.id, R.c.step == step.step, R.c.tag == ESCALATION_TAG
    )
    source = (
        sa.select(
            D.c.id,
            D.c.paper_id,
            sa.literal(step.step),
            sa.literal(ESCALATION_TAG),
            committee,
            sa.literal(True),
            sa.literal(step.send_at, type_=R.c.send_at.type),
            sa.literal("pending"),
            sa.literal(0),
            sa.literal([], type_=R.c.delivered_to.type),
            sa.literal(now, type_=R.c.created_at.type),
            sa.literal(now, type_=R.c.updated_at.type),
        )
        .select_from(
            D.outerjoin(cons, cons.c.id == D.c.consultation_id).outerjoin(
                orgs, orgs.c.id == cons.c.organization_id
            )
        )
        .where(
            D.c.status == "missed",
            D.c.kind.not_in(sorted(NOT_REMINDED - {"session"})),
            ~already,  # the second sweep of a day inserts nothing
        )
    )
    columns = [
        "deadline_id",
        "paper_id",
        "step",
        "tag",
        "committee",
        "escalation",
        "send_at",
        "status",
        "attempts",
        "delivered_to",
        "created_at",
        "updated_at",
    ]
    with engine.begin() as connection:
        insert = _insert(connection).from_select(columns, source)
        # Only the outbox key may collide (a sweep racing another); any other conflict is an
        # error and must not silently drop an escalation.
        result = connection.execute(
            insert.on_conflict_do_nothing(index_elements=["deadline_id", "step", "tag"]).returning(
                R.c.id
            )
        )
        return len(result.fetchall())  # rowcount is -1 for this statement on psycopg


def _insert(connection: sa.Connection) -> Any:
    if connection.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert(R)


def _due(now: datetime) -> Any:
    pending = sa.and_(
        R.c.status == "pending",
        R.c.send_at <= now,
        sa.or_(R.c.next_attempt_at.is_(None), R.c.next_attempt_at <= now),
    )
    abandoned = sa.and_(R.c.status == "sending", R.c.claimed_until < now)
    return sa.or_(pending, abandoned)


def claim(
    engine: Engine, *, worker: str, now: datetime, lease: timedelta, limit: int = 500
) -> list[int]:
    """Take up to `limit` due rows for this worker; no two workers get the same row."""
    now = to_utc(now)
    with engine.begin() as connection:
        chosen = sa.select(R.c.id).where(_due(now)).order_by(R.c.send_at, R.c.id).limit(limit)
        if connection.dialect.name == "postgresql":
            chosen = chosen.with_for_update(skip_locked=True)
        result = connection.execute(
            sa.update(R)
            .where(R.c.id.in_(chosen.scalar_subquery()), _due(now))
            .values(status="sending", claimed_by=worker, claimed_until=now + lease, updated_at=now)
            .returning(R.c.id)
        )
        return sorted(row[0] for row in result)


def due_ids(engine: Engine, now: datetime) -> list[int]:
    """What a dispatch would take now, without taking it (for --dry-run)."""
    with engine.connect() as connection:
        rows = connection.execute(
            sa.select(R.c.id).where(_due(to_utc(now))).order_by(R.c.send_at, R.c.id)
        )
        return [row[0] for row in rows]


def record_delivery(engine: Engine, reminder_id: int, worker: str, recipient_key: str) -> None:
    """Commit that one recipient has the reminder, right after the send: the only window for
    a duplicate is between the mail server's acceptance and this commit."""
    with engine.begin() as connection:
        current = connection.execute(
            sa.select(R.c.delivered_to).where(R.c.id == reminder_id, R.c.claimed_by == worker)
        ).scalar_one_or_none()
        if current is None:
            return
        delivered = list(current)
        if recipient_key not in delivered:
            delivered.append(recipient_key)
        connection.execute(sa.update(R).where(R.c.id == reminder_id).values(delivered_to=delivered))


def finish(
    engine: Engine,
    reminder_id: int,
    worker: str,
    *,
    now: datetime,
    error: str | None,
    cancel: str | None = None,
) -> str:
    """Close a claim: sent, cancelled, or back to pending with backoff (failed after
    MAX_ATTEMPTS). Returns the new status."""
    now = to_utc(now)
    with engine.begin() as connection:
        attempts = connection.execute(
            sa.select(R.c.attempts).where(R.c.id == reminder_id, R.c.claimed_by == worker)
        ).scalar_one_or_none()
        if attempts is None:
            return "lost"  # the lease ran out and another dispatcher took over
        values: dict[str, Any] = {
            "claimed_by": None,
            "claimed_until": None,
            "updated_at": now,
        }
        if cancel is not None:
            values |= {"status": "cancelled", "last_error": cancel}
        elif error is None:
            values |= {"status": "sent", "sent_at": now, "last_error": None}
        else:
            attempts += 1
            status = "failed" if attempts >= MAX_ATTEMPTS else "pending"
            values |= {
                "status": status,
                "attempts": attempts,
                "last_error": error,
                "next_attempt_at": now + backoff(attempts),
            }
        connection.execute(sa.update(R).where(R.c.id == reminder_id).values(**values))
        return str(values["status"])


def release(engine: Engine, worker: str, ids: list[int], now: datetime) -> None:
    """Give rows back unsent (no route configured yet): nothing is lost, nothing counted."""
    if not ids:
        return
    with engine.begin() as connection:
        connection.execute(
            sa.update(R)
            .where(R.c.id.in_(ids), R.c.claimed_by == worker)
            .values(status="pending", claimed_by=None, claimed_until=None, updated_at=to_utc(now))
        )


def retry_failed(engine: Engine, now: datetime) -> int:
    """Failed rows of deadlines still owed go back to pending, attempts reset."""
    with engine.begin() as connection:
        owed = sa.select(D.c.id).where(D.c.status.in_(["open", "missed"]))
        result = connection.execute(
            sa.update(R)
            .where(R.c.status == "failed", R.c.deadline_id.in_(owed))
            .values(status="pending", attempts=0, next_attempt_at=None, updated_at=to_utc(now))
        )
        return result.rowcount or 0
