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
from functools import lru_cache

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


# --- the Beratungsfolge of free-form layouts (models.domain.freeform) -------------------------

_LOWER_STATUS = re.compile(r"\s+(?:ö|nö|Ö|N)(?=\s+\S+$)")
_SITTING = re.compile(
    r"^(?:\d+\.\s+)?(?:öffentliche\s+|nichtöffentliche\s+|\(öffentliche\)\s+)?Sitzung\b", re.I
)
"""'38. Sitzung in der V. Wahlperiode …', 'Sitzung des Rates … ungeändert beschlossen': the
meeting and its result under a row of a RIS page, not a row of its own."""
_SITTING_IN_ROW = re.compile(r"\s+\d+\.\s+(?:öffentliche\s+|nichtöffentliche\s+)?Sitzung\b.*$")
_DATES_ONLY = re.compile(
    rf"^(?P<date>{_DATE})(?:\s{{2,}}(?P<rest>.*)|\s+(?P<sitting>(?:\d+\.\s+)?\S*\s?Sitzung\b.*))?$"
)
"""A meeting date under its row, alone or with the meeting's name in the next column
(set apart by spaces, or by one space when a PDF's text runs the columns together)."""
_TRAILING_NUMBER = re.compile(r"\s+\S*\d\S*/\S*$")
"""'… 29.02.2016 ö Beschließend 1pl/3/1/16': the agenda number column after the role."""
_ROLE_LAST = re.compile(r"^(?P<org>.+?)\s+(?P<role>(?:zur\s+)?[A-Za-zÄÖÜäöüß]+)$")


@lru_cache(maxsize=256)
def _role(word: str) -> str | None:
    """The role a row's last word names; cached, as a page repeats the same few words."""
    return ROLE_ALIASES.get(fold(word))


class BlockRow:
    """A row being read: the committee line, then its meeting dates and results below it."""

    def __init__(self, organization: str, role: str, no: int) -> None:
        self.organization = organization
        self.role = role
        self.no = no
        self.dates: list[date] = []
        self.public = True


def parse_blocks(
    lines: list[Line], source: str
) -> tuple[tuple[ParsedConsultation, ...], list[tuple[str, str]]]:
    """Rows as RIS pages print them: 'Gremium Zuständigkeit' with the meeting date and its
    result on the lines below ('Ausschuss … Vorberatung' ⏎ '17.11.2015' ⏎ 'Sitzung des … '),
    or one line per row with an agenda or meeting column ('Stadtrat (Plenum) 3. Sitzung des
    Stadtrates (Plenum) 29.02.2016 ö Beschließend 1pl/3/1/16'). Returns the rows and what
    the reader is unsure of, as (field, reason): a line it cannot place, a committee with
    several meeting dates (a consultation adjourned: the last one is taken)."""
    rows: list[BlockRow] = []
    doubts: list[tuple[str, str]] = []
    for line in lines:
        text = " ".join(line.text.split())
        if not text or _ROW_HEADER.match(text) or text.lower().startswith("gremium sitzung"):
            continue
        dated = _DATES_ONLY.match(line.text.strip()) if text[:1].isdigit() else None
        if dated and rows:
            rows[-1].dates.append(parse_date(dated.group("date"), source, line.no, "Sitzungsdatum"))
            rest = dated.group("rest") or dated.group("sitting") or ""
            if "nichtöffentlich" in rest.replace(" ", "").lower():
                rows[-1].public = False
            continue
        if rows and (text[:1].isdigit() or text[:1].lower() in "s(ön") and _SITTING.match(text):
            continue
        one_line = _one_line_row(text, source, line.no)
        if one_line is not None:
            row = BlockRow(one_line.organization, one_line.role, line.no)
            row.public = one_line.public
            if one_line.meeting_date:
                row.dates.append(one_line.meeting_date)
            rows.append(row)
            continue
        match = _ROLE_LAST.match(text)
        role = _role(match.group("role")) if match else None
        if match is None or role is None or _HAS_DATE.search(text):
            doubts.append(
                ("consultations", f"Zeile {line.no} der Beratungsfolge nicht lesbar: {text[:60]!r}")
            )
            continue
        rows.append(BlockRow(match.group("org").strip(), role, line.no))
    result = []
    for position, row in enumerate(rows, start=1):
        if len(row.organization) > MAX_ORGANIZATION:
            raise IntakeError(source, row.no, f"Gremium zu lang ({len(row.organization)} Zeichen)")
        if len(row.dates) > 1:
            shown = ", ".join(d.strftime("%d.%m.%Y") for d in row.dates)
            doubts.append(
                (
                    "consultations",
                    f"{row.organization}: mehrere Sitzungstermine ({shown}); "
                    "der letzte ist übernommen",
                )
            )
        result.append(
            ParsedConsultation(
                organization=row.organization,
                meeting_date=row.dates[-1] if row.dates else None,
                public=row.public,
                role=row.role,
                authoritative=row.role == AUTHORITATIVE_ROLE,
                position=position,
            )
        )
    return tuple(result), doubts


def _one_line_row(text: str, source: str, no: int) -> ParsedConsultation | None:
    """A whole row on one line, with its meeting name and agenda number dropped."""
    if not _HAS_DATE.search(text):
        return None
    text = _TRAILING_NUMBER.sub("", text)
    text = _LOWER_STATUS.sub(lambda m: " N" if "n" in m.group(0).lower() else " Ö", text)
    try:
        row = _split(text, source, no, position=1)
    except IntakeError:
        return None
    if row is None:
        return None
    organization = _SITTING_IN_ROW.sub("", row.organization).strip()
    return ParsedConsultation(
        organization, row.meeting_date, row.public, row.role, row.authoritative, 1
    )
