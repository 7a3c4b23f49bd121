"""PDF and DOCX in, the same fields as the text out (issue 15, part 3). The files in
tests/data/documents were made from the seed text by make_documents.py (reportlab, python-docx,
LibreOffice); which PDF library reads them best was measured by measure_pdf.py."""

from __future__ import annotations

import io
import zipfile

import docx
import pytest

from models.domain.document import IntakeError
from models.domain.intake import parse_document
from models.domain.readers import NO_TEXT_LAYER, document_text
from tests.conftest import DATA, EXAMPLE

DOCUMENTS = DATA / "documents"
EXPECTED = parse_document(EXAMPLE.read_bytes(), "seed.txt")


@pytest.mark.parametrize("name", ["vorschlag.pdf", "vorschlag-lo.pdf", "vorschlag.docx"])
def test_pdf_and_docx_of_the_seed_yield_every_field(name: str) -> None:
    parsed = parse_document((DOCUMENTS / name).read_bytes(), name)
    assert parsed == EXPECTED
    # The same document as text, PDF or Word is the same content: importing the PDF after
    # the text reports it as already registered, not as a conflicting new version.
    assert parsed.content_hash == EXPECTED.content_hash


def test_a_page_header_and_footer_in_the_pdf_are_not_part_of_a_question() -> None:
    text = document_text((DOCUMENTS / "vorschlag.pdf").read_bytes(), "v.pdf")
    assert text is not None and "\f" in text and "Seite 1 von 2" in text
    parsed = parse_document((DOCUMENTS / "vorschlag.pdf").read_bytes(), "v.pdf")
    assert not any("Vorlage" in q or "Seite" in q for q in parsed.questions)


def test_a_scanned_pdf_is_refused_in_one_line() -> None:
    with pytest.raises(IntakeError) as info:
        parse_document((DOCUMENTS / "gescannt.pdf").read_bytes(), "scan.pdf")
    assert str(info.value) == f"scan.pdf:1: {NO_TEXT_LAYER}"


def test_the_format_is_told_by_content_not_by_name() -> None:
    pdf_as_txt = (DOCUMENTS / "vorschlag.pdf").read_bytes()
    docx_as_pdf = (DOCUMENTS / "vorschlag.docx").read_bytes()
    assert parse_document(pdf_as_txt, "vorschlag.txt") == EXPECTED
    assert parse_document(docx_as_pdf, "vorschlag.pdf") == EXPECTED


def _zip(names: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in names.items():
            archive.writestr(name, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF nicht lesbar"),
        ((DOCUMENTS / "vorschlag.pdf").read_bytes()[:3000], "PDF nicht lesbar"),
        (_zip({"mimetype": b"application/epub+zip"}), "kein Word-Dokument"),
        (_zip({"word/document.xml": b"<kaputt"}), "DOCX nicht lesbar"),
        (b"PK\x03\x04" + b"\x00" * 40, "nicht lesbar"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "Word-97-Datei"),
        (b"{\\rtf1\\ansi Vorschlag}", "RTF-Datei"),
    ],
    ids=["truncated-pdf", "cut-pdf", "zip", "broken-docx", "bad-zip", "doc", "rtf"],
)
def test_broken_or_unsupported_files_get_one_line(data: bytes, reason: str) -> None:
    with pytest.raises(IntakeError) as info:
        parse_document(data, "datei")
    assert info.value.line == 1 and reason in info.value.reason, str(info.value)
    assert "\n" not in str(info.value)


def _word_document(*, numbered: bool, tabs: bool) -> bytes:
    """A faction's Word file as typed: numbered questions, signatures set with tabs."""
    text = EXAMPLE.read_text(encoding="utf-8")
    head = text.split("\n- ", 1)[0]
    document = docx.Document()
    for paragraph in head.split("\n\n"):
        if paragraph.strip():
            joined = " ".join(paragraph.split())
            document.add_paragraph(joined if "Beschluss" in paragraph else paragraph.strip())
    style = "List Number" if numbered else "List Bullet"
    for question in EXPECTED.questions:
        document.add_paragraph(question, style=style)
    document.add_paragraph(f"Sachverhalt: {EXPECTED.reasoning}")
    people = EXPECTED.signatories
    signature = document.add_paragraph()
    for row in range(3):
        cells = [(p.name, p.function, p.faction)[row] for p in people]
        signature.add_run(("\t\t\t" if tabs else "     ").join(c or "" for c in cells))
        if row < 2:
            signature.add_run().add_break()
    document.add_paragraph("Anlagen:")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_a_word_file_with_numbered_questions_and_tab_separated_signatures() -> None:
    parsed = parse_document(_word_document(numbered=True, tabs=True), "fraktion.docx")
    assert parsed.questions == EXPECTED.questions
    assert parsed.resolution_proposal is not None
    assert "\n1. Welche Institutionen" in parsed.resolution_proposal
    assert "\n9. Wie sollen" in parsed.resolution_proposal
    assert [s.name for s in parsed.signatories] == ["Ingrid Tews", "Bernd Dickmann"]
    assert parsed.reference == EXPECTED.reference and parsed.consultations == EXPECTED.consultations
