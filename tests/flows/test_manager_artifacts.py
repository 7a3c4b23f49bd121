"""What a manager opens in the Prefect UI, as real flow runs on a test harness: the overdue
table with its links and words (and, in test_human_form.py, the record-step form)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

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


@HARNESS
def test_the_overdue_table_links_each_motion_to_its_verlauf(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    from flows.app import current_settings, dispose_engines, engine_for
    from flows.sweep import OVERDUE_KEY, REPLAY_SUFFIX, deadline_sweep
    from models.domain.intake import parse_document
    from models.services import intake
    from models.store.db import session_scope

    monkeypatch.setenv("RATSFRIST_DATABASE_URL", f"sqlite:///{tmp_path / 'm.sqlite'}")
    monkeypatch.setenv("RATSFRIST_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("RATSFRIST_UI_URL", "https://prefect.example.org/")
    monkeypatch.delenv("RATSFRIST_APPRISE_CONFIG", raising=False)
    dispose_engines()
    try:
        with session_scope(engine_for(current_settings())) as session:
            intake.import_paper(
                session,
                parse_document(EXAMPLE.read_bytes(), "v.txt"),
                body_name="Kommune",
                now=at("2021-06-07T10:15"),
                actor="t",
            )
        deadline_sweep(now=at("2021-06-11T07:05"))  # a replay: its own key, nothing sent
    finally:
        dispose_engines()
    with get_client(sync_client=True) as client:
        (artifact,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=[OVERDUE_KEY + REPLAY_SUFFIX])
            ),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    text = str(artifact.data)
    assert artifact.type == "markdown"
    assert "## Sozialausschuss (2)" in text  # the committee is the heading, not a column
    link = "[A 21/0500-01](https://prefect.example.org/artifacts/key/verlauf-a-21-0500-01)"
    rows = [line for line in text.splitlines() if line.startswith(f"| {link}")]
    assert [line.split(" | ")[2:] for line in rows] == [
        ["Ladung mit Tagesordnung", "Sitzungsdienst", "07.06.21", "4 |"],
        ["Stellungnahme…", "Fachamt", "10.06.21", "1 |"],  # the label cut to fit 1440 px
    ]
    assert "nach Gremium" in (artifact.description or "")
