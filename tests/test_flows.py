"""The lifecycle as real Prefect flow runs (a Prefect test harness for the whole module),
and `ratsfrist demo` as a process, as a newcomer runs it."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import EXAMPLE, REPO

pytestmark = pytest.mark.prefect
REF = "A 21/0500-01"


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from flows.steps import dispose_engines

    url = f"sqlite:///{tmp_path / 'flows.sqlite'}"
    monkeypatch.setenv("RATSFRIST_DATABASE_URL", url)
    yield url
    dispose_engines()


def test_lifecycle_flow_runs_are_named_and_tagged_after_the_motion(
    prefect_api: None, sqlite_url: str
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    from flows.lifecycle import run_as_flow, submit_as_flow
    from flows.steps import engine_for
    from models import services
    from models.db import session_scope
    from models.settings import load_settings

    t = datetime(2021, 6, 8, 7, 0, tzinfo=UTC)
    assert submit_as_flow(str(EXAMPLE), reference=REF, now=t, actor="t")["created"] is True
    assert (
        run_as_flow("place_on_agenda", reference=REF, item_number="5", now=t, actor="t")["state"]
        == "scheduled"
    )
    outcome = run_as_flow("decide", reference=REF, result="beschlossen", now=t, actor="t")
    assert outcome == {"reference": REF, "state": "decided", "event": "decide"}

    with session_scope(engine_for(load_settings())) as session:
        view = services.paper_view(session, services.find_paper(session, REF))
    assert [e["event"] for e in view["history"]] == ["submit", "place_on_agenda", "decide"]

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[REF]))
        )
    by_name = {run.name: run for run in runs}
    assert set(by_name) >= {f"{REF} · submit", f"{REF} · place_on_agenda", f"{REF} · decide"}
    assert "Sozialausschuss" in by_name[f"{REF} · decide"].tags
    assert all(run.state is not None and run.state.is_completed() for run in runs)


def test_a_failing_step_fails_its_flow_run_and_changes_nothing(
    prefect_api: None, sqlite_url: str
) -> None:
    from flows.lifecycle import run_as_flow, submit_as_flow
    from models.db import make_engine
    from models.states import IllegalTransition
    from tests.conftest import snapshot

    t = datetime(2021, 6, 8, 7, 0, tzinfo=UTC)
    submit_as_flow(str(EXAMPLE), reference=REF, now=t, actor="t")
    engine: Engine = make_engine(sqlite_url)
    before = snapshot(engine)
    with pytest.raises(IllegalTransition):
        run_as_flow("close", reference=REF, now=t, actor="t")
    assert snapshot(engine) == before
    engine.dispose()


def test_make_demo_runs_the_whole_lifecycle_in_a_fresh_process(tmp_path: Path) -> None:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PREFECT_", "RATSFRIST_"))
    }
    env |= {"PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    db = tmp_path / "demo.sqlite"
    done = subprocess.run(
        [sys.executable, "-c", "from flows.cli import main; main()", "demo", "--db", str(db)],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(REPO)},
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Kommunales Integrationsmanagement" in done.stdout
    assert "erledigt" in done.stdout
    from flows.steps import dispose_engines, engine_for
    from models import services
    from models.db import session_scope
    from models.settings import Settings

    with session_scope(engine_for(Settings(database_url=f"sqlite:///{db}"))) as session:
        paper = services.find_paper(session, REF)
        view = services.paper_view(session, paper, paper.updated_at)
    dispose_engines()
    assert view["state"] == "closed"
    assert [e["event"] for e in view["history"]] == [
        "submit",
        "place_on_agenda",
        "request_report",
        "deliver_report",
        "decide",
        "start_implementation",
        "close",
    ]
    assert view["openQuestions"] == []
    # the replayed days meet every deadline of the default profile, the minutes included
    assert {d["kind"]: d["status"] for d in view["deadlines"]} == {
        "proposal": "met",
        "invitation": "met",
        "report": "met",
        "session": "met",
        "minutes": "met",
        "implementation": "met",
    }
    assert "Fristen (Standardprofil)" in done.stdout
