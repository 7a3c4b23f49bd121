"""A whole town: Hürtgenwald's complete SD.NET endpoint (2021), served again on 127.0.0.1 with
SD.NET's 404 + code 802 for an empty filtered list and SessionNet's 404 on an encoded ':',
synced into SQLite and PostgreSQL. What must come in is counted from the archive's own JSON."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.domain.vocab import DeadlineStatus
from models.services.oparl_client import OParlClient
from models.services.oparl_report import SyncReport
from models.services.oparl_sync import sync_endpoint
from models.store.profiles import default_rules
from models.store.tables import AgendaItem, Consultation, Deadline, Meeting, Organization, Paper
from tests.conftest import snapshot
from tests.oparl_archive import ArchiveServer, unpack

NOW = datetime(2021, 9, 7, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return unpack(tmp_path_factory.mktemp("huertgenwald"))


@pytest.fixture
def server(archive: Path) -> Iterator[ArchiveServer]:
    server = ArchiveServer(archive, strict_colon=True)
    yield server
    server.close()


def sync(engine: Engine, server: ArchiveServer, now: datetime, **kwargs: Any) -> SyncReport:
    with OParlClient(timeout=30, retries=1, backoff=0, sleep=lambda _: None) as client:
        return sync_endpoint(
            engine, server.system_url, now=now, rules=default_rules(), client=client, **kwargs
        )


def live(server: ArchiveServer, name: str) -> set[str]:
    return {o["id"] for o in server.lists[name] if o.get("deleted") is not True}


def changes(report: SyncReport) -> list[Any]:
    return [
        dict(report.created),
        dict(report.updated),
        report.deleted,
        report.moved,
        report.cancelled,
        report.steps,
        report.skipped,
        report.skipped_pages,
    ]


def assert_read_like_a_sitzungsdienst(engine: Engine, report: SyncReport) -> None:
    """Fourteen years of archive and no false alarm: every paper decided where the text says
    so, the rest historical or flagged, no owed deadline already past due, the council
    deciding (issue 14 items 4-6)."""
    with Session(engine) as session:
        states = Counter(session.exec(select(Paper.state)))
        overdue = session.exec(
            select(Deadline).where(
                Deadline.status == DeadlineStatus.open.value, col(Deadline.due) < NOW
            )
        ).all()
        flagged = session.exec(
            select(AgendaItem).where(col(AgendaItem.result_review).is_not(None))
        ).all()
        council = session.exec(
            select(Consultation)
            .join(Organization, col(Organization.id) == Consultation.organization_id)
            .where(Organization.name == "Gemeinderat")
        ).all()
    assert sum(states.values()) == 2097
    assert states["decided"] > 1000 and states["historical"] > 500
    assert states["scheduled"] + states["submitted"] < 50  # only what lies ahead of 07.09.2021
    assert overdue == []
    assert len(flagged) >= len(report.review) > 0
    assert council and all(c.role == "Entscheidung" and c.authoritative for c in council)


def without_cursors(engine: Engine) -> dict[str, Any]:
    rows = snapshot(engine)
    rows.pop("oparl_cursor")
    return rows


@pytest.mark.slow
def test_the_whole_town_comes_in_and_a_second_sync_changes_nothing(
    engine: Engine, server: ArchiveServer
) -> None:
    report = sync(engine, server, NOW)

    pages = sum(math.ceil(len(server.lists[n]) / 25) for n in ("organization", "meeting", "paper"))
    assert (pages, report.pages) == (101, 101)  # 1 + 15 + 85: every page passed
    assert report.vendor == "STERNBERG SD.NET RIM"
    assert report.skipped == [] and report.skipped_pages == []
    assert not [w for w in report.warnings if "übergangen" in w or "Seiten" in w]
    expected = {
        "Organization": live(server, "organization"),
        "Meeting": live(server, "meeting"),
        "Paper": live(server, "paper"),
    }
    assert [len(ids) for ids in expected.values()] == [22, 346, 2097]
    assert report.created == {kind: len(ids) for kind, ids in expected.items()}
    with Session(engine) as session:
        for model in (Organization, Meeting, Paper):
            stored = set(session.exec(select(model.oparl_id)))
            assert stored == expected[model.__name__], model.__name__
    # SD.NET's 39 deletions without type were read as what their lists hold, and not stored
    assert not report.deleted
    assert_read_like_a_sitzungsdienst(engine, report)

    before = without_cursors(engine)
    server.requests.clear()
    second = sync(engine, server, NOW + timedelta(days=1))  # modified_since = first sync's time
    assert changes(second) == [{}, {}, [], [], [], [], [], []]
    assert all(
        "modified_since=2021-09-07T07:50:00Z" in r for r in server.requests if "body/1/" in r
    )
    assert without_cursors(engine) == before

    # The last months delivered again (deletions included): still nothing new, nothing
    # deleted again, nothing reported as "war nicht erfasst".
    third = sync(engine, server, NOW + timedelta(days=2), since=datetime(2021, 6, 1, tzinfo=UTC))
    assert third.unchanged["Paper"] > 50 and third.unchanged["Meeting"] > 10
    assert changes(third) == [{}, {}, [], [], [], [], [], []]
    assert without_cursors(engine) == before
