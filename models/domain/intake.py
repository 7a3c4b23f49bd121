"""Intake of council documents: the plain text a council information system's PDF yields.

Pure: bytes in, a ParsedPaper out, or an IntakeError that names file and line. Nothing here
touches the database, so a document is either parsed whole or not stored at all.

The layout it reads (see tests/data and the real example vorschlag-A-21-0500-01.txt):

    Vorschlag                          ← paper type
    gemäß der Geschäftsordnung         ← legal basis (optional)
    CDU-Fraktion / Fraktion …          ← submitting factions
    Nr.: A 21/0500-01 · Status: öffentlich · Datum: 07.06.2021
    Kommunales Integrationsmanagement  ← title, then optional subtitle paragraphs
    Beratungsfolge: rows of  Gremium  Datum  Ö|N  Zuständigkeit
    Beschlussvorschlag: … with questions as "- " bullets or "1." numbers
    Sachverhalt: / Begründung: …
    signatures in columns (name / function / faction)
    Anlagen: …
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from typing import Any

from models.domain.errors import RatsfristError

#: Paper types as council information systems name them (OParl Paper.paperType).
PAPER_TYPES: tuple[str, ...] = (
    "Antrag",
    "Änderungsantrag",
    "Ergänzungsantrag",
    "Dringlichkeitsantrag",
    "Vorschlag",
    "Anfrage",
    "Große Anfrage",
    "Kleine Anfrage",
    "Resolution",
    "Anregung",
    "Beschlussvorlage",
    "Vorlage",
    "Mitteilung",
    "Mitteilungsvorlage",
)
_QUESTION_TYPES = frozenset({"Anfrage", "Große Anfrage", "Kleine Anfrage"})

#: Zuständigkeit in the Beratungsfolge → OParl Consultation.role; Entscheidung is authoritative.
ROLES: tuple[str, ...] = ("Entscheidung", "Vorberatung", "Kenntnisnahme", "Beratung", "Anhörung")
AUTHORITATIVE_ROLE = "Entscheidung"

MAX_BYTES = 2_000_000


class IntakeError(RatsfristError):
    """A document that cannot be taken in; the message is `FILE:LINE: reason`."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        super().__init__(f"{source}:{line}: {reason}")


@dataclass(frozen=True, slots=True)
class ParsedSignatory:
    name: str
    function: str | None = None
    faction: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedConsultation:
    organization: str
    meeting_date: date | None
    public: bool
    role: str
    authoritative: bool
    position: int


