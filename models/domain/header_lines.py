"""What the unlabelled lines of a document's head say: the paper type and number in the
forms RIS pages and factions write them ('Beschlussvorlage - 0456/2010', 'DS 062a/2016
Änderungsantrag …', 'Anfrage 24-2021: Wie …?', '1265/II Sanierung …', 'Antrag Stadtrats-
Mitglieder … (SPD/Volt-Fraktion) vom 26.1.2022'), dates in German spellings, letterheads and
addressees. Pure; used by models.domain.freeform.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from datetime import date

from models.domain.document import PAPER_TYPES
from models.domain.intake_text import Line
from models.domain.letter_end import BODY, FACTION
from models.domain.text import fold

_MONTHS = {
    "januar": 1, "februar": 2, "märz": 3, "april": 4, "mai": 5, "juni": 6, "juli": 7,
    "august": 8, "september": 9, "oktober": 10, "november": 11, "dezember": 12,
}  # fmt: skip
_NUMERIC = r"\d{1,2}\.\s?\d{1,2}\.\s?\d{4}"
_WORDED = r"\d{1,2}\.\s+(?:" + "|".join(_MONTHS) + r")\s+\d{4}"
DATE = re.compile(rf"(?<![\d.])(?:{_NUMERIC}|{_WORDED})(?![\d])", re.IGNORECASE)
_DATE_LINE = re.compile(
    rf"^(?:(?:Mo|Di|Mi|Do|Fr|Sa|So)\.?,\s*)?(?:[^,\d]{{2,60}},\s*(?:den\s+)?)?"
    rf"(?P<date>{_NUMERIC}|{_WORDED})$",
    re.IGNORECASE,
)
"""'09.05.2007', 'Di, 27.04.2004', 'Berlin Steglitz-Zehlendorf, den 09.05.2007',
'5. Februar 2021': a line that is only a date (with a place or weekday)."""
_PLACE = (
    r"[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)*"
    r"(?: (?:am|an der|an|ob der|in der|im|bei|vor der) [A-ZÄÖÜ][a-zäöüß]+"
    r"| \([A-ZÄÖÜ][a-zäöüß]+\))?"
)
_PLACED = re.compile(
    rf"(?:^|\s{{3}})(?:\d{{5}} (?P<coded>{_PLACE})\s+|(?P<place>{_PLACE}) (?:den )?)"
    rf"(?P<date>{_NUMERIC}|(?i:{_WORDED}))$"
)
"""'Erlangen 04.11.2020' in the letterhead's column, '91052 Erlangen' ⏎ (wide gap)
'20. April 2019': a place and the date without the comma, alone or as the line's last
column. The place is one word (a hyphen, 'am Main', '(Saale)' allowed): two words
('Stadtteilbeirat Büchenbach 16.12.2020') may be a sender, and are left to the head's
provisional date."""
_NOT_PLACES = frozenset(
    {"stand", "datum", "eingang", "eingegangen", "frist", "termin", "sitzung", "beschluss",
     "fassung", "version", "stichtag", "beginn", "ende", "druck", "ausgabe", "bearbeitung",
     "abgabe", "vorgelegt", "verteiler", "gültig", "erstellt", "geändert", "aktualisiert"}
)  # fmt: skip
"""Words before a date that are no place: 'Stand 04.11.2020' is a version, 'Eingang …' the
day a stamp was set."""
_CITED_NUMBER = re.compile(r"\bNr\.?\s*\d[\w/.-]*", re.IGNORECASE)
"""A paper's number inside a type line ('… Nr. 266/2019 vom …'), not read as this paper's."""
_MEETING_BEFORE = re.compile(r"(?:sitzung|fragestunde|versammlung)\w*\s+(?:vom|am)\s*$", re.I)

_JOINT = frozenset({"gemeinsamer", "interfraktioneller", "fraktionsübergreifender", "dringlicher"})
"""Adjectives before a paper type ('Gemeinsamer Antrag'): the type is the next word."""
_LISTED = re.compile(rf"^(?P<date>{_NUMERIC})\s+(?P<rest>\S.*)$")
_TYPES = sorted(PAPER_TYPES, key=len, reverse=True)
_TYPE_WORDS = {fold(t): t for t in PAPER_TYPES}
_COMPOUNDS = (("antrag", "Antrag"), ("anfrage", "Anfrage"), ("vorlage", "Vorlage"))
REF = r"(?=[\w./-]*\d)[A-Za-z]{0,4}[/ .-]?\d[\w]*(?:[/.-][\w]+)*"
"""A reference: letters, digits, slashes ('DS/1246/V', '0305/III', '062a/2016', 'F0071/20')."""
_LONE_REF = re.compile(rf"^(?=\S*/)(?P<nr>{REF})$")
_NUMBER_LINE = re.compile(
    r"^(?:Drucksache|Vorlage|Vorlagen-?Nr\.?|DS)\s*[-–:]?\s*(?P<nr>(?=\S*\d)\S+)$", re.I
)
_TYPE_DASH_NUMBER = re.compile(rf"^(?P<type>\S+(?:\s\S+)?)\s+[-–]\s+(?P<nr>{REF})$")
_DS_TITLE = re.compile(rf"^(?:DS|Drucksache)\s+(?P<nr>{REF})\s+(?P<title>\S.*)$")
_TYPE_NUMBER_COLON = re.compile(
    rf"^(?P<type>\S+(?:\s[^\s\d]\S*)?)(?:\s+(?:Nr\.\s*)?(?P<nr>{REF}))?\s*:\s*(?P<title>\S.*)$"
)
_REF_TITLE = re.compile(rf"^(?P<nr>(?=\S*/){REF})\s+(?P<title>[A-ZÄÖÜ„\"].*)$")
_AGENDA_REF_TITLE = re.compile(r"^\d+\.?\s*/\s*(?P<nr>\S+?)\.\s+(?P<title>\S.*)$")
_EXCERPT = re.compile(r"^Auszug\s+[-–]\s+(?P<title>\S.*)$")
_ADDRESS = re.compile(
    r"^(?:Herrn?|Frau|An\s+(?:den|die|das|Herrn?|Frau|(?:Ober)?[Bb]ürgermeister(?:in)?)\b"
    r"|Oberbürgermeister(?:in)?|Bürgermeister(?:in)?"
    r"|Rathaus|Landeshauptstadt|Stadt\s+\w+$|\d{5}\s)|(?:str\.|straße|platz|weg)\s+\d",
    re.IGNORECASE,
)
_RETURN_ADDRESS = re.compile(r",\s*\d{5}\s+[A-ZÄÖÜ]\w")
"""'Stadtteilbeirat Büchenbach, z.H. …, Holzweg 7, 91056 Erlangen': the sender's line over
the address field, no title."""
_LEGAL_BASIS = re.compile(r"^(?:gemäß|gem\.|nach\s+§|i\.\s?V\.\s?m\.|auf Grundlage)\s", re.I)
_LIST_HEADING = re.compile(r"^(?:Anträge|Anfragen|Tagesordnung)\b", re.IGNORECASE)
_NOISE = re.compile(
    r"^(?:[ÖN]\s*\d+(?:\.\d+)*|TOP\b.*|Ursprung\s?aktuell|Bürgerinformationssystem.*)$"
)
_PARENTHESES = re.compile(r"\(([^()]{2,80})\)")


def parse_german_date(text: str) -> date | None:
    """'26.1.2022', '09.05.2007', '5. Februar 2021' → a date; anything else → None."""
    text = " ".join(text.split())
    worded = re.match(r"^(\d{1,2})\.\s+(\w+)\s+(\d{4})$", text)
    try:
        if worded and worded.group(2).lower() in _MONTHS:
            month = _MONTHS[worded.group(2).lower()]
            return date(int(worded.group(3)), month, int(worded.group(1)))
        numeric = re.match(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})$", text)
        if numeric:
            day, month, year = (int(g) for g in numeric.groups())
            return date(year, month, day)
    except ValueError:
        return None
    return None


def date_line(text: str) -> date | None:
    """The date of a line that dates the letter: 'Ort, den Datum', 'Ort, Datum', a date
    alone, or a place directly before the date without the comma (`_PLACED`)."""
    text = text.strip()
    match = _DATE_LINE.match(text) or _PLACED.search(text)
    if match is None:
        return None
    place = match.groupdict().get("place") or match.groupdict().get("coded") or ""
    if place.split("-")[0].split(" ")[0].lower() in _NOT_PLACES or paper_type_of(place)[0]:
        return None
    return parse_german_date(match.group("date"))


def _submitters_of_type_line(text: str) -> list[str]:
    """'Gemeinsamer Dringlichkeitsantrag der Fraktion Bündnis 90/Die Grünen, der SPD-Fraktion.
    der CDU-Fraktion … und der Fraktion Die PARTEI & Volt:' → the factions, typos and all."""
    match = re.search(r"\b(?:der|von der|von)\s+(?P<names>.*\S)\s*$", text)
    if not match or not text.rstrip().endswith(":") or not FACTION.search(match.group("names")):
        return []
    parts = re.split(r",\s*|\.\s+(?=der\b)|\s+und\s+", match.group("names").rstrip(":"))
    names = [re.sub(r"^(?:der|die|des)\s+", "", p).strip(" :.;") for p in parts]
    return [name for name in names if name] if all(FACTION.search(n) for n in names) else []


