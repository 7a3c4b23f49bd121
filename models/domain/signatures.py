"""The end of a document: its reasoning, the greeting and the signature block, laid out in
columns (row 1 names, row 2 functions, row 3 factions). Pure.

Why the care: a greeting is not a person, and text extracted from a PDF has no blank line
between the last sentence and the signatures; both used to end up in the wrong field.
"""

from __future__ import annotations

import re

from models.domain.document import IntakeError, ParsedSignatory
from models.domain.intake_text import Line, join_wrapped, runs_on

_COLUMNS = re.compile(r"\s{3,}")
_ARTICLE = re.compile(r"^(?:der|die|des)\s+", re.IGNORECASE)
_GREETING = re.compile(
    r"^(?:mit\s+freundlichen\s+grüßen|freundliche\s+grüße|mit\s+besten\s+grüßen|"
    r"viele\s+grüße|hochachtungsvoll|beste\s+grüße)\b[\s,.!]*$",
    re.IGNORECASE,
)
_SIGNED = re.compile(r"^(?:gez\.|i\.\s?A\.|i\.\s?V\.)\s*", re.IGNORECASE)
MAX_SIGNATURE_ROWS = 4


def _paragraphs(lines: list[Line]) -> list[list[Line]]:
    paragraphs: list[list[Line]] = [[]]
    for line in lines:
        if line.text:
            if (
                not paragraphs[-1]
                and len(paragraphs) > 1
                and runs_on(paragraphs[-2][-1].text, line.text)
            ):
                paragraphs.pop()  # a blank line inside a sentence: PDF line spacing
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return [p for p in paragraphs if p]


def _is_cell_row(line: Line) -> bool:
    cells = _COLUMNS.split(line.text)
    return all(
        len(cell) <= 60 and not cell.rstrip().endswith((".", ":", "?", "!", ",", ";"))
        for cell in cells
    )


def _looks_like_signatures(paragraph: list[Line]) -> bool:
    return 1 < len(paragraph) <= MAX_SIGNATURE_ROWS and all(map(_is_cell_row, paragraph))


def _trailing_columns(paragraph: list[Line]) -> int:
    """How many lines at the end of a paragraph are a column block (no blank line before it,
    as PDF extraction gives it): rows with a column gap, the first of them the names."""
    count = 0
    for line in reversed(paragraph):
        if count >= MAX_SIGNATURE_ROWS or not _is_cell_row(line):
            break
        count += 1
    while count and not _COLUMNS.search(paragraph[-count].text):
        count -= 1  # the names row has its columns; a short sentence before it is prose
    return count if count > 1 else 0


def _merge_spaced_rows(paragraphs: list[list[Line]]) -> list[list[Line]]:
    """Signature rows a PDF's line spacing set apart ('Ingrid Tews   Bernd Dickmann' ⏎⏎
    'Fachsprecherin   Fachsprecher' ⏎⏎ …): trailing one-line paragraphs in columns are one
    block."""
    count = lines = 0
    for paragraph in reversed(paragraphs):
        if not all(_is_cell_row(line) and _COLUMNS.search(line.text) for line in paragraph):
            break
        count += 1
        lines += len(paragraph)
    if count < 2 or lines > MAX_SIGNATURE_ROWS:
        return paragraphs
    return [*paragraphs[:-count], [line for p in paragraphs[-count:] for line in p]]


def _unsplittable(paragraph: list[Line]) -> bool:
    """A last paragraph of short lines, none a sentence or a list item, that is no signature
    block the reader can split: one cell a line, as plain text extraction gives a table."""
    return (
        MAX_SIGNATURE_ROWS < len(paragraph) <= 9
        and all(len(line.text) <= 60 for line in paragraph)
        and not any(line.text.endswith((".", "!", "?", ":", ",", ";")) for line in paragraph)
        and not any(line.text[0] in "-–•*" or line.text[0].isdigit() for line in paragraph)
    )


def _trailing_block(paragraph: list[Line]) -> int:
    """Short lines without punctuation after the paragraph's last sentence, as text without
    positions gives a signature block (columns run together or one cell a line)."""
    count = 0
    for line in reversed(paragraph):
        if line.text.endswith((".", "!", "?", ":", ",", ";")) or len(line.text) > 120:
            break
        count += 1
    if count == len(paragraph) or count < 2 or count > 9:
        return 0
    return count if paragraph[-count - 1].text.endswith((".", "!", "?", ":")) else 0


