"""`ratsfrist rules --check`: every shipped profile computes (exit 0); a profile whose
Antragsfrist or Stellungnahme ends after its own invitation is named in a hint; a rule that
cannot be computed, or a file that cannot be read, is one line naming the file and the rule
with exit code 2; `rules --check` alone checks the profile of every body."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from flows.cli import run
from models.services.bodies import add_body
from models.store.db import session_scope
from models.store.profiles import PROFILES, shipped_profiles

NOW = "2026-11-30T08:00"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def broken(tmp_path: Path) -> Path:
    """The default profile with a typo: an Antragsfrist a million days before the session
    (before the year 1: no date to end on)."""
    text = (PROFILES / "default.toml").read_text(encoding="utf-8")
    bad = text.replace('offset = -7\nunit = "days"', 'offset = -1000000\nunit = "days"', 1)
    assert bad != text
    path = tmp_path / "tippfehler.toml"
    path.write_text(bad, encoding="utf-8")
    return path


@pytest.mark.parametrize("name", shipped_profiles())
def test_every_shipped_profile_computes(capsys: pytest.CaptureFixture[str], name: str) -> None:
    code, out, err = _cli(capsys, "rules", "--check", name, "--json", "--now", NOW)
    assert (code, err) == (0, "")
    assert json.loads(out)["errors"] == []


def test_the_default_profile_warns_of_its_antragsfrist_and_stellungnahme(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Default: invitation 7 full days before (8th day), Antragsfrist on the 7th day before,
    Stellungnahme 3 working days before: both end after the invitation."""
    code, out, _ = _cli(capsys, "rules", "--check", "default", "--now", NOW)
    assert code == 0
    hints = [line for line in out.splitlines() if line.startswith("Hinweis: ")]
    assert [h.split(" ")[1] for h in hints] == ["antragsfrist", "anfragefrist", "stellungnahme"]
    assert hints[0].startswith("Hinweis: antragsfrist (Antragsfrist) endet bis zu 3 Tage nach")
    assert hints[2].endswith("die Stellungnahme kann der Ladung dann nicht beiliegen")


def test_bonn_warns_of_its_antragsfrist_7_days_after_the_invitation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = _cli(capsys, "rules", "--check", "bonn", "--json", "--now", NOW)
    assert code == 0
    warnings = json.loads(out)["warnings"]
    assert warnings[0].startswith("antragsfrist (Antragsfrist) endet bis zu 7 Tage nach ladung")


def test_a_rule_that_cannot_be_computed_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _cli(capsys, "rules", "--check", str(broken(tmp_path)), "--now", NOW)
    assert code == 2
    assert err.strip().splitlines() == [
        "tippfehler.toml: deadlines.antragsfrist: nicht berechenbar für Anker 30.11.2026 "
        "(date value out of range)"
    ]
    assert "Hinweis: anfragefrist" in out  # the other rules are still checked
    assert "Hinweis: antragsfrist" not in out
    # without --check the profile is shown as before, the hints included, exit 0
    code, out, err = _cli(capsys, "rules", str(broken(tmp_path)), "--now", NOW)
    assert (code, err) == (0, "")


def test_an_unreadable_profile_file_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "kaputt.toml"
    path.write_text("[profile\nname = 'x'\n", encoding="utf-8")
    code, _, err = _cli(capsys, "rules", "--check", str(path))
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and err.startswith("kaputt.toml: ")


def test_check_alone_checks_every_body(
    engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    with session_scope(engine) as session:
        add_body(session, name="Stadt Bonn", profile="bonn", state="NW")
        add_body(session, name="Stadt Tippfehler", profile=str(broken(tmp_path)), state="NW")
    code, out, err = _cli(capsys, "rules", "--check", "--json", "--now", NOW)
    assert code == 2
    assert [line.split(":")[:2] for line in err.strip().splitlines()] == [
        ["tippfehler.toml", " deadlines.antragsfrist"]
    ]
    rows = {row["for"]: row for row in json.loads(out)}
    assert set(rows) == {"Einstellung RATSFRIST_RULES", "stadt-bonn", "stadt-tippfehler"}
    assert rows["stadt-bonn"]["errors"] == [] and len(rows["stadt-bonn"]["warnings"]) == 3
    assert rows["stadt-tippfehler"]["errors"][0].startswith("tippfehler.toml: deadlines.")
    code, out, _ = _cli(capsys, "rules", "--check", "--body", "stadt-bonn", "--now", NOW)
    assert code == 0 and out.startswith("Bonn (Beispiel)")
