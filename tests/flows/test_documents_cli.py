"""`ratsfrist import` on bad input (issue 15, part 2): a directory, a file that cannot be
read, values longer than their column - each one line `FILE: reason`, exit 2, nothing
stored; and the parser linear in the document's size."""

from __future__ import annotations

import gc
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from flows.cli import run
from models.domain import document
from models.domain.intake import parse_document
from models.store.tables import Organization, Paper
from tests.conftest import EXAMPLE, snapshot

SEED = EXAMPLE.read_text(encoding="utf-8")
ROW = "Sozialausschuss 15.06.2021 Ö Entscheidung"


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_the_parser_checks_the_column_lengths_of_the_tables() -> None:
    """The parser's limits are the columns' limits: a longer value would be a DataError on
    PostgreSQL (and silently stored on SQLite)."""
    assert Paper.__table__.c.reference.type.length == document.MAX_REFERENCE  # type: ignore[attr-defined]
    assert Paper.__table__.c.legal_basis.type.length == document.MAX_LEGAL_BASIS  # type: ignore[attr-defined]
    assert Organization.__table__.c.name.type.length == document.MAX_ORGANIZATION  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (("Nr.: A 21/0500-01", "Nr.: A " + "1" * 101), "Nummer der Vorlage zu lang"),
        (("gemäß der Geschäftsordnung", "gemäß " + "der " * 80), "Rechtsgrundlage zu lang"),
        ((ROW, "Ausschuss " + "x" * 200 + " 15.06.2021 Ö Entscheidung"), "Gremium zu lang"),
        (
            (
                ROW,
                "\n".join(
                    f"Haupt- und Finanzausschuss {i} 10.06.2021 Vorberatung" for i in range(3)
                )
                + "\nAusschuss ohne Datum und Rolle\nnoch eine Zeile\nund noch eine\n"
                + ROW,
            ),
            "Beratungsfolge nicht lesbar",
        ),
    ],
)
def test_over_long_values_are_one_line_naming_the_field(
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    change: tuple[str, str],
    field: str,
) -> None:
    path = tmp_path / "lang.txt"
    path.write_text(SEED.replace(*change), encoding="utf-8")
    before = snapshot(engine)
    code, out, err = _cli(capsys, "import", path, "--now", "2021-06-07T10:00")
    assert code == 2
    assert err.startswith(f"{path}:") and field in err, err
    assert err.count("\n") == 1 and "Traceback" not in out + err
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("directory", "ist ein Verzeichnis ohne Dateien"),
        ("missing", "Datei nicht gefunden"),
        ("/proc/self/mem", "Lesefehler"),  # a regular file whose read fails with EIO
        ("fifo", "keine gewöhnliche Datei"),
    ],
)
def test_a_file_that_cannot_be_read_is_named_with_the_reason(
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    target: str,
    reason: str,
) -> None:
    import os

    paths = {
        "directory": tmp_path / "leer",
        "missing": tmp_path / "fehlt.txt",
        "fifo": tmp_path / "pipe",
        "/proc/self/mem": Path("/proc/self/mem"),
    }
    path = paths[target]
    if target == "fifo":
        os.mkfifo(path)
    if target == "directory":
        path.mkdir()
    before = snapshot(engine)
    code, out, err = _cli(capsys, "import", path, EXAMPLE, "--now", "2021-06-07T10:00")
    assert code == 2
    first, *rest = err.splitlines()
    assert first == f"{path}: {reason}" or first.startswith(f"{path}: {reason}"), err
    assert not rest and "Traceback" not in out + err and "Usage" not in out + err
    # The good file next to it is still taken in.
    assert "A 21/0500-01" in out
    assert snapshot(engine) != before


def _with_rows(count: int) -> bytes:
    rows = "\n".join(
        f"Ausschuss für Stadtentwicklung Nr. {i} 15.06.2021 Ö Vorberatung" for i in range(count)
    )
    return SEED.replace(ROW, rows + "\n" + ROW).encode()


