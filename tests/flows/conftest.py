"""Fixtures shared by the flow tests: one real Prefect server per session."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.pg_databases import database_name
from tests.prefect_server import Server, pg_database


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("prefect-home")
    prefect_db = pg_database(database_name("prefect_e2e", unique=False))
    running = Server(home, prefect_db.replace("postgresql+psycopg://", "postgresql+asyncpg://"))
    running.start(home / "server.log")
    yield running
    running.stop()