def reasoning_and_signatures(
    lines: list[Line], source: str = "<text>"
) -> tuple[str, tuple[ParsedSignatory, ...]]:
    paragraphs = [
        [line for line in p if not _GREETING.match(line.text)] for p in _paragraphs(lines)
    ]
    paragraphs = _merge_spaced_rows([p for p in paragraphs if p])
    signatories: tuple[ParsedSignatory, ...] = ()
    if len(paragraphs) > 1 and _looks_like_signatures(paragraphs[-1]):
        block = paragraphs.pop()
        _check_columns(block, source)
        signatories = _signatories(block)
    elif len(paragraphs) > 1 and _unsplittable(paragraphs[-1]):
        raise IntakeError(
            source,
            paragraphs[-1][0].no,
            f"Unterzeichnende unsicher: {len(paragraphs[-1])} kurze Zeilen ohne Spalten "
            f"({paragraphs[-1][0].text[:40]!r} …); Namen und Funktionen nicht zuzuordnen",
        )
    elif paragraphs and (tail := _trailing_columns(paragraphs[-1])):
        _check_columns(paragraphs[-1][-tail:], source)
        signatories = _signatories(paragraphs[-1][-tail:])
        paragraphs[-1] = paragraphs[-1][:-tail]
    elif paragraphs and (tail := _trailing_block(paragraphs[-1])):
        block = paragraphs[-1][-tail:]
        if tail > 3:
            raise IntakeError(
                source,
                block[0].no,
                f"Unterzeichnende unsicher: {tail} kurze Zeilen ohne Spalten nach dem letzten "
                f"Satz ({block[0].text[:40]!r} …); Namen und Funktionen nicht zuzuordnen",
            )
        _check_columns(block, source)
        signatories = _signatories(block)
        paragraphs[-1] = paragraphs[-1][:-tail]
    reasoning = "\n".join(join_wrapped(line.text for line in p) for p in paragraphs if p)
    return reasoning, signatories


_NAME_PARTICLES = frozenset({"dr.", "prof.", "von", "van", "der", "de", "zu", "gez.", "i.a."})


def _check_columns(block: list[Line], source: str) -> None:
    names = len(_COLUMNS.split(block[0].text))
    for line in block[1:]:
        if len(_COLUMNS.split(line.text)) > names:
            raise IntakeError(
                source,
                line.no,
                f"Unterzeichnende unsicher: {line.text[:60]!r} hat mehr Spalten als die "
                "Zeile der Namen",
            )
    _check_one_column(block, source)


def _check_one_column(block: list[Line], source: str) -> None:
    """One column whose names row holds more words than one person's name: two or more
    people whose columns the extraction ran together. Which word belongs to whom cannot be
    known, so the document is refused rather than one 'Ingrid Tews Bernd Dickmann' stored."""
    if _COLUMNS.search(block[0].text):
        return
    words = [w for w in _SIGNED.sub("", block[0].text).split() if w.lower() not in _NAME_PARTICLES]
    if len(words) >= 4:
        raise IntakeError(
            source,
            block[0].no,
            f"Unterzeichnende unsicher: {block[0].text[:60]!r} – mehrere Namen ohne erkennbare "
            "Spalten (bitte Unterschriften mit Abstand oder je Zeile eine Person)",
        )


def _signatories(paragraph: list[Line]) -> tuple[ParsedSignatory, ...]:
    """Columns laid out side by side: row 1 names, row 2 functions, row 3 factions."""
    rows = [_COLUMNS.split(line.text) for line in paragraph]
    width = len(rows[0])
    columns: list[list[str | None]] = [[] for _ in range(width)]
    for row in rows:
        for index in range(width):
            columns[index].append(row[index].strip() if index < len(row) else None)
    people = []
    for cells in columns:
        name, function, faction = [*cells, None, None, None][:3]
        name = _SIGNED.sub("", name or "")
        if not name or _GREETING.match(name):
            continue
        people.append(
            ParsedSignatory(
                name=" ".join(name.split()),
                function=" ".join(function.split()) if function else None,
                faction=_ARTICLE.sub("", " ".join(faction.split())) if faction else None,
            )
        )
    return tuple(people)