def _best_of_three(data: bytes) -> float:
    """The fastest of three runs, the garbage collector off: its passes over the many row
    objects add noise that is no property of the parser."""
    times = []
    gc.collect()
    gc.disable()
    try:
        for _ in range(3):
            start = time.perf_counter()
            parse_document(data, "gross.txt")
            times.append(time.perf_counter() - start)
    finally:
        gc.enable()
    return min(times)


def test_parsing_is_linear_in_the_number_of_rows() -> None:
    """4,000 Beratungsfolge rows took 19 s (each line re-joined all before it). Eight times
    the rows may take at most ~20 times as long (quadratic would be 64 times)."""
    small, large = _with_rows(1000), _with_rows(8000)
    assert len(parse_document(large, "x").consultations) == 8001
    ratio = _best_of_three(large) / _best_of_three(small)
    print(f"\n1000 → 8000 Zeilen: Zeit × {ratio:.1f}")
    assert ratio < 20


def test_a_two_megabyte_document_is_parsed_whole() -> None:
    """A document at the size limit is read to its last row (the seconds are in make bench:
    bench/intake.py `two_mb_parse_s`, target under 1 s; the test above checks linearity)."""
    rows = "\n".join(
        f"Ausschuss für Stadtentwicklung, Umwelt, Verkehr und Digitalisierung Nr. {i} "
        "15.06.2021 Ö Vorberatung"
        for i in range(19_000)
    )
    data = SEED.replace(ROW, rows + "\n" + ROW).encode()
    assert 1_900_000 < len(data) <= document.MAX_BYTES
    parsed = parse_document(data, "gross.txt")
    assert len(parsed.consultations) == 19_001
    assert parsed.consultations[-1].organization == "Sozialausschuss"


def test_import_reads_pdf_and_docx_and_knows_them_for_the_same_document(
    engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The PDF from the RIS, then the faction's Word file of the same motion (named '.txt':
    the content decides), then a scan: registered once, recognised, refused in one line."""
    documents = EXAMPLE.parents[2] / "tests" / "data" / "documents"
    word_as_txt = tmp_path / "antrag.txt"
    word_as_txt.write_bytes((documents / "vorschlag.docx").read_bytes())
    code, out, err = _cli(
        capsys, "import", documents / "vorschlag.pdf", "--now", "2021-06-07T10:00"
    )
    assert code == 0 and "A 21/0500-01\tneu erfasst" in out, err
    code, out, err = _cli(
        capsys,
        "import",
        word_as_txt,
        documents / "gescannt.pdf",
        "--now",
        "2021-06-07T10:00",
    )
    assert code == 2
    assert "A 21/0500-01\tunverändert, bereits erfasst" in out
    assert err == f"{documents / 'gescannt.pdf'}:1: keine Textebene – bitte OCR oder Textfassung\n"


REAL = EXAMPLE.parents[2] / "tests" / "data" / "documents" / "real"


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("wels-verhandlungsschrift-gemeinderat-2022-04-04.pdf", "Niederschrift einer Sitzung"),
        ("erlangen-stbr-buechenbach-niederschrift-2023-06-15.pdf", "Niederschrift einer Sitzung"),
        ("wandsbek-fdp-rede-aktuelle-stunde-2022-09-08.pdf", "unbekanntes Format"),
        ("erlangen-stbr-buechenbach-einladung-2024-04-24.pdf", "Einladung zu einer Sitzung"),
        ("wels-einladung-gemeinderat-2022-03-07.pdf", "Einladung zu einer Sitzung"),
    ],
)
def test_a_real_pdf_that_is_no_motion_is_one_line_exit_2_and_nothing_stored(
    engine: Engine, capsys: pytest.CaptureFixture[str], name: str, reason: str
) -> None:
    """Real files a town has next to its motions (minutes, invitations, a speech): before
    the minutes fix, the two sets of minutes were stored as an Antrag and a Vorschlag in
    review; the invitations were refused as 'unbekanntes Format' or 'weder
    Beschlussvorschlag …', not as what they are."""
    path = REAL / name
    before = snapshot(engine)
    code, out, err = _cli(capsys, "import", path, "--now", "2023-07-01T10:00")
    assert code == 2
    assert err.startswith(f"{path}:") and reason in err, err
    assert err.count("\n") == 1 and "Traceback" not in out + err
    assert snapshot(engine) == before
