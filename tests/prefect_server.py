"""A real `prefect server` for end-to-end tests (tests/flows/test_server.py and
test_ui_screens.py share one per session: it takes ≈ 10 s to start), and a headless Chromium
logged in to its UI."""

from __future__ import annotations

import base64
import http.client
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import IN_CI, REPO
from tests.smtp import free_port

BIN = Path(sys.executable).parent
AUTH = "admin:e2e-Geheimnis"


class Server:
    """A Prefect server as production runs it: on PostgreSQL, the API behind an auth string."""

    def __init__(self, home: Path, database_url: str) -> None:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "RATSFRIST_"))}
        self.env = {
            **keep,
            "PREFECT_HOME": str(home),
            "PREFECT_API_AUTH_STRING": AUTH,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_CLI_PROMPT": "false",
        }
        self.database_url = database_url
        self._use_port(free_port())
        self.process: subprocess.Popen[bytes] | None = None

    def _use_port(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}"
        self.env["PREFECT_API_URL"] = f"{self.url}/api"
        self.server_env = {
            **self.env,
            "PREFECT_SERVER_API_AUTH_STRING": AUTH,
            "PREFECT_SERVER_DATABASE_CONNECTION_URL": self.database_url,
        }

    def start(self, log: Path, attempts: int = 3) -> None:
        """Start and wait for /api/health. A free port can be taken by another process
        between choosing and binding it (seen with parallel SMTP sinks): then the server
        exits, and it starts again on another port."""
        for _ in range(attempts):
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
            while time.monotonic() < deadline and self.process.poll() is None:
                try:
                    self.api("GET", "/health")
                    return
                except (OSError, http.client.HTTPException):  # not up yet, or not ours
                    time.sleep(0.5)
            if self.process.poll() is None:
                break
            self._use_port(free_port())
        self.stop()
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


def pg_database(name: str) -> str:
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


def latest_artifact(server: Server, key: str) -> dict[str, Any]:
    found = server.api(
        "POST",
        "/artifacts/filter",
        {"artifacts": {"key": {"any_": [key]}}, "sort": "CREATED_DESC", "limit": 1},
    )
    assert found, f"no artifact {key}"
    return found[0]


def wait_for(server: Server, run_id: str, timeout: float = 120) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = server.api("GET", f"/flow_runs/{run_id}")
        if run["state_type"] in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED"):
            return run
        time.sleep(1)
    raise AssertionError(f"flow run {run_id} did not finish")


CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

SHOTS = REPO / "test-artifacts"
"""Screenshots land here (gitignored; CI keeps the directory as an artifact)."""


@contextmanager
def browser_page(server: Server, width: int = 1440, height: int = 900) -> Iterator[Any]:
    """A Chromium page logged in to the server's UI (the API is behind the auth string: the
    UI asks for it once, as it asks a manager)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        if IN_CI:
            pytest.fail("chromium not installed (the CI script installs it)")
        pytest.skip("chromium not installed")
    from playwright.sync_api import sync_playwright

    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.goto(f"{server.url}/dashboard", wait_until="networkidle")
            # the server always has an auth string: wait for the UI's prompt (it may come
            # after the page is idle), answer it, and wait until it is gone
            password = page.locator("input[type=password]").first
            password.wait_for(timeout=30_000)
            password.fill(AUTH)
            page.keyboard.press("Enter")
            password.wait_for(state="hidden", timeout=30_000)
            page.wait_for_load_state("networkidle")
            yield page
        finally:
            browser.close()
