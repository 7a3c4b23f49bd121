"""Fixtures: every database test runs on a real SQLite file and on a real PostgreSQL.

PostgreSQL is the server at RATSFRIST_TEST_PG (default 127.0.0.1:5432, user postgres, trust).
Each test session creates its own database there and drops it at the end. Without the server
the PostgreSQL cases are skipped locally, and fail in CI (CI=true), where they are mandatory.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

# Prefect reads these on import: keep its home out of ~ and its telemetry offline.
_PREFECT_HOME = tempfile.mkdtemp(prefix="ratsfrist-prefect-")
os.environ.setdefault("PREFECT_HOME", _PREFECT_HOME)
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.pop("PREFECT_API_URL", None)
os.environ.pop("RATSFRIST_DATABASE_URL", None)
os.environ["RATSFRIST_CONFIG"] = os.path.join(_PREFECT_HOME, "no-ratsfrist.toml")

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlalchemy.engine import Engine  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from models.store.db import ensure_schema, make_engine  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "flows" / "examples" / "vorschlag-A-21-0500-01.txt"
DATA = Path(__file__).resolve().parent / "data"
PG_ADMIN_URL = os.environ.get(
    "RATSFRIST_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, with the schema migrated."""
    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except Exception as exc:
        admin.dispose()
        message = f"PostgreSQL at {PG_ADMIN_URL} unreachable: {type(exc).__name__}"
        if IN_CI:
            pytest.fail(f"{message} (mandatory in CI)")
        pytest.skip(message)
    name = f"ratsfrist_test_{uuid.uuid4().hex[:10]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    ensure_schema(engine)
    engine.dispose()
    yield url
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate_all(url: str) -> None:
    engine = make_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The URL of an empty, migrated database, also set as RATSFRIST_DATABASE_URL."""
    from flows.app import dispose_engines

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'ratsfrist.sqlite'}"
        engine = make_engine(url)
        ensure_schema(engine)
        engine.dispose()
    else:
        url = request.getfixturevalue("pg_url")
    monkeypatch.setenv("RATSFRIST_DATABASE_URL", url)
    yield url
    dispose_engines()
    if request.param == "postgres":
        _truncate_all(url)


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to assert that a failed command changed nothing."""
    with engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(map(repr, row)) for row in connection.execute(table.select())),
            )
            for table in SQLModel.metadata.sorted_tables
        }


@pytest.fixture
def example_bytes() -> bytes:
    return EXAMPLE.read_bytes()
