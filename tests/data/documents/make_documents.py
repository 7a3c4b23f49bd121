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
- real-*.html         RIS pages with the fields of real documents (real/*.txt) in the markup of
                      ALLRIS classic vo020 (tables of label and value cells, 'Ursprung |
                      aktuell' columns, the Beratungsfolge as committee rows with meeting rows
                      below) and SessionNet vo0050 (label cells, text in divs, an <ol>)
- real-*.pdf          reportlab: a real document's text, line by line as its source has it
- real-*.docx         python-docx: a real letter typed in Word, one paragraph per line
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


REAL = HERE / "real"
_HEAD = (
    '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n<html><head>'
    '<meta http-equiv="Content-Type" content="text/html; charset={charset}">'
    "<title>{title}</title><script>function toggle(){{}}</script>"
    "<style>.kb1{{font-weight:bold}}</style></head>\n<body>"
    '<nav><ul><li><a href="si010.asp">Sitzungen</a></li><li><a href="kp041.asp">Gremien</a>'
    "</li></ul></nav>\n"
)
_ALLRIS_STEGLITZ = (
    _HEAD.format(charset="iso-8859-1", title="Drucksache - 0305/III")
    + """
<div id="allriscontainer"><h1>Drucksache - 0305/III&nbsp;&nbsp;</h1>
<table class="risdeco"><tr><td><table class="tk1">
<tr><td class="kb1">Betreff:</td><td class="text1" colspan="3">Neue Gesch&auml;ftsordnung f&uuml;r
 die BVV Steglitz-Zehlendorf</td></tr>
<tr><td class="kb1">Status:</td><td class="text2">&ouml;ffentlich</td></tr>
<tr><td>&nbsp;</td><td class="text2">Ursprung</td><td class="text2">aktuell</td></tr>
<tr><td class="kb1">Initiator:</td><td>SPD-Fraktion</td><td>SPD-Fraktion</td></tr>
<tr><td class="kb1">Verfasser:</td><td>Karnetzki, M&uuml;ller</td></tr>
<tr><td class="kb1">Drucksache-Art:</td><td>Antrag</td><td>Beschluss</td></tr>
</table>
<table class="tk1"><tr><td class="kb1" colspan="3">Beratungsfolge:</td></tr>
<tr><td colspan="2">Bezirksverordnetenversammlung Steglitz-Zehlendorf von Berlin</td>
<td>Vorberatung</td></tr>
<tr><td>16.05.2007</td><td>9. &ouml;ffentliche Sitzung der Bezirksverordnetenversammlung
 Steglitz-Zehlendorf von Berlin</td><td>&uuml;berwiesen</td></tr>
<tr><td colspan="2">Ausschuss f&uuml;r Gesch&auml;ftsordnung und B&uuml;rgerbeteiligung</td>
<td>Vorberatung</td></tr>
<tr><td>23.05.2007</td><td>7. nicht&ouml;ffentliche Sitzung des Gesch&auml;ftsordnungsausschusses
</td><td></td></tr>
<tr><td colspan="2">Bezirksverordnetenversammlung Steglitz-Zehlendorf von Berlin</td>
<td>Vorberatung</td></tr>
<tr><td>20.06.2007</td><td>10. &ouml;ffentliche Sitzung der Bezirksverordnetenversammlung
 Steglitz-Zehlendorf von Berlin</td><td>in der BVV abgelehnt</td></tr>
</table></td></tr></table>
<h2>Sachverhalt</h2>
<table class="tk1"><tr><td class="kb1">Anlagen:</td></tr>
<tr><td><a href="do.asp?1">Antrag</a></td></tr>
<tr><td><a href="do.asp?2">Beschlussempfehlung</a></td></tr>
<tr><td><a href="do.asp?3">Beschluss vom 20.06.2007</a></td></tr></table>
<div class="ristext">
<p>Die Bezirksverordnetenversammlung m&ouml;ge beschlie&szlig;en:</p>
<p>Die im Anhang befindliche Gesch&auml;ftsordnung wird angenommen.</p>
<p><b>Begr&uuml;ndung:</b><br>Erfolgt m&uuml;ndlich.</p>
<p>Berlin Steglitz-Zehlendorf, den 09.05.2007</p>
<p>F&uuml;r die SPD-Fraktion</p>
<table><tr><td>Karnetzki</td><td>M&uuml;ller</td></tr></table>
</div></div></body></html>
"""
)
_ALLRIS_SEHNDE = (
    _HEAD.format(charset="utf-8", title="Vorlage - 2015/0288-1")
    + """
<h1>Vorlage - 2015/0288-1</h1>
<table class="tk1">
<tr><td class="kb1">Betreff:</td><td colspan="3">Grünflächenkataster der Stadt Sehnde<br>
- Operative Steuerung der Bewirtschaftung der öffentlichen Grünflächen</td></tr>
<tr><td class="kb1">Status:</td><td>öffentlich</td><td class="kb1">Vorlage-Art:</td>
<td>Beschlussvorlage</td></tr>
<tr><td class="kb1">Bezüglich:</td><td>2015/0288</td></tr>
<tr><td class="kb1">Federführend:</td><td>FB 4 Stadtentwicklung</td></tr>
</table>
<table class="tk1"><tr><td class="kb1" colspan="3">Beratungsfolge:</td></tr>
<tr><td colspan="2">Fachbereichsausschuss Finanzen, Steuerung, Innere Dienste und Ordnung</td>
<td>Vorberatung</td></tr>
<tr><td>17.11.2015</td><td>Sitzung des Fachbereichsausschusses Finanzen, Steuerung, Innere
 Dienste und Ordnung</td><td>ungeändert beschlossen</td></tr>
<tr><td colspan="2">Fachbereichsausschuss Stadtentwicklung und Bauaufsicht</td>
<td>Vorberatung</td></tr>
<tr><td>17.11.2015</td><td>Sitzung des Fachbereichsausschusses Stadtentwicklung und
 Bauaufsicht</td><td></td></tr>
<tr><td colspan="2">Verwaltungsausschuss</td><td>Vorberatung</td></tr>
<tr><td colspan="2">Rat der Stadt Sehnde</td><td>Entscheidung</td></tr>
<tr><td>17.12.2015</td><td>Sitzung des Rates der Stadt Sehnde</td>
<td>ungeändert beschlossen</td></tr>
</table>
<div class="ristext"><p><b>Beschlussvorschlag:</b></p>
<p>a)&nbsp;&nbsp;&nbsp; Der Fachbereichsausschuss Stadtentwicklung und Bauaufsicht empfiehlt, den
 Beschluss zu d) zu fassen.</p>
<p>b)&nbsp;&nbsp;&nbsp; Der Fachbereichsausschuss Finanzen, Steuerung, Innere Dienste und Ordnung
 empfiehlt, den Beschluss zu d) zu fassen.</p>
<p>c)&nbsp;&nbsp;&nbsp; Der Verwaltungsausschuss empfiehlt, den Beschluss zu d) zu fassen.</p>
<p>d)&nbsp;&nbsp;&nbsp; Der Rat nimmt die Beschlussvorlage mit Anlagen zum Grünflächenkataster zur
 Kenntnis und beschließt die Personalbemessung für die Grünpflege nach dem Kataster.</p>
<p><b>Sachverhalt:</b></p>
<p>Das Kataster beschreibt Umfang und Pflegestandard der öffentlichen Grünflächen und dient als
 Grundlage für die Personalplanung des Baubetriebshofs.</p></div></body></html>
"""
)
_SESSIONNET_MAGDEBURG = (
    _HEAD.format(charset="utf-8", title="Vorlage - F0071/20")
    + """
<div id="smc_page_vo0050_contenttable1"><h1 class="smc-h1">Vorlage - F0071/20</h1>
<table class="table smc-table smctablevorgang"><tbody>
<tr><td class="smctablehead">Betreff:</td><td>Lärmschutzwand Olvenstedter Graseweg</td></tr>
<tr><td class="smctablehead">Status:</td><td>öffentlich</td>
<td class="smctablehead">Vorlage-Art:</td><td>Anfrage</td></tr>
<tr><td class="smctablehead">Datum:</td><td>20.02.2020</td></tr>
<tr><td class="smctablehead">Absender:</td><td>Fraktion Gartenpartei/Tierschutzallianz</td></tr>
<tr><td class="smctablehead">Gremium:</td><td>Stadtrat</td></tr>
<tr><td class="smctablehead">Sitzungstermin:</td><td>20.02.2020</td></tr>
</tbody></table>
<div class="smc-documents"><div class="smc-doc-text">
<p>Sehr geehrter Herr Oberbürgermeister,</p>
<p>mir wurde berichtet, dass die hölzerne Lärmschutzwand am Olvenstedter Graseweg nicht mehr
 standsicher sei.</p>
<p>Ich möchte gerne wissen:</p>
<ol><li>Welche Maßnahmen werden nun getroffen?</li>
<li>Wann ist mit der Errichtung einer neuen Lärmschutzwand zu rechnen?</li>
<li>Gibt es die Möglichkeit Fördermittel zur Errichtung einer neuen Lärmschutzwand zu
 beantragen, wenn ja im Welcher Höhe wäre mit Förderung zu rechnen? Welche Kosten kommen auf
 die Landeshauptstadt Magdeburg zu?</li></ol>
<p>Ich bitte um kurze mündliche und ausführliche schriftliche Beantwortung.</p>
<p>Marcel Guderjahn</p><p>Stellv.Fraktionsvorsitzender</p>
<p>Fraktion Gartenpartei/Tierschutzallianz</p>
</div></div></div></body></html>
"""
)
REAL_PAGES = {
    "real-vo020-steglitz-zehlendorf-0305-iii.html": (_ALLRIS_STEGLITZ, "iso-8859-1"),
    "real-vo020-sehnde-2015-0288-1.html": (_ALLRIS_SEHNDE, "utf-8"),
    "real-vo0050-magdeburg-f0071-20.html": (_SESSIONNET_MAGDEBURG, "utf-8"),
}
REAL_PDF = ("allris-vo020-steglitz-zehlendorf-0305-iii", "magdeburg-anfrage-f0071-20")
REAL_DOCX = ("magdeburg-anfrage-f0071-20", "letter-ingolstadt-fw-fragestunde-2025")


def write_real_pdf(name: str, path: Path) -> None:
    """The text as its source lays it out: each line where it stands, long lines wrapped."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    if Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf").exists():
        pdfmetrics.registerFont(TTFont("DejaVu", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
        font = "DejaVu"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    y = A4[1] - 50
    for raw in (REAL / f"{name}.txt").read_text(encoding="utf-8").split("\n"):
        pieces = [raw] if len(raw) <= 110 else _wrap(raw, 100)
        for piece in pieces or [""]:
            if y < 50:
                pdf.showPage()
                y = A4[1] - 50
            pdf.setFont(font, 8)
            pdf.drawString(50, y, piece.rstrip())
            y -= 11
    pdf.save()


def _wrap(text: str, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        if current and len(current) + len(word) + 1 > width:
            lines.append(current)
            current = ""
        current = f"{current} {word}".strip()
    return [*lines, current]


def write_real_docx(name: str, path: Path) -> None:
    """A letter typed in Word: Enter after every line, no empty paragraphs."""
    import docx

    document = docx.Document()
    for line in (REAL / f"{name}.txt").read_text(encoding="utf-8").split("\n"):
        if line.strip():
            document.add_paragraph(line.strip())
    document.save(str(path))


def write_real() -> None:
    for file, (page, charset) in REAL_PAGES.items():
        (HERE / file).write_bytes(page.encode(charset, errors="xmlcharrefreplace"))
    for name in REAL_PDF:
        write_real_pdf(name, HERE / f"real-{name}.pdf")
    for name in REAL_DOCX:
        write_real_docx(name, HERE / f"real-{name}.docx")


if __name__ == "__main__":
    write_real()
    if "--real" in sys.argv:
        sys.exit(0)
    write_docx(HERE / "vorschlag.docx")
    write_pdf(HERE / "vorschlag.pdf")
    write_scanned(HERE / "gescannt.pdf")
    if "--libreoffice" in sys.argv:
        write_libreoffice_pdf(HERE / "vorschlag.docx", HERE / "vorschlag-lo.pdf")
