"""Which PDF library reads a council PDF best: each candidate's text of the PDFs in this
folder through the parser, fields compared with the seed's; time per document.

    PYTHONPATH=. python tests/data/documents/measure_pdf.py
"""

from __future__ import annotations

import dataclasses
import io
import time
from collections.abc import Callable
from pathlib import Path

from models.domain.document import IntakeError, ParsedPaper
from models.domain.intake import parse_document
from tests.conftest import EXAMPLE

HERE = Path(__file__).resolve().parent


def _pypdf(data: bytes, layout: bool, vertical: bool = True) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    if not layout:
        return "\f".join(page.extract_text() for page in reader.pages)
    return "\f".join(
        page.extract_text(extraction_mode="layout", layout_mode_space_vertically=vertical)
        for page in reader.pages
    )


def _plumber(data: bytes, layout: bool) -> str:
    import pdfplumber

    with pdfplumber.open(io.BytesIO(data)) as pdf:
        return "\f".join(page.extract_text(layout=layout) or "" for page in pdf.pages)


def _pdfminer(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


CANDIDATES: dict[str, Callable[[bytes], str]] = {
    "pypdf": lambda d: _pypdf(d, False),
    "pypdf layout": lambda d: _pypdf(d, True),
    "pypdf layout, no vertical spacing": lambda d: _pypdf(d, True, False),
    "pdfplumber": lambda d: _plumber(d, False),
    "pdfplumber layout": lambda d: _plumber(d, True),
    "pdfminer.six": _pdfminer,
}


def wrong_fields(parsed: ParsedPaper, expected: ParsedPaper) -> list[str]:
    return [
        f.name
        for f in dataclasses.fields(ParsedPaper)
        if f.compare and getattr(parsed, f.name) != getattr(expected, f.name)
    ]


def main() -> None:
    expected = parse_document(EXAMPLE.read_bytes(), "seed")
    pdfs = sorted(p for p in HERE.glob("vorschlag*.pdf"))
    for name, extract in CANDIDATES.items():
        for pdf in pdfs:
            data = pdf.read_bytes()
            start = time.perf_counter()
            for _ in range(5):
                text = extract(data)
            per_doc = (time.perf_counter() - start) / 5
            try:
                parsed = parse_document(text, pdf.name)
                verdict = ", ".join(wrong_fields(parsed, expected)) or "alle Felder richtig"
            except IntakeError as exc:
                verdict = f"abgelehnt: {exc.reason[:70]}"
            print(f"{name:34} {pdf.name:18} {per_doc * 1000:7.1f} ms  {verdict}")


if __name__ == "__main__":
    main()
