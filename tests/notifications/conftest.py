"""The SMTP sink and the routing file that point the reminder tests at it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.smtp import SmtpSink, apprise_config


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def routes_file(sink: SmtpSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = apprise_config(tmp_path / "apprise.yml", sink.port, password="S3cr3t-Pw!x")
    monkeypatch.setenv("RATSFRIST_APPRISE_CONFIG", str(path))
    return path
