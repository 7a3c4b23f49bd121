"""Intake speed: `python -m bench.intake URL N [M]` – N documents (variants of the real example)
parsed; parsed and stored in batches of 500 (as `ratsfrist import` stores many files); and
stored one transaction each (one file, or a Prefect flow run per document). M copies of the
seed as PDF and as DOCX (default N/10: they are read 50–100× slower than text) the same way,
beside their floors. Prints JSON."""

from __future__ import annotations

import contextlib
import importlib.util
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

from flows.app import BATCH
from models.domain.document import IntakeError
from models.domain.intake import parse_document
from models.domain.oparl import parse_page
from models.domain.readers import document_text
from models.domain.timeutil import system_clock
from models.services.intake import import_paper
from models.services.intake_batch import import_batch
from models.services.oparl_store import OParlStore
from models.store.db import ensure_schema, make_engine, session_scope
from models.store.profiles import default_rules

EXAMPLE = (
    Path(__file__).resolve().parent.parent / "flows" / "examples" / "vorschlag-A-21-0500-01.txt"
)


def main() -> None:
    url, n = sys.argv[1], int(sys.argv[2])
    m = int(sys.argv[3]) if len(sys.argv) > 3 else max(10, n // 10)
    text = EXAMPLE.read_text(encoding="utf-8")
    docs = [text.replace("A 21/0500-01", f"A 21/{i:04d}-01").encode() for i in range(n)]
    t0 = time.perf_counter()
    parsed = [parse_document(d, f"v{i}.txt") for i, d in enumerate(docs)]
    parse_s = time.perf_counter() - t0
    engine = make_engine(url)
    ensure_schema(engine)
    rules = default_rules()
    now = system_clock()
    one = parsed[: max(1, n // 5)]  # one by one is slow: a fifth of them is enough to time
    t1 = time.perf_counter()
    for paper in one:
        with session_scope(engine) as session:
            import_paper(session, paper, body_name="Kommune", now=now, actor="bench", rules=rules)
    single_s = (time.perf_counter() - t1) / len(one)
    t2 = time.perf_counter()
    batch = [parse_document(d, f"b{i}.txt") for i, d in enumerate(docs)]
    for start in range(0, n, BATCH):
        with session_scope(engine) as session:
            import_batch(
                session,
                batch[start : start + BATCH],
                body_name="Stapel",
                now=now,
                actor="bench",
                rules=rules,
            )
    batch_s = time.perf_counter() - t2
    print(
        json.dumps(
            {
                "documents": n,
                "parse_per_s": n / parse_s,
                "parse_and_store_per_s": n / batch_s,
                "one_by_one_per_s": 1 / (parse_s / n + single_s),
                "oparl_papers_per_s": oparl_intake(engine, n, now),
                **real_layouts(n),
                "pdf": office_intake(engine, "pdf", m, now),
                "docx": office_intake(engine, "docx", m, now),
                "two_mb_parse_s": two_megabytes(text),
            }
        )
    )


REAL = Path(__file__).resolve().parent.parent / "tests" / "data" / "documents"


def two_megabytes(text: str) -> float:
    """Seconds to parse a 2 MB document (19,000 Beratungsfolge rows; the size limit is 2 MB),
    best of three: the target is under a second (issue 15, 5). A test checks that it parses
    and that the time grows linearly; the seconds themselves are measured here."""
    row = "Sozialausschuss 15.06.2021 Ö Entscheidung"
    rows = "\n".join(
        f"Ausschuss für Stadtentwicklung, Umwelt, Verkehr und Digitalisierung Nr. {i} "
        "15.06.2021 Ö Vorberatung"
        for i in range(19_000)
    )
    data = text.replace(row, rows + "\n" + row, 1).encode()
    best = float("inf")
    for _ in range(3):
        t = time.perf_counter()
        parse_document(data, "gross.txt")
        best = min(best, time.perf_counter() - t)
    return best


def real_layouts(n: int) -> dict[str, float]:
    """Parse-only speed of the other layouts: the real documents' texts (RIS pages, forms,
    faction letters; the free-form reader) and the saved RIS pages (HTML), each cycled to n."""
    result: dict[str, float] = {}
    for key, files in (
        ("freeform_parse_per_s", sorted((REAL / "real").glob("*.txt"))),
        ("html_parse_per_s", sorted(REAL.glob("real-*.html"))),
    ):
        data = [path.read_bytes() for path in files]
        t = time.perf_counter()
        for i in range(n):
            # refused documents are part of the mix: they cost a parse too
            with contextlib.suppress(IntakeError):
                parse_document(data[i % len(data)], "bench", received=date(2020, 1, 1))
        result[key] = n / (time.perf_counter() - t)
    return result


SEED_REFERENCE = "A 21/0500-01"


def office_variants(kind: str, m: int) -> tuple[list[bytes], float]:
    """m copies of the seed as PDF (reportlab) or DOCX (python-docx), each with its own
    reference, written by the code that wrote the test files (make_documents.py) from the
    seed text with the reference changed - the files differ as a town's files do, not just
    in a byte after extraction. Also the seconds it took to make them."""
    spec = importlib.util.spec_from_file_location("make_documents", REAL / "make_documents.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    write = module.write_pdf if kind == "pdf" else module.write_docx
    seed = EXAMPLE.read_text(encoding="utf-8")
    files = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="ratsfrist-bench-") as tmp:
        text, target = Path(tmp) / "seed.txt", Path(tmp) / f"seed.{kind}"
        vars(module)["SEED"] = text  # _blocks() reads the seed from here
        for i in range(m):
            text.write_text(seed.replace(SEED_REFERENCE, f"A 21/{i:04d}-01"), encoding="utf-8")
            write(target)
            files.append(target.read_bytes())
    return files, time.perf_counter() - started


def office_intake(engine: Any, kind: str, m: int, now: Any) -> dict[str, float]:
    """PDF or DOCX intake in documents/s: the library's text extraction alone (pdfplumber
    layout text, python-docx), the reader alone on that text, parse alone (extraction and
    reader: the floor of intake) and parse and store in batches as `ratsfrist import FOLDER`
    does (flows.app.submit_documents; its storing part timed too), all in this process on
    the same files, so the table shows where the time goes."""
    files, made_s = office_variants(kind, m)
    names = [f"v{i}.{kind}" for i in range(m)]
    t0 = time.perf_counter()
    texts = [document_text(data, name) or "" for data, name in zip(files, names, strict=True)]
    extract_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for text, name in zip(texts, names, strict=True):
        parse_document(text, name)
    reader_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    parsed = [parse_document(data, name) for data, name in zip(files, names, strict=True)]
    parse_s = time.perf_counter() - t1
    # a wrong or doubtful parse would time a different path: every copy must read as the seed
    for i, paper in enumerate(parsed):
        assert paper.reference == f"A 21/{i:04d}-01" and not paper.uncertain, (names[i], paper)
    rules = default_rules()
    store_only_s = 0.0
    t2 = time.perf_counter()
    batch = [parse_document(data, name) for data, name in zip(files, names, strict=True)]
    for start in range(0, m, BATCH):
        t3 = time.perf_counter()
        with session_scope(engine) as session:
            outcomes = import_batch(
                session,
                batch[start : start + BATCH],
                body_name=f"Stapel {kind.upper()}",
                now=now,
                actor="bench",
                rules=rules,
            )
            assert all(o.created and not o.error for o in outcomes)
        store_only_s += time.perf_counter() - t3
    store_s = time.perf_counter() - t2
    return {
        "documents": m,
        "make_ms": made_s / m * 1000,
        "extract_per_s": m / extract_s,
        "reader_per_s": m / reader_s,
        "store_per_s": m / store_only_s,
        "parse_per_s": m / parse_s,
        "parse_and_store_per_s": m / store_s,
    }


def oparl_intake(engine: Any, n: int, now: Any) -> float:
    """OParl papers (two consultations each, on a published agenda) read and stored in list
    pages of 100, one transaction per page, as the sync stores them."""
    base = "https://ris.example/oparl"
    t = "https://schema.oparl.org/1.1/"
    orgs = [
        {"id": f"{base}/org/{k}", "type": t + "Organization", "name": name}
        for k, name in (("so", "Sozialausschuss"), ("rat", "Rat"))
    ]
    meetings = [
        {
            "id": f"{base}/meeting/{k}",
            "type": t + "Meeting",
            "start": start,
            "organization": [f"{base}/org/{k}"],
        }
        for k, start in (("so", "2031-06-10T17:00:00+02:00"), ("rat", "2031-06-24T16:00:00+02:00"))
    ]
    papers = [
        {
            "id": f"{base}/paper/{i}",
            "type": t + "Paper",
            "reference": f"OP 31/{i:05d}",
            "name": f"Antrag {i}",
            "paperType": "Antrag",
            "date": "2031-05-02",
            "consultation": [
                {
                    "id": f"{base}/consultation/{i}-{k}",
                    "type": t + "Consultation",
                    "organization": [f"{base}/org/{k}"],
                    "meeting": f"{base}/meeting/{k}",
                    "authoritative": k == "rat",
                    "role": "Entscheidung" if k == "rat" else "Vorberatung",
                }
                for k in ("so", "rat")
            ],
        }
        for i in range(n)
    ]
    rules = default_rules()
    with session_scope(engine) as session:
        body = OParlStore.body_for(session, None, "OParl-Kommune")
        store = OParlStore(session, body, now=now, rules=rules)
        for obj in parse_page({"data": orgs + meetings}, "setup").objects:
            store.apply(obj)
    started = time.perf_counter()
    for first in range(0, n, 100):
        page = parse_page({"data": papers[first : first + 100]}, f"page {first // 100}")
        with session_scope(engine) as session:
            store = OParlStore(session, body, now=now, rules=rules)
            for obj in page.objects:
                store.apply(obj)
    return n / (time.perf_counter() - started)


if __name__ == "__main__":
    main()
