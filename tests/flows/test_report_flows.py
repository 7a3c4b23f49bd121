"""The report flows as real Prefect flow runs on a test harness (artifacts, the report's
file) and their deployments in prefect.yaml, which both `prefect deploy --all` and
`ratsfrist serve` (flows.serve.load_deployments) register."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pdfplumber
import pytest

from tests.services.town import IMPLEMENTING, NOW, SECRET, build_town

HARNESS = pytest.mark.xdist_group("prefect-harness")  # see test_flows.py


def test_prefect_yaml_has_the_monthly_report_and_the_daily_watch_lists() -> None:
    """What `deploy --all` reads and `serve` builds (flows.serve reads the same file)."""
    from flows.reports import beschlusskontrolle, publish_watch_lists
    from flows.serve import build, load_deployments, load_flow

    definitions = {d["name"]: d for d in load_deployments()}
    report = definitions["beschlusskontrolle"]
    assert report["schedules"] == [{"cron": "0 7 1 * *", "timezone": "Europe/Berlin"}]
    assert report["work_pool"]["name"] == "ratsfrist"
    assert report["parameters"] == {"format": "pdf", "folder": "berichte"}
    assert load_flow(report["entrypoint"]) is beschlusskontrolle
    watch = definitions["beobachtungslisten"]
    assert watch["schedules"] == [{"cron": "15 7 * * 1-5", "timezone": "Europe/Berlin"}]
    assert load_flow(watch["entrypoint"]) is publish_watch_lists
    built = {d.name: d for d in build([report, watch])}
    assert built["beschlusskontrolle"].parameters == {"format": "pdf", "folder": "berichte"}
    assert built["beschlusskontrolle"].schedules[0].schedule.cron == "0 7 1 * *"


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


def _latest(key: str) -> Any:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    with get_client(sync_client=True) as client:
        found = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[key])),
            sort=ArtifactSort.CREATED_DESC,
            limit=1,
        )
    return found[0] if found else None


@pytest.mark.prefect
@pytest.mark.slow
@HARNESS
def test_the_flows_publish_the_lists_and_write_the_report(
    prefect_api: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.app
    from flows.app import current_settings, dispose_engines, engine_for
    from flows.reports import REPORT_KEY, WATCH_KEY, beschlusskontrolle, publish_watch_lists
    from flows.sweep import REPLAY_SUFFIX

    monkeypatch.setenv("RATSFRIST_DATABASE_URL", f"sqlite:///{tmp_path / 'r.sqlite'}")
    monkeypatch.setenv("RATSFRIST_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("RATSFRIST_WATCH_WEEKS", "6")
    monkeypatch.setattr(flows.app, "clock", lambda: NOW)  # the present: 01.10.2021 07:00
    dispose_engines()
    try:
        build_town(engine_for(current_settings()))
        counts = publish_watch_lists()
        result = beschlusskontrolle(folder=str(tmp_path / "berichte"))
        replay = publish_watch_lists(now=NOW.replace(year=2021, month=9))  # a day gone by
    finally:
        dispose_engines()
    assert counts["Umsetzung über der Wiedervorlage"] == 2 and counts["replay"] is False
    lists = _latest(WATCH_KEY)
    assert lists.data.startswith("# Beobachtungslisten, Stand 01.10.2021 07:00")
    assert "## Verwiesen, nicht terminiert (1)" in lists.data
    assert "| Amt 50 (Soziales) |" in lists.data and "Müller" not in lists.data
    assert replay["replay"] is True  # under its own key, the current list stays current
    assert _latest(WATCH_KEY).id == lists.id
    assert _latest(WATCH_KEY + REPLAY_SUFFIX).data.startswith(
        "# Beobachtungslisten, Stand 01.09.2021"
    )
    path = Path(result["file"])
    assert path == (tmp_path / "berichte" / "beschlusskontrolle-2021-10-01.pdf").resolve()
    with pdfplumber.open(path) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert IMPLEMENTING in text and "zuständig" in text
    report = _latest(REPORT_KEY)
    assert report.data.startswith("# Beschlusskontrolle, Stand 01.10.2021 07:00")
    assert SECRET in report.data and "nichtöffentlich" in report.data
    assert "4 Beschlüsse" in (report.description or "")
