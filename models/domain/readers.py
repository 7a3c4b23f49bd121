"""Readers for the files staff actually have: the PDF from the council information system
and the Word file a faction sent. Bytes in, text out; the parser (models.domain.intake)
then reads the text as it reads a text file. Pure: the libraries parse bytes in memory.

Dispatch is by content (magic bytes), never by the file name: a PDF saved as '.txt' or
a DOCX renamed '.pdf' is still read as what it is.

Why pdfplumber with layout=True: measured on PDFs made from the seed document
(tests/data/documents/measure_pdf.py; reportlab and LibreOffice output), it is the only
candidate that read both with every field right - it keeps the reading order and the gaps
between the columns of the signature block and the Beratungsfolge. pypdf's layout mode
was right on one and merged two table rows of LibreOffice's PDF; plain pypdf, plain
pdfplumber and pdfminer.six lose the columns (refused, never silently wrong).
"""

from __future__ import annotations

import io
import zipfile
from typing import Any

from models.domain.document import IntakeError
from models.domain.html_text import html_text, is_html

MAX_FILE_BYTES = 30_000_000
"""A PDF or DOCX larger than this is refused before a library reads it."""
MAX_PAGES = 200

_PDF = b"%PDF"
_ZIP = b"PK\x03\x04"
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
NO_TEXT_LAYER = "keine Textebene – bitte OCR oder Textfassung"
SCATTERED_TEXT_LAYER = (
    "Textebene unlesbar (Zeichen verstreut, z. B. gedrehter Text) – bitte OCR oder Textfassung"
)
SCATTERED_MIN_WORDS = 50
"""Fewer words than this are never called scattered: a rotated stamp or a page number in
the margin of an otherwise readable page must not refuse the document."""
SCATTERED_SHARE = 0.5
"""Share of "words" of one or two characters above which the text layer is scattered.
Measured (2026-11-30): 0.80 on the Wandsbek PDF whose rotated table comes out letter by
letter, 0.05 to 0.15 on every other PDF of tests/data/documents (German prose: "zu", "im",
"§", Ö/N columns)."""


def document_text(data: bytes, source: str) -> str | None:
    """The text of a PDF, DOCX or saved RIS page (HTML), or None for anything else (read as
    a text file).
    Formats that are recognised but not read are refused with what to do instead."""
    head = data[:1024].lstrip()
    if data.startswith(_PDF) or head.startswith(_PDF):
        return pdf_text(data, source)
    if data.startswith(_ZIP):
        return docx_text(data, source)
    if data.startswith(_OLE):
        raise IntakeError(source, 1, "Word-97-Datei (.doc): bitte als DOCX oder PDF speichern")
    if head[:5].lower() == b"{\\rtf":
        raise IntakeError(source, 1, "RTF-Datei: bitte als DOCX, PDF oder Text speichern")
    if is_html(data):
        return html_text(data, source)
    return None


def _check_size(data: bytes, source: str, kind: str) -> None:
    if len(data) > MAX_FILE_BYTES:
        raise IntakeError(
            source, 1, f"{kind} zu groß ({len(data)} Bytes, höchstens {MAX_FILE_BYTES})"
        )


def pdf_text(data: bytes, source: str) -> str:
    """Each page's text with its layout (columns as runs of spaces), pages joined by form
    feeds so that page headers and footers can be recognised."""
    _check_size(data, source, "PDF")
    import pdfplumber
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfminer.psparser import PSException

    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > MAX_PAGES:
                raise IntakeError(
                    source, 1, f"PDF mit {len(pdf.pages)} Seiten (höchstens {MAX_PAGES})"
                )
            pages = [page.extract_text(layout=True) or "" for page in pdf.pages]
    except IntakeError:
        raise
    except (PDFSyntaxError, PSException, ValueError, KeyError, TypeError, OSError) as exc:
        raise IntakeError(source, 1, f"PDF nicht lesbar ({type(exc).__name__})") from None
    except Exception as exc:  # pdfminer raises many kinds on broken or encrypted files
        reason = "verschlüsselt" if "crypt" in type(exc).__name__.lower() else "beschädigt"
        raise IntakeError(source, 1, f"PDF nicht lesbar ({reason})") from None
    text = "\f".join(pages)
    if not text.strip():
        raise IntakeError(source, 1, NO_TEXT_LAYER)
    if scattered(text):
        raise IntakeError(source, 1, SCATTERED_TEXT_LAYER)
    return text


