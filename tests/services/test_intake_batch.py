"""The batch intake writes what one-by-one intake writes, row for row, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from flows.cli import run
from models.domain.document import Uncertainty
from models.domain.errors import InvalidInput
from models.domain.intake import ParsedPaper, parse_document
from models.services import intake as services
from models.services.intake_batch import import_batch
from models.store.db import session_scope
from tests.conftest import DATA, EXAMPLE, snapshot

NOW = datetime(2021, 6, 8, 9, 30, tzinfo=UTC)


def _documents() -> list[ParsedPaper]:
    """Real documents and variants of the example: a new meeting day, in time and late for
    their meeting, a copy of one in the same batch, and one that contradicts a stored one.
    (The late one comes after the new meeting day: a batch names the next reachable meeting
    as of all its documents, one by one only as of those before.)"""
    text = EXAMPLE.read_text(encoding="utf-8")
    variants = [
        text,
        text.replace("A 21/0500-01", "A 21/0502-01").replace("15.06.2021", "29.06.2021"),
        text.replace("A 21/0500-01", "A 21/0501-01").replace("07.06.2021", "10.06.2021"),
        text.replace("A 21/0500-01", "A 21/0503-01").replace(
            "Status: öffentlich", "Status: nichtöffentlich"
        ),
        text,  # the same again
        text.replace("Kommunales Integrationsmanagement\n", "Integrationsmanagement\n", 1),
    ]
    docs = [parse_document(v.encode(), f"v{i}.txt") for i, v in enumerate(variants)]
    docs += [parse_document(path.read_bytes(), path.name) for path in sorted(DATA.glob("*.txt"))]
    # Documents that do not go straight to `submitted` (issue 15): one the reader doubted,
    # a faction's letter without number and Beratungsfolge (twice: the same motion), and a
    # complete one after them that must see the database as one by one does.
    doubted = replace(
        docs[0],
        reference="A 21/0504-01",
        uncertain=(Uncertainty("questions", "Aufzählungszeichen unbekannt"),),
        source="zweifel.txt",
    )
    letter = replace(docs[0], reference="", consultations=(), name="Mehr Bänke", source="brief.txt")
    docs += [doubted, letter, replace(letter, source="brief-nochmal.txt")]
    docs.append(replace(docs[0], reference="A 21/0505-01", source="danach.txt"))
    # the letter's numbered document, with its Beratungsfolge: completes the letter
    docs.append(replace(docs[0], reference="A 21/0506-01", name="Mehr Bänke", source="nr.txt"))
    return docs


def _empty(engine: Engine) -> None:
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            tables = ", ".join(f'"{t.name}"' for t in SQLModel.metadata.sorted_tables)
            connection.execute(sa.text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(SQLModel.metadata.sorted_tables):
                connection.execute(table.delete())


def test_batch_and_one_by_one_write_the_same_rows(engine: Engine) -> None:
    docs = _documents()
    assert docs[5].reference == docs[0].reference and docs[5] != docs[0]
    one_by_one = []
    for parsed in docs:
        try:
            with session_scope(engine) as session:
                outcome = services.import_paper(
                    session, parsed, body_name="Stadt", now=NOW, actor="t"
                )
                one_by_one.append(
                    (outcome.created, outcome.timeliness and outcome.timeliness.sentence())
                )
        except InvalidInput as exc:
            one_by_one.append((False, str(exc)))
    expected = snapshot(engine)
    _empty(engine)
    with session_scope(engine) as session:
        outcomes = import_batch(session, docs, body_name="Stadt", now=NOW, actor="t")
    assert snapshot(engine) == expected
    assert [
        (o.created, o.error or (o.timeliness and o.timeliness.sentence())) for o in outcomes
    ] == one_by_one
    assert [o.created for o in outcomes] == [
        *(True, True, True, True, False, False, True, True),
        *(True, True, False, True, False),
    ]
    assert [o.state for o in outcomes[-5:]] == [
        "in_review",
        "awaiting_assignment",
        "awaiting_assignment",
        "submitted",
        "submitted",
    ]
    assert outcomes[-4].reference == outcomes[-3].reference == "E 2021/0001"
    assert outcomes[-1].reference == "A 21/0506-01" and outcomes[-1].intake_number == "E 2021/0001"
    assert outcomes[-5].uncertain == (
        {"field": "questions", "reason": "Aufzählungszeichen unbekannt"},
    )
    # the two data documents name committees the body does not know after the first: review
    assert [o.state for o in outcomes[6:8]] == ["in_review", "in_review"]
    late = outcomes[2].timeliness
    assert late and late.sentence().endswith("nächste erreichbare Sitzung: 29.06.2021")


def test_a_second_batch_knows_the_first(engine: Engine) -> None:
    docs = _documents()
    with session_scope(engine) as session:
        import_batch(session, docs[:2], body_name="Stadt", now=NOW, actor="t")
    before = snapshot(engine)
    with session_scope(engine) as session:
        again = import_batch(session, docs[:2], body_name="Stadt", now=NOW, actor="t")
    assert [o.created for o in again] == [False, False]
    assert again[0].timeliness is not None and again[0].timeliness.in_time
    assert snapshot(engine) == before


def test_the_cli_imports_many_files_as_a_batch_and_refuses_only_the_bad_ones(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    files = []
    for i in range(30):
        path = tmp_path / f"v{i:02d}.txt"
        path.write_text(text.replace("A 21/0500-01", f"A 21/{600 + i:04d}-01"), encoding="utf-8")
        files.append(str(path))
    broken = tmp_path / "kaputt.txt"
    broken.write_text("Das ist keine Vorlage.\n", encoding="utf-8")
    files.insert(3, str(broken))
    assert run(["import", *files, "--now", "2021-06-07T10:15"]) == 2
    out, err = capsys.readouterr()
    assert out.count("neu erfasst") == 30
    assert len(err.strip().splitlines()) == 1 and "kaputt.txt" in err
    assert "A 21/0600-01\tneu erfasst" in out
    assert "Antragsfrist: rechtzeitig für Sozialausschuss am 15.06.2021" in out
    assert run(["list", "--json"]) == 0
    assert capsys.readouterr().out.count('"reference"') == 30
