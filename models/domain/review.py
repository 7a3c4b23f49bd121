"""What staff can correct when a motion is `in_review`, and how its fields are called.

The intake names a doubtful field by its ParsedPaper name (`questions`, `consultations`,
`name`, maybe with a position: `questions[3]`); staff type the German word (`fragen`,
`gremium.2`). Both meet here, so `ratsfrist review`, its Prefect form and the service agree
on which correction settles which doubt. Pure.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from models.domain.steps import FieldError

#: Every word accepted for a field (German first, as staff type it) → the ParsedPaper field.
ALIASES: dict[str, str] = {
    "titel": "name",
    "name": "name",
    "betreff": "name",
    "untertitel": "subtitle",
    "subtitle": "subtitle",
    "nummer": "reference",
    "nr": "reference",
    "reference": "reference",
    "datum": "date",
    "date": "date",
    "status": "public",
    "public": "public",
    "art": "paper_type",
    "paper_type": "paper_type",
    "rechtsgrundlage": "legal_basis",
    "legal_basis": "legal_basis",
    "antragsteller": "submitters",
    "submitters": "submitters",
    "beschlussvorschlag": "resolution_proposal",
    "resolution_proposal": "resolution_proposal",
    "begründung": "reasoning",
    "sachverhalt": "reasoning",
    "reasoning": "reasoning",
    "fragen": "questions",
    "questions": "questions",
    "unterzeichner": "signatories",
    "signatories": "signatories",
    "beratungsfolge": "consultations",
    "consultations": "consultations",
    "gremium": "consultations",
    "sitzung": "consultations",
    "zuständigkeit": "consultations",
    "anlagen": "attachments",
    "attachments": "attachments",
}

#: ParsedPaper field → the word `ratsfrist review` shows.
WORDS: dict[str, str] = {
    "name": "titel",
    "subtitle": "untertitel",
    "reference": "nummer",
    "date": "datum",
    "public": "status",
    "paper_type": "art",
    "legal_basis": "rechtsgrundlage",
    "submitters": "antragsteller",
    "resolution_proposal": "beschlussvorschlag",
    "reasoning": "begründung",
    "questions": "fragen",
    "signatories": "unterzeichner",
    "consultations": "beratungsfolge",
    "attachments": "anlagen",
}

_HEAD = re.compile(r"[^\W\d]+")
_ROW_KEY = re.compile(r"^(gremium|sitzung|zuständigkeit)(?:\.(\d+))?$")


def field_of(name: str) -> str:
    """'questions[3]', 'Fragen', 'gremium.2' → the ParsedPaper field ('questions', …); a name
    nobody knows stays as it is, so its doubt can only be confirmed."""
    match = _HEAD.match(name.strip().lower())
    head = match.group(0) if match else name.strip().lower()
    return ALIASES.get(head, head)


def word_of(name: str) -> str:
    """The German word staff type for the field a doubt names."""
    field = field_of(name)
    return WORDS.get(field, name)


def row_key(key: str) -> tuple[str, int] | None:
    """'gremium.2' → ('gremium', 2); 'sitzung' → ('sitzung', 1); anything else → None."""
    match = _ROW_KEY.match(key)
    if match is None:
        return None
    return match.group(1), int(match.group(2) or 1)


def parse_corrections(items: Iterable[str], what: str = "corrections") -> dict[str, str]:
    """['titel=Neuer Titel', 'gremium.1=Rat'] → {'titel': 'Neuer Titel', 'gremium.1': 'Rat'}:
    keys lower-case, each known, each once."""
    corrections: dict[str, str] = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip().lower()
        if not sep or not key:
            raise FieldError(what, f"{{field}} {item!r}: erwartet feld=wert, z. B. titel=…")
        if row_key(key) is None and key not in ALIASES:
            known = ", ".join(sorted({*WORDS.values(), "gremium.N", "sitzung.N"}))
            raise FieldError(what, f"{{field}} {key!r}: unbekanntes Feld (bekannt: {known})")
        if key in corrections:
            raise FieldError(what, f"{{field}} {key!r}: doppelt angegeben")
        corrections[key] = value.strip()
    return corrections


def split_list(text: str) -> list[str]:
    """'Frage eins? | Frage zwei?' or one per line → the items; empty parts dropped."""
    parts = re.split(r"\s*\|\s*|\n", text)
    return [" ".join(p.split()) for p in parts if p.strip()]
