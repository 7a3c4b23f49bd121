"""Text normalisation before a document is parsed: what Word, PDF extraction and copy-paste
add to a text that a reader does not see, and that would otherwise end up in a reference
(`show "A 21/0500-01"` finding nothing) or hide a section label. Pure.

Character-level only: NFKC (ligatures, full-width forms, non-breaking spaces), invisible
characters removed (zero-width, bidi marks and embeddings, soft hyphens, BOMs inside the
text). Lines stay where they are, so error messages keep their line numbers; joining a word
hyphenated across lines is `join_wrapped`'s job, because only it knows which lines belong
together.
"""

from __future__ import annotations

import re
import unicodedata

_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u202a-\u202e"
    "\u2060-\u206f\ufeff\ufff9-\ufffb]"
)
"""Soft hyphen, combining grapheme joiner, Arabic letter mark, Hangul fillers, Mongolian
vowel separator, zero-width space/joiners, LRM/RLM, bidi embeddings and isolates, word joiner
and invisible operators, BOM / zero-width no-break space, interlinear annotation marks."""

_PRIVATE_BULLETS = {"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "►", "\uf076": "❖"}
"""Word's Symbol-font bullets land in the Private Use Area when a document is exported
to text; they mean the bullet they are drawn as."""


_KEEP = "²³¹…½¼¾°"
"""Characters NFKC would rewrite into something else ('m²' → 'm2', '…' → '...'): kept."""
_HIDE = {c: chr(0xF8E0 + i) for i, c in enumerate(_KEEP)}
_SHOW = {chr(0xF8E0 + i): c for i, c in enumerate(_KEEP)}


def _replace(text: str, mapping: dict[str, str]) -> str:
    """str.translate with a dict is ten times slower than a few replace() calls on a 2 MB
    text; the mappings here are a handful of characters that rarely occur."""
    for old, new in mapping.items():
        if old in text:
            text = text.replace(old, new)
    return text


def normalise(text: str) -> str:
    """NFKC, invisible characters removed, Symbol-font bullets mapped, line endings '\\n'.

    Form feeds (page breaks) are kept: the line reader needs them to recognise page headers.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _INVISIBLE.sub("", _replace(text, _PRIVATE_BULLETS))
    if text.isascii():
        return text
    if unicodedata.is_normalized("NFKC", text):
        return text
    return _replace(unicodedata.normalize("NFKC", _replace(text, _HIDE)), _SHOW)
