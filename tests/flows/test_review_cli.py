"""`ratsfrist import FOLDER`, `review` and `assign` on the command line (issue 15, 3 and 4):
a folder of mixed formats reported in one table, doubts printed one line each, a faction's
letter numbered and waiting for its consultation, and the steps that settle both."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from flows.cli import run
from tests.conftest import DATA, EXAMPLE, snapshot

NOW = "2021-06-07T10:00"
LETTER = """Antrag

gemäß § 24 GO NRW

SPD-Fraktion im Rat der Stadt

Status: öffentlich

Datum: 02.06.2021

Mehr Bänke im Stadtpark

Beschlussvorschlag: Die Verwaltung wird beauftragt, im Stadtpark zehn weitere Bänke
aufzustellen.

Begründung: Viele ältere Menschen wünschen sich Sitzgelegenheiten.
"""


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """Rich wraps table cells to the terminal; wide enough that a row is one line."""
    monkeypatch.setenv("COLUMNS", "400")


def _cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def _row(out: str, name: str) -> list[str]:
    """The cells of the table row of file `name`."""
    line = next(line for line in out.splitlines() if f"{name} " in line)
    return [cell.strip() for cell in line.strip("│ ").split("│")]


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "eingang"
    folder.mkdir()
    documents = DATA / "documents"
    shutil.copy(documents / "vorschlag.pdf", folder / "a-vorschlag.pdf")
    shutil.copy(documents / "vorschlag.docx", folder / "b-vorschlag.docx")
    shutil.copy(DATA / "anfrage-nummeriert.txt", folder / "c-anfrage.txt")
    (folder / "d-brief.txt").write_text(LETTER, encoding="cp1252")
    return folder


def test_a_folder_of_mixed_formats_is_one_table_and_refused_files_change_nothing(
    engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    folder = _folder(tmp_path)
    (folder / "e-kaputt.txt").write_text("Hallo Welt\n", encoding="utf-8")
    shutil.copy(DATA / "documents" / "gescannt.pdf", folder / "f-gescannt.pdf")
    code, out, err = _cli(capsys, "import", folder, "--now", NOW)
    assert code == 2
    assert "Datei" in out and "Ergebnis" in out and "Vorlage" in out and "Grund" in out
    assert _row(out, "a-vorschlag.pdf")[1:3] == ["übernommen", "A 21/0500-01"]
    assert _row(out, "b-vorschlag.docx")[1:3] == ["übernommen", "A 21/0500-01"]
    anfrage = _row(out, "c-anfrage.txt")
    assert anfrage[1:3] == ["zu prüfen", "F 23/0042"]
    assert "beratungsfolge: Gremium unbekannt: 'Bezirksvertretung 1'" in anfrage[3]
    assert _row(out, "d-brief.txt")[1:4] == ["übernommen", "E 2021/0001", "Beratung zuzuweisen"]
    kaputt = _row(out, "e-kaputt.txt")
    assert kaputt[1] == "abgelehnt" and kaputt[3].startswith("Zeile 1: unbekanntes Format")
    assert _row(out, "f-gescannt.pdf")[1] == "abgelehnt"
    # each refusal is also its one line on stderr, naming the file
    lines = err.splitlines()
    assert len(lines) == 2 and "e-kaputt.txt:1: " in lines[0] and "f-gescannt.pdf" in lines[1]
    assert "Traceback" not in out + err
    # The refused files changed nothing: importing them alone leaves the database as it is.
    before = snapshot(engine)
    only_bad = tmp_path / "nur-kaputt"
    only_bad.mkdir()
    for name in ("e-kaputt.txt", "f-gescannt.pdf"):
        shutil.copy(folder / name, only_bad / name)
    assert _cli(capsys, "import", only_bad, "--now", NOW)[0] == 2
    assert snapshot(engine) == before
    assert _cli(capsys, "list", "--json")[1].count('"reference"') == 3


def test_a_folder_whose_files_are_all_taken_or_in_review_exits_0(
    engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _cli(capsys, "import", _folder(tmp_path), "--now", NOW)
    assert code == 0, err
    assert err == "" and out.count("übernommen") == 3 and out.count("zu prüfen") == 1


def test_import_prints_each_doubt_and_review_settles_it(
    engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    assert _cli(capsys, "import", EXAMPLE, "--now", NOW)[0] == 0
    code, out, _ = _cli(capsys, "import", DATA / "anfrage-nummeriert.txt", "--now", NOW)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("F 23/0042\tneu erfasst, zu prüfen\t")
    assert lines[1] == (
        "  zu prüfen – beratungsfolge: Gremium unbekannt: 'Bezirksvertretung 1' (Zeile 1 der "
        "Beratungsfolge); wird erst mit der Prüfung angelegt"
    )
    assert lines[2] == "  prüfen mit: ratsfrist review 'F 23/0042'"
    code, out, _ = _cli(capsys, "show", "F 23/0042", "--now", NOW)
    assert code == 0 and "Zu prüfen" in out and "Beratungsfolge, wie gelesen" in out
    assert "Bezirksvertretung 1" in out and "Fristen" not in out
    code, out, _ = _cli(capsys, "review", "F 23/0042")
    assert code == 0 and out.splitlines()[0] == "F 23/0042: 1 Feld(er) zu prüfen"
    before = snapshot(engine)
    code, out, err = _cli(capsys, "review", "F 23/0042", "--set", "farbe=blau", "--now", NOW)
    assert code == 2 and err.startswith("--set 'farbe': unbekanntes Feld") and err.count("\n") == 1
    code, _, err = _cli(capsys, "review", "F 23/0042", "--set", "titel=Neu", "--now", NOW)
    assert code == 2 and "noch ungeprüft: beratungsfolge" in err
    assert snapshot(engine) == before
    code, out, _ = _cli(
        capsys, "review", "F 23/0042", "--confirm", "--now", "2021-06-08T09:00", "--actor", "sd"
    )
    assert code == 0 and out.strip() == "F 23/0042: geprüft → submitted (eingereicht)"
    code, out, _ = _cli(capsys, "show", "F 23/0042", "--json", "--now", "2021-06-08T09:00")
    assert '"uncertain": []' in out and '"organization": "Bezirksvertretung 1"' in out
    code, out, _ = _cli(capsys, "review", "F 23/0042")
    assert out.strip() == "F 23/0042: nichts zu prüfen (eingereicht)"


def test_a_faction_letter_is_numbered_and_assigned_by_the_sitzungsdienst(
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RATSFRIST_INTAKE_NUMBER", "EA-{seq:03d}/{year}")
    letter = tmp_path / "brief.txt"
    letter.write_text(LETTER, encoding="utf-8")
    assert _cli(capsys, "import", EXAMPLE, "--now", NOW)[0] == 0
    code, out, _ = _cli(capsys, "import", letter, "--now", NOW)
    assert code == 0
    assert out.splitlines() == [
        "EA-001/2021\tneu erfasst, Beratung zuzuweisen\tAntrag: Mehr Bänke im Stadtpark",
        "  zuweisen mit: ratsfrist assign 'EA-001/2021' --committee … --meeting …",
    ]
    assert "unverändert" in _cli(capsys, "import", letter, "--now", NOW)[1]
    code, _, err = _cli(capsys, "assign", "EA-001/2021", "--committee", "Bauausschuss")
    assert code == 2 and err.startswith("unbekanntes Gremium 'Bauausschuss'")
    code, out, err = _cli(
        capsys,
        "assign",
        "EA-001/2021",
        "--committee",
        "sozialausschuss",
        "--meeting",
        "15.06.2021",
        "--number",
        "A 21/0601-01",
        "--now",
        "2021-06-08T09:00",
    )
    assert code == 0, err
    assert out.strip() == "A 21/0601-01: assign → submitted (eingereicht)"
    code, out, _ = _cli(capsys, "show", "EA-001/2021", "--now", "2021-06-08T09:00")
    assert code == 0 and "Eingangsnummer: EA-001/2021" in out
    assert "Beratung zugewiesen" in out and "Antragsfrist" in out


def test_an_intake_number_without_seq_is_a_configuration_error(
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RATSFRIST_INTAKE_NUMBER", "E {year}")
    letter = tmp_path / "brief.txt"
    letter.write_text(LETTER, encoding="utf-8")
    before = snapshot(engine)
    code, _, err = _cli(capsys, "import", letter, "--now", NOW)
    assert code == 2 and err.startswith("RATSFRIST_INTAKE_NUMBER: ") and "{seq} fehlt" in err
    assert snapshot(engine) == before


def test_a_letter_without_a_date_is_registered_under_its_day_of_arrival(
    engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A faction's text with no date anywhere (real: Stuttgart's DIE FRAKTION, 2019) is not
    refused: it is registered under the day it arrived (--received, else --now), in review
    with that date named as a doubt."""
    real = DATA / "documents" / "real" / "letter-stuttgart-diefraktion-2019-02-25.txt"
    code, out, err = _cli(capsys, "import", real, "--now", NOW, "--received", "2019-02-25T09:00")
    assert code == 0, err
    assert "E 2021/0001\tneu erfasst, zu prüfen" in out
    assert "datum: kein Datum im Dokument; Eingangsdatum 25.02.2019 übernommen" in out
    listed = json.loads(_cli(capsys, "list", "--json")[1])
    assert [(p["reference"], p["date"], p["state"]) for p in listed] == [
        ("E 2021/0001", "2019-02-25", "in_review")
    ]
