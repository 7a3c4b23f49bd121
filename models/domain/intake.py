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

from models.domain.consultations import parse_rows
from models.domain.document import (
    AUTHORITATIVE_ROLE,
    MAX_LEGAL_BASIS,
    MAX_REFERENCE,
    PAPER_TYPES,
    QUESTION_TYPES,
    ROLES,
    IntakeError,
    ParsedConsultation,
    ParsedPaper,
    ParsedSignatory,
    Uncertainty,
)
from models.domain.freeform import parse_freeform
from models.domain.intake_text import (
    PAPER_TYPE_LOOKUP,
    Line,
    decode,
    join_wrapped,
    numbered_lines,
    parse_date,
    split_submitters,
)
from models.domain.items import proposal
from models.domain.readers import document_text
from models.domain.signatures import reasoning_and_signatures
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
    r"^(?P<label>Nr\.?|Nummer|Drucksachen?(?:-?Nr\.?)?|DS(?:-Nr\.?)?|Vorlagen?-?Nr\.?|Status|Datum"
    r"|Aktenzeichen|Az\.?|Federführend|Federführung|Verfasser(?:in)?|Dezernat|Fachbereich|Amt"
    r"|Bearbeiter(?:in)?|Sachbearbeiter(?:in)?|Ansprechpartner(?:in)?|Telefon|Tel\.|E-Mail"
    r"|Vorlagenart|Art|Einreicher|Antragsteller(?:in)?|Eingang|Eingangsdatum)"
    r"\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
_FIELD_KEYS = {"status": "status", "datum": "datum", "aktenzeichen": "az", "az": "az", "az.": "az"}
"""Label → key; the number labels (Nr., Drucksache, DS, Vorlage-Nr.) are 'nr', and the
administrative ones (Federführend, Amt, …) are kept under their own name and not used."""
_NUMBER_LABEL = re.compile(r"^(?:nr|nummer|drucksache|ds|vorlage)", re.IGNORECASE)
_LABEL_LIKE = re.compile(r"^[A-ZÄÖÜ][\wäöüß./-]{1,30}(?:\s[\wäöüß./-]{1,20})?\s*:(?:\s|$)")
"""'Sachbearbeitung: Frau X': a line that is a labelled field the reader does not know."""
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


def parse_document(
    data: bytes | str, source: str = "<text>", received: date | None = None
) -> ParsedPaper:
    """Parse one document - text in any common encoding, PDF with a text layer, DOCX or a
    RIS page saved as HTML, told apart by content; raise IntakeError(FILE:LINE: reason) on
    anything it cannot use. `received`: the day the file arrived, the date of a faction's
    letter that carries none (flagged as uncertain)."""
    if isinstance(data, bytes):
        extracted = document_text(data, source)
        text = extracted if extracted is not None else decode(data, source)
    else:
        text = data
    reader = _Reader(numbered_lines(text), source)
    reader.skip_blank()
    if reader.at_end():
        raise reader.error(1, "leere Datei")

    first = reader.peek()
    paper_type = PAPER_TYPE_LOOKUP.get(fold(first.text))
    if paper_type is None or not _print_layout(reader.lines):
        try:
            return parse_freeform(reader.lines[reader.pos :], source, received)
        except IntakeError as exc:
            if exc.source:
                raise
            raise IntakeError(source, first.no, exc.reason) from None
    if paper_type is None:
        known = ", ".join(PAPER_TYPES[:6])
        raise reader.error(
            first.no,
            f"unbekanntes Format: {first.text[:60]!r} ist keine Dokumentart ({known}, …)",
        )
    reader.pos += 1

    legal_basis, submitters, fields, header_end = _header(reader)
    reference, public, paper_date = _fields(reader, fields, header_end)
    _drop_page_headers(reader, reference)
    doubts: list[tuple[str, str]] = []
    name, subtitle = _title(reader, doubts)
    consultations = _consultations(reader)
    sections = _sections(reader)

    proposal_lines = sections.get("beschlussvorschlag", []) + sections.get("fragen", [])
    resolution, items = proposal(proposal_lines, source, doubts)
    intro = " ".join(line.text for line in proposal_lines).lower()
    if paper_type in QUESTION_TYPES or "frage" in intro:
        questions = tuple(items)
    else:
        questions = tuple(item for item in items if "?" in item)

    reasoning_lines = sections.get("sachverhalt", []) + sections.get("begründung", [])
    reasoning, signatories = reasoning_and_signatures(reasoning_lines, source)
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
        uncertain=tuple(Uncertainty(field, reason) for field, reason in doubts),
        source=source,
    )


_PRINT_LABELS = (
    re.compile(r"^(?:Nr\.?|Nummer|Drucksache|DS|Vorlagen?-?Nr\.?)\s*:", re.IGNORECASE),
    re.compile(r"^Status\s*:", re.IGNORECASE),
    re.compile(r"^Datum\s*:", re.IGNORECASE),
)


