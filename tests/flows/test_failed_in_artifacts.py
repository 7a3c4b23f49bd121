"""Failed reminders in what managers open (issue 17): the overdue table's description and the
overview end with the reminders that never arrived, as real flow runs on a test harness."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from models.domain.timeutil import BERLIN
from tests.conftest import EXAMPLE

pytestmark = [pytest.mark.prefect, pytest.mark.slow]
HARNESS = pytest.mark.xdist_group("prefect-harness")  # see test_flows.py


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def _latest(client: object, key: str) -> object:
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    (artifact,) = client.read_artifacts(  # type: ignore[attr-defined]
        artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
        sort=ArtifactSort.CREATED_DESC,
        limit=1,
    )
    return artifact


@HARNESS
def test_a_failed_reminder_is_listed_in_the_overdue_artifact_and_the_overview(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect import get_client

    from flows.app import current_settings, dispose_engines, engine_for
    from flows.sweep import OVERDUE_KEY, OVERVIEW_KEY, REPLAY_SUFFIX, deadline_sweep
    from models.domain.intake import parse_document
    from models.services import intake
    from models.store.db import session_scope
    from models.store.tables import Reminder

    monkeypatch.setenv("RATSFRIST_DATABASE_URL", f"sqlite:///{tmp_path / 'f.sqlite'}")
    monkeypatch.setenv("RATSFRIST_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.delenv("RATSFRIST_APPRISE_CONFIG", raising=False)
    dispose_engines()
    try:
        engine = engine_for(current_settings())
        with session_scope(engine) as session:
            intake.import_paper(
                session,
                parse_document(EXAMPLE.read_bytes(), "v.txt"),
                body_name="Kommune",
                now=at("2021-06-07T10:15"),
                actor="t",
            )
        table = Reminder.__table__  # type: ignore[attr-defined]
        with engine.begin() as connection:
            failed_id = connection.execute(
                sa.select(table.c.id).where(table.c.tag == "fachamt").limit(1)
            ).scalar_one()
            connection.execute(
                sa.update(table)
                .where(table.c.id == failed_id)
                .values(
                    status="failed",
                    attempts=1,
                    last_error="mailto://127.0.0.1/fachamt%40example.org: "
                    "SMTP 550 5.1.1 Postfach unbekannt",
                )
            )
        deadline_sweep(now=at("2021-06-11T07:05"))  # a replay: publishes, sends nothing
    finally:
        dispose_engines()
    with get_client(sync_client=True) as client:
        overdue = _latest(client, OVERDUE_KEY + REPLAY_SUFFIX)
        overview = _latest(client, OVERVIEW_KEY + REPLAY_SUFFIX)
    table = str(overdue.data)  # type: ignore[attr-defined]
    assert "## Nicht zugestellte Erinnerungen: 1" in table
    row = next(line for line in table.splitlines() if line.startswith(f"| #{failed_id} "))
    assert "A 21/0500-01" in row and "SMTP 550 5.1.1 Postfach unbekannt" in row
    assert "example.org" not in table
    assert "2 überfällig" in table  # the overdue tables as they were, the section after them
    assert table.index("2 überfällig") < table.index("## Nicht zugestellte Erinnerungen")
    markdown = overview.data  # type: ignore[attr-defined]
    assert "## Nicht zugestellte Erinnerungen: 1" in markdown and f"| #{failed_id} " in markdown
