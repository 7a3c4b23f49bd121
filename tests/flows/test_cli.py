"""The command line, in process (flows.cli.run) and, where start-up matters, as a process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from tests.cli_run import cli
from tests.conftest import DATA, EXAMPLE, REPO, snapshot

REF = "A 21/0500-01"


def test_import_and_show_json_give_every_field(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cli(capsys, "import", EXAMPLE, "--now", "2021-06-07T10:15")
    assert (code, err) == (0, "")
    assert out.startswith(f"{REF}\tneu erfasst")
    code, out, _ = cli(capsys, "show", REF, "--json")
    assert code == 0
    view = json.loads(out)
    assert view["reference"] == REF
    assert view["paperType"] == "Vorschlag"
    assert view["name"] == "Kommunales Integrationsmanagement"
    assert view["date"] == "2021-06-07"
    assert view["public"] is True
    assert view["submitters"] == ["CDU-Fraktion", "Fraktion BÜNDNIS 90 / DIE GRÜNEN"]
    assert [s["name"] for s in view["signatories"]] == ["Ingrid Tews", "Bernd Dickmann"]
    assert [
        {k: c[k] for k in ("organization", "meeting_date", "public", "role", "authoritative")}
        for c in view["consultations"]
    ] == [
        {
            "organization": "Sozialausschuss",
            "meeting_date": "2021-06-15",
            "public": True,
            "role": "Entscheidung",
            "authoritative": True,
        }
    ]
    assert len(view["questions"]) == 9
    assert all(isinstance(q, str) for q in view["questions"])
    assert view["questions"][0].startswith("Welche Institutionen, Gruppen und Personen")
    assert view["state"] == "submitted"
    assert view["history"][0]["event"] == "submit"
    assert view["history"][0]["at"] == "2021-06-07T10:15:00+02:00"


def test_importing_the_same_document_again_says_so(
    db_url: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    cli(capsys, "import", EXAMPLE)
    before = snapshot(engine)
    code, out, _ = cli(capsys, "import", EXAMPLE)
    assert code == 0
    assert "unverändert, bereits erfasst" in out
    assert snapshot(engine) == before


def test_malformed_file_exits_2_with_one_line_and_stores_nothing(
    db_url: str, engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "kaputt.txt"
    bad.write_text(EXAMPLE.read_text().replace("07.06.2021", "31.06.2021"), encoding="utf-8")
    binary = tmp_path / "bild.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    before = snapshot(engine)
    code, out, err = cli(capsys, "import", bad, binary, tmp_path / "fehlt.txt")
    assert code == 2
    assert out == ""
    assert err.splitlines() == [
        f"{bad}:11: unmögliches Datum '31.06.2021'",
        f"{binary}:1: Binärdatei: weder Text noch PDF noch DOCX",
        f"{tmp_path / 'fehlt.txt'}: Datei nicht gefunden",
    ]
    assert snapshot(engine) == before


def test_good_files_are_kept_when_another_in_the_batch_is_bad(
    db_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    bad = tmp_path / "leer.txt"
    bad.write_text("")
    code, out, err = cli(capsys, "import", bad, EXAMPLE, DATA / "anfrage-nummeriert.txt")
    assert code == 2
    assert err.strip() == f"{bad}:1: leere Datei"
    imported = [line.split("\t")[0] for line in out.splitlines() if not line.startswith(" ")]
    assert imported == [REF, "F 23/0042"]


def test_lifecycle_commands_and_list(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    cli(capsys, "import", EXAMPLE)
    steps = [
        (["schedule", REF, "--item", "5", "--now", "2021-06-08T09:00"], "scheduled"),
        (
            ["request-report", REF, "--office", "Amt 50", "--now", "2021-06-08T09:30"],
            "report_requested",
        ),
        (["report", REF, "--answers", "1,2", "--now", "2021-06-14"], "report_delivered"),
        (["decide", REF, "--result", "approved", "--now", "2021-06-15T18:40"], "decided"),
        (["implement", REF, "--office", "KI", "--now", "2021-06-16"], "in_implementation"),
        (["close", REF, "--now", "2021-09-30"], "closed"),
    ]
    for args, state in steps:
        code, out, err = cli(capsys, *args, "--actor", "frau.meier")
        assert (code, err) == (0, "")
        assert f"→ {state}" in out
    code, out, _ = cli(capsys, "list", "--state", "closed", "--json")
    assert [row["reference"] for row in json.loads(out)] == [REF]
    code, out, _ = cli(capsys, "list", "--state", "submitted", "--json")
    assert json.loads(out) == []
    view = json.loads(cli(capsys, "show", REF, "--json")[1])
    assert {e["actor"] for e in view["history"][1:]} == {"frau.meier"}
    assert view["openQuestions"] == [3, 4, 5, 6, 7, 8, 9]
    assert view["history"][3]["at"] == "2021-06-14T00:00:00+02:00"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["decide", REF, "--result", "genehmigt"], "unbekanntes Beratungsergebnis 'genehmigt'"),
        (
            ["decide", REF, "--result", "approved"],
            "Schritt 'Beratung' ist im Zustand 'eingereicht' nicht möglich",
        ),
        (
            ["schedule", REF, "--item", "1", "--meeting", "31.06.2021"],
            "--meeting: '31.06.2021' ist kein gültiges Datum",
        ),
        (["close", REF, "--now", "gestern"], "--now: 'gestern' ist kein Zeitpunkt"),
        (["show", "Z 99/9999"], "Vorlage 'Z 99/9999' ist nicht erfasst"),
        (["list", "--state", "offen"], "--state 'offen': erlaubt sind"),
        (["report", REF, "--answers", "eins"], "--answers 'eins'"),
        (["decide", REF, "--result", "verwiesen"], "verwiesen: --to angeben"),
        (
            ["decide", REF, "--result", "verwiesen", "--to", "Rat", "--referral-role", "x"],
            "--referral-role 'x': erlaubt sind Entscheidung",
        ),
        (["request-report", REF, "--office", " "], "--office: zuständige Stelle fehlt"),
    ],
)
def test_bad_input_is_one_line_exit_2_and_changes_nothing(
    db_url: str,
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    message: str,
) -> None:
    cli(capsys, "import", EXAMPLE)
    before = snapshot(engine)
    code, _, err = cli(capsys, *args)
    assert code == 2
    assert len(err.strip().splitlines()) == 1, err
    assert message in err
    assert snapshot(engine) == before


def test_config_masks_the_database_password(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSFRIST_DATABASE_URL", "postgresql://ratsfrist:Geheim-123@db/ratsfrist")
    code, out, err = cli(capsys, "config")
    assert code == 0
    assert "Geheim-123" not in out + err
    assert "postgresql://ratsfrist:***@db/ratsfrist" in out


def test_broken_config_file_is_named_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    toml = tmp_path / "ratsfrist.toml"
    monkeypatch.setenv("RATSFRIST_CONFIG", str(toml))
    toml.write_text('body = "Stadt"\nmeeting_time = "25:99"\n')
    code, _, err = cli(capsys, "config")
    assert code == 2
    assert err.startswith(f"{toml}: Feld 'meeting_time'")
    toml.write_text('body = "Stadt\n')
    code, _, err = cli(capsys, "config")
    assert code == 2
    assert err.startswith(f"{toml}: ") and "line 1" in err
    toml.write_text('body = "Stadt Mülheim an der Ruhr"\n')
    code, out, _ = cli(capsys, "config")
    assert code == 0 and "body = Stadt Mülheim an der Ruhr" in out


def test_unknown_database_scheme_is_a_config_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSFRIST_DATABASE_URL", "mysql://x@y/z")
    code, _, err = cli(capsys, "list")
    assert code == 2
    assert err.startswith("RATSFRIST_DATABASE_URL: Feld 'database_url'")


def _python(code: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=60
    )


def test_help_and_show_never_import_prefect(db_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "RATSFRIST_DATABASE_URL": db_url}
    probe = (
        "import sys\nfrom flows.cli import run\n"
        f"codes = [run(['--help']), run(['import', {str(EXAMPLE)!r}]),"
        " run(['show', 'A 21/0500-01'])]\n"
        "assert codes == [0, 0, 0], codes\n"
        "assert 'prefect' not in sys.modules, 'prefect imported'\n"
    )
    done = _python(probe, env)
    assert done.returncode == 0, done.stderr
    assert "Kommunales Integrationsmanagement" in done.stdout


def test_console_script_exit_code_on_error(db_url: str) -> None:
    env = {**os.environ, "RATSFRIST_DATABASE_URL": db_url}
    done = _python(
        "import sys; sys.argv=['ratsfrist','--help']; from flows.cli import main; main()", env
    )
    assert done.returncode == 0
    assert "Fristen und Abläufe" in done.stdout
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv=['ratsfrist','show','X']; from flows.cli import main; main()",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert done.stderr.strip() == "Vorlage 'X' ist nicht erfasst"


def _malformed_cases() -> list[tuple[str, bytes, int, str]]:
    from tests.domain.test_intake import MALFORMED, _derived_cases

    return [*MALFORMED, *_derived_cases()]


@pytest.mark.parametrize(
    ("case", "data", "line", "reason"),
    _malformed_cases(),
    ids=[c[0] for c in _malformed_cases()],
)
def test_every_malformed_document_is_refused_and_stores_nothing(
    db_url: str,
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    case: str,
    data: bytes,
    line: int,
    reason: str,
) -> None:
    cli(capsys, "import", DATA / "anfrage-nummeriert.txt")  # something already there
    before = snapshot(engine)
    path = tmp_path / f"{case}.txt"
    path.write_bytes(data)
    code, out, err = cli(capsys, "import", path)
    assert code == 2
    assert out == ""
    assert err.strip() == f"{path}:{line}: " + err.strip().split(": ", 1)[1]
    assert reason in err
    assert snapshot(engine) == before
