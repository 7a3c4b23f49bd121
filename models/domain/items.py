"""The list items of a Beschlussvorschlag or a Fragen section: the questions whose answers
have a deadline. Pure.

Why so many markers: the same motion arrives with "- ", Word's Symbol bullet, "•", "a)",
"(1)", "1.)" or Word's second-level "o" (before a lower-case word too, when the tab after
it left two spaces or more: 'o  wann soll …?', Erlangen) depending on who typed it and how
it was exported; a question the reader
misses is a deadline that silently disappears. A line that starts with a symbol the reader
does not know is refused rather than read as prose, and a line that starts like a number
but continues a sentence ("31. Dezember", "2. Quartal") stays part of its item.
"""

from __future__ import annotations

import re
import unicodedata

from models.domain.document import IntakeError
from models.domain.intake_text import Line, join_wrapped, runs_on

_UNORDERED = "-–—•·*▪■□◦●○►➢➤✓❖"
_ITEM = re.compile(
    r"^(?:"
    r"(?P<sym>[–—•·*▪■□◦●○►➢➤✓❖])\s*"
    r"|-(?:\s+|(?=[A-ZÄÖÜ„\"]))"
    r"|o\s+(?=[A-ZÄÖÜ])|o(?:\t|\s{2,})(?=\S)"
    r"|(?P<num>\d{1,2})(?P<numend>\.\)|[.)])(?:\s+|(?=[A-ZÄÖÜ„\"]))"
    r"|\((?P<pnum>\d{1,2})\)\s*"
    r"|(?P<let>[a-z])\)\s+"
    r"|\((?P<plet>[a-z])\)\s+"
    r")(?P<text>\S.*)$"
)
_CONTINUES = re.compile(
    r"^\d{1,2}\.\s*(?:Januar|Februar|März|April|Mai|Juni|Juli|August|September|Oktober"
    r"|November|Dezember|Jan\.|Feb\.|Quartal|Halbjahr|Jahrhundert|Lesung|Sitzung|Woche|Monat"
    r"|Tag|Mal|Stock|Obergeschoss|OG|Bauabschnitt|Änderung|Nachtrag|Fortschreibung)\b"
)
"""'31. Dezember', '2. Quartal': an ordinal that continues a sentence, not an item."""
_SYMBOL_CATEGORIES = frozenset({"So", "Sm", "Sk", "Co", "Cn"})
"""A line starting with a character of these categories (arrows, dingbats, private use)
starts with a bullet the reader does not know, not with a word."""


def proposal(
    lines: list[Line], source: str, doubts: list[tuple[str, str]] | None = None
) -> tuple[str, list[str]]:
    """The resolution text (unordered items as '- ', ordered ones with their marker) and its
    list items, wrapped lines joined. An item ends at a blank line or at the next item. A line
    starting with a symbol the reader does not know is refused, or, given `doubts`, read as
    a bullet with the doubt recorded there."""
    blocks: list[tuple[str, list[str]]] = []  # (marker, lines); marker "" = prose
    expected = 1  # the number the next numbered item must carry
    after_blank = False
    for line in lines:
        if not line.text:
            blocks.append(("", []))
            after_blank = True
            continue
        if after_blank and _runs_on(blocks, line.text):
            # "… in dem Steuerungsgremium" ⏎⏎ "(strategische Koordinierung) …": a PDF's
            # line spacing, not the end of the item.
            while blocks and not blocks[-1][1]:
                blocks.pop()
            blocks[-1][1].append(line.text)
            after_blank = False
            continue
        after_blank = False
        marker, text, number = _item(line.text)
        if number is not None and (number != expected or _CONTINUES.match(line.text)):
            marker = ""  # "31. Dezember …": the previous line's sentence goes on
        if marker:
            expected = number + 1 if number is not None else expected
            blocks.append((marker, [text]))
            continue
        first = line.text[0]
        if unicodedata.category(first) in _SYMBOL_CATEGORIES and first not in _UNORDERED:
            reason = (
                f"Fragen/Beschlussvorschlag: unbekanntes Aufzählungszeichen {first!r} "
                f"(U+{ord(first):04X})"
            )
            if doubts is None:
                raise IntakeError(source, line.no, f"{reason}; bitte als '- ' schreiben")
            # Read as a bullet, and said so: the paper waits for review, the items kept.
            doubts.append(("questions", f"Zeile {line.no}: {reason} als Aufzählung gelesen"))
            blocks.append(("-", [line.text[1:].strip()]))
            continue
        if blocks:
            blocks[-1][1].append(line.text)
        else:
            blocks.append(("", [line.text]))
    items = [join_wrapped(parts) for marker, parts in blocks if marker]
    rendered = [
        f"{marker} {join_wrapped(parts)}" if marker else join_wrapped(parts)
        for marker, parts in blocks
        if parts
    ]
    return "\n".join(rendered), items


def _runs_on(blocks: list[tuple[str, list[str]]], text: str) -> bool:
    """After a blank line: does this line continue the last block's unfinished sentence?"""
    if _ITEM.match(text):
        return False
    for _, parts in reversed(blocks):  # back to the last block with text: linear overall
        if parts:
            return runs_on(parts[-1], text)
    return False


def _item(text: str) -> tuple[str, str, int | None]:
    """(marker as rendered, item text, its number for numbered markers) or ('', text, None)."""
    match = _ITEM.match(text)
    if match is None:
        return "", text, None
    body = match.group("text")
    if match.group("num"):
        return f"{match.group('num')}.", body, int(match.group("num"))
    if match.group("pnum"):
        return f"({match.group('pnum')})", body, int(match.group("pnum"))
    if match.group("let"):
        return f"{match.group('let')})", body, None
    if match.group("plet"):
        return f"({match.group('plet')})", body, None
    return "-", body, None


_PUNCTUATION = re.compile('[„“”"«»‚‘.?!:]')
_ABBREVIATIONS = frozenset({"dr", "nr", "abs", "ggf", "bzw", "ca", "vgl", "str", "gem", "evtl"})


def prose_questions(text: str) -> list[str]:
    """The sentences of a text that end in '?', as an Anfrage asks them in prose ('Was wurde
    hier genehmigt? Gab es dort …?'). A question quoted inside a sentence ('… die Anfrage
    „Welche Rolle spielt …?“ immer noch nicht beantwortet?') does not end it, and neither
    does the full stop of an abbreviation ('z. B.', 'Dr.'); linear in the text's length."""
    sentences: list[str] = []
    start = depth = 0
    for found in _PUNCTUATION.finditer(text):  # only the characters that matter are visited
        index, char = found.start(), found.group(0)
        if char in "„«‚":
            depth += 1
        elif char in "“”»‘" and depth:
            depth -= 1
        elif char == '"':
            depth = 0 if depth else 1
        if depth or char not in ".?!:":
            continue
        after = text[index + 1 : index + 2]
        if after not in ("", " ", "\n"):
            continue
        rest = text[index + 1 : index + 8].lstrip()
        following = rest[:1]
        if char == ":" and not following.isupper():
            continue  # 'wie folgt: die …' runs on; 'Beantwortung: Warum …?' starts a question
        if char == ".":
            word = text[start:index].rsplit(None, 1)[-1] if text[start:index].strip() else ""
            if len(word) < 4 or word.lower() in _ABBREVIATIONS or not following.isupper():
                continue
        sentences.append(text[start : index + 1])
        start = index + 1
    return [" ".join(s.split()) for s in sentences if s.strip().endswith("?")]
