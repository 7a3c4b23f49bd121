"""The lifecycle as real Prefect flow runs (a Prefect test harness for the whole module),
and `ratsfrist demo` as a process, as a newcomer runs it."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from tests.conftest import EXAMPLE, REPO

pytestmark = [pytest.mark.prefect, pytest.mark.slow]
# The tests on the module's Prefect test harness stay on one xdist worker (--dist loadgroup),
# so that the harness starts once; the demo runs in its own process and may go anywhere.
HARNESS = pytest.mark.xdist_group("prefect-harness")
REF = "A 21/0500-01"


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def sqlite_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from flows.app import dispose_engines

    url = f"sqlite:///{tmp_path / 'flows.sqlite'}"
    monkeypatch.setenv("RATSFRIST_DATABASE_URL", url)
    yield url
    dispose_engines()


@HARNESS
def test_lifecycle_flow_runs_are_named_and_tagged_after_the_motion(
    prefect_api: None, sqlite_url: str
) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterTags

    from flows.app import engine_for
    from flows.lifecycle import run_as_flow, submit_as_flow
    from flows.settings import load_settings
    from models.services.views import paper_view
    from models.store.db import session_scope
    from models.store.repo import find_paper

    t = datetime(2021, 6, 8, 7, 0, tzinfo=UTC)
    assert submit_as_flow(str(EXAMPLE), reference=REF, now=t, actor="t")["created"] is True
    assert (
        run_as_flow("place_on_agenda", reference=REF, item_number="5", now=t, actor="t")["state"]
        == "scheduled"
    )
    outcome = run_as_flow("decide", reference=REF, result="beschlossen", now=t, actor="t")
    assert outcome == {"reference": REF, "state": "decided", "event": "decide"}

    with session_scope(engine_for(load_settings())) as session:
        view = paper_view(session, find_paper(session, REF))
    assert [e["event"] for e in view["history"]] == ["submit", "place_on_agenda", "decide"]

    with get_client(sync_client=True) as client:
        runs = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(tags=FlowRunFilterTags(all_=[REF]))
        )
    by_name = {run.name: run for run in runs}
    assert set(by_name) >= {f"Eingang {REF}", f"Auf Tagesordnung {REF}", f"Beratung {REF}"}
    assert "Sozialausschuss" in by_name[f"Beratung {REF}"].tags
    assert all(run.state is not None and run.state.is_completed() for run in runs)


@HARNESS
def test_a_failing_step_fails_its_flow_run_and_changes_nothing(
    prefect_api: None, sqlite_url: str
) -> None:
    from flows.lifecycle import run_as_flow, submit_as_flow
    from models.domain.states import IllegalTransition
    from models.store.db import make_engine
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
    from flows.app import dispose_engines, engine_for
    from flows.settings import Settings
    from models.services.views import paper_view
    from models.store.db import session_scope
    from models.store.repo import find_paper

    with session_scope(engine_for(Settings(database_url=f"sqlite:///{db}"))) as session:
        paper = find_paper(session, REF)
        view = paper_view(session, paper, paper.updated_at)
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


def _wait_state(run_id: object, wanted: str, timeout: float = 60, after: object = None) -> Any:
    """Poll the run until its state is `wanted` — a state other than `after` (a state id), so
    that a run that left "Paused" and came back is told apart from one that never left it."""
    from prefect import get_client

    deadline = time.monotonic() + timeout
    with get_client(sync_client=True) as client:
        while time.monotonic() < deadline:
            run = client.read_flow_run(run_id)
            if run.state and run.state.name == wanted and run.state.id != after:
                return run
            time.sleep(0.2)
    raise AssertionError(f"flow run never reached a new {wanted}")


def _log_messages(run_id: Any, wanted: str) -> list[str]:
    """The run's log messages once one containing `wanted` has arrived (logs reach the API
    from a background worker, a moment after the run ends)."""
    from prefect import get_client
    from prefect.client.schemas.filters import LogFilter, LogFilterFlowRunId

    with get_client(sync_client=True) as client:
        deadline = time.monotonic() + 30
        while True:
            logs = client.read_logs(
                log_filter=LogFilter(flow_run_id=LogFilterFlowRunId(any_=[run_id]))
            )
            messages = [log.message for log in logs]
            if any(wanted in m for m in messages) or time.monotonic() > deadline:
                return messages
            time.sleep(0.2)


@HARNESS
def test_a_manager_records_a_decision_in_a_prefect_form(prefect_api: None, sqlite_url: str) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterName
    from prefect.flow_runs import resume_flow_run

    from flows.human import record_step
    from flows.lifecycle import run_as_flow, submit_as_flow

    t = datetime(2021, 6, 8, 7, 0, tzinfo=UTC)
    submit_as_flow(str(EXAMPLE), reference=REF, now=t, actor="t")
    run_as_flow("place_on_agenda", reference=REF, item_number="5", now=t, actor="t")
    outcome: dict[str, object] = {}
    worker = threading.Thread(target=lambda: outcome.update(record_step(reference=REF)))
    worker.start()
    with get_client(sync_client=True) as client:
        deadline = time.monotonic() + 60
        runs = []
        while not runs and time.monotonic() < deadline:
            runs = client.read_flow_runs(
                flow_run_filter=FlowRunFilter(name=FlowRunFilterName(any_=[f"Eingabe {REF}"]))
            )
            time.sleep(0.5)
    run_id = runs[0].id
    # two forms: the step, then only that step's fields
    first = _wait_state(run_id, "Paused").state
    resume_flow_run(run_id, run_input={"step": "Ergebnis der Beratung"})
    fields = _wait_state(run_id, "Paused", after=first.id).state
    # a referral without the committee is refused exactly as by the CLI, and the forms come
    # back: the run leaves "Paused" and pauses again with a new state
    resume_flow_run(run_id, run_input={"result": "verwiesen"})
    again = _wait_state(run_id, "Paused", after=fields.id).state
    assert again.timestamp > fields.timestamp
    assert worker.is_alive() and not outcome  # nothing recorded yet
    resume_flow_run(run_id, run_input={"step": "Ergebnis der Beratung"})
    _wait_state(run_id, "Paused", after=again.id)
    resume_flow_run(run_id, run_input={"result": "ungeändert beschlossen", "actor": "frau.meier"})
    worker.join(timeout=120)
    assert outcome["state"] == "decided"
    messages = _log_messages(run_id, "eingetragen von")
    assert "Nicht übernommen: verwiesen: „verwiesen an“ angeben (an welches Gremium)" in messages
    assert (
        f"{REF}: Beratung eingetragen von frau.meier – Ergebnis: ungeändert beschlossen; "
        "Zustand jetzt: entschieden"
    ) in messages
    from flows.app import engine_for
    from flows.settings import load_settings
    from models.services.views import paper_view
    from models.store.db import session_scope
    from models.store.repo import find_paper

    with session_scope(engine_for(load_settings())) as session:
        view = paper_view(session, find_paper(session, REF))
    last = view["history"][-1]
    assert (last["event"], last["actor"], last["details"]["result"]) == (
        "decide",
        "frau.meier",
        "ungeändert beschlossen",
    )


@HARNESS
def test_the_oparl_sync_flow_publishes_its_report(prefect_api: None, sqlite_url: str) -> None:
    from prefect import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    from flows.oparl_flow import REPORT_KEY, oparl_sync
    from tests.oparl_server import OParlServer, populate

    server = OParlServer()
    populate(server)
    try:
        outcome = oparl_sync(url=server.url("system"), now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    finally:
        server.close()
    assert outcome["created"] == {"Organization": 3, "Meeting": 4, "Paper": 4}
    assert outcome["warnings"] == 0 and outcome["steps"] >= 4
    with get_client(sync_client=True) as client:
        (artifact,) = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=[REPORT_KEY])), limit=1
        )
    assert "V 26/0050: ungeändert beschlossen" in str(artifact.data)
