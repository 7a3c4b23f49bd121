"""`ratsfrist bodies add|set|list|show` and `--body` on the commands: bodies of three states
in one database from the command line; bad input is one line, exit 2, nothing changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from flows.cli import run
from tests.conftest import snapshot
from tests.services.test_bodies import PROFILES, document

REF = "A 21/0500-01"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _three_bodies(capsys: pytest.CaptureFixture[str]) -> None:
    for args in (
        ["Stadt Nordheim", "--profile", PROFILES / "nrw-stadt.toml", "--land", "NW"],
        [
            *["Gemeinde Oberau", "--profile", PROFILES / "bayern-gemeinde.toml", "--land", "by"],
            *["--kategorie", "catholic", "--slug", "oberau"],
        ],
        ["Stadt Kamenz", "--profile", PROFILES / "sachsen-stadt.toml", "--land", "SN"],
    ):
        code, out, err = _cli(capsys, "bodies", "add", *args)
        assert (code, err) == (0, ""), err
        assert out.startswith("Körperschaft angelegt: ")


def test_bodies_are_added_listed_and_shown(
    engine: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "200")  # rich's tables: one line per row
    _three_bodies(capsys)
    code, out, _ = _cli(capsys, "bodies", "list", "--json")
    rows = {r["name"]: r for r in json.loads(out)}
    assert code == 0
    assert {n: (r["profile"], r["state"], r["categories"], r["tag"]) for n, r in rows.items()} == {
        "Gemeinde Oberau": (
            "Gemeinde Oberau (Test, BY)",
            "BY",
            ["catholic"],
            "koerperschaft-oberau",
        ),
        "Stadt Kamenz": ("Stadt Kamenz (Test, SN)", "SN", [], "koerperschaft-stadt-kamenz"),
        "Stadt Nordheim": ("Stadt Nordheim (Test, NW)", "NW", [], "koerperschaft-stadt-nordheim"),
    }
    code, out, _ = _cli(capsys, "bodies", "list")
    assert code == 0 and "Gemeinde Oberau" in out and "catholic" in out and "Regelprofil" in out
    code, out, _ = _cli(capsys, "bodies", "show", "oberau")
    assert code == 0
    assert "BY – Bayern (Körperschaft)" in out
    assert "überwiegend katholisch" in out and "koerperschaft-oberau" in out


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["add", "Stadt X", "--profile", "gibtsnicht", "--land", "NW"], "--profile 'gibtsnicht'"),
        (["add", "Stadt X", "--profile", "default", "--land", "XX"], "unbekanntes Bundesland"),
        (["add", "Stadt Kamenz", "--profile", "default", "--land", "SN"], "gibt es schon"),
        (
            [
                "add",
                "Stadt X",
                "--profile",
                "default",
                "--land",
                "NW",
                "--kategorie",
                "evangelisch",
            ],
            "unbekannte Feiertagskategorie",
        ),
        (
            ["add", "Stadt X", "--profile", "default", "--land", "NW", "--kategorie", "augsburg"],
            "gilt nur in BY",
        ),
        (["add", "Stadt X", "--profile", "default", "--land", "NW", "--slug", "Ä B"], "--slug"),
        (
            ["add", "Stadt X", "--profile", "default", "--land", "NW", "--slug", "oberau"],
            "vergeben",
        ),
        (["show", "Stadt Y"], "unbekannte Körperschaft"),
        (["set", "Stadt Kamenz", "--land", "Sachsen"], "unbekanntes Bundesland"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    engine: Engine, capsys: pytest.CaptureFixture[str], args: list[str], expected: str
) -> None:
    _three_bodies(capsys)
    before = snapshot(engine)
    code, out, err = _cli(capsys, "bodies", *args)
    assert code == 2
    assert err.count("\n") == 1 and expected in err, err
    assert "Traceback" not in out + err
    assert snapshot(engine) == before


def test_documents_and_commands_act_on_the_body_named(
    engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The same motion in Nordheim (NW) and Kamenz (SN), meeting Tue 04.11.2025: the
    Stellungnahme is due Thu 30.10. in Nordheim, Wed 29.10.2025 in Kamenz (Reformationstag);
    `--body` picks whose deadlines, papers and steps."""
    _three_bodies(capsys)
    path = document(tmp_path, "04.11.2025", "10.10.2025")
    for body in ("Stadt Nordheim", "stadt-kamenz"):  # by name or by slug
        code, _, err = _cli(capsys, "import", path, "--now", "2025-10-10T09:00", "--body", body)
        assert (code, err) == (0, "")
    code, _, err = _cli(capsys, "show", REF, "--now", "2025-10-10T10:00")
    assert code == 2 and "--body" in err  # in two bodies: which one must be said
    code, out, _ = _cli(capsys, "show", REF, "--body", "stadt-kamenz", "--json")
    report = next(d for d in json.loads(out)["deadlines"] if d["kind"] == "report")
    assert code == 0 and report["due"].startswith("2025-10-29T12:00")
    now = ["--now", "2025-10-10T10:00"]
    code, out, _ = _cli(capsys, "deadlines", "--json", "--body", "Stadt Nordheim", *now)
    assert code == 0
    assert [(d["kind"], d["due"][:16]) for d in json.loads(out)["deadlines"]] == [
        ("report", "2025-10-30T12:00"),
        ("session", "2025-11-04T17:00"),
    ]
    code, out, _ = _cli(capsys, "deadlines", "--json", *now)
    assert len(json.loads(out)["deadlines"]) == 4  # both bodies
    code, out, _ = _cli(capsys, "list", "--json", "--body", "Gemeinde Oberau")
    assert (code, json.loads(out)) == (0, [])
    code, out, err = _cli(capsys, "withdraw", REF, "--body", "Stadt Kamenz", *now)
    assert (code, err) == (0, ""), err
    code, out, _ = _cli(capsys, "list", "--json")
    assert sorted((r["body"], r["state"]) for r in json.loads(out)) == [
        ("Stadt Kamenz", "withdrawn"),
        ("Stadt Nordheim", "submitted"),
    ]
    code, out, _ = _cli(capsys, "overview", "--body", "Stadt Nordheim", *now)
    assert code == 0 and "| Sozialausschuss | 1 |" in out
    code, out, err = _cli(capsys, "deadlines", "--body", "Stadt Y", *now)
    assert code == 2 and "unbekannte Körperschaft" in err
    before = snapshot(engine)  # a misspelt body is refused, never created with default rules
    code, out, err = _cli(capsys, "import", path, "--body", "Stadt Nordhiem", *now)
    assert code == 2 and "--body 'Stadt Nordhiem': unbekannte Körperschaft" in err
    assert snapshot(engine) == before