@dataclass(frozen=True, slots=True)
class ParsedPaper:
    paper_type: str
    reference: str
    date: date
    public: bool
    name: str
    legal_basis: str | None = None
    subtitle: str | None = None
    submitters: tuple[str, ...] = ()
    consultations: tuple[ParsedConsultation, ...] = ()
    resolution_proposal: str | None = None
    questions: tuple[str, ...] = ()
    reasoning: str | None = None
    signatories: tuple[ParsedSignatory, ...] = ()
    attachments: tuple[str, ...] = ()
    source: str = field(default="", compare=False)

    @property
    def content_hash(self) -> str:
        """Identity of the content, so re-importing the same document (even with other line
        endings or page breaks) is recognised as unchanged."""
        data = _plain(self)
        data.pop("source")
        blob = json.dumps(data, default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()


def _plain(value: Any) -> Any:
    """What dataclasses.asdict makes of a parsed document, for the hash, without its deep
    copies (a third of the time of storing a document in a batch)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(slots=True)
class _Line:
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


def _lines(text: str) -> list[_Line]:
    """Lines with their original numbers, minus what PDF extraction adds: CR, form feeds,
    soft hyphens, non-breaking spaces and page-number lines such as '- 2 -'."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out: list[_Line] = []
    for no, raw in enumerate(text.split("\n"), start=1):
        clean = raw.replace("\f", "").replace("\v", "").replace("\u00ad", "").replace("\u00a0", " ")
        clean = clean.replace("\t", "    ").strip()
        if _PAGE_NUMBER.match(clean) or (not clean and "\f" in raw):
            continue  # a page break is not a paragraph break: the text runs on
        out.append(_Line(no, clean))
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

_FIELD = re.compile(
    r"^(?P<label>Nr\.?|Nummer|Drucksache|Vorlagen?-Nr\.?|Status|Datum)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_LEGAL_BASIS = re.compile(r"^(gemäß|gem\.|nach|i\.\s?V\.\s?m\.|auf Grundlage)\b", re.IGNORECASE)
_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_SECTION = re.compile(
    r"^(?P<label>Beratungsfolge|Beschlussvorschlag|Fragen|Sachverhalt|Begründung|Anlagen?)"
    r"\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
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


def _fold(text: str) -> str:
    return " ".join(text.lower().split())


_PAPER_TYPE_LOOKUP = {_fold(t): t for t in PAPER_TYPES}


# --- the parser -------------------------------------------------------------------------------


class _Reader:
    """A cursor over the cleaned lines; every error it raises points at a line."""

    def __init__(self, lines: list[_Line], source: str) -> None:
        self.lines = lines
        self.source = source
        self.pos = 0

    def error(self, line: int, reason: str) -> IntakeError:
        return IntakeError(self.source, line, reason)

    def at_end(self) -> bool:
        return self.pos >= len(self.lines)

    def peek(self) -> _Line:
        return self.lines[self.pos]

    def skip_blank(self) -> None:
        while not self.at_end() and not self.peek().text:
            self.pos += 1

    def last_no(self) -> int:
        return self.lines[-1].no if self.lines else 1


def parse_document(data: bytes | str, source: str = "<text>") -> ParsedPaper:
    """Parse one document; raise IntakeError(FILE:LINE: reason) on anything it cannot use."""
    text = decode(data, source) if isinstance(data, bytes) else data
    reader = _Reader(_lines(text), source)
    reader.skip_blank()
    if reader.at_end():
        raise reader.error(1, "leere Datei")

    first = reader.peek()
    paper_type = _PAPER_TYPE_LOOKUP.get(_fold(first.text))
    if paper_type is None:
        known = ", ".join(PAPER_TYPES[:6])
        raise reader.error(
            first.no,
            f"unbekanntes Format: {first.text[:60]!r} ist keine Dokumentart ({known}, …)",
        )
    reader.pos += 1

    legal_basis, submitters, fields, header_end = _header(reader)
    reference, public, paper_date = _fields(reader, fields, header_end)
    name, subtitle = _title(reader)
    consultations = _consultations(reader)
    sections = _sections(reader)

    proposal_lines = sections.get("beschlussvorschlag", []) + sections.get("fragen", [])
    resolution, items = _proposal(proposal_lines)
    intro = " ".join(line.text for line in proposal_lines).lower()
    if paper_type in _QUESTION_TYPES or "frage" in intro:
        questions = tuple(items)
    else:
        questions = tuple(item for item in items if "?" in item)

    reasoning_lines = sections.get("sachverhalt", []) + sections.get("begründung", [])
    reasoning, signatories = _reasoning_and_signatures(reasoning_lines)
    attachments = tuple(
        re.sub(r"^(?:[-–•]|\d+[.)])\s*", "", line.text)
        for line in sections.get("anlagen", [])
        if line.text
    )
    if not sections.get("beschlussvorschlag") and not sections.get("fragen") and not reasoning:
        raise reader.error(
            reader.last_no(), "weder Beschlussvorschlag noch Fragen noch Sachverhalt"
        )

    return ParsedPaper(
        paper_type=paper_type,
        legal_basis=legal_basis,
        submitters=submitters,
        reference=reference,
        public=public,
        date=paper_date,
        name=name,
        subtitle=subtitle,
        consultations=consultations,
        resolution_proposal=resolution or None,
        questions=questions,
        reasoning=reasoning or None,
        signatories=signatories,
        attachments=attachments,
        source=source,
    )


def _header(reader: _Reader) -> tuple[str | None, tuple[str, ...], dict[str, _Line], int]:
    """Legal basis, submitters and the labelled fields, up to the title."""
    legal: list[str] = []
    submitter_parts: list[str] = []
    fields: dict[str, _Line] = {}
    while not reader.at_end():
        line = reader.peek()
        if not line.text:
            reader.pos += 1
            continue
        match = _FIELD.match(line.text)
        if match:
            label = match.group("label").lower()
            key = "status" if label == "status" else "datum" if label == "datum" else "nr"
            if key in fields:
                raise reader.error(line.no, f"Feld {match.group('label')!r} doppelt")
            fields[key] = _Line(line.no, match.group("value").strip())
            reader.pos += 1
            continue
        if fields:  # the first unlabelled line after the fields is the title
            break
        if _SECTION.match(line.text):
            break
        if _LEGAL_BASIS.match(line.text) and not submitter_parts:
            legal.append(line.text)
        else:
            submitter_parts.append(line.text)
        reader.pos += 1
    header_end = reader.peek().no if not reader.at_end() else reader.last_no()
    submitters = split_submitters(join_wrapped(submitter_parts))
    return (join_wrapped(legal) or None), submitters, fields, header_end


def _fields(reader: _Reader, fields: dict[str, _Line], header_end: int) -> tuple[str, bool, date]:
    nr = fields.get("nr")
    if nr is None:
        raise reader.error(header_end, "Nummer der Vorlage fehlt (Zeile 'Nr.: …')")
    reference = " ".join(nr.text.split())
    if not reference:
        raise reader.error(nr.no, "Nummer der Vorlage ist leer")
    status = fields.get("status")
    if status is None:
        raise reader.error(
            header_end, "Status fehlt (Zeile 'Status: öffentlich' oder 'nichtöffentlich')"
        )
    folded = status.text.lower().replace(" ", "").replace("-", "")
    if folded == "öffentlich":
        public = True
    elif folded == "nichtöffentlich":
        public = False
    else:
        raise reader.error(
            status.no, f"Status {status.text!r} ist weder 'öffentlich' noch 'nichtöffentlich'"
        )
    when = fields.get("datum")
    if when is None:
        raise reader.error(header_end, "Datum fehlt (Zeile 'Datum: TT.MM.JJJJ')")
    return reference, public, parse_date(when.text, reader.source, when.no)


def _title(reader: _Reader) -> tuple[str, str | None]:
    paragraphs: list[list[str]] = []
    current: list[str] = []
    start = reader.peek().no if not reader.at_end() else reader.last_no()
    while not reader.at_end() and not _SECTION.match(reader.peek().text):
        text = reader.peek().text
        if text:
            current.append(text)
        elif current:
            paragraphs.append(current)
            current = []
        reader.pos += 1
    if current:
        paragraphs.append(current)
    if not paragraphs:
        raise reader.error(start, "Titel fehlt (Zeile nach dem Datum)")
    subtitle = "\n".join(join_wrapped(p) for p in paragraphs[1:]) or None
    return join_wrapped(paragraphs[0]), subtitle


_ROW = re.compile(
    r"^(?P<org>.+?)\s+(?:(?P<date>\d{1,2}\.\d{1,2}\.\d{2,4})\s+)?(?P<status>[ÖN])\.?\s+"
    r"(?P<role>[A-Za-zÄÖÜäöüß]+)$"
)
_ROW_HEADER = re.compile(r"^Gremium\b", re.IGNORECASE)


def _consultations(reader: _Reader) -> tuple[ParsedConsultation, ...]:
    if reader.at_end() or not reader.peek().text.lower().startswith("beratungsfolge"):
        where = reader.peek().no if not reader.at_end() else reader.last_no()
        raise reader.error(where, "Beratungsfolge fehlt")
    heading = reader.peek()
    rest = _SECTION.match(heading.text)
    reader.pos += 1
    rows: list[ParsedConsultation] = []
    pending: list[str] = [rest.group("rest")] if rest and rest.group("rest") else []
    pending_no = heading.no
    while not reader.at_end():
        line = reader.peek()
        if _SECTION.match(line.text):
            break
        reader.pos += 1
        if not line.text or _ROW_HEADER.match(line.text):
            continue
        if not pending:
            pending_no = line.no
        pending.append(line.text)
        match = _ROW.match(" ".join(" ".join(pending).split()))
        if not match:
            continue  # a committee name wrapped onto the next line
        role = match.group("role")
        if role not in ROLES:
            raise reader.error(
                line.no, f"unbekannte Zuständigkeit {role!r} (erlaubt: {', '.join(ROLES)})"
            )
        raw_date = match.group("date")
        meeting_date = (
            parse_date(raw_date, reader.source, line.no, "Sitzungsdatum") if raw_date else None
        )
        rows.append(
            ParsedConsultation(
                organization=match.group("org").strip(),
                meeting_date=meeting_date,
                public=match.group("status") == "Ö",
                role=role,
                authoritative=role == AUTHORITATIVE_ROLE,
                position=len(rows) + 1,
            )
        )
        pending = []
    if pending:
        raise reader.error(
            pending_no,
            f"Zeile der Beratungsfolge nicht lesbar: {' '.join(pending)[:60]!r} "
            "(erwartet: Gremium TT.MM.JJJJ Ö|N Zuständigkeit)",
        )
    if not rows:
        raise reader.error(heading.no, "Beratungsfolge ohne Einträge")
    return tuple(rows)


def _sections(reader: _Reader) -> dict[str, list[_Line]]:
    """The labelled sections after the Beratungsfolge, each a list of its lines."""
    sections: dict[str, list[_Line]] = {}
    current: list[_Line] | None = None
    while not reader.at_end():
        line = reader.peek()
        reader.pos += 1
        match = _SECTION.match(line.text)
        if match:
            label = match.group("label").lower()
            key = "anlagen" if label.startswith("anlage") else label
            if key == "beratungsfolge" or key in sections:
                raise reader.error(line.no, f"Abschnitt {match.group('label')!r} doppelt")
            current = sections[key] = []
            if match.group("rest"):
                current.append(_Line(line.no, match.group("rest")))
            continue
        if current is None:
            raise reader.error(line.no, f"Text außerhalb eines Abschnitts: {line.text[:60]!r}")
        current.append(line)
    return sections


_ITEM = re.compile(r"^(?:[-–•]|(?P<num>\d{1,2})[.)])\s+(?P<text>.+)$")


def _proposal(lines: list[_Line]) -> tuple[str, list[str]]:
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


def _paragraphs(lines: list[_Line]) -> list[list[_Line]]:
    paragraphs: list[list[_Line]] = [[]]
    for line in lines:
        if line.text:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _looks_like_signatures(paragraph: list[_Line]) -> bool:
    if not 1 < len(paragraph) <= 4:
        return False
    cells = [cell for line in paragraph for cell in _COLUMNS.split(line.text)]
    return all(
        len(cell) <= 60 and not cell.rstrip().endswith((".", ":", "?", "!")) for cell in cells
    )


def _reasoning_and_signatures(
    lines: list[_Line],
) -> tuple[str, tuple[ParsedSignatory, ...]]:
    paragraphs = _paragraphs(lines)
    signatories: tuple[ParsedSignatory, ...] = ()
    if len(paragraphs) > 1 and _looks_like_signatures(paragraphs[-1]):
        signatories = _signatories(paragraphs.pop())
    reasoning = "\n".join(join_wrapped(line.text for line in p) for p in paragraphs)
    return reasoning, signatories


def _signatories(paragraph: list[_Line]) -> tuple[ParsedSignatory, ...]:
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
