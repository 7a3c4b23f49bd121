"""End to end on a real `prefect server`: deploy from prefect.yaml, trigger the sweep for a
replayed day on which the example's report is overdue, run it with a worker, read back run,
artifact and event through the API, check the mail; then the same in a real browser."""

from __future__ import annotations

import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, REPO
from tests.pg_databases import database_name
from tests.prefect_server import (
    BIN,
    SHOTS,
    Server,
    browser_page,
    latest_artifact,
    pg_database,
    wait_for,
)
from tests.smtp import SmtpSink, apprise_config

# One real server per session (tests/flows/conftest.py): the tests using it stay on one xdist
# worker (--dist loadgroup).
pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.xdist_group("prefect-server")]
REF = "A 21/0500-01"


def test_the_api_refuses_requests_without_the_auth_string(server: Server) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server.url}/api/flows/filter", data=b"{}", timeout=10)
    assert refused.value.code == 401
    # …while /api/health answers without it: a health check proves nothing about auth
    # (docs/operations.md checks /api/flows/filter instead)
    with urllib.request.urlopen(f"{server.url}/api/health", timeout=10) as health:
        assert health.status == 200


def _missed_event_kinds(server: Server, timeout: float = 30) -> list[str]:
    """Events reach the server through its event stream and are stored a moment later."""
    deadline = time.monotonic() + timeout
    kinds: list[str] = []
    while time.monotonic() < deadline:
        events = server.api(
            "POST",
            "/events/filter",
            {
                "filter": {
                    "event": {"name": ["ratsfrist.deadline.missed"]},
                    "any_resource": {"id": [f"ratsfrist.paper.{REF}"]},
                },
            },
        )
        kinds = sorted(e["payload"]["kind"] for e in events["events"])
        if len(kinds) >= 2:
            break
        time.sleep(1)
    return kinds


def _sweep(server: Server, env: dict[str, str], now: str) -> dict[str, Any]:
    out = server.run(
        str(BIN / "prefect"),
        "deployment",
        "run",
        "deadline-sweep/fristenlauf",
        "--param",
        f"now={now}",
        "--param",
        "send=true",  # a replayed day sends only when asked to
        env=env,
    )
    run_id = next(line.split()[-1] for line in out.splitlines() if "UUID" in line)
    server.run(
        str(BIN / "prefect"),
        "worker",
        "start",
        "--pool",
        "ratsfrist",
        "--run-once",
        env=env,
        timeout=240,
    )
    return wait_for(server, run_id)


def test_sweep_deployment_end_to_end(server: Server, tmp_path: Path) -> None:
    sink = SmtpSink()
    sink.start()
    try:
        _end_to_end(server, tmp_path, sink)
    finally:
        sink.stop()