def test_setting_a_bodys_land_replans_its_deadlines(
    engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Nordheim, entered as NW, is a Saxon town: its Stellungnahme for Tue 04.11.2025 moves
    from Thu 30.10. to Wed 29.10.2025 (Reformationstag)."""
    _three_bodies(capsys)
    path = document(tmp_path, "04.11.2025", "10.10.2025")
    _cli(capsys, "import", path, "--now", "2025-10-10T09:00", "--body", "Stadt Nordheim")
    code, out, err = _cli(
        capsys, "bodies", "set", "Stadt Nordheim", "--land", "SN", "--now", "2025-10-10T10:00"
    )
    assert (code, err) == (0, ""), err
    assert "1 verschoben" in out
    code, out, _ = _cli(capsys, "deadlines", "--json", "--now", "2025-10-10T10:00")
    deadlines = json.loads(out)["deadlines"]
    assert [d["due"][:16] for d in deadlines if d["kind"] == "report"] == ["2025-10-29T12:00"]


def test_rules_reminders_and_calendar_of_one_body(
    engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    _three_bodies(capsys)
    path = document(tmp_path, "04.11.2025", "10.10.2025")
    for body in ("Stadt Nordheim", "Stadt Kamenz"):
        _cli(capsys, "import", path, "--now", "2025-10-10T09:00", "--body", body)
    code, out, _ = _cli(capsys, "rules", "--json", "--body", "oberau")
    shown = json.loads(out)
    assert code == 0
    assert (shown["name"], shown["state"], shown["categories"]) == (
        "Gemeinde Oberau (Test, BY)",
        "BY",
        ["catholic"],
    )
    code, out, _ = _cli(capsys, "reminders", "--json", "--body", "Stadt Kamenz")
    rows = json.loads(out)
    # Kamenz's Stellungnahme (Wed 29.10.2025): 7, 3, 1 working days before and on the day
    assert code == 0 and [r["send_at"][:10] for r in rows] == [
        "2025-10-20",
        "2025-10-24",
        "2025-10-28",
        "2025-10-29",
    ]
    code, out, _ = _cli(capsys, "reminders", "--json")
    assert len(json.loads(out)) == 8
    ics = tmp_path / "kamenz.ics"
    code, out, _ = _cli(capsys, "calendar", "--out", ics, "--body", "Stadt Kamenz")
    # the meeting and two deadlines (Stellungnahme, Sitzung) of Kamenz only
    assert (code, out.strip()) == (0, f"{ics}: 3 Einträge")


def test_committees_and_meetings_are_listed_per_body(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    """`committees list` and `meetings list` take --body like the other listings: without
    it every body's (each row says whose), with it that body's; an unknown one is one line,
    exit 2."""
    _three_bodies(capsys)
    for body, day in (("Stadt Nordheim", "04.11.2025"), ("Stadt Kamenz", "05.11.2025")):
        assert _cli(capsys, "committees", "add", "Sozialausschuss", "--body", body)[0] == 0
        assert _cli(capsys, "meetings", "add", "Sozialausschuss", day, "--body", body)[0] == 0
    assert _cli(capsys, "committees", "add", "Bauausschuss", "--body", "oberau")[0] == 0

    code, out, _ = _cli(capsys, "committees", "list", "--body", "stadt-kamenz", "--json")
    assert (code, json.loads(out)) == (
        0,
        [{"name": "Sozialausschuss", "short_name": None, "body": "Stadt Kamenz"}],
    )
    code, out, _ = _cli(capsys, "committees", "list")
    assert code == 0 and out.splitlines() == [
        "Bauausschuss – Gemeinde Oberau",
        "Sozialausschuss – Stadt Kamenz",
        "Sozialausschuss – Stadt Nordheim",
    ]
    code, out, _ = _cli(capsys, "meetings", "list", "--body", "Stadt Nordheim", "--json")
    rows = json.loads(out)
    assert code == 0 and [(r["body"], r["start"][:10]) for r in rows] == [
        ("Stadt Nordheim", "2025-11-04")
    ]
    code, out, _ = _cli(capsys, "meetings", "list", "--committee", "Sozialausschuss")
    assert code == 0 and [line.split("  ", 1)[1] for line in out.splitlines()] == [
        "Stadt Nordheim: Sozialausschuss",
        "Stadt Kamenz: Sozialausschuss",
    ]
    code, out, _ = _cli(capsys, "meetings", "list", "--body", "oberau")
    assert (code, out) == (0, "")
    for command in (["committees", "list"], ["meetings", "list"]):
        before = snapshot(engine)
        code, out, err = _cli(capsys, *command, "--body", "Stadt Y")
        assert code == 2 and out == ""
        assert err.strip() == (
            "--body 'Stadt Y': unbekannte Körperschaft (bekannt: Gemeinde Oberau, "
            "Stadt Kamenz, Stadt Nordheim)"
        )
        assert snapshot(engine) == before
