"""Writes the PDF and DOCX files in this folder from the seed text (flows/examples/
vorschlag-A-21-0500-01.txt), so that what the tests read can be made again:

    PYTHONPATH=. python tests/data/documents/make_documents.py [--libreoffice]

- vorschlag.docx      python-docx: paragraphs, Word bullets (List Bullet, no bullet
                      character in the text), the signatures in a borderless two-column table
- vorschlag.pdf       reportlab: a text layer laid out like the RIS print (Beratungsfolge in
                      columns, a page break inside the questions with a page header and a
                      'Seite 1 von 2' footer, the two-column signature block)
- vorschlag-lo.pdf    LibreOffice's PDF of vorschlag.docx (--libreoffice; needs soffice)
- gescannt.pdf        a page that is only an image: no text layer
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = HERE.parents[2] / "flows" / "examples" / "vorschlag-A-21-0500-01.txt"


def _blocks() -> tuple[list[str], list[str], list[tuple[str, str]], list[str]]:
    """(lines before the questions, questions, signature columns, lines after)."""
    text = SEED.read_text(encoding="utf-8")
    head, rest = text.split("\n- ", 1)
    questions_text, tail = rest.split("\n Sachverhalt:", 1)
    questions = [" ".join(q.split()) for q in ("- " + questions_text).split("\n- ")]
    questions = [q.removeprefix("- ") for q in questions]
    reasoning, signatures = tail.split("\n\nIngrid", 1)
    rows = [line for line in ("Ingrid" + signatures).split("\n") if line.strip()][:3]
    columns = [tuple(part.strip() for part in row.split("  ") if part.strip()) for row in rows]
    pairs = [(c[0], c[1]) for c in columns]
    return head.split("\n"), questions, pairs, ["Sachverhalt:" + reasoning]


def write_docx(path: Path) -> None:
    import docx
    from docx.shared import Pt

    head, questions, signatures, tail = _blocks()
    document = docx.Document()
    style = document.styles["Normal"]
    style.font.name = "Arial"  # type: ignore[attr-defined]
    style.font.size = Pt(11)  # type: ignore[attr-defined]
    start = next(i for i, line in enumerate(head) if line.startswith("Beschlussvorschlag"))
    for line in head[:start]:
        if line.strip() and not line.startswith(("Gremium", "Sozialausschuss")):
            document.add_paragraph(line.strip())
        if line.startswith("Beratungsfolge"):
            table = document.add_table(rows=2, cols=4)
            for i, cell in enumerate(("Gremium", "Datum", "Status", "Zuständigkeit")):
                table.cell(0, i).text = cell
            for i, cell in enumerate(("Sozialausschuss", "15.06.2021", "Ö", "Entscheidung")):
                table.cell(1, i).text = cell
    document.add_paragraph(" ".join(line.strip() for line in head[start:] if line.strip()))
    for question in questions:
        document.add_paragraph(question, style="List Bullet")
    document.add_paragraph(" ".join(" ".join(tail).split()))
    table = document.add_table(rows=3, cols=2)
    for row, (left, right) in enumerate(signatures):
        table.cell(row, 0).text = left
        table.cell(row, 1).text = right
    document.add_paragraph("Anlagen:")
    document.save(str(path))


def write_pdf(path: Path) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    for candidate in ("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",):
        if Path(candidate).exists():
            pdfmetrics.registerFont(TTFont("DejaVu", candidate))
            font = "DejaVu"
    head, questions, signatures, tail = _blocks()
    pdf = canvas.Canvas(str(path), pagesize=A4)
    height = A4[1]
    y = height - 60

    def line(text: str, x: float = 60, size: int = 10) -> None:
        nonlocal y
        pdf.setFont(font, size)
        pdf.drawString(x, y, text)

    def down(step: float = 14) -> None:
        nonlocal y
        y -= step

    for text in head:
        if text.startswith("Gremium"):
            for x, cell in zip((60, 260, 340, 400), text.split(":")[:4], strict=False):
                line(cell.strip() + ":", x)
            down()
        elif text.startswith("Sozialausschuss"):
            for x, cell in zip((60, 260, 340, 400), text.split(), strict=False):
                line(cell, x)
            down()
        elif text.strip():
            line(text.strip())
            down()
        else:
            down(8)
    for number, question in enumerate(questions):
        if number == 5:  # page break inside the list, with header and footer
            line("Seite 1 von 2", 270, 8)
            pdf.showPage()
            y = height - 40
            line("Vorlage A 21/0500-01", 60, 8)
            down(30)
        words, current = question.split(), "-"
        for word in words:
            if len(current) + len(word) > 85:
                line(current)
                down()
                current = ""
            current = f"{current} {word}".strip()
        line(current)
        down()
    for paragraph in tail:
        words, current = paragraph.split(), ""
        for word in words:
            if len(current) + len(word) > 85:
                line(current)
                down()
                current = ""
            current = f"{current} {word}".strip()
        line(current)
        down(28)
    for left, right in signatures:
        line(left, 60)
        line(right, 330)
        down()
    down(14)
    line("Anlagen:")
    line("Seite 2 von 2", 270, 8)
    pdf.save()


def write_scanned(path: Path) -> None:
    from PIL import Image, ImageDraw
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    image = Image.new("L", (800, 1100), 255)
    draw = ImageDraw.Draw(image)
    for row in range(40):
        draw.rectangle((60, 60 + row * 24, 60 + (row * 37) % 600 + 100, 72 + row * 24), fill=40)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    pdf = canvas.Canvas(str(path), pagesize=A4)
    pdf.drawImage(ImageReader(io.BytesIO(buffer.getvalue())), 0, 0, *A4)
    pdf.save()


def write_libreoffice_pdf(docx_path: Path, target: Path) -> None:
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", out, str(docx_path)],
            check=True,
            capture_output=True,
            timeout=180,
        )
        (Path(out) / f"{docx_path.stem}.pdf").replace(target)


if __name__ == "__main__":
    write_docx(HERE / "vorschlag.docx")
    write_pdf(HERE / "vorschlag.pdf")
    write_scanned(HERE / "gescannt.pdf")
    if "--libreoffice" in sys.argv:
        write_libreoffice_pdf(HERE / "vorschlag.docx", HERE / "vorschlag-lo.pdf")