def paper_type_of(text: str) -> tuple[str | None, str | None]:
    """(canonical type, compound word read as it) of a line's first words or a RIS type
    field ('Antrag zur BeschlussfassungDringliche …' → Antrag; 'Berichtsantrag' → Antrag,
    'Berichtsantrag')."""
    words = text.split()
    if words and words[0].lower() in _JOINT:
        words, text = words[1:], text.split(None, 1)[1] if len(words) > 1 else ""
    for count in (3, 2, 1):
        key = fold(" ".join(words[:count]).rstrip(":"))
        if len(words) >= count and key in _TYPE_WORDS:
            return _TYPE_WORDS[key], None
    lowered = text.lower()
    for name in _TYPES:  # glued cells: 'AntragBeschluss', 'Vorlage zur BeschlussfassungBeschluss'
        if lowered.startswith(name.lower()) and (len(words) > 1 or len(text) > len(name)):
            return name, None
    first = words[0].rstrip(":").lower() if words else ""
    for ending, name in _COMPOUNDS:
        if first.endswith(ending) and first != ending and first.isalpha():
            return name, words[0].rstrip(":")
    return None, None


@dataclass(slots=True)
class HeadFacts:
    """What the unlabelled head lines gave; `None` where they said nothing."""

    paper_type: str | None = None
    type_word: str | None = None
    reference: str | None = None
    title: str | None = None
    date: dt.date | None = None
    legal_basis: str | None = None
    submitters: list[str] = field(default_factory=list)
    letterhead: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    """Advisory bodies (Stadtteilbeirat …) as a head line's first cell or the sender's line:
    the submitter when no faction is named and it is the only one."""
    body_below: bool = False
    """A body's line stood below a type or title line: maybe the title, not the sender."""
    candidates: list[str] = field(default_factory=list)
    header_dates: list[dt.date] = field(default_factory=list)
    reference_unlabelled: bool = False
    """The number stood without a label ('1265/II Sanierung …', 'VO/2014/0850' alone)."""
    row_lines: list[Line] = field(default_factory=list)
    """The Beratungsfolge's lines, for its dates when the paper has none of its own."""
    dated_by: str | None = None
    """The head line `date` came from."""
    placed: bool = False
    """`date` came from a place and date without the comma ('Erlangen 04.11.2020'): certain
    only without `rivals`."""
    rivals: list[str] = field(default_factory=list)
    """Head lines offering another date than `date` (a date line, a type line's 'vom …')."""
    cited: str | None = None
    """The type line the date came from when it names a paper's number that is not taken as
    this paper's ('Antrag des Stadtteilbeirates Nr. 266/2019 vom 21.10.2019' over the
    Stadtteilbeirat's Stellungnahme to it): type and date may be the cited paper's."""

    def row_dates(self) -> list[dt.date]:
        """Every date printed in the Beratungsfolge, adjourned meetings included."""
        found = (
            parse_german_date(m[0]) for line in self.row_lines for m in DATE.finditer(line.text)
        )
        return [d for d in found if d is not None]