def scattered(text: str) -> bool:
    """Whether a PDF's text layer is letters strewn over the page rather than lines: text
    set rotated or along a curve come out of pdfplumber one or two characters at a time. The
    parser would then refuse it as "unbekanntes Format", which tells staff the file is no
    motion, when what it needs is OCR or a text version - or, worse, read fragments."""
    words = text.split()
    if len(words) < SCATTERED_MIN_WORDS:
        return False
    return sum(len(word) <= 2 for word in words) / len(words) > SCATTERED_SHARE


def docx_text(data: bytes, source: str) -> str:
    """Paragraphs separated by blank lines, list paragraphs with their marker ('- ' or the
    number; Word keeps it outside the text), tables as rows of cells set apart by spaces
    (a borderless table is how Word users lay out a signature block)."""
    _check_size(data, source, "DOCX")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            if "word/document.xml" not in archive.namelist():
                raise IntakeError(
                    source, 1, "ZIP-Archiv, aber kein Word-Dokument (DOCX) – Format unbekannt"
                )
    except zipfile.BadZipFile:
        raise IntakeError(source, 1, "DOCX/ZIP nicht lesbar (beschädigt)") from None
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document: Any = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError, ValueError, lxml errors …
        raise IntakeError(source, 1, f"DOCX nicht lesbar ({type(exc).__name__})") from None
    blocks: list[str] = []
    numbers: dict[str, int] = {}
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            paragraph = Paragraph(child, document)
            text = paragraph.text
            marker = _list_marker(paragraph, numbers)
            if marker is None:
                numbers.clear()
            blocks.append(f"{marker} {text}" if marker and text.strip() else text)
        elif tag == "tbl":
            table = Table(child, document)
            rows = [
                "    ".join(" ".join(c.text.split()) for c in _cells(row)) for row in table.rows
            ]
            blocks.append("\n".join(rows))
    return "\n\n".join(blocks)


def _cells(row: Any) -> list[Any]:
    """A row's cells, a merged cell once (python-docx repeats it for every grid column)."""
    seen: list[Any] = []
    for cell in row.cells:
        if not seen or cell._tc is not seen[-1]._tc:
            seen.append(cell)
    return seen


def _list_marker(paragraph: Any, numbers: dict[str, int]) -> str | None:
    """'- ' for a bullet, 'n.' for a numbered list paragraph, None for ordinary text."""
    style = (paragraph.style.name or "") if paragraph.style is not None else ""
    properties = paragraph._p.pPr
    numbered = properties is not None and properties.numPr is not None
    if not numbered and not style.startswith("List"):
        return None
    if "Number" in style or _num_format(paragraph) not in (None, "bullet", "none"):
        key = style or "numbered"
        numbers[key] = numbers.get(key, 0) + 1
        return f"{numbers[key]}."
    return "-"


def _num_format(paragraph: Any) -> str | None:
    """The numbering format ('bullet', 'decimal', …) of a paragraph's direct numbering."""
    properties = paragraph._p.pPr
    if properties is None or properties.numPr is None or properties.numPr.numId is None:
        return None
    try:
        numbering = paragraph.part.numbering_part.element
    except (KeyError, NotImplementedError, AttributeError):
        return None
    num_id = properties.numPr.numId.val
    level = properties.numPr.ilvl.val if properties.numPr.ilvl is not None else 0
    w = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    for num in numbering.iterchildren(f"{w}num"):
        if num.get(f"{w}numId") != str(num_id):
            continue
        abstract = num.find(f"{w}abstractNumId").get(f"{w}val")
        for definition in numbering.iterchildren(f"{w}abstractNum"):
            if definition.get(f"{w}abstractNumId") != abstract:
                continue
            for lvl in definition.iterchildren(f"{w}lvl"):
                if lvl.get(f"{w}ilvl") == str(level):
                    fmt = lvl.find(f"{w}numFmt")
                    return fmt.get(f"{w}val") if fmt is not None else None
    return None
