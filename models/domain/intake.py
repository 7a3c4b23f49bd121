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

import re
from datetime import date

from models.domain.document import (
    AUTHORITATIVE_ROLE,
    PAPER_TYPES,
    QUESTION_TYPES,
    ROLES,
    IntakeError,
    ParsedConsultation,
    ParsedPaper,
    ParsedSignatory,
)
from models.domain.intake_text import (
    PAPER_TYPE_LOOKUP,
    Line,
    decode,
    join_wrapped,
    numbered_lines,
    parse_date,
    proposal,
    reasoning_and_signatures,
    split_submitters,
)
from models.domain.text import fold

__all__ = [
    "AUTHORITATIVE_ROLE",
    "PAPER_TYPES",
    "ROLES",
    "IntakeError",
    "ParsedConsultation",
    "ParsedPaper",
    "ParsedSignatory",
    "join_wrapped",
    "parse_document",
    "split_submitters",
]
"""The parser and the names its callers take from here; the types live in
models.domain.document, the text helpers in models.domain.intake_text."""


_FIELD = re.compile(
    r"^(?P<label>Nr\.?|Nummer|Drucksache|Vorlagen?-Nr\.?|Status|Datum)\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_LEGAL_BASIS = re.compile(r"^(gemäß|gem\.|nach|i\.\s?V\.\s?m\.|auf Grundlage)\b", re.IGNORECASE)
_SECTION = re.compile(
    r"^(?P<label>Beratungsfolge|Beschlussvorschlag|Fragen|Sachverhalt|Begründung|Anlagen?)"
    r"\s*:\s*(?P<rest>.*)$",
    re.IGNORECASE,
)

# --- the parser -------------------------------------------------------------------------------


class _Reader:
    """A cursor over the cleaned lines; every error it raises points at a line."""

    def __init__(self, lines: list[Line], source: str) -> None:
        self.lines = lines
        self.source = source
        self.pos = 0

    def error(self, line: int, reason: str) -> IntakeError:
        return IntakeError(self.source, line, reason)

    def at_end(self) -> bool:
        return self.pos >= len(self.lines)

    def peek(self) -> Line:
        return self.lines[self.pos]

    def skip_blank(self) -> None:
        while not self.at_end() and not self.peek().text:
            self.pos += 1

    def last_no(self) -> int:
        return self.lines[-1].no if self.lines else 1


def parse_document(data: bytes | str, source: str = "<text>") -> ParsedPaper:
    """Parse one document; raise IntakeError(FILE:LINE: reason) on anything it cannot use."""
    text = decode(data, source) if isinstance(data, bytes) else data
    reader = _Reader(numbered_lines(text), source)
    reader.skip_blank()
    if reader.at_end():
        raise reader.error(1, "leere Datei")

    first = reader.peek()
    paper_type = PAPER_TYPE_LOOKUP.get(fold(first.text))
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
    resolution, items = proposal(proposal_lines)
    intro = " ".join(line.text for line in proposal_lines).lower()
    if paper_type in QUESTION_TYPES or "frage" in intro:
        questions = tuple(items)
    else:
        questions = tuple(item for item in items if "?" in item)

    reasoning_lines = sections.get("sachverhalt", []) + sections.get("begründung", [])
    reasoning, signatories = reasoning_and_signatures(reasoning_lines)
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


def _header(reader: _Reader) -> tuple[str | None, tuple[str, ...], dict[str, Line], int]:
    """Legal basis, submitters and the labelled fields, up to the title."""
    legal: list[str] = []
    submitter_parts: list[str] = []
    fields: dict[str, Line] = {}
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
            fields[key] = Line(line.no, match.group("value").strip())
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


def _fields(reader: _Reader, fields: dict[str, Line], header_end: int) -> tuple[str, bool, date]:
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


def _sections(reader: _Reader) -> dict[str, list[Line]]:
    """The labelled sections after the Beratungsfolge, each a list of its lines."""
    sections: dict[str, list[Line]] = {}
    current: list[Line] | None = None
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
                current.append(Line(line.no, match.group("rest")))
            continue
        if current is None:
            raise reader.error(line.no, f"Text außerhalb eines Abschnitts: {line.text[:60]!r}")
        current.append(line)
    return sections