def read_line(text: str, facts: HeadFacts) -> None:
    """Take what one unlabelled head line says into `facts`."""
    for found in DATE.finditer(text):
        parsed = parse_german_date(found.group(0))
        if parsed:
            facts.header_dates.append(parsed)
    sender = re.split(r"\s{3,}|,\s", text.strip(), maxsplit=1)[0]
    if body := BODY.match(sender):  # 'Stadtteilbeirat Büchenbach   Erlangen, den …'
        facts.bodies.append(body.group("body"))
        facts.body_below |= facts.paper_type is not None or bool(facts.candidates)
    if _NOISE.match(text):
        return
    # a date line before the address test: '91052 Erlangen   20. April 2019'
    if (when := date_line(text)) is not None:
        _take_date(facts, when, text, placed=_DATE_LINE.match(text.strip()) is None)
        return
    if _ADDRESS.match(text) or _RETURN_ADDRESS.search(text):
        return
    if _LEGAL_BASIS.match(text) and facts.legal_basis is None:
        facts.legal_basis = text
        return
    listed = _LISTED.match(text)
    if listed and paper_type_of(listed.group("rest"))[0]:
        # '31.03.2022 Gemeinsamer Dringlichkeitsantrag: …': a faction's list of its motions
        _take_date(facts, parse_german_date(listed.group("date")), text)
        text = listed.group("rest")
    for pattern in (_DS_TITLE, _AGENDA_REF_TITLE, _REF_TITLE, _EXCERPT):
        match = pattern.match(text)
        if match:
            groups = match.groupdict()
            if facts.reference is None and groups.get("nr"):
                facts.reference = groups["nr"]
                facts.reference_unlabelled = pattern is not _DS_TITLE
            facts.title = facts.title or groups["title"]
            if pattern is _DS_TITLE:
                facts.paper_type = facts.paper_type or paper_type_of(groups["title"])[0]
            return
    if (match := _NUMBER_LINE.match(text) or _LONE_REF.match(text)) is not None:
        if facts.reference is None:
            facts.reference = match.group("nr")
            facts.reference_unlabelled = match.re is _LONE_REF
        return
    if (match := _TYPE_DASH_NUMBER.match(text)) is not None:
        kind, word = paper_type_of(match.group("type"))
        if kind:
            facts.paper_type, facts.type_word = facts.paper_type or kind, word
            facts.reference = facts.reference or match.group("nr")
            return
    kind, word = paper_type_of(text)
    if kind and facts.paper_type is None:
        _type_line(text, kind, word, facts)
        return
    if kind and (names := _submitters_of_type_line(text)):
        facts.submitters.extend(names)  # 'Gemeinsamer Antrag der Fraktion …, der SPD-Fraktion …:'
        return
    if kind:  # 'Vorschlag der Fraktionen von …' under a 'Vorschlag': a subtitle
        facts.candidates.append(text)
        return
    if FACTION.search(text) and len(text) <= 90 and not text.endswith((".", "?", "!")):
        facts.letterhead.append(
            re.sub(r"\s+im\s+(?:Stadtrat|Rat|Kreistag|Gemeinderat)\b.*$", "", text)
        )
        return
    if _LIST_HEADING.match(text) or text.endswith(":"):
        return
    facts.candidates.append(text)


