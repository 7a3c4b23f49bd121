"""Labelled fields wherever a layout puts them: 'Nr.: …' on its own line, two labels run
together on one line as a RIS page's text gives them ('Status:öffentlichVorlage-Art:Antrag'),
or a label alone with its value on a later line (a form's table read cell by cell:
'Datum', 'Nummer', '20.02.2020', 'F0071/20'). Pure.

Why one table of labels: every layout names the same few fields differently (Nr., Drucksache,
DS, Vorlage-Nr.; Betreff, Kurztitel; Drucksache-Art, Vorlage-Art …); the free-form reader
(models.domain.freeform) asks for a key, never for a spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from models.domain.intake_text import Line

_LABELS: tuple[tuple[str, str], ...] = (
    ("nr", r"Drucksachen?-?(?:Nr\.?|Nummer)|Vorlagen?-?(?:Nr\.?|Nummer)|DS-?Nr\.?|Antrags?-?Nr\.?"),
    ("nr", r"Anfrage-?Nr\.?|Nummer|Nr\."),
    ("az", r"Aktenzeichen|Az\."),
    ("art", r"Drucksachen?-?[Aa]rt|Vorlagen?-?[Aa]rt|Vorlagentyp|Dokumentart|Art der Vorlage"),
    ("datum", r"Datum|Eingangsdatum|Eingang"),
    ("status", r"Status|Öffentlichkeitsstatus"),
    ("betreff", r"Betreff|Kurztitel|Titel|Gegenstand"),
    ("initiator", r"Initiator(?:in)?|Antragsteller(?:in)?|Einreicher(?:in)?|Absender"),
    ("gremium", r"Gremium"),
    ("termin", r"Sitzungstermin|Sitzungsdatum"),
    # Known, not used: kept under their own key so their values never become the title.
    ("other", r"Federführend|Federführung|Verfasser(?:in)?|Dezernat|Fachbereich|Bezüglich"),
    ("other", r"Bearbeiter(?:in)?|Sachbearbeiter(?:in)?|Ansprechpartner(?:in)?|Telefon|E-Mail"),
    ("other", r"Adressat|Beschlussart|Zeit|Anlass|Raum|Ort|TOP|Bezeichnung|Sitzungsart"),
    ("other", r"Stellungnahme der Verwaltung|Vorsitz|Berichterstattung|Protokollführung|GZ"),
)
_ALTERNATIVES = "|".join(f"(?P<{key}{i}>{pattern})" for i, (key, pattern) in enumerate(_LABELS))
_INLINE = re.compile(rf"(?:^|(?<=\s)|(?<=[\wäöüß.)]))(?:{_ALTERNATIVES})\s*:", re.IGNORECASE)
"""A known label followed by a colon, at the start of the line, after a space, or glued to the
previous value ('öffentlichVorlage-Art:', 'A 21/0500-01Status:')."""
_BARE = re.compile(rf"^(?:{_ALTERNATIVES})\s*:?$", re.IGNORECASE)
"""A label alone on its line: its value stands on a following line."""
_STATUS_WORD = re.compile(r"^(?:öffentlich|nicht\s?öffentlich|nichtöffentlich)$", re.IGNORECASE)
MULTI_LINE = frozenset({"initiator", "other", "betreff"})
"""Labels whose value may run over several lines (an addressee, a sender, a long subject)."""


@dataclass(frozen=True, slots=True)
class Field:
    key: str
    label: str
    value: str
    no: int


def _key(match: re.Match[str]) -> tuple[str, str]:
    for name, value in match.groupdict().items():
        if value is not None:
            return name.rstrip("0123456789"), value
    raise AssertionError("a label group always matches")  # pragma: no cover


def inline_fields(line: Line) -> tuple[str, list[Field]]:
    """The text before the first label, and every 'Label: value' on the line."""
    matches = list(_INLINE.finditer(line.text))
    if not matches:
        return line.text, []
    found = []
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(line.text)
        key, label = _key(match)
        found.append(Field(key, label, line.text[match.end() : end].strip(), line.no))
    return line.text[: matches[0].start()].strip(), found


def bare_label(text: str) -> tuple[str, str] | None:
    """(key, label) of a line that is only a label, else None."""
    match = _BARE.match(text.strip())
    return _key(match) if match else None


def is_status_word(text: str) -> bool:
    return bool(_STATUS_WORD.match(text.strip()))


def header_fields(lines: list[Line]) -> tuple[list[Field], list[Line]]:
    """The labelled fields of a header and the lines no label claims (title, type line,
    letterhead …), in order. Labels alone on a line take the following unclaimed lines as
    their values, in the order they stood ('Datum', 'Nummer' ⏎ '20.02.2020', 'F0071/20');
    a status word standing among such labels ('öffentlich') is the status."""
    fields: list[Field] = []
    rest: list[Line] = []
    pending: list[tuple[str, str]] = []
    open_field: Field | None = None  # a multi-line value being continued
    for line in lines:
        if not line.text:
            continue
        bare = bare_label(line.text)
        if bare:
            pending.append(bare)
            open_field = None
            continue
        if is_status_word(line.text) and (pending or fields):
            fields.append(Field("status", "Status", line.text, line.no))
            continue
        before, found = inline_fields(line)
        if found:
            pending = []
            if before:
                rest.append(Line(line.no, before))
            fields.extend(found)
            last = found[-1]  # 'Bezüglich:' ⏎ '2015/0288': an empty value continues below
            open_field = last if last.key in MULTI_LINE and not last.value else None
            continue
        if pending:
            key, label = pending.pop(0)
            field = Field(key, label, line.text, line.no)
            fields.append(field)
            open_field = field if key in ("initiator", "other") and not pending else None
            continue
        if open_field is not None:
            # A sender or addressee over several lines ('Oberbürgermeister' ⏎ 'Herrn Dr. …').
            index = fields.index(open_field)
            value = f"{open_field.value}\n{line.text}" if open_field.value else line.text
            open_field = Field(open_field.key, open_field.label, value, open_field.no)
            fields[index] = open_field
            continue
        rest.append(line)
    return fields, rest
