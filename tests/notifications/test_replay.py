"""`ratsfrist dispatch --now` far in the past is a replay: a dry run unless --send."""

from __future__ import annotations

from pathlib import Path

import pytest

import flows.app
from flows.cli import run
from tests.conftest import EXAMPLE
from tests.notifications.support import at
from tests.smtp import SmtpSink


def test_dispatch_with_a_past_now_sends_only_with_send(
    db_url: str,
    sink: SmtpSink,
    routes_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(flows.app, "clock", lambda: at("2021-06-14T12:00"))  # Monday noon
    assert run(["import", str(EXAMPLE), "--now", "2021-06-07T10:15"]) == 0
    capsys.readouterr()
    assert run(["dispatch", "--now", "2021-06-11T07:05"]) == 0  # last Friday: a replay
    captured = capsys.readouterr()
    assert "Probelauf" in captured.out and "--send sendet wirklich" in captured.err
    assert sink.mails == []
    assert run(["dispatch", "--now", "2021-06-11T07:05", "--send"]) == 0
    assert ["leitung@example.org"] in [m.to for m in sink.mails]
    sink.clear()
    assert run(["dispatch", "--now", "2021-06-14T11:30"]) == 0  # within the hour: sends
    assert "Probelauf" not in capsys.readouterr().out
    assert [m.to for m in sink.mails] == [["leitung@example.org"]]  # Monday's escalation