def _take_date(facts: HeadFacts, when: dt.date | None, text: str, placed: bool = False) -> None:
    """The first date line, listed date or type line's 'vom …' dates the paper; a later one
    with another date is kept as a rival, so that a letterhead's date without a comma is not
    taken as certain when the head offers a second candidate."""
    if when is None:
        return
    if facts.date is None:
        facts.date, facts.dated_by, facts.placed = when, text, placed
    elif when != facts.date:
        facts.rivals.append(text)


def _type_line(text: str, kind: str, word: str | None, facts: HeadFacts) -> None:
    """'Anfrage 24-2021: Wie …?', 'Antrag gem. § 3 GO', 'Antrag an den Oberbürgermeister',
    'Antrag Stadtrats-Mitglieder … (CSU-Fraktion) vom 19.1.2024', 'Antrag auf …'."""
    facts.paper_type, facts.type_word = facts.paper_type or kind, facts.type_word or word
    colon = _TYPE_NUMBER_COLON.match(text)
    if colon and paper_type_of(colon.group("type"))[0]:
        facts.reference = facts.reference or colon.group("nr")
        facts.title = facts.title or colon.group("title")
        return
    rest = text.split(None, 1)[1] if " " in text else ""
    if re.match(r"^(?:gem\.|gemäß|nach)\s", rest):
        facts.legal_basis = rest
        return
    for found in DATE.finditer(text):
        before = text[: found.start()]
        if before.rstrip().endswith("vom") and not _MEETING_BEFORE.search(before):
            if (facts.date is None or facts.placed) and _CITED_NUMBER.search(before):
                facts.cited = text  # the type may be the cited paper's, whatever dates this one
            _take_date(facts, parse_german_date(found.group(0)), text)
    groups = [g for g in _PARENTHESES.findall(text) if FACTION.search(g)]
    if groups:
        facts.submitters.extend(groups)
        return
    addressed = re.match(r"^(?:an|für|der|des|von|vom)\b", rest, re.IGNORECASE)
    meeting = re.match(r"^(?:zur|zum)\s+(?:\S+\s+){0,2}\S*sitzung", rest, re.IGNORECASE)
    if rest and (word or not (addressed or meeting)):
        facts.candidates.append(text)  # 'Antrag auf Veröffentlichung der Protokolle …'
