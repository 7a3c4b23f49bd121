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


def test_0006_keeps_repeated_agenda_numbers_and_whole_results_and_goes_back(
    engine: Engine,
) -> None:
    """After 0006 a meeting may hold number 1 twice (public and non-public part) and a result
    longer than 50 characters; a downgrade keeps the rows, renumbering the repeated one."""
    import sqlalchemy as sa
    from alembic import command

    from models.store.db import alembic_config, session_scope, upgrade
    from models.store.tables import AgendaItem, Body, Meeting, Organization

    long_result = "6 Ja-Stimmen, 6 Nein-Stimmen, 1 Enthaltung. Mit diesem Ergebnis abgelehnt."
    with session_scope(engine) as session:
        body = Body(name="Migrationsstadt 0006")
        session.add(body)
        session.flush()
        assert body.id is not None
        org = Organization(body_id=body.id, name="Rat")
        session.add(org)
        session.flush()
        assert org.id is not None
        meeting = Meeting(
            organization_id=org.id,
            start=datetime(2021, 6, 7, 16, tzinfo=UTC),
            name="Rat",
            updated_at=datetime(2021, 6, 1, tzinfo=UTC),
        )
        session.add(meeting)
        session.flush()
        assert meeting.id is not None
        session.add(AgendaItem(meeting_id=meeting.id, number="1", oparl_id="https://x/ai/1"))
        session.add(
            AgendaItem(
                meeting_id=meeting.id,
                number="1",
                public=False,
                oparl_id="https://x/ai/2",
                result=long_result,
            )
        )
        meeting_id = meeting.id
    query = sa.text("SELECT number, result FROM agenda_item WHERE meeting_id = :m ORDER BY id")
    command.downgrade(alembic_config(engine), "0005")
    try:
        with engine.connect() as connection:
            rows = connection.execute(query, {"m": meeting_id}).all()
        assert rows[0][0] == "1" and rows[1][0].startswith("1#")
        assert rows[1][1] == long_result[:50]
    finally:
        upgrade(engine)
    with engine.connect() as connection:
        assert len(connection.execute(query, {"m": meeting_id}).all()) == 2


def test_0007_links_every_meeting_to_its_organization_and_goes_back(engine: Engine) -> None:
    """Meetings made before 0007 get their one organization as the first link; a downgrade
    keeps the meetings and drops the links beyond the first (meeting.organization_id)."""
    import sqlalchemy as sa
    from alembic import command

    from models.store.db import alembic_config, session_scope, upgrade
    from models.store.tables import Body, Meeting, MeetingOrganization, Organization

    with session_scope(engine) as session:
        body = Body(name="Migrationsstadt 0007", oparl_name="Instance 0001")
        session.add(body)
        session.flush()
        assert body.id is not None
        rat, ha = (
            Organization(body_id=body.id, name="Rat"),
            Organization(body_id=body.id, name="HA"),
        )
        session.add_all([rat, ha])
        session.flush()
        assert rat.id is not None and ha.id is not None
        meeting = Meeting(organization_id=rat.id, start=datetime(2021, 6, 7, 16, tzinfo=UTC))
        session.add(meeting)
        session.flush()
        assert meeting.id is not None
        session.add(MeetingOrganization(meeting_id=meeting.id, organization_id=ha.id, position=1))
        meeting_id, rat_id = meeting.id, rat.id
    links = sa.text(
        "SELECT organization_id, position FROM meeting_organization WHERE meeting_id = :m "
        "ORDER BY position"
    )
    with engine.connect() as connection:
        assert len(connection.execute(links, {"m": meeting_id}).all()) == 2
    command.downgrade(alembic_config(engine), "0006")
    try:
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("body")}
            assert "oparl_name" not in columns
            assert not sa.inspect(connection).has_table("meeting_organization")
    finally:
        upgrade(engine)
    with engine.connect() as connection:
        assert connection.execute(links, {"m": meeting_id}).all() == [(rat_id, 0)]


