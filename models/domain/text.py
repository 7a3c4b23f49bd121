"""German words as keys: umlauts spelled out, case and spacing ignored. Pure.

Staff type 'Ungeaendert beschlossen' or 'unverändert  Beschlossen', documents say 'Große
Anfrage', Apprise tags allow only ASCII: every comparison of such words and every tag made
from a name goes through here, so they all fold the same way.
"""

from __future__ import annotations

import unicodedata

_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def spell_out_umlauts(text: str) -> str:
    """'Größe' → 'Groesse' for lower-case umlauts (fold and slug lower the case first)."""
    return text.translate(_UMLAUTS)


def fold(text: str) -> str:
    """Case-, space-, dash- and umlaut-insensitive key, so 'Ungeaendert beschlossen' matches
    'unverändert beschlossen' and 'zur_kenntnis' matches 'zur Kenntnis'."""
    text = text.strip().lower().replace("_", " ").replace("-", " ")
    text = unicodedata.normalize("NFKD", spell_out_umlauts(text))
    return " ".join(text.split())


def name_key(name: str) -> str:
    """How a committee's name is matched (the database compares lower(name) with it): case and
    runs of whitespace do not count, umlauts and dashes do ('Haupt-  und Finanzausschuss')."""
    return " ".join(name.split()).lower()


def slug(text: str) -> str:
    """'Ausschuss für Umwelt, Planung' → 'ausschuss-fuer-umwelt-planung' (tags, keys)."""
    plain = spell_out_umlauts(text.lower())
    out = "".join(ch if ch.isalnum() else "-" for ch in plain)
    return "-".join(part for part in out.split("-") if part)
