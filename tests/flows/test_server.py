"""End to end on a real `prefect server`: deploy from prefect.yaml, trigger the sweep for a
replayed day on which the example's report is overdue, run it with a worker, read back run,
artifact and event through the API, check the mail; then the same in a real browser."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLE, IN_CI, REPO
from tests.smtp import SmtpSink, apprise_config, free_port

# One real server for the module: its tests stay on one xdist worker (--dist loadgroup).
pytestmark = [pytest.mark.server, pytest.mark.slow, pytest.mark.xdist_group("prefect-server")]
REF = "A 21/0500-01"
BIN = Path(sys.executable).parent


AUTH = "admin:e2e-Geheimnis"


class Server:
    """A Prefect server as production runs it: on PostgreSQL, the API behind an auth string."""

    def __init__(self, home: Path, database_url: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RATSFRIST_"))}
        self.env = {
            **keep,
            "PREFECT_HOME": str(home),
            "PREFECT_API_URL": f"{self.url}/api",
            "PREFECT_API_AUTH_STRING": AUTH,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_CLI_PROMPT": "false",
        }
        self.server_env = {
            **self.env,
            "PREFECT_SERVER_API_AUTH_STRING": AUTH,
            "PREFECT_SERVER_DATABASE_CONNECTION_URL": database_url,
        }
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, log: Path) -> None:
        self.process = subprocess.Popen(
            [
                str(BIN / "prefect"),
                "server",
                "start",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            env=self.server_env,
            stdout=log.open("wb"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                self.api("GET", "/health")
                return
            except OSError:
                time.sleep(0.5)
        raise RuntimeError(f"prefect server did not start: {log.read_text()[-2000:]}")

    def stop(self) -> None:
        if self.process:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()

    def api(self, method: str, path: str, body: Any = None) -> Any:
        request = urllib.request.Request(
            f"{self.url}/api{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={
                "Content-Type": "application/json",
                "Authorization": "Basic " + base64.b64encode(AUTH.encode()).decode(),
            },
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.loads(response.read() or b"null")

    def run(self, *args: str, env: dict[str, str] | None = None, timeout: int = 180) -> str:
        done = subprocess.run(
            list(args),
            cwd=REPO,
            env={**self.env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        assert done.returncode == 0, f"{args}: {done.stdout[-2000:]}\n{done.stderr[-3000:]}"
        assert AUTH.split(":")[1] not in done.stdout + done.stderr  # the auth string stays hidden
        return done.stdout


def _pg_database(name: str) -> str:
    """A fresh PostgreSQL database (with pg_trgm, which Prefect's server needs); its URL."""
    import sqlalchemy as sa

    from models.store.db import make_engine
    from tests.conftest import PG_ADMIN_URL

    admin = make_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        if IN_CI:
            pytest.fail(f"PostgreSQL is needed for the server test: {exc}")
        pytest.skip(f"PostgreSQL unreachable: {type(exc).__name__}")
    finally:
        admin.dispose()
    url = sa.engine.make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    home = tmp_path_factory.mktemp("prefect-home")
    prefect_db = _pg_database(f"prefect_e2e_{os.getpid()}")
    running = Server(home, prefect_db.replace("postgresql+psycopg://", "postgresql+asyncpg://"))
    running.start(home / "server.log")
    yield running
    running.stop()


def test_the_api_refuses_requests_without_the_auth_string(server: Server) -> None:
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{server.url}/api/flows/filter", data=b"{}", timeout=10)
    assert refused.value.code == 401
    # …while /api/health answers without it: a health check proves nothing about auth
    # (docs/operations.md checks /api/flows/filter instead)
    with urllib.request.urlopen(f"{server.url}/api/health", timeout=10) as health:
        assert health.status == 200


def _artifact(server: Server, key: str) -> dict[str, Any]:
    found = server.api(
        "POST",
        "/artifacts/filter",
        {"artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": 1},
    )
    assert found, f"no artifact {key}"
    return found[0]


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


def _wait_for(server: Server, run_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = server.api("GET", f"/flow_runs/{run_id}")
        if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        time.sleep(1)
    raise AssertionError(f"flow run {run_id} did not finish")


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
    return _wait_for(server, run_id)


def test_sweep_deployment_end_to_end(server: Server, tmp_path: Path) -> None:
    sink = SmtpSink()
    sink.start()
    try:
        _end_to_end(server, tmp_path, sink)
    finally:
        sink.stop()


def _end_to_end(server: Server, tmp_path: Path, sink: SmtpSink) -> None:
    env = {
        "RATSFRIST_DATABASE_URL": _pg_database(f"ratsfrist_e2e_{os.getpid()}"),
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
    }
    sweep = next(d for d in deployments if d["name"] == "fristenlauf")
    assert sweep["schedules"][0]["schedule"]["cron"] == "0 7 * * 1-5"
    assert sweep["schedules"][0]["schedule"]["timezone"] == "Europe/Berlin"
    assert (sweep.get("global_concurrency_limit") or {}).get("limit") == 1

    # Friday 11.06.2021: the report was due Thursday 12:00, the invitation on Monday
    run = _sweep(server, env, "2021-06-11T07:05:00+02:00")
    assert run["state_type"] == "COMPLETED", run["state"]
    assert run["name"] == "Fristenlauf 2021-06-11 07:05"
    artifact = _artifact(server, "ueberfaellige-fristen-rueckblick")
    assert artifact["type"] == "markdown"
    table = artifact["data"]
    assert "## Sozialausschuss (2)" in table  # one table per committee, under its name
    # the title cut to fit 1440 px; 'Fachamt' a word, not the routing tag 'fachamt'
    assert f"| {REF} | Kommunales Integrationsma… | Stellungnahme… | Fachamt | 10.06.21 | 1 |" in (
        table
    )
    assert _artifact(server, "fristen-uebersicht-rueckblick")["data"].startswith(
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
    second = _artifact(server, "ueberfaellige-fristen-rueckblick")
    assert second["id"] != artifact["id"]  # a new version in the key's history …
    assert second["data"] == artifact["data"]  # … with the identical table

    _browser_check(server, second["id"], tmp_path)


def _browser_check(server: Server, artifact_id: str, tmp_path: Path) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        if IN_CI:
            pytest.fail("chromium not installed (the CI script installs it)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    shots = REPO / "test-artifacts"
    shots.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=chromium,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        target = f"{server.url}/artifacts/artifact/{artifact_id}"
        page.goto(target, wait_until="networkidle")
        password = page.locator("input[type=password]")
        if password.count():  # the API is behind the auth string: log in as a manager would
            password.first.fill(AUTH)
            page.keyboard.press("Enter")
            page.wait_for_load_state("networkidle")
            page.goto(target, wait_until="networkidle")
        page.get_by_text(REF).first.wait_for(timeout=30_000)
        page.screenshot(path=str(shots / "ueberfaellige-fristen.png"), full_page=True)
        content = page.content()
        browser.close()
    assert REF in content
    assert "Stellungnahme der Verwaltung" in content


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
        finished = _wait_for(server, run["id"], timeout=120)
        assert finished["state_type"] == "COMPLETED", log.read_text()[-3000:]
        assert finished["name"] == "Fristenlauf 2021-06-14 07:05"
    finally:
        serving.terminate()
        serving.wait(timeout=30)
