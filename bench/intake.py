"""Intake speed: `python -m bench.intake URL N` – N documents (variants of the real example)
parsed, and parsed and stored, one transaction each. Prints JSON."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from models.db import ensure_schema, make_engine, session_scope
from models.intake import parse_document
from models.rules import default_rules
from models.services import import_paper
from models.timeutil import system_clock

EXAMPLE = (
    Path(__file__).resolve().parent.parent / "flows" / "examples" / "vorschlag-A-21-0500-01.txt"
)


def main() -> None:
    url, n = sys.argv[1], int(sys.argv[2])
    text = EXAMPLE.read_text(encoding="utf-8")
    docs = [text.replace("A 21/0500-01", f"A 21/{i:04d}-01").encode() for i in range(n)]
    t0 = time.perf_counter()
    parsed = [parse_document(d, f"v{i}.txt") for i, d in enumerate(docs)]
    parse_s = time.perf_counter() - t0
    engine = make_engine(url)
    ensure_schema(engine)
    rules = default_rules()
    now = system_clock()
    t1 = time.perf_counter()
    for paper in parsed:
        with session_scope(engine) as session:
            import_paper(session, paper, body_name="Kommune", now=now, actor="bench", rules=rules)
    store_s = time.perf_counter() - t1
    print(
        json.dumps(
            {
                "documents": n,
                "parse_per_s": n / parse_s,
                "parse_and_store_per_s": n / (parse_s + store_s),
            }
        )
    )


if __name__ == "__main__":
    main()
