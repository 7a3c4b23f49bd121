"""The Alembic migrations produce exactly the models' schema, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import models.store.tables  # noqa: F401
from models.store.db import (
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


def test_upgrade_to_0005_fills_the_sweep_columns_from_existing_rows(engine: Engine) -> None:
    """0005 copies body and committee onto existing deadlines and the current committee onto
    papers: a database upgraded with data in it answers the sweep like a new one."""
    import sqlalchemy as sa
    from alembic import command

    from models.domain.intake import parse_document
    from models.services import intake as services
    from models.store.db import alembic_config, session_scope, upgrade
    from tests.conftest import EXAMPLE

    with session_scope(engine) as session:
        services.import_paper(
            session,
            parse_document(EXAMPLE.read_bytes(), "v.txt"),
            body_name="Stadt",
            now=datetime(2021, 6, 7, 8, tzinfo=UTC),
            actor="t",
        )
    query = {
        "deadline": "SELECT id, body_id, organization_id FROM deadline ORDER BY id",
        "paper": "SELECT id, current_organization_id FROM paper ORDER BY id",
    }
    with engine.connect() as connection:
        before = {k: connection.execute(sa.text(q)).all() for k, q in query.items()}
    assert all(org is not None for _, _, org in before["deadline"][:2])
    assert before["paper"][0][1] is not None
    command.downgrade(alembic_config(engine), "0004")
    upgrade(engine)
    with engine.connect() as connection:
        after = {k: connection.execute(sa.text(q)).all() for k, q in query.items()}
    assert after == before
