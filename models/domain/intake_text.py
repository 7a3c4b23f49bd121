"""The text-level pieces of the document parser (models.domain.intake): decoding bytes into
numbered lines, joining wrapped lines, dates and submitter lists of the header, and the
items and signatures have their own modules (items, signatures, consultations). Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from models.domain.document import MAX_BYTES, PAPER_TYPES, IntakeError
from models.domain.normalise import normalise
from models.domain.text import fold


@dataclass(slots=True)
class Line:
    """One line of the document, numbered from 1 for error messages."""

    no: int
    text: str
    """Stripped, whitespace inside kept (signature columns need it)."""
    page_edge: bool = False
    """First or last line of a page (next to a form feed): where page headers stand."""


# --- reading the bytes ------------------------------------------------------------------------

_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")
"""Unicode category Cc without tab, line feed, vertical tab, form feed and carriage return."""
_PAGE_NUMBER = re.compile(
    r"^(?:-\s*\d+\s*-|Seite\s+\d+(?:\s*(?:von|/)\s*\d+)?|\d+\s*/\s*\d+)$", re.IGNORECASE
)
_PAGE_OF = re.compile(r"\bSeite\s+\d+\s*(?:von|/)\s*\d+\s*$", re.IGNORECASE)
"""A header or footer line that ends with 'Seite 2 von 3', whatever stands before it."""
_LABEL_START = re.compile(
    r"^(?:Anlagen?|Sachverhalt|Begründung|Beschlussvorschlag|Fragen|Beratungsfolge)\s*:",
    re.IGNORECASE,
)


_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)


def _utf16_without_bom(data: bytes) -> str | None:
    """Windows' 'Unicode' text without a BOM: every other byte zero for Latin text."""
    if len(data) < 4 or len(data) % 2:
        return None
    even, odd = data[0::2], data[1::2]
    for zeros, codec in ((odd, "utf-16-le"), (even, "utf-16-be")):
        if zeros.count(0) > 0.6 * len(zeros):
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                return None
    return None


def decode(data: bytes, source: str) -> str:
    """Text from bytes in any common encoding (UTF-8/16/32 with or without BOM, cp1252),
    refusing what is not a text document at all."""
    if not data.strip():
        raise IntakeError(source, 1, "leere Datei")
    if len(data) > MAX_BYTES:
        raise IntakeError(source, 1, f"Datei zu groß ({len(data)} Bytes, höchstens {MAX_BYTES})")
    text = None
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError:
                raise IntakeError(source, 1, f"Text nicht lesbar ({codec} laut BOM)") from None
            break
    if text is None:
        text = _utf16_without_bom(data) if b"\x00" in data else None
    if text is None:
        if b"\x00" in data:
            raise IntakeError(source, 1, "Binärdatei: weder Text noch PDF noch DOCX")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            # Windows tools still write cp1252; it decodes every German letter.
            text = data.decode("cp1252", errors="replace")
    controls = len(_CONTROLS.findall(text))
    if controls > max(3, len(text) // 100):
        raise IntakeError(source, 1, "Binärdatei, kein Text (zu viele Steuerzeichen)")
    return text


def numbered_lines(text: str) -> list[Line]:
    """Lines with their original numbers, minus what PDF extraction adds: CR, form feeds,
    soft hyphens, non-breaking spaces and page-number lines such as '- 2 -'. The lines next
    to a page break are marked, so that a page header there can be recognised."""
    text = normalise(text)
    out: list[Line] = []
    after_break = False
    for no, raw in enumerate(text.split("\n"), start=1):
        clean = raw.replace("\f", "").replace("\v", "").replace("\t", "    ").strip()
        if "\f" in raw:
            for previous in reversed(out):
                if previous.text:
                    previous.page_edge = True
                    break
            after_break = True
        footer = _PAGE_OF.search(clean)
        if footer:  # 'Anlagen: Seite 2 von 2' keeps its label; any other such line goes
            rest = clean[: footer.start()].strip()
            clean = rest if _LABEL_START.match(rest) else ""
            if not clean:
                continue
        if _PAGE_NUMBER.match(clean) or (not clean and "\f" in raw):
            continue  # a page break is not a paragraph break: the text runs on
        line = Line(no, clean)
        if after_break and clean:
            line.page_edge = True
            after_break = False
        out.append(line)
    return out


_LIST_WORDS = frozenset({"und", "oder", "bzw.", "sowie", "als", "bis", "wie"})
"""'Rad-' + 'und Fußverkehr': the hyphen stands for a word left out (Ergänzungsstrich)."""


def join_wrapped(parts: Iterable[str]) -> str:
    """Join lines a PDF wrapped: 'Konzept-' + 'erstellung' → 'Konzepterstellung',
    'Case-' + 'Manager' → 'Case-Manager', 'Rad-' + 'und Fuß…' → 'Rad- und Fuß…',
    otherwise with one space. Linear: the pieces are collected, joined once."""
    pieces: list[str] = []
    for part in parts:
        part = " ".join(part.split())
        if not part:
            continue
        if not pieces:
            pieces.append(part)
            continue
        last = pieces[-1]
        if len(last) >= 2 and last[-1] == "-" and last[-2].isalpha():
            first_word = part.split(" ", 1)[0]
            if part[0].islower() and first_word not in _LIST_WORDS:
                pieces[-1] = last[:-1]
                pieces.append(part)
                continue
            if part[0].isupper():
                pieces.append(part)
                continue
        pieces.append(" ")
        pieces.append(part)
    return "".join(pieces)


def runs_on(previous: str, text: str) -> bool:
    """Across a blank line: does `text` continue the unfinished sentence of `previous`?
    PDF extraction turns wide line spacing into blank lines; a paragraph does not end in
    the middle of a sentence, and a new one does not start with a lower-case word."""
    return (
        bool(text)
        and not previous.rstrip().endswith((".", "?", "!", ":", ";"))
        and (text[0].islower() or text[0] == "(")
    )


# --- the header -------------------------------------------------------------------------------

_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
# A compound party name whose slash is part of the name, not a separator between factions.
_COMPOUND_NAMES = re.compile(r"B(?:ündnis)?\s*90\s*/\s*(?:die\s+)?grünen?", re.IGNORECASE)


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
    """'CDU-Fraktion / Fraktion BÜNDNIS 90 / DIE GRÜNEN' → two factions, not three;
    'B90/Grüne' and 'SPD/Volt-Fraktion' → one each."""
    protected: list[str] = []

    def protect(match: re.Match[str]) -> str:
        protected.append(match.group(0))
        return f"\x00{len(protected) - 1}\x00"

    masked = _COMPOUND_NAMES.sub(protect, text)
    # A slash between two names has a space next to it ('CDU-Fraktion / Fraktion …'); one
    # without ('SPD/Volt-Fraktion', 'CDU/CSU') is part of a name.
    pieces = re.split(r"\s*[;,]\s*|\s+/\s*|\s*/\s+|\s+und\s+(?=\S*[Ff]raktion|Gruppe|Rats)", masked)
    names = []
    for piece in pieces:
        piece = re.sub(r"\x00(\d+)\x00", lambda m: protected[int(m.group(1))], piece)
        piece = " ".join(piece.split())
        if piece:
            names.append(piece)
    return tuple(names)


PAPER_TYPE_LOOKUP = {fold(t): t for t in PAPER_TYPES}
"""A paper type as a document may spell it (case, spacing, umlauts) → its canonical name."""