def _print_layout(lines: list[Line]) -> bool:
    """The RIS print this parser reads line by line: a paper type, then within the head two
    of 'Nr.:', 'Status:', 'Datum:' at the start of their lines (so that the print with one
    field missing is still refused with that field named). Anything else goes to the
    free-form reader (models.domain.freeform)."""
    found: set[int] = set()
    seen = 0
    for line in lines:
        if not line.text:
            continue
        seen += 1
        if seen > 12:
            break
        if line.text[:1] in "NnSsDdVv":  # the labels' first letters: most lines skip the regexes
            found.update(i for i, p in enumerate(_PRINT_LABELS) if p.match(line.text))
    return len(found) >= 2


def _drop_page_headers(reader: _Reader, reference: str) -> None:
    """Page headers and footers in the body: a line at a page break, or any short line, that
    names the document's reference ('Vorlage A 21/0500-01', 'Drucksache A 21/0500-01 – 2')
    is the layout's, not the text's, and must not be appended to a question."""
    folded = reference.replace(" ", "")
    if not folded:
        return

    def header(line: Line) -> bool:
        squeezed = line.text.replace(" ", "")
        if folded not in squeezed:
            return False
        return line.page_edge or len(squeezed) <= len(folded) + 40

    body = reader.lines[reader.pos :]
    kept = [line for line in body if not (line.text and header(line))]
    if len(kept) != len(body):
        reader.lines[reader.pos :] = kept


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
            key = _FIELD_KEYS.get(label) or ("nr" if _NUMBER_LABEL.match(label) else label)
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
    legal_basis = join_wrapped(legal) or None
    if legal_basis and len(legal_basis) > MAX_LEGAL_BASIS:
        raise reader.error(
            header_end,
            f"Rechtsgrundlage zu lang ({len(legal_basis)} Zeichen, höchstens {MAX_LEGAL_BASIS})",
        )
    return legal_basis, submitters, fields, header_end


def _fields(reader: _Reader, fields: dict[str, Line], header_end: int) -> tuple[str, bool, date]:
    nr = fields.get("nr") or fields.get("az")
    # Without a number (a faction's letter before the Sitzungsdienst numbered it) the
    # reference is empty and intake gives the motion an Eingangsnummer.
    reference = " ".join(nr.text.split()) if nr is not None else ""
    if nr is not None and not reference:
        raise reader.error(nr.no, "Nummer der Vorlage ist leer")
    if nr is not None and len(reference) > MAX_REFERENCE:
        raise reader.error(
            nr.no,
            f"Nummer der Vorlage zu lang ({len(reference)} Zeichen, höchstens {MAX_REFERENCE})",
        )
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


def _title(reader: _Reader, doubts: list[tuple[str, str]]) -> tuple[str, str | None]:
    """The title and the subtitle paragraphs up to the Beratungsfolge. Without blank lines
    (text as pypdf extracts it) a line that starts a new sentence — capital letter, the line
    before neither hyphenated nor ending in a comma — starts the subtitle."""
    paragraphs: list[list[Line]] = []
    current: list[Line] = []
    start = reader.peek().no if not reader.at_end() else reader.last_no()
    while not reader.at_end() and not _SECTION.match(reader.peek().text):
        line = reader.peek()
        if line.text:
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
        reader.pos += 1
    if current:
        paragraphs.append(current)
    if not paragraphs:
        raise reader.error(start, "Titel fehlt (Zeile nach dem Datum)")
    if len(paragraphs) == 1 and len(paragraphs[0]) > 1:
        paragraphs = _split_unspaced(paragraphs[0])
    first = paragraphs[0][0]
    if _LABEL_LIKE.match(first.text):  # the paper waits for review: title and subtitle doubted
        reason = f"Titel unsicher: {first.text[:60]!r} sieht aus wie ein Feld, das die Einlesung "
        doubts.append(("name", reason + "nicht kennt (bitte Titel prüfen)"))
        doubts.append(("subtitle", "Untertitel unsicher, da der Titel unsicher ist"))
    subtitle = "\n".join(join_wrapped(line.text for line in p) for p in paragraphs[1:]) or None
    return join_wrapped(line.text for line in paragraphs[0]), subtitle


def _split_unspaced(lines: list[Line]) -> list[list[Line]]:
    paragraphs = [[lines[0]]]
    for line in lines[1:]:
        previous = paragraphs[-1][-1].text
        runs_on = previous.endswith(("-", ",", "/")) or not line.text[:1].isupper()
        if runs_on:
            paragraphs[-1].append(line)
        else:
            paragraphs.append([line])
    return paragraphs


def _consultations(reader: _Reader) -> tuple[ParsedConsultation, ...]:
    """The Beratungsfolge; none at all (a faction's letter) is no error: the Sitzungsdienst
    assigns the consultation later (Event.assign)."""
    if reader.at_end() or not reader.peek().text.lower().startswith("beratungsfolge"):
        return ()
    heading = reader.peek()
    rest = _SECTION.match(heading.text)
    reader.pos += 1
    lines: list[Line] = (
        [Line(heading.no, rest.group("rest"))] if rest and rest.group("rest") else []
    )
    while not reader.at_end() and not _SECTION.match(reader.peek().text):
        lines.append(reader.peek())
        reader.pos += 1
    return parse_rows(lines, reader.source, heading.no)


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
