"""A claim takes at most `limit` rows on every query plan (issue 17).

PostgreSQL may run `UPDATE … WHERE id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)` as a
nested loop that evaluates the subselect again for every row, so on a freshly filled table
(no ANALYZE yet) one dispatcher claimed all 3,000 due rows under one lease. The test builds
exactly that: a new database, rows inserted, no statistics.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from models.domain.vocab import ReminderStatus
from models.store.db import ensure_schema, make_engine
from models.store.tables import Reminder
from notifications import outbox
from tests.conftest import PG_ADMIN_URL
from tests.pg_databases import database_name

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
ROWS, LIMIT = 3_000, 500


def _fill(engine: Engine) -> None:
    rows = [
        {
            "scope": f"1/{n}",
            "step": "eskalation@2026-11-30",
            "tag": "leitung",
            "escalation": True,
            "send_at": NOW - timedelta(minutes=n % 60 + 1),
            "status": ReminderStatus.pending.value,
            "attempts": 0,
            "delivered_to": [],
            "created_at": NOW,
            "updated_at": NOW,
        }
        for n in range(ROWS)
    ]
    with engine.begin() as connection:
        connection.execute(sa.insert(Reminder.__table__), rows)  # type: ignore[attr-defined]


@pytest.fixture
def fresh_pg() -> Iterator[Engine]:
    """A database of its own, never analysed: the planner knows nothing about its rows."""
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = database_name("ratsfrist_claim")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(sa.engine.make_url(PG_ADMIN_URL).set(database=name))
    try:
        ensure_schema(engine)
        with engine.begin() as connection:  # autovacuum must not analyse behind our back
            connection.execute(sa.text("ALTER TABLE reminder SET (autovacuum_enabled = false)"))
        yield engine
    finally:
        engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.mark.postgres
def test_a_claim_on_an_unanalysed_postgresql_table_takes_at_most_its_limit(
    fresh_pg: Engine,
) -> None:
    _fill(fresh_pg)
    first = outbox.claim(fresh_pg, worker="a", now=NOW, lease=timedelta(minutes=10), limit=LIMIT)
    assert len(first) == LIMIT
    second = outbox.claim(fresh_pg, worker="b", now=NOW, lease=timedelta(minutes=10), limit=LIMIT)
    assert len(second) == LIMIT and not set(first) & set(second)
    with fresh_pg.connect() as connection:
        claimed = connection.execute(
            sa.text("SELECT claimed_by, count(*) FROM reminder WHERE status = 'sending' GROUP BY 1")
        ).all()
    assert dict(claimed) == {"a": LIMIT, "b": LIMIT}


def test_a_claim_on_sqlite_takes_at_most_its_limit(engine: Engine) -> None:
    _fill(engine)
    claimed = outbox.claim(engine, worker="a", now=NOW, lease=timedelta(minutes=10), limit=LIMIT)
    assert len(claimed) == LIMIT
