"""The deadline commands of the CLI: the calendar export that parses back and updates the same
events, JSON and show, one-line errors that change nothing, the profile from the environment."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy.engine import Engine

from flows.cli import run
from tests.conftest import DATA, EXAMPLE, snapshot

REF = "A 21/0500-01"


def _events(path: Path) -> dict[str, dict[str, object]]:
    calendar = Calendar.from_ical(path.read_bytes())
    return {
        str(e["UID"]): {
            "summary": str(e["SUMMARY"]),
            "status": str(e["STATUS"]),
            "sequence": int(e["SEQUENCE"]),
            "start": e.decoded("DTSTART"),
            "description": str(e["DESCRIPTION"]),
        }
        for e in calendar.walk("VEVENT")
    }


def test_calendar_export_parses_back_and_updates_the_same_events(
    db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert run(["import", str(EXAMPLE), "--now", "2021-06-07T10:15"]) == 0
    assert run(["import", str(DATA / "antrag-nichtoeffentlich.txt")]) == 0
    # its committees were new: proposed for review, created when confirmed
    assert run(["review", "A 22/0117-01", "--confirm"]) == 0
    first = tmp_path / "fristen.ics"
    assert run(["calendar", "--out", str(first), "--now", "2021-06-07T12:00"]) == 0
    before = _events(first)
    # 4 meetings (1 + the Antrag's 3) and 5 deadlines: invitation, report and session for the
    # Vorschlag; invitation and session for the Antrag, which asks no questions
    assert len(before) == 4 + 5
    summaries = {e["summary"] for e in before.values()}
    assert (
        "Stellungnahme der Verwaltung: A 21/0500-01 – Kommunales Integrationsmanagement"
        in summaries
    )
    confidential = [e for e in before.values() if "A 22/0117-01" in str(e["summary"])]
    assert confidential and all("Grundstücksvergabe" not in str(e) for e in confidential)
    session = next(
        e for e in before.values() if str(e["summary"]).startswith("Beratung in der Sitzung: A 21")
    )
    assert session["start"] == datetime(2021, 6, 15, 15, 0, tzinfo=UTC)

    assert (
        run(
            [
                "meetings",
                "move",
                "Sozialausschuss",
                "2021-06-15",
                "2021-06-22",
                "--now",
                "2021-06-08T09:00",
            ]
        )
        == 0
    )
    second = tmp_path / "fristen2.ics"
    assert run(["calendar", "--out", str(second), "--now", "2021-06-08T10:00"]) == 0
    after = _events(second)
    assert set(after) == set(before)  # same UIDs: subscribers update, not duplicate
    uid = next(u for u, e in before.items() if e is session)
    assert after[uid]["start"] == datetime(2021, 6, 22, 15, 0, tzinfo=UTC)
    assert after[uid]["sequence"] > before[uid]["sequence"]

    assert run(["meetings", "cancel", "Sozialausschuss", "2021-06-22", "--now", "2021-06-09"]) == 0
    third = tmp_path / "fristen3.ics"
    assert run(["calendar", "--out", str(third), "--include-confidential"]) == 0
    cancelled = _events(third)
    assert cancelled[uid]["status"] == "CANCELLED"
    assert any("Grundstücksvergabe" in str(e["summary"]) for e in cancelled.values())
    role = tmp_path / "fachamt.ics"
    assert run(["calendar", "--out", str(role), "--role", "fachamt"]) == 0
    assert {str(e["summary"]).split(":")[0] for e in _events(role).values()} == {
        "Stellungnahme der Verwaltung"
    }


def test_cli_deadlines_json_and_show(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["import", str(EXAMPLE), "--now", "2021-06-07T10:15"]) == 0
    out = capsys.readouterr().out
    assert "Antragsfrist: rechtzeitig für Sozialausschuss am 15.06.2021" in out
    assert run(["deadlines", "--json", "--now", "2021-06-09T08:00", "--due-within", "2d"]) == 0
    rows = json.loads(capsys.readouterr().out)["deadlines"]
    assert [(r["reference"], r["kind"], r["due"], r["status"], r["responsible"]) for r in rows] == [
        (REF, "invitation", "2021-06-07T23:59:59+02:00", "missed", "sitzungsdienst"),
        (REF, "report", "2021-06-10T12:00:00+02:00", "open", "fachamt"),
    ]
    assert run(["deadlines", "--json", "--overdue", "--now", "2021-06-09T08:00"]) == 0
    assert [r["kind"] for r in json.loads(capsys.readouterr().out)["deadlines"]] == ["invitation"]
    assert run(["show", REF, "--json", "--now", "2021-06-09T08:00"]) == 0
    view = json.loads(capsys.readouterr().out)
    assert {d["kind"] for d in view["deadlines"]} == {"proposal", "invitation", "report", "session"}
    assert set(view["deadlines"][0]) >= {"reference", "kind", "due", "status", "responsible"}
    assert run(["rules"]) == 0
    assert "antragsfrist: Antragsfrist – 7. Tag vor der Sitzung" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["meetings", "add", "Kulturausschuss", "2021-07-01"],
            "unbekanntes Gremium 'Kulturausschuss'",
        ),
        (["meetings", "add", "Sozialausschuss", "2021-06-15"], "gibt es schon"),
        (
            ["meetings", "move", "Sozialausschuss", "2021-06-16", "2021-06-22"],
            "keine Sitzung Sozialausschuss am 16.06.2021",
        ),
        (
            [
                "meetings",
                "plan",
                "Sozialausschuss",
                "--rrule",
                "FREQ=NIE",
                "--from",
                "2021-01-01",
                "--until",
                "2021-02-01",
            ],
            "keine gültige RRULE",
        ),
        (["meetings", "add", "Sozialausschuss", "2021-07-01", "--time", "25:00"], "--time '25:00'"),
        (["deadlines", "--due-within", "bald"], "--due-within 'bald'"),
        (["committees", "add", "Sozialausschuss"], "gibt es schon"),
    ],
)
def test_cli_calendar_errors_are_one_line_and_change_nothing(
    db_url: str,
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    assert run(["import", str(EXAMPLE)]) == 0
    before = snapshot(engine)
    capsys.readouterr()
    assert run(args) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert snapshot(engine) == before


def test_rules_from_environment_choose_the_profile(
    db_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSFRIST_RULES", "leverkusen")
    assert run(["import", str(EXAMPLE), "--now", "2021-06-07T10:15"]) == 0
    assert "Frist bis 09.06.2021 23:59" in capsys.readouterr().out
    monkeypatch.setenv("RATSFRIST_RULES", "/nirgends/go.toml")
    capsys.readouterr()
    assert run(["deadlines"]) == 0  # reading needs no rules
    # but what cannot be computed yet does: that it was not looked for is said, not hidden
    assert capsys.readouterr().err == (
        "Hinweis: nicht auf noch nicht berechenbare Fristen geprüft: "
        "/nirgends/go.toml: Regelprofil nicht gefunden\n"
    )
    assert run(["schedule", REF, "--item", "1"]) == 2
    assert "/nirgends/go.toml: Regelprofil nicht gefunden" in capsys.readouterr().err
