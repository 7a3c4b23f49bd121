"""The rows of a Beratungsfolge: committee, meeting date, Ö/N and Zuständigkeit, in the
orders council information systems print them. Pure.

Why its own module: a row the reader cannot split must be an error naming its line, never
a committee name glued together from four rows (which the database would then be asked to
store). So a row may wrap onto at most MAX_WRAP lines, each line is matched once (linear in
the document's length), and a name longer than the column is refused here.
"""

from __future__ import annotations

import re
from datetime import date

from models.domain.document import (
    AUTHORITATIVE_ROLE,
    MAX_ORGANIZATION,
    ROLES,
    IntakeError,
    ParsedConsultation,
)
from models.domain.intake_text import Line, parse_date
from models.domain.text import fold

ROLE_ALIASES: dict[str, str] = {
    **{fold(role): role for role in ROLES},
    fold("Beschließend"): AUTHORITATIVE_ROLE,
    fold("Beschlussfassung"): AUTHORITATIVE_ROLE,
    fold("zur Beschlussfassung"): AUTHORITATIVE_ROLE,
    fold("Entscheidung"): AUTHORITATIVE_ROLE,
    fold("Empfehlung"): "Vorberatung",
    fold("Vorberatend"): "Vorberatung",
    fold("zur Vorberatung"): "Vorberatung",
    fold("zur Kenntnisnahme"): "Kenntnisnahme",
    fold("zur Kenntnis"): "Kenntnisnahme",
    fold("Beratend"): "Beratung",
}
"""Zuständigkeit as systems print it → the role stored (OParl Consultation.role)."""

MAX_WRAP = 3
"""A committee name wraps onto at most this many lines; more is a row the reader cannot split."""

_DATE = r"\d{1,2}\.\d{1,2}\.\d{2,4}"
_ROLE = r"(?P<role>(?:zur\s+)?[A-Za-zÄÖÜäöüß]+)"
_STATUS = r"(?:(?P<status>[ÖN]|öffentlich|nichtöffentlich|nicht\s+öffentlich)\.?\s+)?"
_ROW_LAST = re.compile(rf"^(?P<org>.+?)\s+(?:(?P<date>{_DATE})\s+)?{_STATUS}{_ROLE}$")
_ROW_FIRST = re.compile(rf"^(?P<date>{_DATE})\s+(?P<org>.+?)\s+{_STATUS}{_ROLE}$")
_ROW_HEADER = re.compile(r"^(?:Gremium|Datum|Sitzung)\b.*(?:Zuständigkeit|Status|Rolle)", re.I)
_HAS_DATE = re.compile(_DATE)


def parse_rows(lines: list[Line], source: str, heading_no: int) -> tuple[ParsedConsultation, ...]:
    """The rows between 'Beratungsfolge:' and the next section."""
    rows: list[ParsedConsultation] = []
    pending: list[Line] = []
    for line in lines:
        if not line.text or _ROW_HEADER.match(line.text):
            continue
        pending.append(line)
        text = " ".join(" ".join(p.text for p in pending).split())
        row = _split(text, source, line.no, position=len(rows) + 1)
        if row is not None:
            rows.append(row)
            pending = []
            continue
        # Not a row yet: only a committee name may wrap, and only a few lines.
        if _HAS_DATE.search(line.text) or len(pending) >= MAX_WRAP:
            raise _unreadable(source, pending[0].no, text)
    if pending:
        raise _unreadable(source, pending[0].no, " ".join(p.text for p in pending))
    if not rows:
        raise IntakeError(source, heading_no, "Beratungsfolge ohne Einträge")
    return tuple(rows)


def _unreadable(source: str, line: int, text: str) -> IntakeError:
    return IntakeError(
        source,
        line,
        f"Zeile der Beratungsfolge nicht lesbar: {text[:60]!r} "
        "(erwartet: Gremium TT.MM.JJJJ Ö|N Zuständigkeit)",
    )


def _split(text: str, source: str, line: int, position: int) -> ParsedConsultation | None:
    match = _ROW_FIRST.match(text) or _ROW_LAST.match(text)
    if match is None:
        return None
    raw_role = match.group("role")
    role = ROLE_ALIASES.get(fold(raw_role))
    if not (match.group("status") or match.group("date")):
        return None  # neither date nor Ö/N: a wrapped committee name, or not a row
    if role is None:
        raise IntakeError(
            source, line, f"unbekannte Zuständigkeit {raw_role!r} (erlaubt: {', '.join(ROLES)})"
        )
    organization = match.group("org").strip()
    if _HAS_DATE.search(organization):
        raise _unreadable(source, line, text)
    if len(organization) > MAX_ORGANIZATION:
        raise IntakeError(
            source,
            line,
            f"Gremium zu lang ({len(organization)} Zeichen, höchstens {MAX_ORGANIZATION}): "
            f"{organization[:60]!r}",
        )
    raw_date = match.group("date")
    meeting: date | None = parse_date(raw_date, source, line, "Sitzungsdatum") if raw_date else None
    status = (match.group("status") or "Ö").replace(" ", "")
    return ParsedConsultation(
        organization=organization,
        meeting_date=meeting,
        public=status in ("Ö", "öffentlich"),
        role=role,
        authoritative=role == AUTHORITATIVE_ROLE,
        position=position,
    )
