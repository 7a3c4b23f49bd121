"""A council information system's page saved as HTML (ALLRIS `vo020`, SessionNet `vo0050`)
turned into the text the readers understand. Pure: bytes in, text out.

Why lxml: it is already installed (python-docx parses DOCX with it), its HTML parser reads
the broken markup RIS pages are made of, and it is fast enough: 3 ms a page for the 2.5 KB
pages in tests/data/documents on the shared 2-core machine (6 ms with the parse). BeautifulSoup
would build a second tree on top of a parser like this one and selectolax would be a new
compiled dependency; neither is installed, so neither was measured here.

The layout of the page is kept as the other readers keep a PDF's: a table row becomes one
line with its cells set apart by four spaces ('Status:    öffentlich', 'Sozialausschuss
15.06.2021    Ö    Entscheidung'), a definition list becomes label and value lines, list
items keep a marker, and blocks are set apart by blank lines. Navigation, scripts, styles and
forms are dropped.
"""

from __future__ import annotations

import re
from typing import Any

from models.domain.document import IntakeError

_HTML = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.I)
_DROP = frozenset({"script", "style", "noscript", "head", "nav", "form", "button", "select"})
_BLOCKS = frozenset(
    {"p", "div", "section", "article", "main", "header", "footer", "h1", "h2", "h3", "h4", "h5",
     "h6", "table", "ul", "ol", "dl", "blockquote", "pre", "address", "fieldset"}
)  # fmt: skip
_CELL_GAP = "    "
MAX_HTML_BYTES = 5_000_000


def is_html(data: bytes) -> bool:
    head = data[:2048].lstrip(b"\xef\xbb\xbf")
    return bool(_HTML.match(head))


def _decode(data: bytes) -> str:
    declared = _CHARSET.search(data[:4096])
    for codec in ((declared.group(1).decode("ascii", "replace"),) if declared else ()) + ("utf-8",):
        try:
            return data.decode(codec)
        except (LookupError, UnicodeDecodeError):
            continue
    return data.decode("cp1252", errors="replace")  # ALLRIS classic pages are often latin-1


def html_text(data: bytes, source: str) -> str:
    """The page's text, laid out as described in the module docstring."""
    if len(data) > MAX_HTML_BYTES:
        raise IntakeError(source, 1, f"HTML zu groß ({len(data)} Bytes)")
    import lxml.html
    from lxml import etree

    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", _decode(data).lstrip("\ufeff"))
    try:
        root = lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError) as exc:
        raise IntakeError(source, 1, f"HTML nicht lesbar ({type(exc).__name__})") from None
    out: list[str] = []
    _walk(root, out)
    lines = [" ".join(line.split()) if _CELL_GAP not in line else line.strip() for line in
             "".join(out).split("\n")]  # fmt: skip
    result = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    if not result:
        raise IntakeError(source, 1, "HTML-Seite ohne Text")
    return result + "\n"


def _walk(element: Any, out: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    tag = tag.lower()
    if tag in _DROP or not tag:
        if not tag and element.tail:  # a comment's tail is text of its parent
            out.append(_spaced(element.tail))
        return
    if tag == "pre":  # preformatted: lines and column gaps as they stand
        out.append("\n\n" + element.text_content() + "\n\n")
        if element.tail:
            out.append(_spaced(element.tail))
        return
    if tag == "br":
        out.append("\n")
    elif tag == "tr" and not element.xpath(".//table"):
        _new_line(out)
        out.append(_CELL_GAP.join(_cell_text(cell) for cell in _cells(element)) + "\n")
        if element.tail:
            out.append(_spaced(element.tail))
        return
    elif tag in ("dt", "dd", "li"):
        _new_line(out)
        if tag == "li":
            parent = element.getparent()
            if parent is not None and parent.tag == "ol":
                out.append(f"{list(parent).index(element) + 1}. ")
            else:
                out.append("- ")
    elif tag in _BLOCKS:
        out.append("\n\n")
    if element.text:
        out.append(_spaced(element.text))
    for child in element:
        _walk(child, out)
    if tag in _BLOCKS:
        out.append("\n\n")
    elif tag in ("dt", "dd", "li"):
        out.append("\n")
    if element.tail:
        out.append(_spaced(element.tail))


def _spaced(text: str) -> str:
    """Line breaks in the HTML source are spaces on the page."""
    return re.sub(r"\s+", " ", text)


def _new_line(out: list[str]) -> None:
    """Start a line without adding a blank one: table rows and list items stand together."""
    if out and not "".join(out[-4:]).rstrip(" ").endswith("\n"):
        out.append("\n")


def _cells(row: Any) -> list[Any]:
    return [cell for cell in row if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th")]


def _cell_text(cell: Any) -> str:
    """A cell's text on one line (a cell with line breaks inside is joined)."""
    parts: list[str] = []
    _walk(cell, parts)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)
