"""The bulk path of the OParl sync writes what the one-by-one path writes, row for row, ids
included: Hürtgenwald's whole archive (tests/oparl_archive.py) synced both ways on SQLite
and PostgreSQL. And it keeps the sync's promises: a second sync changes nothing, and a bad
object inside a bulk page is skipped and named while the rest of the page lands."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from models.services.oparl_client import OParlClient
from models.services.oparl_report import SyncReport
from models.services.oparl_sync import sync_endpoint
from models.store.profiles import default_rules
from models.store.tables import Paper
from tests.conftest import snapshot
from tests.oparl_archive import ArchiveServer, unpack

NOW = datetime(2021, 9, 7, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unpack(tmp_path_factory.mktemp("huertgenwald"))


@pytest.fixture
def server(archive: Path) -> Iterator[ArchiveServer]:
    server = ArchiveServer(archive)
    yield server
    server.close()


def sync(engine: Engine, server: ArchiveServer, now: datetime, **kwargs: Any) -> SyncReport:
    with OParlClient(timeout=30, retries=1, backoff=0, sleep=lambda _: None) as client:
        return sync_endpoint(
            engine, server.system_url, now=now, rules=default_rules(), client=client, **kwargs
        )


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(table.delete())


def _said(report: SyncReport) -> list[Any]:
    return [
        dict(report.created),
        dict(report.updated),
        dict(report.unchanged),
        report.steps,
        report.review,
        report.warnings,
        report.deleted,
        report.skipped,
        report.skipped_pages,
    ]


@pytest.mark.slow
def test_bulk_and_one_by_one_write_the_same_rows_and_say_the_same(
    engine: Engine, server: ArchiveServer
) -> None:
    one_by_one = sync(engine, server, NOW, bulk=False)
    expected = snapshot(engine)
    _empty(engine)
    bulk = sync(engine, server, NOW)
    rows = snapshot(engine)
    assert len(rows["paper"]) == 2097 and len(rows["deadline"]) > 2097
    for table in expected:  # table by table, so that a difference names its table
        assert rows[table] == expected[table], table
    assert _said(bulk) == _said(one_by_one)

    second = sync(engine, server, NOW + timedelta(days=1))  # modified_since: nothing new
    assert [dict(second.created), dict(second.updated), second.steps, second.skipped] == [
        {},
        {},
        [],
        [],
    ]
    assert snapshot(engine)["paper"] == rows["paper"]


REFUSE = {
    "sqlite": [
        "CREATE TRIGGER refuse BEFORE INSERT ON paper WHEN NEW.reference = '{ref}' "
        "BEGIN SELECT RAISE(ABORT, 'Vorlage gesperrt'); END"
    ],
    "postgresql": [
        "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.reference = '{ref}' "
        "THEN RAISE EXCEPTION 'Vorlage gesperrt'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER refuse BEFORE INSERT ON paper FOR EACH ROW EXECUTE FUNCTION refuse()",
    ],
}
UNREFUSE = {
    "sqlite": ["DROP TRIGGER refuse"],
    "postgresql": ["DROP TRIGGER refuse ON paper", "DROP FUNCTION refuse()"],
}


def test_a_bad_paper_in_a_bulk_page_is_skipped_and_named_and_the_rest_lands(
    engine: Engine, archive: Path
) -> None:
    server = ArchiveServer(archive, page_size=100)
    papers = [p for p in server.lists["paper"] if p.get("deleted") is not True]
    victim = papers[150]  # in the middle of the second page of 100
    server.lists["paper"] = server.lists["paper"][:400]
    dialect = engine.dialect.name
    with engine.begin() as connection:
        for statement in REFUSE[dialect]:
            connection.execute(sa.text(statement.format(ref=victim["reference"])))
    try:
        report = sync(engine, server, NOW)
    finally:
        server.close()
        with engine.begin() as connection:
            for statement in UNREFUSE[dialect]:
                connection.execute(sa.text(statement))
    assert len(report.skipped) == 1, report.skipped
    line = report.skipped[0]
    assert line.startswith(f"{victim['id']}: Datenbankfehler (") and "Vorlage gesperrt" in line
    live = {p["id"] for p in server.lists["paper"] if p.get("deleted") is not True}
    with Session(engine) as session:
        stored = set(session.exec(select(Paper.oparl_id)))
    assert stored == live - {victim["id"]}
    assert report.created["Paper"] == len(live) - 1
