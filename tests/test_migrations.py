"""The Alembic migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import models.tables  # noqa: F401
from models.db import (
    SCHEMA_REVISION,
    SchemaOutdated,
    current_revision,
    ensure_schema,
    head_revision,
    make_engine,
)


def test_the_pinned_schema_revision_is_alembics_head() -> None:
    assert head_revision() == SCHEMA_REVISION


def test_migrated_schema_equals_the_models(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_a_foreign_database_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE something (id INTEGER)")
    with pytest.raises(SchemaOutdated, match="keine ratsfrist-Migration"):
        ensure_schema(engine)


def test_an_outdated_schema_is_refused_with_the_upgrade_command(engine: Engine) -> None:
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '0000'")
    try:
        with pytest.raises(SchemaOutdated, match="ratsfrist db upgrade"):
            ensure_schema(engine)
    finally:  # the PostgreSQL database is shared by the session's tests
        with engine.begin() as connection:
            connection.exec_driver_sql(
                f"UPDATE alembic_version SET version_num = '{head_revision()}'"
            )
