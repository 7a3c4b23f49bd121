"""Test databases left by killed sessions are dropped by the next one; a running session's
stay (tests/pg_databases.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest
import sqlalchemy as sa

from models.store.db import make_engine
from tests.conftest import PG_ADMIN_URL
from tests.pg_databases import database_name, drop_stale


@pytest.mark.postgres
def test_the_databases_of_gone_processes_are_dropped_and_the_living_ones_stay() -> None:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    gone = int(done.stdout)  # that process has ended: its pid is not running
    stale = [f"ratsfrist_test_{gone}_0badc0de", f"prefect_e2e_{gone}"]
    living = database_name("ratsfrist_test")
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            for name in [*stale, living]:
                connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        dropped = drop_stale(admin)
        with admin.connect() as connection:
            left = set(connection.execute(sa.text("SELECT datname FROM pg_database")).scalars())
        assert not set(stale) & left  # (a parallel worker's session start may drop them too)
        assert living in left and living not in dropped
    finally:
        with admin.connect() as connection:
            for name in [*stale, living]:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
