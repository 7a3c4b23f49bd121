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


def test_cli_new_meetings_start_at_the_configured_meeting_time(
    db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """RATSFRIST_MEETING_TIME is the start of a meeting added or planned without --time."""
    monkeypatch.setenv("RATSFRIST_MEETING_TIME", "18:30")
    assert run(["committees", "add", "Kulturausschuss"]) == 0
    assert run(["meetings", "add", "Kulturausschuss", "2021-07-01"]) == 0
    assert "01.07.2021 18:30" in capsys.readouterr().out
    plan = ["meetings", "plan", "Kulturausschuss", "--rrule", "FREQ=MONTHLY;BYDAY=2TU"]
    assert run([*plan, "--from", "2021-08-01", "--until", "2021-09-30"]) == 0
    capsys.readouterr()
    assert run(["meetings", "list", "--committee", "Kulturausschuss", "--json"]) == 0
    starts = [row["start"] for row in json.loads(capsys.readouterr().out)]
    assert starts == [
        "2021-07-01T18:30:00+02:00",
        "2021-08-10T18:30:00+02:00",
        "2021-09-14T18:30:00+02:00",
    ]
    assert run(["meetings", "add", "Kulturausschuss", "2021-10-07", "--time", "09:00"]) == 0
    assert "07.10.2021 09:00" in capsys.readouterr().out
