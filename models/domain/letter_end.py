"""The end of a letter a faction typed: greeting, 'gez.', 'Für die SPD-Fraktion', and the
people who signed, one under the other ('Hans Stachel' ⏎ 'Fraktionsvorsitzender' ⏎ 'FREIE
WÄHLER Stadtratsfraktion Ingolstadt') or side by side in columns. Pure.

Why its own module: the RIS print (models.domain.signatures) has one layout of columns; a
letter has many, and a greeting or a sentence must never become a person. What the reader
cannot assign is named as uncertain, not guessed.
"""

from __future__ import annotations

import re

from models.domain.document import ParsedSignatory
from models.domain.intake_text import Line
from models.domain.signatures import _COLUMNS, _GREETING, _signatories

FACTION = re.compile(
    r"(?i:\w*fraktion\b|\bgruppe\b)|\b(?:CDU|CSU|SPD|FDP|AfD|GRÜNEN?|Grünen?|LINKE|Linke|ÖDP"
    r"|PIRATEN|Piraten|Volt|PARTEI|FREIE WÄHLER|Freie Wähler|BSW|Bündnis|BÜNDNIS|SÖS)\b"
)
"""A faction or party named in a letterhead, a signature or a list of submitters."""
BODY = re.compile(
    r"^(?:Der\s+|Die\s+)?(?P<body>(?:Stadtteilbeirat|Seniorenbeirat|Jugendbeirat|Integrationsrat"
    r"|Ausländerbeirat|Behindertenbeirat)"
    r"(?:\s+(?:der\s+(?:Stadt|Gemeinde|Hansestadt|Landeshauptstadt)\s+)?[A-ZÄÖÜ][\wäöüß.-]+){1,3})$"
)
"""A town's advisory body that may submit motions ('Stadtteilbeirat Büchenbach',
'Seniorenbeirat der Stadt Erlangen'), as a whole letterhead line, sender or signature: named
with its district or town, so that a word in a sentence or a genitive ('des
Stadtteilbeirates …') is never one."""
_FUNCTION = re.compile(
    r"^(?:stellv\.\s?|stellvertretende[r]?\s+)?(?:Fraktionsvorsitzende[r]?|Vorsitzende[r]?"
    r"|Fraktionssprecher(?:in)?|Sprecher(?:in)?|Fachsprecher(?:in)?|Stadtr(?:at|ätin)"
    r"|Ratsherr|Ratsfrau|Ratsmitglied|Stadtverordnete[r]?|Bezirksverordnete[r]?|Gemeinderät(?:in)?"
    r"|Gemeinderat|Geschäftsführer(?:in)?|Mitglied des \w+)\b\.?",
    re.IGNORECASE,
)
_NAME = re.compile(
    r"^(?:(?:Dr\.|Prof\.|Dipl\.-\w+\.?)\s*)*[A-ZÄÖÜ][\wäöüß'-]+"
    r"(?:\s+(?:(?:von|van|de|zu|der|den)\s+)?[A-ZÄÖÜ][\wäöüß'-]+\.?){0,3}$"
)
_SIGNED = re.compile(r"^(?:gez\.|i\.\s?A\.|i\.\s?V\.)\s*", re.IGNORECASE)
_ON_BEHALF = re.compile(r"^Für\s+(?:die|den|das)\s+(?P<faction>.+?)\s*:?$")
MAX_BLOCK = 8


def _sentence_end(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?", ":", ";", ",")) and not _FUNCTION.match(text)


def is_name(text: str) -> bool:
    text = _SIGNED.sub("", text).strip()
    return bool(_NAME.match(text)) and not FACTION.search(text) and not _FUNCTION.match(text)


def split_end(lines: list[Line]) -> tuple[list[Line], list[Line], bool]:
    """(text, signature block, greeted): after the last greeting, or else the trailing short
    lines after the last sentence when the first of them is a name ('gez.', 'Für die …')."""
    for index in range(len(lines) - 1, -1, -1):
        if _GREETING.match(lines[index].text):
            return lines[:index], [line for line in lines[index + 1 :] if line.text], True
    tail: list[Line] = []
    for line in reversed(lines):
        if not line.text:
            continue
        if _sentence_end(line.text) or len(line.text) > 90 or len(tail) >= MAX_BLOCK:
            break
        tail.insert(0, line)
    while tail and not _starts_block(tail[0].text):
        tail.pop(0)
    if not tail:
        return lines, [], False
    cut = lines.index(tail[0])
    return lines[:cut], tail, False


def _starts_block(text: str) -> bool:
    first = _COLUMNS.split(text.strip())[0]
    return bool(_SIGNED.match(text) or _ON_BEHALF.match(text) or is_name(first))


def signatures(
    block: list[Line], greeted: bool = True
) -> tuple[tuple[ParsedSignatory, ...], list[str]]:
    """The people of a signature block, and what could not be assigned (German reasons).
    Without a greeting, 'gez.' or 'Für die …' a block of bare names is only a guess: the last
    short lines of a text may be a place or a heading as well."""
    doubts: list[str] = []
    faction: str | None = None
    rows: list[Line] = []
    for line in block:
        behalf = _ON_BEHALF.match(line.text)
        if behalf and FACTION.search(behalf.group("faction")):
            faction = behalf.group("faction")
        elif not _GREETING.match(line.text):
            rows.append(line)
    if not rows:
        return (), ["keine Unterschrift nach dem Gruß"] if block else []
    if any(_COLUMNS.search(line.text) for line in rows):
        people = list(_signatories(rows[:3]))
        if len(rows) > 3:
            doubts.append(f"{len(rows)} Zeilen Unterschriften in Spalten; höchstens 3 lesbar")
    else:
        people, vertical_doubts = _vertical(rows)
        doubts.extend(vertical_doubts)
    if faction:
        people = [p if p.faction else ParsedSignatory(p.name, p.function, faction) for p in people]
    signed = any(_SIGNED.match(line.text) for line in block)
    if (
        people
        and not (greeted or signed or faction)
        and not any(p.function or p.faction for p in people)
    ):
        doubts.append(f"ohne Gruß, Funktion oder Fraktion als Name gelesen: {people[0].name!r}")
    return tuple(people), doubts


def _vertical(rows: list[Line]) -> tuple[list[ParsedSignatory], list[str]]:
    """One person after the other: a name, then a function and a faction line."""
    people: list[ParsedSignatory] = []
    doubts: list[str] = []
    for line in rows:
        text = _SIGNED.sub("", line.text).strip()
        if is_name(text):
            people.append(ParsedSignatory(" ".join(text.split())))
            continue
        if not people:
            doubts.append(f"Unterschrift: {text[:60]!r} steht vor einem Namen")
            continue
        person = people[-1]
        function = _FUNCTION.match(text)
        if function and person.function is None:
            rest = text[function.end() :].strip()
            faction = rest if rest and FACTION.search(rest) else person.faction
            extra = rest if rest and not FACTION.search(rest) else ""
            people[-1] = ParsedSignatory(
                person.name, f"{function.group(0)} {extra}".strip(), faction
            )
        elif FACTION.search(text) and person.faction is None:
            people[-1] = ParsedSignatory(person.name, person.function, text)
        else:
            doubts.append(f"Unterschrift: {text[:60]!r} ist weder Name, Funktion noch Fraktion")
    return people, doubts
