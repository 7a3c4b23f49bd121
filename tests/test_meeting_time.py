"""RATSFRIST_MEETING_TIME reaches every command that creates a meeting."""

from __future__ import annotations

import json

import pytest

from flows.cli import run
from tests.conftest import EXAMPLE


def test_schedule_on_a_new_meeting_day_starts_at_the_configured_meeting_time(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`schedule --meeting` on a day without a meeting creates one at RATSFRIST_MEETING_TIME."""
    monkeypatch.setenv("RATSFRIST_MEETING_TIME", "18:30")
    assert run(["import", str(EXAMPLE), "--now", "2021-06-07T10:15"]) == 0
    schedule = ["schedule", "A 21/0500-01", "--item", "5", "--meeting", "2021-06-22"]
    assert run([*schedule, "--now", "2021-06-07T11:00"]) == 0
    capsys.readouterr()
    assert run(["meetings", "list", "--committee", "Sozialausschuss", "--json"]) == 0
    starts = {row["start"] for row in json.loads(capsys.readouterr().out)}
    assert "2021-06-22T18:30:00+02:00" in starts
