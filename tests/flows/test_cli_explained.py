"""`show --json`, `show`, `deadlines --explain` and the subscribed calendar carry each
deadline's stored explanation: profile, version, paragraph, wording and steps (issue 18, 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from icalendar import Calendar

from flows.cli import run
from tests.conftest import EXAMPLE

REF = "A 21/0500-01"


def test_show_and_deadlines_explain_each_deadline(
    db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(["import", str(EXAMPLE), "--now", "2021-06-07T10:15"]) == 0
    capsys.readouterr()
    assert run(["show", REF, "--json", "--now", "2021-06-09T08:00"]) == 0
    view = json.loads(capsys.readouterr().out)
    explained = {d["kind"]: d["explanation"] for d in view["deadlines"]}
    assert set(explained) == {"proposal", "invitation", "report", "session"}
    for explanation in explained.values():
        assert set(explanation) >= {"profile", "version", "source", "wording", "steps"}
        assert explanation["profile"] and explanation["steps"]
    invitation = explained["invitation"]["steps"]
    assert (
        invitation[0].startswith("Sitzung Di 15.06.2021 − ")
        and "= Mo 07.06.2021" in (invitation[0])
    )

    assert run(["show", REF, "--now", "2021-06-09T08:00"]) == 0
    shown = capsys.readouterr().out
    assert "So berechnet" in shown and "Sitzung Di 15.06.2021 − " in shown

    assert run(["deadlines", "--explain", "--now", "2021-06-09T08:00"]) == 0
    listed = capsys.readouterr().out
    assert "So berechnet" in listed and "Sitzung Di 15.06.2021" in listed
    assert run(["deadlines", "--now", "2021-06-09T08:00"]) == 0
    assert "So berechnet" not in capsys.readouterr().out

    out = tmp_path / "fristen.ics"
    assert run(["calendar", "--out", str(out), "--now", "2021-06-09T08:00"]) == 0
    events = [
        e
        for e in Calendar.from_ical(out.read_bytes()).walk("VEVENT")
        if "Frist" in [str(c) for c in e.get("categories").cats]
    ]
    assert events and all("So berechnet: " in str(e["description"]) for e in events)