def _end_to_end(server: Server, tmp_path: Path, sink: SmtpSink) -> None:
    env = {
        "RATSFRIST_DATABASE_URL": pg_database(database_name("ratsfrist_e2e", unique=False)),
        "RATSFRIST_APPRISE_CONFIG": str(apprise_config(tmp_path / "apprise.yml", sink.port)),
        "RATSFRIST_HOME": str(REPO),
        "RATSFRIST_CONFIG": str(tmp_path / "none.toml"),
    }
    ratsfrist = str(BIN / "ratsfrist")
    # with PREFECT_API_URL set, the import runs as a flow run on the server
    server.run(ratsfrist, "import", str(EXAMPLE), "--now", "2021-06-07T10:15", env=env)
    server.run(
        str(BIN / "prefect"),
        "work-pool",
        "create",
        "ratsfrist",
        "--type",
        "process",
        "--overwrite",
        env=env,
    )
    server.run(str(BIN / "prefect"), "--no-prompt", "deploy", "--all", env=env)
    deployments = server.api("POST", "/deployments/filter", {})
    assert {d["name"] for d in deployments} >= {
        "fristenlauf",
        "versand-nachholen",
        "eingang",
        "schritt-eintragen",
        "oparl-abgleich",
        "beobachtungslisten",
        "beschlusskontrolle",
    }
    monthly = next(d for d in deployments if d["name"] == "beschlusskontrolle")
    assert monthly["schedules"][0]["schedule"]["cron"] == "0 7 1 * *"
    assert monthly["parameters"] == {"format": "pdf", "folder": "berichte"}
    sweep = next(d for d in deployments if d["name"] == "fristenlauf")
    assert sweep["schedules"][0]["schedule"]["cron"] == "0 7 * * 1-5"
    assert sweep["schedules"][0]["schedule"]["timezone"] == "Europe/Berlin"
    assert (sweep.get("global_concurrency_limit") or {}).get("limit") == 1

    # Friday 11.06.2021: the report was due Thursday 12:00, the invitation on Monday
    run = _sweep(server, env, "2021-06-11T07:05:00+02:00")
    assert run["state_type"] == "COMPLETED", run["state"]
    assert run["name"] == "Fristenlauf 11.06.2021 07:05"
    artifact = latest_artifact(server, "ueberfaellige-fristen-rueckblick")
    assert artifact["type"] == "markdown"
    table = artifact["data"]
    assert "## Sozialausschuss (2)" in table  # one table per committee, under its name
    # the title cut to fit 1440 px; 'Fachamt' a word, not the routing tag 'fachamt'
    assert f"| {REF} | Kommunales Integrationsma… | Stellungnahme… | Fachamt | 10.06.21 | 1 |" in (
        table
    )
    assert latest_artifact(server, "fristen-uebersicht-rueckblick")["data"].startswith(
        "# Fristenübersicht"
    )
    kinds = _missed_event_kinds(server)
    assert kinds == ["invitation", "report"]
    (escalation,) = [m for m in sink.mails if m.to == ["leitung@example.org"]]
    assert escalation.subject == "ÜBERFÄLLIG: 2 Fristen – Sozialausschuss"  # one per committee
    mails = len(sink.mails)

    again = _sweep(server, env, "2021-06-11T07:05:00+02:00")
    assert again["state_type"] == "COMPLETED"
    assert len(sink.mails) == mails  # no second mail
    second = latest_artifact(server, "ueberfaellige-fristen-rueckblick")
    assert second["id"] != artifact["id"]  # a new version in the key's history …
    assert second["data"] == artifact["data"]  # … with the identical table

    _browser_check(server, second["id"], tmp_path)


def _browser_check(server: Server, artifact_id: str, tmp_path: Path) -> None:
    """The replayed day's table in the browser (test_ui_screens.py photographs the current
    one and measures it)."""
    with browser_page(server) as page:
        page.goto(f"{server.url}/artifacts/artifact/{artifact_id}", wait_until="networkidle")
        page.get_by_text(REF).first.wait_for(timeout=30_000)
        page.screenshot(path=str(SHOTS / "ueberfaellige-fristen-rueckblick.png"), full_page=True)
        content = page.content()
    assert REF in content
    assert "Stellungnahme" in content


def test_ratsfrist_serve_runs_the_deployments_of_prefect_yaml(
    server: Server, tmp_path: Path
) -> None:
    env = {
        "RATSFRIST_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.sqlite'}",
        "RATSFRIST_CONFIG": str(tmp_path / "none.toml"),
        "RATSFRIST_HOME": str(REPO),
    }
    server.run(str(BIN / "ratsfrist"), "import", str(EXAMPLE), "--now", "2021-06-07T10:15", env=env)
    # a single-machine town uses serve instead of deploy: start without the deployed ones
    for deployment in server.api("POST", "/deployments/filter", {}):
        server.api("DELETE", f"/deployments/{deployment['id']}")
    log = tmp_path / "serve.log"
    serving = subprocess.Popen(
        [str(BIN / "ratsfrist"), "serve"],
        cwd=REPO,
        env={**server.env, **env},
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    try:
        # no worker runs here: a run that completes was run by the serve process
        started = time.monotonic()
        served: list[dict[str, Any]] = []
        while time.monotonic() < started + 90:
            served = [
                d
                for d in server.api("POST", "/deployments/filter", {})
                if d["name"] in ("fristenlauf", "versand-nachholen", "eingang")
                and (d.get("status") == "READY")
            ]
            if len(served) == 3 and b"serv" in log.read_bytes().lower():
                break
            time.sleep(1)
        assert len(served) == 3, log.read_text()[-2000:]
        sweep = next(d for d in served if d["name"] == "fristenlauf")
        assert sweep["schedules"][0]["schedule"]["cron"] == "0 7 * * 1-5"
        run = server.api(
            "POST",
            f"/deployments/{sweep['id']}/create_flow_run",
            {"parameters": {"now": "2021-06-14T07:05:00+02:00"}},
        )
        finished = wait_for(server, run["id"], timeout=120)
        assert finished["state_type"] == "COMPLETED", log.read_text()[-3000:]
        assert finished["name"] == "Fristenlauf 14.06.2021 07:05"
    finally:
        serving.terminate()
        serving.wait(timeout=30)
