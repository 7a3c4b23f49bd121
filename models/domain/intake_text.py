"""The text-level pieces of the document parser (models.domain.intake): decoding bytes into
numbered lines, joining wrapped lines, dates and submitter lists of the header, and the
proposal, reasoning and signature columns of the body. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from models.domain.document import MAX_BYTES, PAPER_TYPES, IntakeError, ParsedSignatory
from models.domain.text import fold


@dataclass(slots=True)
class Line:
    """One line of the document, numbered from 1 for error messages."""

    no: int
    text: str
    """Stripped, whitespace inside kept (signature columns need it)."""


# --- reading the bytes ------------------------------------------------------------------------

_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
"""Unicode category Cc without tab, line feed, vertical tab, form feed and carriage return."""
_PAGE_NUMBER = re.compile(r"^(?:-\s*\d+\s*-|Seite\s+\d+(?:\s+von\s+\d+)?)$", re.IGNORECASE)


def decode(data: bytes, source: str) -> str:
    """Text from bytes, refusing what is not a text document at all."""
    if not data.strip():
        raise IntakeError(source, 1, "leere Datei")
    if len(data) > MAX_BYTES:
        raise IntakeError(source, 1, f"Datei zu groß ({len(data)} Bytes, höchstens {MAX_BYTES})")
    if b"\x00" in data or data.startswith(b"%PDF"):
        raise IntakeError(source, 1, "Binärdatei, kein Text (PDF bitte zuerst in Text umwandeln)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Windows tools still write cp1252; it decodes every German letter.
        text = data.decode("cp1252", errors="replace")
    controls = len(_CONTROLS.findall(text))
    if controls > max(3, len(text) // 100):
        raise IntakeError(source, 1, "Binärdatei, kein Text (zu viele Steuerzeichen)")
    return text


def numbered_lines(text: str) -> list[Line]:
    """Lines with their original numbers, minus what PDF extraction adds: CR, form feeds,
    soft hyphens, non-breaking spaces and page-number lines such as '- 2 -'."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[Line] = []
    for no, raw in enumerate(text.split("\n"), start=1):
        clean = raw.replace("\f", "").replace("\v", "").replace("\u00ad", "").replace("\u00a0", " ")
        clean = clean.replace("\t", "    ").strip()
        if _PAGE_NUMBER.match(clean) or (not clean and "\f" in raw):
            continue  # a page break is not a paragraph break: the text runs on
        out.append(Line(no, clean))
    return out


def join_wrapped(parts: Iterable[str]) -> str:
    """Join lines a PDF wrapped: 'Konzept-' + 'erstellung' → 'Konzepterstellung',
    'Case-' + 'Manager' → 'Case-Manager', otherwise with one space."""
    result = ""
    for part in parts:
        part = " ".join(part.split())
        if not part:
            continue
        if not result:
            result = part
        elif len(result) >= 2 and result[-1] == "-" and result[-2].isalpha():
            result = result[:-1] + part if part[0].islower() else result + part
        else:
            result = f"{result} {part}"
    return result


# --- the header -------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
# A compound party name whose slash is part of the name, not a separator between factions.
_COMPOUND_NAMES = re.compile(r"BÜNDNIS\s*90\s*/\s*DIE\s+GRÜNEN", re.IGNORECASE)


def parse_date(text: str, source: str, line: int, what: str = "Datum") -> date:
    match = _DATE.match(text.strip())
    if not match:
        raise IntakeError(source, line, f"{what} {text.strip()!r} ist kein Datum TT.MM.JJJJ")
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise IntakeError(source, line, f"unmögliches {what} {text.strip()!r}") from None


def split_submitters(text: str) -> tuple[str, ...]:
    """'CDU-Fraktion / Fraktion BÜNDNIS 90 / DIE GRÜNEN' → two factions, not three."""
    protected: list[str] = []

    def protect(match: re.Match[str]) -> str:
        protected.append(match.group(0))
        return f"\x00{len(protected) - 1}\x00"

    masked = _COMPOUND_NAMES.sub(protect, text)
    pieces = re.split(r"\s*[/;,]\s*|\s+und\s+(?=\S*[Ff]raktion|Gruppe|Rats)", masked)
    names = []
    for piece in pieces:
        piece = re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], piece)
        piece = " ".join(piece.split())
        if piece:
            names.append(piece)
    return tuple(names)


PAPER_TYPE_LOOKUP = {fold(t): t for t in PAPER_TYPES}
"""A paper type as a document may spell it (case, spacing, umlauts) → its canonical name."""


_ITEM = re.compile(r"^(?:[-–•]|(?P<num>\d{1,2})[.)])\s+(?P<text>.+)$")


def proposal(lines: list[Line]) -> tuple[str, list[str]]:
    """The resolution text (items rendered as they were) and its list items, wrapped lines
    joined. An item ends at a blank line or at the next item."""
    blocks: list[tuple[str, list[str]]] = []  # (marker, lines); marker "" = prose
    for line in lines:
        if not line.text:
            blocks.append(("", []))
            continue
        match = _ITEM.match(line.text)
        if match:
            marker = f"{match.group('num')}." if match.group("num") else "-"
            blocks.append((marker, [match.group("text")]))
        elif blocks:
            blocks[-1][1].append(line.text)
        else:
            blocks.append(("", [line.text]))
    items = [join_wrapped(parts) for marker, parts in blocks if marker]
    rendered = [
        f"{marker} {join_wrapped(parts)}" if marker else join_wrapped(parts)
        for marker, parts in blocks
        if parts
    ]
    return "\n".join(rendered), items


_COLUMNS = re.compile(r"\s{3,}")
_ARTICLE = re.compile(r"^(?:der|die|des)\s+", re.IGNORECASE)


def _paragraphs(lines: list[Line]) -> list[list[Line]]:
    paragraphs: list[list[Line]] = [[]]
    for line in lines:
        if line.text:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _looks_like_signatures(paragraph: list[Line]) -> bool:
    if not 1 < len(paragraph) <= 4:
        return False
    cells = [cell for line in paragraph for cell in _COLUMNS.split(line.text)]
    return all(
        len(cell) <= 60 and not cell.rstrip().endswith((".", ":", "?", "!")) for cell in cells
    )


def reasoning_and_signatures(
    lines: list[Line],
) -> tuple[str, tuple[ParsedSignatory, ...]]:
    paragraphs = _paragraphs(lines)
    signatories: tuple[ParsedSignatory, ...] = ()
    if len(paragraphs) > 1 and _looks_like_signatures(paragraphs[-1]):
        signatories = _signatories(paragraphs.pop())
    reasoning = "\n".join(join_wrapped(line.text for line in p) for p in paragraphs)
    return reasoning, signatories


def _signatories(paragraph: list[Line]) -> tuple[ParsedSignatory, ...]:
    """Columns laid out side by side: row 1 names, row 2 functions, row 3 factions."""
    rows = [_COLUMNS.split(line.text) for line in paragraph]
    width = len(rows[0])
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for row in rows:
        for index in range(width):
            columns[index].append(row[index].strip() if index < len(row) else None)
    people = []
    for cells in columns:
        name, function, faction = [*cells, None, None, None][:3]
        if not name:
            continue
        people.append(
            ParsedSignatory(
                name=" ".join(name.split()),
                function=" ".join(function.split()) if function else None,
                faction=_ARTICLE.sub("", " ".join(faction.split())) if faction else None,
            )
        )
    return tuple(people)
