"""The bulk path of the OParl sync writes what the one-by-one path writes, row for row, ids
included: Hürtgenwald's whole archive (tests/oparl_archive.py) synced both ways on SQLite
and PostgreSQL. And it keeps the sync's promises: a second sync changes nothing, and a bad
object inside a bulk page is skipped and named while the rest of the page lands."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from models.domain.rules import RuleSet, ruleset_from
from models.domain.timeutil import BERLIN, to_local
from models.services.oparl_client import OParlClient
from models.services.oparl_report import SyncReport
from models.services.oparl_sync import sync_endpoint
from models.store.profiles import default_rules, load_profile, resolve_profile_path
from models.store.tables import Deadline, Paper
from tests.conftest import snapshot
from tests.oparl_archive import ArchiveServer, unpack
from tests.oparl_server import OParlServer, meeting, org, paper

NOW = datetime(2021, 9, 7, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unpack(tmp_path_factory.mktemp("huertgenwald"))


@pytest.fixture
def server(archive: Path) -> Iterator[ArchiveServer]:
    server = ArchiveServer(archive)
    yield server
    server.close()


def sync(
    engine: Engine,
    server: ArchiveServer,
    now: datetime,
    rules: RuleSet | None = None,
    **kwargs: Any,
) -> SyncReport:
    with OParlClient(timeout=30, retries=1, backoff=0, sleep=lambda _: None) as client:
        return sync_endpoint(
            engine,
            server.system_url,
            now=now,
            rules=rules or default_rules(),
            client=client,
            **kwargs,
        )


def counting_rules() -> RuleSet:
    """The Saxon profile with its "spätestens in der übernächsten Sitzung" for every paper
    type (Hürtgenwald has no Anträge): every paper counts its committee's meetings."""
    data = tomllib.loads(resolve_profile_path("sachsen").read_text(encoding="utf-8"))
    del data["deadlines"]["tagesordnung_fraktion"]["paper_types"]
    return ruleset_from(data, "sachsen.toml", "test")


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
@pytest.mark.parametrize("counting", [False, True], ids=["default", "counting-meetings"])
def test_bulk_and_one_by_one_write_the_same_rows_and_say_the_same(
    engine: Engine, server: ArchiveServer, counting: bool
) -> None:
    """Also with a rule counted in meetings: the bulk path plans it from the committees'
    calendars as gather_facts reads them (2,132 such deadlines, most met by the placement
    on an agenda that follows)."""
    rules = counting_rules() if counting else default_rules()
    one_by_one = sync(engine, server, NOW, rules, bulk=False)
    expected = snapshot(engine)
    _empty(engine)
    bulk = sync(engine, server, NOW, rules)
    rows = snapshot(engine)
    assert len(rows["paper"]) == 2097 and len(rows["deadline"]) > 2097
    counted = [r for r in rows["deadline"] if r[7] == "'tagesordnung_fraktion'"]
    assert len(counted) == (2132 if counting else 0)
    for table in expected:  # table by table, so that a difference names its table
        assert rows[table] == expected[table], table
    assert _said(bulk) == _said(one_by_one)

    second = sync(engine, server, NOW + timedelta(days=1), rules)  # modified_since: nothing new
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


def test_a_first_sync_plans_deadlines_counted_in_meetings_as_one_by_one(engine: Engine) -> None:
    """Saxony (sachsen.toml): an Antrag goes on the agenda "spätestens der übernächsten
    Sitzung". A first sync of a Saxon town whose calendar has two meetings of each
    committee: A 26/0102 (dated Mo 02.11.2026, before the Hauptausschuss, on no agenda yet)
    owes it by the second, Do 14.01.2027 17:00; A 26/0100, on the Sozialausschuss agenda of
    08.12., had it planned at submission and met by that placement. The bulk path writes
    exactly the rows of the one-by-one path."""
    rules = load_profile("sachsen")
    server = OParlServer(page_size=10)
    s = server
    s.lists["organizations"] = [org(s, "so", "Sozialausschuss"), org(s, "ha", "Hauptausschuss")]
    s.lists["meetings"] = [
        meeting(s, "so-dez", "so", "2026-12-08T17:00:00+01:00", [("i1", "Ö 3", "c1", None)]),
        meeting(s, "so-jan", "so", "2027-01-12T17:00:00+01:00", []),
        meeting(s, "ha-dez", "ha", "2026-12-10T17:00:00+01:00", []),
        meeting(s, "ha-jan", "ha", "2027-01-14T17:00:00+01:00", []),
    ]
    s.lists["papers"] = [
        paper(s, "p1", "A 26/0100", [("c1", "so", "so-dez", "i1", True)]),
        paper(s, "p4", "A 26/0102", [("c5", "ha", "ha-dez", "i5", True)]),
    ]
    now = datetime(2026, 11, 25, 10, 0, tzinfo=BERLIN)
    try:
        one_by_one = _sync_small(engine, server, now, rules, bulk=False)
        expected = snapshot(engine)
        _empty(engine)
        bulk = _sync_small(engine, server, now, rules, bulk=True)
    finally:
        server.close()
    with Session(engine) as session:
        counted = {
            (reference, f"{to_local(d.due):%d.%m.%Y %H:%M}", d.status)
            for reference, d in session.exec(
                select(Paper.reference, Deadline)
                .join(Paper, Paper.id == Deadline.paper_id)  # type: ignore[arg-type]
                .where(Deadline.rule == "tagesordnung_fraktion")
            ).all()
        }
    assert counted == {
        ("A 26/0100", "12.01.2027 17:00", "met"),
        ("A 26/0102", "14.01.2027 17:00", "open"),
    }
    rows = snapshot(engine)
    for table in expected:
        assert rows[table] == expected[table], table
    assert _said(bulk) == _said(one_by_one)


def _sync_small(
    engine: Engine, server: OParlServer, now: datetime, rules: RuleSet, *, bulk: bool
) -> SyncReport:
    with OParlClient(timeout=5, retries=1, backoff=0, sleep=lambda _: None) as client:
        return sync_endpoint(
            engine, server.url("system"), now=now, rules=rules, client=client, bulk=bulk
        )
