"""`ratsfrist rules` with versions: the versions and their periods shown, each checked; a
bad [[versions]] table is one line naming the file and the key, exit 2, the database
unchanged; `rules --adopt` re-plans and says how much, a second run nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from flows.cli import run
from tests.conftest import snapshot
from tests.services.test_rule_versions import NEW, OLD, import_papers, rows, write_profile

NOW = "2020-10-20T08:00"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_rules_shows_the_versions_with_their_periods(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _cli(capsys, "rules", "leverkusen_fassungen", "--now", "2020-10-31T12:00")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert (
        "  Fristen nach der Fassung „GO Wahlperiode 2014–2020 (illustrativ)“ (gilt am 31.10.2020)"
        in lines
    )
    assert any(
        line.startswith("  antragsfrist: Antragsfrist – 7. Tag vor der Sitzung") for line in lines
    )
    assert (
        "Fassung „GO Wahlperiode 2020–2025“: ab 01.11.2020; zu Beginn der Wahlperiode "
        "2020–2025 neu beschlossen"
    ) in lines
    code, out, _ = _cli(capsys, "rules", "leverkusen_fassungen", "--json", "--now", "2020-11-01")
    data = json.loads(out)
    assert data["version"] == "GO Wahlperiode 2020–2025"
    assert [(v["valid_from"], v["valid_until"]) for v in data["versions"]] == [
        ("2014-06-01", "2020-10-31"),
        ("2020-11-01", None),
    ]
    assert data["versions"][1]["changed"]["antragsfrist"].startswith("6. Tag vor der Sitzung")


def test_rules_check_checks_each_version(capsys: pytest.CaptureFixture[str]) -> None:
    """Each version gets its own order check: the Antragsfrist (7th resp. 6th day before)
    ends after the Ladung (7 full days) in both."""
    code, out, _ = _cli(capsys, "rules", "--check", "leverkusen_fassungen", "--json", "--now", NOW)
    assert code == 0
    warnings = json.loads(out)["warnings"]
    heads = [w.split(" endet")[0] for w in warnings if "antragsfrist" in w]
    assert heads == [
        "Fassung „GO Wahlperiode 2014–2020 (illustrativ)“: antragsfrist (Antragsfrist)",
        "Fassung „GO Wahlperiode 2020–2025“: antragsfrist (Antragsfrist)",
    ]


def test_a_version_that_cannot_be_computed_is_an_error_naming_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "kaputt.toml"
    write_profile(path, NEW.replace("offset = -10", "offset = -1000000"))
    code, _, err = _cli(capsys, "rules", "--check", path, "--now", NOW)
    assert code == 2
    assert err.splitlines()[0].startswith(
        "kaputt.toml: Fassung „GO 2020“: deadlines.antragsfrist: nicht berechenbar für Anker "
        "20.10.2020"
    )


@pytest.mark.parametrize(
    ("versions", "line"),
    [
        (
            NEW.replace("valid_until = 2020-10-31", "valid_until = 2020-11-05"),
            "leverkusen.toml: versions.1.valid_from: 01.11.2020 überschneidet sich mit "
            "'GO 2014' (gültig bis 05.11.2020); Fassungen nach Beginn geordnet angeben",
        ),
        (
            NEW.replace("valid_until = 2020-10-31", "valid_until = 2020-10-30"),
            "leverkusen.toml: versions.1.valid_from: Lücke 31.10.2020–31.10.2020 nach "
            "'GO 2014' (gültig bis 30.10.2020): keine Fassung gilt dann",
        ),
        (
            NEW.replace("deadlines.stellungnahme]", "deadlines.stellungsnahme]"),
            "leverkusen.toml: versions.1.deadlines.stellungsnahme: unbekannte Regel (bekannt: "
            "antragsfrist, anfragefrist, ladung, stellungnahme, beantwortung, sitzung, "
            "niederschrift, wiedervorlage)",
        ),
    ],
    ids=["overlap", "gap", "unknown rule"],
)
def test_a_bad_version_is_one_line_exit_2_and_nothing_changed(
    capsys: pytest.CaptureFixture[str],
    engine: Engine,
    tmp_path: Path,
    versions: str,
    line: str,
) -> None:
    path = tmp_path / "leverkusen.toml"
    write_profile(path, OLD)
    import_papers(engine, tmp_path)
    write_profile(path, versions)
    code, _, err = _cli(capsys, "rules", "--check", path, "--now", NOW)
    assert (code, err) == (2, line + "\n")
    before = snapshot(engine)
    code, out, err = _cli(capsys, "rules", "--adopt", "--body", "stadt-leverkusen", "--now", NOW)
    assert (code, out, err) == (2, "", line + "\n")
    assert snapshot(engine) == before


def test_rules_adopt_replans_and_a_second_run_changes_nothing(
    capsys: pytest.CaptureFixture[str], engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "leverkusen.toml"
    write_profile(path, OLD)
    import_papers(engine, tmp_path)
    write_profile(path, NEW)
    code, out, err = _cli(capsys, "rules", "--adopt", "--body", "stadt-leverkusen", "--now", NOW)
    assert (code, err) == (0, "")
    assert out == (
        "Stadt Leverkusen: Fassung „GO 2020“ (ab 01.11.2020) von Leverkusen (Beispiel) "
        "übernommen; 5 Vorlagen mit offenen Fristen geprüft, 4 Fristen neu berechnet, 0 neu\n"
    )
    after = rows(engine)
    assert after[("P3", "stellungnahme")] == ("06.11.2020 12:00", "open", "GO 2020")
    code, out, _ = _cli(capsys, "rules", "--adopt", "--now", NOW, "--json")  # all bodies
    assert code == 0
    assert [(r["body"], r["replanned"], r["added"]) for r in json.loads(out)] == [
        ("Stadt Leverkusen", 0, 0)
    ]
    assert rows(engine) == after
    code, _, err = _cli(capsys, "rules", "leverkusen", "--adopt", "--now", NOW)
    assert code == 2
    assert err.startswith("--adopt übernimmt eine Fassung des Profils, das die Körperschaft")
