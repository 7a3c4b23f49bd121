"""Engine and sessions: the one place that connects to the database.

Nothing is created at import time. The schema belongs to Alembic (models/migrations): a new,
empty database is brought to the newest revision on first use, an older one is refused with
the command that upgrades it, so no command ever writes into a schema it does not know.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from models.domain.errors import RatsfristError

MIGRATIONS = Path(__file__).parent / "migrations"

#: The newest migration. Kept here so that every command can check the schema without loading
#: Alembic (≈0.15 s of start-up); tests/store/test_migrations.py keeps it equal to Alembic's head.
SCHEMA_REVISION = "0011"


class SchemaOutdated(RatsfristError):
    pass


class DatabaseUnavailable(RatsfristError):
    """The database URL is malformed, or the server refuses or does not answer."""


def masked(url: str | sa.engine.URL) -> str:
    """A database URL safe to print: the password replaced."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "<ungültige URL>"


def reason(exc: BaseException) -> str:
    """The first line of what the driver said, without SQL or parameters (never a password:
    drivers do not repeat it)."""
    original = getattr(exc, "orig", None) or exc
    text = str(original).strip().splitlines()
    return text[0][:200] if text else type(original).__name__


def normalise_url(url: str) -> str:
    """postgresql:// and postgres:// mean psycopg 3, the driver ratsfrist installs."""
    try:
        parsed = make_url(url)
    except (sa.exc.ArgumentError, ValueError):
        raise DatabaseUnavailable(f"Datenbank-URL {url.split('@')[-1]!r} ist ungültig") from None
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str, **kwargs: Any) -> Engine:
    url = normalise_url(url)
    try:
        if url.startswith("sqlite"):
            engine = sa.create_engine(url, connect_args={"timeout": 30}, **kwargs)
            sa.event.listen(engine, "connect", _sqlite_pragmas)
            return engine
        engine = sa.create_engine(url, pool_pre_ping=True, **kwargs)
        sa.event.listen(engine, "connect", _postgresql_without_jit)
        return engine
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError) as exc:
        raise DatabaseUnavailable(f"Datenbank {masked(url)}: {reason(exc)}") from None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _postgresql_without_jit(dbapi_connection: Any, _record: Any) -> None:
    """PostgreSQL sessions without JIT compilation. The sweep's statements are short and read
    indexes, but some are estimated far above their work (the due reminders: 49,000 rows
    estimated, 3,000 read at a million deadlines) and crossed jit_above_cost; compiling them
    cost more than running them (the first use in a connection also loads LLVM): 0.07 s of
    the 1M sweep's 0.13 s for selecting what is due. A SET rather than a startup option, which
    a connection pooler such as PgBouncer may refuse; committed, or the pool's first rollback
    would undo it."""
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET jit = off")
    dbapi_connection.commit()


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """One transaction: committed when the block ends, rolled back whole on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# --- migrations --------------------------------------------------------------------------------


def alembic_config(engine: Engine | None = None) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not sa.inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


def ensure_schema(engine: Engine) -> None:
    """Create the schema in an empty database; refuse an outdated or foreign one."""
    try:
        revision = current_revision(engine)
    except sa.exc.DBAPIError as exc:
        raise DatabaseUnavailable(
            f"Datenbank {masked(engine.url)} nicht erreichbar: {reason(exc)}"
        ) from None
    if revision is None:
        with engine.connect() as connection:
            tables = sa.inspect(connection).get_table_names()
        if tables:
            raise SchemaOutdated(
                f"Datenbank {engine.url.render_as_string(hide_password=True)} enthält Tabellen, "
                "aber keine ratsfrist-Migration; bitte eine leere Datenbank angeben"
            )
        upgrade(engine)
        return
    if revision != SCHEMA_REVISION:
        raise SchemaOutdated(
            f"Datenbankschema ist auf Stand {revision}, erwartet {SCHEMA_REVISION}: "
            "'ratsfrist db upgrade' ausführen"
        )
