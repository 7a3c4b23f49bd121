"""Migration 0010 (deadline.extended_from, deadline.extension_reason) down and up with an
extended deadline stored, SQLite and PostgreSQL. Kept apart from test_migrations.py so that
the migration can be renumbered with its test."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.domain.intake import parse_document
from models.services import intake as services
from models.store.db import alembic_config, session_scope, upgrade
from models.store.tables import Deadline
from tests.conftest import EXAMPLE


def test_0010_drops_and_brings_back_the_extension_columns(engine: Engine) -> None:
    with session_scope(engine) as session:
        services.import_paper(
            session,
            parse_document(EXAMPLE.read_bytes(), "v.txt"),
            body_name="Migrationsstadt 0010",
            now=datetime(2021, 6, 7, 8, tzinfo=UTC),
            actor="t",
        )
        row = session.exec(select(Deadline).where(Deadline.kind == "report")).one()
        row.extended_from, row.due = row.due, datetime(2021, 6, 14, 10, tzinfo=UTC)
        row.extension_reason = "Zahlen fehlen"
        session.add(row)
    command.downgrade(alembic_config(engine), "0009")
    try:
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("deadline")}
        assert not {"extended_from", "extension_reason"} & columns
    finally:
        upgrade(engine)
    with Session(engine) as session:
        row = session.exec(select(Deadline).where(Deadline.kind == "report")).one()
    # the new date stays, the note that it was extended is gone with the columns
    assert (row.due, row.extended_from, row.extension_reason) == (
        datetime(2021, 6, 14, 10, tzinfo=UTC),
        None,
        None,
    )
