"""`ratsfrist watch` and `ratsfrist beschlusskontrolle` in process, over the town of
tests/services/town.py: JSON, Markdown, escaped HTML, a PDF read back as text, and bad input
as one line with exit code 2."""

from __future__ import annotations

import json
from pathlib import Path

import pdfplumber
import pytest
from sqlalchemy.engine import Engine

from tests.cli_run import cli
from tests.conftest import snapshot
from tests.services.town import IMPLEMENTING, REFERRED, REJECTED, SECRET, UNTOUCHED, build_town

NOW = "2021-10-01T07:00"


@pytest.fixture
def town(engine: Engine) -> Engine:
    build_town(engine)
    return engine


def test_watch_json_and_the_weeks_from_the_settings(
    town: Engine, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, err = cli(capsys, "watch", "--json", "--now", NOW, "--weeks", "6")
    assert code == 0, err
    data = json.loads(out)
    stale = data["Ohne Schritt seit 6 Wochen"]
    assert stale[0]["Vorlage"] == UNTOUCHED and stale[0]["Tage"] == "116"
    assert {r["Titel"] for r in stale if r["Vorlage"] == SECRET} == {"nichtöffentlich"}
    assert [r["Vorlage"] for r in data["Verwiesen, nicht terminiert"]] == [REFERRED]
    overdue = data["Umsetzung über der Wiedervorlage"]
    assert [(r["Vorlage"], r["wer"]) for r in overdue] == [
        (IMPLEMENTING, "Amt 50 (Soziales)"),
        (SECRET, "Fachamt"),
    ]
    assert len(data["Ergebnis prüfen"]) == 1
    monkeypatch.setenv("RATSFRIST_WATCH_WEEKS", "20")
    code, out, _ = cli(capsys, "watch", "--json", "--now", NOW)
    data = json.loads(out)
    assert data["weeks"] == 20 and data["Ohne Schritt seit 20 Wochen"] == []
    code, out, _ = cli(capsys, "watch", "--now", NOW)  # the tables on the terminal
    assert code == 0 and "Verwiesen, nicht terminiert: keine" in out and "Amt 50" in out


def test_beschlusskontrolle_markdown_and_html(
    town: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = cli(capsys, "beschlusskontrolle", "--now", NOW)
    assert code == 0, err
    assert out.startswith("# Beschlusskontrolle, Stand 01.10.2021 07:00")
    assert f"| 15.06.2021 | Sozialausschuss | {IMPLEMENTING} |" in out
    assert "in Umsetzung seit 21.06.2021 | Amt 50 (Soziales) |" in out
    assert "nichtöffentlich" in out and "Müller" not in out  # not for cleared recipients
    code, out, _ = cli(
        capsys, "beschlusskontrolle", "--now", NOW, "--since", "01.07.2021", "--format", "html"
    )
    assert code == 0 and out.startswith("<!DOCTYPE html>")
    assert REJECTED in out and IMPLEMENTING not in out
    target = tmp_path / "bk.html"
    code, out, _ = cli(
        capsys,
        "beschlusskontrolle",
        "--now",
        NOW,
        "--format",
        "html",
        "--include-confidential",
        "--output",
        target,
    )
    assert code == 0 and out.startswith(f"{target}: 4 Beschlüsse, 4 mit Überfälligem")
    page = target.read_text(encoding="utf-8")
    assert "Grundstücksverkauf an Müller &amp; Söhne" in page  # escaped, shown when cleared
    assert "<td>verspätet" not in page and "15.09.2021, verspätet erfüllt (7 Tage)" in page


def test_beschlusskontrolle_pdf_reads_back_with_references_and_umlauts(
    town: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    target = tmp_path / "berichte" / "bk.pdf"
    code, out, err = cli(
        capsys,
        "beschlusskontrolle",
        "--now",
        NOW,
        "--committee",
        "Sozialausschuss",
        "--format",
        "pdf",
        "--output",
        target,
    )
    assert code == 0, err
    assert out == f"{target}: 4 Beschlüsse, 4 mit Überfälligem\n"
    assert target.read_bytes().startswith(b"%PDF")
    with pdfplumber.open(target) as pdf:
        text = "\n".join(page.extract_text() or "" for page in pdf.pages)
    assert "Beschlusskontrolle, Stand 01.10.2021 07:00" in text
    assert IMPLEMENTING in text and REJECTED in text
    assert "Beschlüsse und Stand der Umsetzung" in text and "Überfällig" in text
    assert "Spielplatz Am Mühlenbach erneuern" in text
    assert "nichtöffentlich" in text and "Müller" not in text


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["beschlusskontrolle", "--since", "2021-02-30"], "--since: '2021-02-30' ist kein"),
        (["beschlusskontrolle", "--since", "31.04.2021"], "--since: '31.04.2021' ist kein"),
        (
            ["beschlusskontrolle", "--committee", "Kulturausschuss"],
            "--committee: unbekanntes Gremium 'Kulturausschuss' (bekannt: ",
        ),
        (["beschlusskontrolle", "--format", "docx"], "--format 'docx': erlaubt sind md, html"),
        (["watch", "--weeks", "0"], "--weeks 0: mindestens 1 Woche"),
        (["beschlusskontrolle", "--output", "."], ".: ist ein Ordner; einen Dateinamen angeben"),
        (["watch", "--now", "2021-13-01"], "--now: '2021-13-01' ist kein Zeitpunkt"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    town: Engine,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    args: list[str],
    message: str,
) -> None:
    before = snapshot(town)
    target = tmp_path / "nie.pdf"
    plain = args[0] == "watch" or "--output" in args
    code, out, err = cli(capsys, *args) if plain else cli(capsys, *args, "--output", target)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert message in err and "Traceback" not in err
    assert not target.exists() and out == ""
    assert snapshot(town) == before


def test_a_report_path_that_cannot_be_written_is_one_line(
    town: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocked = tmp_path / "datei"
    blocked.write_text("kein Ordner", encoding="utf-8")
    code, out, err = cli(capsys, "beschlusskontrolle", "--output", blocked / "bk.md")
    assert (code, out) == (2, "")
    assert err.startswith(f"{blocked / 'bk.md'}: kann nicht geschrieben werden (")
    assert len(err.splitlines()) == 1 and not list(tmp_path.glob("**/*.tmp"))
    code, _, err = cli(capsys, "beschlusskontrolle", "--format", "pdf", "--output", tmp_path)
    assert code == 2 and err == f"{tmp_path}: ist ein Ordner; einen Dateinamen angeben\n"
