"""Fixtures: every database test runs on a real SQLite file and on a real PostgreSQL.

PostgreSQL is the server at RATSFRIST_TEST_PG (default 127.0.0.1:5432, user postgres, trust).
Each test session (each xdist worker) creates its own database there, migrates it once and
drops it at the end; each test gets it emptied. SQLite tests get a copy of a file migrated once
per session. Without the server the PostgreSQL cases are skipped locally, and fail in CI
(CI=true), where they are mandatory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
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
from tests.pg_databases import database_name, drop_stale  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "flows" / "examples" / "vorschlag-A-21-0500-01.txt"
DATA = Path(__file__).resolve().parent / "data"
PG_ADMIN_URL = os.environ.get(
    "RATSFRIST_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite file migrated once per test session (per xdist worker); tests get copies."""
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    engine = make_engine(f"sqlite:///{path}")
    ensure_schema(engine)
    engine.dispose()  # the last connection checkpoints the WAL into the file and removes it
    return path


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session (per xdist worker), migrated once."""
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
    drop_stale(admin)
    name = database_name("ratsfrist_test")
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


@pytest.fixture(scope="session")
def pg_reset(pg_url: str) -> Iterator[Callable[[], None]]:
    """Empties the session's PostgreSQL database after each test: every row deleted, every
    sequence restarted, the schema and its migration stamp kept. Measured on this machine's
    PostgreSQL 15 (per test): this ≈ 9 ms, TRUNCATE … RESTART IDENTITY ≈ 85–170 ms, and a
    copy per test (CREATE DATABASE … TEMPLATE ≈ 70–130 ms, WAL_LOG or FILE_COPY, plus its
    DROP DATABASE ≈ 160–320 ms, which forces a checkpoint) is slower still. What a test can
    see afterwards is the same as a freshly migrated database: no rows, ids from 1."""
    engine = make_engine(pg_url)
    with engine.connect() as connection:
        sequences = connection.execute(
            sa.text("SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'")
        ).scalars()
        statements = [
            *(f'DELETE FROM "{t.name}"' for t in reversed(SQLModel.metadata.sorted_tables)),
            *(f'ALTER SEQUENCE "{name}" RESTART' for name in sequences),
        ]
    reset = "; ".join(statements)

    def run() -> None:
        with engine.begin() as connection:
            connection.exec_driver_sql(reset)

    yield run
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """The URL of an empty, migrated database, also set as RATSFRIST_DATABASE_URL: a copy of
    the session's migrated SQLite file, or the session's PostgreSQL database emptied after
    every test."""
    from flows.app import dispose_engines

    reset: Callable[[], None] | None = None
    if request.param == "sqlite":
        path = tmp_path / "ratsfrist.sqlite"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("pg_url")
        reset = request.getfixturevalue("pg_reset")
    monkeypatch.setenv("RATSFRIST_DATABASE_URL", url)
    yield url
    dispose_engines()
    if reset is not None:
        reset()


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


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Two things for running on xdist workers (`make test`):

    - Tests marked `slow` go first, so that the long ones start while the short ones fill the
      other workers, instead of one long test finishing alone at the end.
    - `--dist loadgroup` keeps tests marked `xdist_group` on one worker by suffixing their node
      id with `@group`. pytest-xdist 3.8 writes that suffix to `item._nodeid`, which pytest 9
      no longer reads (it keeps `item._id`), so the groups were silently ignored: the Prefect
      harness and the real server were started on several workers. Set it where pytest reads it.
    """
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # stable
    if not getattr(config.option, "loadgroup", False):
        return
    from _pytest.nodeid import coerce_node_id

    for item in items:
        groups = sorted(
            {
                str(mark.args[0] if mark.args else mark.kwargs.get("name", "default"))
                for mark in item.iter_markers("xdist_group")
            }
        )
        if groups and "@" not in item.nodeid:
            item._id = coerce_node_id(f"{item.nodeid}@{'_'.join(groups)}")  # type: ignore[attr-defined]