def test_0008_gives_existing_bodies_a_slug_and_waiting_reminders_their_body(
    engine: Engine,
) -> None:
    """An installation from before 0008: its bodies get slugs from their names (a clash a
    suffix) and keep empty rules (= the settings'); reminders of deadlines get their body, so
    that `koerperschaft-<slug>` routing finds them."""
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
            body_name="Stadt Köln",
            now=datetime(2021, 6, 7, 8, tzinfo=UTC),
            actor="t",
        )
    command.downgrade(alembic_config(engine), "0007")
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO body (name) VALUES ('Stadt  Köln!')"))
        connection.execute(sa.text("UPDATE reminder SET body_id = NULL"))
    upgrade(engine)
    with engine.connect() as connection:
        bodies = connection.execute(
            sa.text("SELECT name, slug, profile, state, holiday_categories FROM body ORDER BY id")
        ).all()
        reminders = connection.execute(
            sa.text("SELECT count(*), count(body_id) FROM reminder WHERE deadline_id IS NOT NULL")
        ).one()
    assert bodies == [
        ("Stadt Köln", "stadt-koeln", None, None, None),
        ("Stadt  Köln!", "stadt-koeln-2", None, None, None),
    ]
    assert reminders[0] > 0 and reminders[0] == reminders[1]


def test_0009_gives_existing_papers_no_doubts_and_goes_back(engine: Engine) -> None:
    """Papers stored before 0009 read as sure (no doubts, no proposed Beratungsfolge, no
    Eingangsnummer); a downgrade drops the columns and the counter, an upgrade brings them."""
    import sqlalchemy as sa
    from alembic import command

    from models.domain.intake import parse_document
    from models.services import intake as services
    from models.store.db import alembic_config, session_scope, upgrade
    from models.store.repo import find_paper
    from tests.conftest import EXAMPLE

    with session_scope(engine) as session:
        services.import_paper(
            session,
            parse_document(EXAMPLE.read_bytes(), "v.txt"),
            body_name="Migrationsstadt 0009",
            now=datetime(2021, 6, 7, 8, tzinfo=UTC),
            actor="t",
        )
    command.downgrade(alembic_config(engine), "0008")
    try:
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("paper")}
            assert "uncertain" not in columns and "intake_number" not in columns
            assert not sa.inspect(connection).has_table("intake_counter")
    finally:
        upgrade(engine)
    with session_scope(engine) as session:
        paper = find_paper(session, "A 21/0500-01")
        assert (paper.uncertain, paper.proposed_consultations, paper.intake_number) == (
            [],
            [],
            None,
        )


def test_0011_keeps_explanations_and_fills_old_deadlines_on_replan(engine: Engine) -> None:
    """Deadlines planned after 0011 carry their explanation; a downgrade drops the column,
    an upgrade brings it back empty (NULL), and the next re-plan writes it again."""
    import sqlalchemy as sa
    from alembic import command
    from sqlmodel import select

    from models.domain.intake import parse_document
    from models.services import intake as services
    from models.services.deadlines import replan
    from models.store.db import alembic_config, session_scope, upgrade
    from models.store.profiles import default_rules
    from models.store.repo import find_paper
    from models.store.tables import Deadline
    from tests.conftest import EXAMPLE

    now = datetime(2021, 6, 7, 8, tzinfo=UTC)
    with session_scope(engine) as session:
        services.import_paper(
            session,
            parse_document(EXAMPLE.read_bytes(), "v.txt"),
            body_name="Migrationsstadt 0011",
            now=now,
            actor="t",
        )
        before = {d.key: d.explanation for d in session.exec(select(Deadline)).all()}
    assert before and all(e and e["steps"] and e["profile"] for e in before.values())
    command.downgrade(alembic_config(engine), "0010")
    try:
        with engine.connect() as connection:
            columns = {c["name"] for c in sa.inspect(connection).get_columns("deadline")}
            assert "explanation" not in columns
    finally:
        upgrade(engine)
    with session_scope(engine) as session:
        assert [d.explanation for d in session.exec(select(Deadline)).all()] == [None] * len(before)
        replan(session, find_paper(session, "A 21/0500-01"), default_rules(), now)
    with session_scope(engine) as session:
        after = {d.key: d.explanation for d in session.exec(select(Deadline)).all()}
    assert after == before


@pytest.mark.postgres
def test_postgresql_sessions_run_without_jit(pg_url: str) -> None:
    """The sweep's few statements whose estimates cross jit_above_cost ran slower compiled
    (models.store.db._postgresql_without_jit); the setting holds after the pool's rollback
    and on an autocommit engine too."""
    import sqlalchemy as sa

    for engine in (make_engine(pg_url), make_engine(pg_url, isolation_level="AUTOCOMMIT")):
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
            connection.rollback()
            assert connection.execute(sa.text("SHOW jit")).scalar() == "off"
        with engine.connect() as connection:  # the pooled connection, returned and reused
            assert connection.execute(sa.text("SHOW jit")).scalar() == "off"
        engine.dispose()
