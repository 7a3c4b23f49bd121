"""The seed document with one realistic change each: every variant is either parsed with
every field right, or refused with the uncertain field named. A parse with a wrong field and
no word about it ("silently wrong") is what this test counts, and it must be 0.

The changes: what issue 15 found accepted with wrong fields (bullets, rows without Ö/N, wrapped
dates, labels, no blank lines, invisible characters, greetings, factions, hyphens, headers)+.
"""

from __future__ import annotations

import dataclasses
import html
import re
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest

from models.domain.document import IntakeError, ParsedConsultation, ParsedPaper
from models.domain.intake import parse_document
from tests.conftest import EXAMPLE

SEED = EXAMPLE.read_text(encoding="utf-8")
EXPECTED = parse_document(SEED.encode(), "seed.txt")
INTRO = (EXPECTED.resolution_proposal or "").split("\n", 1)[0]
ROW = "Sozialausschuss 15.06.2021 Ö Entscheidung"
SOZIAL = EXPECTED.consultations[0]

FIELD_WORDS = (
    "Nummer", "Titel", "Beratungsfolge", "Gremium", "Sitzungsdatum", "Zuständigkeit",
    "Fragen", "Aufzählungszeichen", "Unterzeichnende", "Status", "Datum", "Rechtsgrundlage",
)  # fmt: skip
"""A refusal must name one of these: which field the reader was unsure of."""

Mutation = tuple[str, Callable[[str], str | bytes], dict[str, Any]]


def _bullets(marker: Callable[[int], str]) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        count = iter(range(1, 100))
        return re.sub(r"(?m)^- ", lambda _: marker(next(count)), text)

    return mutate


def _proposal(questions: tuple[str, ...], marker: Callable[[int], str] = lambda _: "-") -> str:
    return "\n".join([INTRO, *(f"{marker(i)} {q}" for i, q in enumerate(questions, 1))])


def _question(index: int, text: str) -> dict[str, Any]:
    questions = list(EXPECTED.questions)
    questions[index] = text
    return {"questions": tuple(questions), "resolution_proposal": _proposal(tuple(questions))}


def _rows(*rows: tuple[str, date | None, bool, str]) -> dict[str, Any]:
    return {
        "consultations": tuple(
            ParsedConsultation(org, when, public, role, role == "Entscheidung", i)
            for i, (org, when, public, role) in enumerate(rows, 1)
        )
    }


def _sub(old: str, new: str) -> Callable[[str], str]:
    def mutate(text: str) -> str:
        assert old in text, old
        return text.replace(old, new, 1)

    return mutate


def _collapse_after(start: str, text: str) -> str:
    """Column gaps run together, as a text layer without positions gives them."""
    head, tail = text.split(start, 1)
    return head + re.sub(r" {2,}", " ", start + tail)


Q3 = "- Wann wird das Steuerungsgremium erstmals zusammen kommen?"
SIGNATURES = "Ingrid Tews                                                Bernd Dickmann"
REFUSE: dict[str, Any] = {"refuse": True}


def _as_html(pre: bool) -> Callable[[str], bytes]:
    """The seed saved as a web page: in <pre>, or as paragraphs with <br> and the signature
    block as a table (how a RIS shows a document's text)."""

    def mutate(text: str) -> bytes:
        if pre:
            body = f"<pre>{html.escape(text)}</pre>"
        else:
            blocks = []
            for block in re.split(r"\n\s*\n", text):
                lines = [line for line in block.split("\n") if line.strip()]
                if lines and lines[0].startswith("Ingrid Tews"):
                    rows = "".join(
                        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in
                                         re.split(r"\s{3,}", line.strip())) + "</tr>"
                        for line in lines
                    )  # fmt: skip
                    blocks.append(f"<table>{rows}</table>")
                elif lines:
                    blocks.append("<p>" + "<br>\n".join(html.escape(x) for x in lines) + "</p>")
            body = "\n".join(blocks)
        page = f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>{body}</body></html>'
        return page.encode("utf-8")

    return mutate


MUTATIONS: list[Mutation] = [
    # --- list styles -----------------------------------------------------------------------
    *[
        (f"bullet {b!r}", _bullets(lambda _, b=b: b), {})  # type: ignore[misc]
        for b in ("\uf0b7 ", "\uf0b7\t", "• ", "·  ", "* ", "▪ ", "o ", "– ", "-", "●  ")
    ],
    (
        "bullet a)",
        _bullets(lambda i: f"{'abcdefghi'[i - 1]}) "),
        {"resolution_proposal": _proposal(EXPECTED.questions, lambda i: f"{'abcdefghi'[i - 1]})")},
    ),
    (
        "bullet (1)",
        _bullets(lambda i: f"({i}) "),
        {"resolution_proposal": _proposal(EXPECTED.questions, lambda i: f"({i})")},
    ),
    *[
        (
            f"bullet {fmt!r}",
            _bullets(lambda i, fmt=fmt: fmt.format(i)),  # type: ignore[misc]
            {"resolution_proposal": _proposal(EXPECTED.questions, lambda i: f"{i}.")},
        )
        for fmt in ("{}.) ", "{}.", "{}) ", "{}. ")
    ],
    ("unknown bullet ➔", _bullets(lambda _: "➔ "), REFUSE),
    ("unknown bullet ✎", _sub(Q3, Q3.replace("- ", "✎ ")), REFUSE),
    # --- Beratungsfolge --------------------------------------------------------------------
    ("row without Ö/N", _sub(ROW, "Sozialausschuss 15.06.2021 Entscheidung"), {}),
    ("row date first", _sub(ROW, "15.06.2021 Sozialausschuss Ö Entscheidung"), {}),
    ("row with tabs", _sub(ROW, "Sozialausschuss\t15.06.2021\tÖ\tEntscheidung"), {}),
    ("row Beschließend", _sub(ROW, "Sozialausschuss 15.06.2021 Ö Beschließend"), {}),
    (
        "row zur Beschlussfassung",
        _sub(ROW, ROW.replace("Entscheidung", "zur Beschlussfassung")),
        {},
    ),
    (
        "row N",
        _sub(ROW, ROW.replace(" Ö ", " N ")),
        _rows(("Sozialausschuss", date(2021, 6, 15), False, "Entscheidung")),
    ),
    (
        "four rows without Ö/N",
        _sub(
            ROW,
            "Haupt- und Finanzausschuss 10.06.2021 Vorberatung\n"
            "Sozialausschuss 15.06.2021 Vorberatung\n"
            "Bezirksvertretung 1 17.06.2021 Kenntnisnahme\n"
            "Rat der Stadt 24.06.2021 Entscheidung",
        ),
        _rows(
            ("Haupt- und Finanzausschuss", date(2021, 6, 10), True, "Vorberatung"),
            ("Sozialausschuss", date(2021, 6, 15), True, "Vorberatung"),
            ("Bezirksvertretung 1", date(2021, 6, 17), True, "Kenntnisnahme"),
            ("Rat der Stadt", date(2021, 6, 24), True, "Entscheidung"),
        ),
    ),
    (
        "committee wrapped",
        _sub(ROW, "Ausschuss für Soziales, Gesundheit\nund Integration 15.06.2021 Ö Entscheidung"),
        _rows(
            (
                "Ausschuss für Soziales, Gesundheit und Integration",
                date(2021, 6, 15),
                True,
                "Entscheidung",
            )
        ),
    ),
    ("row two-digit year", _sub(ROW, "Sozialausschuss 15.06.21 Ö Entscheidung"), REFUSE),
    ("row without role", _sub(ROW, "Sozialausschuss 15.06.2021 Ö"), REFUSE),
    ("row unknown role", _sub(ROW, "Sozialausschuss 15.06.2021 Ö Abstimmung"), REFUSE),
    (
        "committee 250 chars",
        _sub(ROW, "Ausschuss " + "x" * 240 + " 15.06.2021 Ö Entscheidung"),
        REFUSE,
    ),
    # --- wrapped questions ------------------------------------------------------------------
    (
        "wrap before '31. Dezember'",
        _sub(
            Q3,
            "- Wann wird das Steuerungsgremium erstmals zusammen kommen, spätestens am\n"
            "31. Dezember 2021?",
        ),
        _question(
            2,
            "Wann wird das Steuerungsgremium erstmals zusammen kommen, spätestens am "
            "31. Dezember 2021?",
        ),
    ),
    (
        "wrap before '2. Quartal'",
        _sub(
            Q3, "- Wann wird das Steuerungsgremium erstmals zusammen kommen, noch im\n2. Quartal?"
        ),
        _question(
            2, "Wann wird das Steuerungsgremium erstmals zusammen kommen, noch im 2. Quartal?"
        ),
    ),
    (
        "numbered, wrap before '3. Quartal'",
        lambda t: _bullets(lambda i: f"{i}. ")(
            _sub(Q3, "- Wann wird das Steuerungsgremium erstmals zusammen kommen, im\n3. Quartal?")(
                t
            )
        ),
        {
            "questions": _question(
                2, "Wann wird das Steuerungsgremium erstmals zusammen kommen, im 3. Quartal?"
            )["questions"],
            "resolution_proposal": _proposal(
                _question(
                    2, "Wann wird das Steuerungsgremium erstmals zusammen kommen, im 3. Quartal?"
                )["questions"],
                lambda i: f"{i}.",
            ),
        },
    ),
    (
        "Rad-\\nund",
        _sub("Gruppen und Personen werden", "Rad-\nund Fußverkehrsverbände werden"),
        _question(
            0,
            "Welche Institutionen, Rad- und Fußverkehrsverbände werden in dem "
            "Steuerungsgremium (strategische Koordinierung) vertreten sein?",
        ),
    ),
    (
        "hyphenated word",
        _sub("Steuerungsgremium erstmals", "Steuerungs-\ngremium erstmals"),
        {},
    ),
    ("soft hyphen", _sub("Steuerungsgremium erstmals", "Steuerungs\u00adgremium erstmals"), {}),
    # --- header fields and title -------------------------------------------------------------
    (
        "Federführend after Datum",
        _sub("Datum: 07.06.2021\n", "Datum: 07.06.2021\nFederführend: Amt 50\n"),
        {},
    ),
    (
        "Aktenzeichen after Datum",
        _sub("Datum: 07.06.2021\n", "Datum: 07.06.2021\nAktenzeichen: 50-12/3\n"),
        {},
    ),
    (
        "unknown label after Datum",
        _sub("Datum: 07.06.2021\n", "Datum: 07.06.2021\n\nSachbearbeitung: Frau Muster\n"),
        REFUSE,
    ),
    ("Drucksache label", _sub("Nr.: ", "Drucksache: "), {}),
    ("DS-Nr. label", _sub("Nr.: ", "DS-Nr.: "), {}),
    ("Vorlage-Nr. label", _sub("Nr.: ", "Vorlage-Nr.: "), {}),
    (
        "status nicht öffentlich",
        _sub("Status: öffentlich", "Status: nicht öffentlich"),
        {"public": False},
    ),
    (
        "title wrapped",
        _sub("Kommunales Integrationsmanagement\n", "Kommunales\nIntegrationsmanagement\n"),
        {},
    ),
    ("reference 120 chars", _sub("Nr.: A 21/0500-01", "Nr.: A " + "1" * 120), REFUSE),
    ("legal basis 400 chars", _sub("gemäß der Geschäftsordnung", "gemäß " + "der " * 100), REFUSE),
    (
        "upper-case section labels",
        lambda t: _sub("Sachverhalt:", "SACHVERHALT:")(
            t.replace("Beschlussvorschlag:", "BESCHLUSSVORSCHLAG:")
        ),
        {},
    ),
    ("Begründung for Sachverhalt", _sub("Sachverhalt:", "Begründung:"), {}),
    # --- layout as PDF extraction gives it ---------------------------------------------------
    ("no blank lines", lambda t: "\n".join(line for line in t.split("\n") if line.strip()), {}),
    ("blank lines doubled", lambda t: t.replace("\n\n", "\n\n\n"), {}),
    ("trailing spaces", lambda t: t.replace("\n", "   \n"), {}),
    (
        "page header at a page break",
        _sub(
            "bitten wir um Zusendung",
            "\f\nStadt Mülheim an der Ruhr   Vorlage A 21/0500-01\nbitten wir um Zusendung",
        ),
        {},
    ),
    ("page footer 'Seite 1 von 2'", _sub(Q3, "Vorlage A 21/0500-01   Seite 1 von 2\n" + Q3), {}),
    (
        "header line 'Drucksache A 21/0500-01'",
        _sub("(strategische", "Drucksache A 21/0500-01\n(strategische"),
        {},
    ),
    ("page number '- 2 -'", _sub(Q3, "- 2 -\n" + Q3), {}),
    # --- what PDF extraction does to line spacing (found measuring the PDF readers) -----
    (
        "blank line inside a question",
        _sub("Steuerungsgremium \n(strategische", "Steuerungsgremium\n\n(strategische"),
        {},
    ),
    ("blank line inside the proposal", _sub("bitten, den Punkt", "\nbitten, den Punkt"), {}),
    (
        "blank line inside the reasoning",
        _sub("für \ndie Integration", "für\n\ndie Integration"),
        {},
    ),
    (
        "signature rows spaced apart",
        _sub("Bernd Dickmann\nFachsprecherin", "Bernd Dickmann\n\nFachsprecherin"),
        {},
    ),
    (
        "signature cells one a line",
        lambda t: (
            _collapse_after("Ingrid", t)
            .replace("Tews Bernd", "Tews\nBernd")
            .replace("Fachsprecherin Fachsprecher", "Fachsprecherin\nFachsprecher")
        ),
        REFUSE,
    ),
    (
        "signatures glued, columns collapsed",
        lambda t: _collapse_after("Ingrid", t).replace("geraten. \n\nIngrid", "geraten.\nIngrid"),
        REFUSE,
    ),
    (
        "signature row with an extra column",
        _sub(
            "Fachsprecherin                           Fachsprecher",
            "Fachsprecherin      FachsprecherBündnis 90/ Die Grünen      der CDU-Fraktion",
        ),
        REFUSE,
    ),
    # --- invisible and look-alike characters ------------------------------------------------
    ("zero-width space before Sachverhalt", _sub(" Sachverhalt:", "\u200bSachverhalt:"), {}),
    ("RLM after the number", _sub("A 21/0500-01", "A 21/0500-01\u200f"), {}),
    ("LRE/PDF around the number", _sub("A 21/0500-01", "\u202aA 21/0500-01\u202c"), {}),
    ("NBSP in the number", _sub("A 21/0500-01", "A\u00a021/0500-01"), {}),
    ("BOM inside the text", _sub("Beratungsfolge:", "\ufeffBeratungsfolge:"), {}),
    ("full-width colon", _sub("Sachverhalt:", "Sachverhalt\uff1a"), {}),
    ("word joiner in title", _sub("Kommunales Integrations", "Kommunales Integ\u2060rations"), {}),
    # --- encodings ------------------------------------------------------------------------
    ("UTF-8 BOM, CRLF", lambda t: ("\ufeff" + t.replace("\n", "\r\n")).encode("utf-8"), {}),
    ("UTF-16 with BOM", lambda t: t.encode("utf-16"), {}),
    ("UTF-16-LE without BOM", lambda t: t.encode("utf-16-le"), {}),
    ("UTF-16-BE without BOM", lambda t: t.encode("utf-16-be"), {}),
    ("cp1252", lambda t: t.encode("cp1252"), {}),
    # --- signatures and factions ---------------------------------------------------------------
    ("greeting paragraph", _sub(SIGNATURES, "Mit freundlichen Grüßen\n\n" + SIGNATURES), {}),
    ("greeting on the block", _sub(SIGNATURES, "Mit freundlichen Grüßen\n" + SIGNATURES), {}),
    (
        "gez. before names",
        _sub(
            SIGNATURES,
            SIGNATURES.replace("Ingrid", "gez. Ingrid").replace("    Bernd", "gez. Bernd"),
        ),
        {},
    ),
    ("signatures glued to reasoning", _sub("geraten. \n\nIngrid", "geraten. \nIngrid"), {}),
    ("signature columns collapsed", lambda t: _collapse_after("Ingrid", t), REFUSE),
    (
        "B90/Grüne",
        _sub("Fraktion BÜNDNIS 90 / DIE GRÜNEN", "B90/Grüne"),
        {"submitters": ("CDU-Fraktion", "B90/Grüne")},
    ),
    (
        "SPD/Volt-Fraktion",
        _sub("CDU-Fraktion / Fraktion BÜNDNIS 90 / DIE GRÜNEN", "SPD/Volt-Fraktion / CDU-Fraktion"),
        {"submitters": ("SPD/Volt-Fraktion", "CDU-Fraktion")},
    ),
    (
        "Bündnis 90/Die Grünen",
        _sub("Fraktion BÜNDNIS 90 / DIE GRÜNEN", "Fraktion Bündnis 90/Die Grünen"),
        {"submitters": ("CDU-Fraktion", "Fraktion Bündnis 90/Die Grünen")},
    ),
    # --- other layouts of the same document (issue 15, items 2 and 3) -----------------------
    ("saved as HTML <pre>", _as_html(pre=True), {}),
    ("saved as HTML paragraphs", _as_html(pre=False), {}),
    (
        "fields on one line",
        _sub(
            "Nr.: A 21/0500-01\n\nStatus: öffentlich\n\nDatum: 07.06.2021",
            "Nr.: A 21/0500-01 Status: öffentlich Datum: 07.06.2021",
        ),
        {},
    ),
    (
        "fields glued as a RIS page's text",
        _sub(
            "Nr.: A 21/0500-01\n\nStatus: öffentlich\n\nDatum: 07.06.2021",
            "Nr.:A 21/0500-01Status:öffentlichDatum:07.06.2021",
        ),
        {},
    ),
    ("draft without number and status", lambda t: re.sub(r"(?m)^(Nr|Status)\.?:.*\n", "", t), {}),
    (
        "Dringlichkeitsantrag",
        _sub(" Vorschlag\n", "Dringlichkeitsantrag\n"),
        {"paper_type": "Dringlichkeitsantrag"},
    ),
    (
        "row as a RIS page: role, date below",
        _sub(ROW, "Sozialausschuss Entscheidung\n15.06.2021"),
        REFUSE,
    ),
    (
        "greeting and gez.",
        _sub("Ingrid Tews   ", "Mit freundlichen Grüßen\n\ngez. Ingrid Tews"),
        {},
    ),
]


def _outcome(mutation: Mutation) -> tuple[str, str]:
    """('right' | 'refused' | 'review' | 'silently wrong' | 'refused unnamed' |
    'refused wrongly', why). Review: parsed, every wrong field named in `uncertain`."""
    _, mutate, overrides = mutation
    changed = mutate(SEED)
    data = changed if isinstance(changed, bytes) else changed.encode("utf-8")
    try:
        parsed = parse_document(data, "mutant.txt")
    except IntakeError as exc:
        if not any(word in exc.reason for word in FIELD_WORDS):
            return "refused unnamed", exc.reason
        if not overrides.get("refuse"):
            return "refused wrongly", exc.reason
        return "refused", exc.reason
    if overrides.get("refuse"):
        if parsed.uncertain:
            return "review", "; ".join(f"{d.field}: {d.reason}" for d in parsed.uncertain)
        return "silently wrong", "accepted, expected a refusal"
    expected = dataclasses.replace(EXPECTED, **overrides)
    wrong = [
        f.name
        for f in dataclasses.fields(ParsedPaper)
        if f.compare
        and f.name != "uncertain"
        and getattr(parsed, f.name) != getattr(expected, f.name)
    ]
    named = {doubt.field for doubt in parsed.uncertain}
    unnamed = [name for name in wrong if name not in named]
    if unnamed:
        return "silently wrong", ", ".join(unnamed)
    if parsed.uncertain:  # registered for review, the wrong or doubtful fields named
        return "review", "; ".join(f"{d.field}: {d.reason}" for d in parsed.uncertain)
    return "right", ""


def test_no_mutation_of_the_seed_is_silently_wrong() -> None:
    outcomes = {name: _outcome((name, mutate, o)) for name, mutate, o in MUTATIONS}
    counts = Counter(kind for kind, _ in outcomes.values())
    print(f"\n{len(MUTATIONS)} Mutationen: {dict(counts)}")
    for name, (kind, why) in outcomes.items():
        print(f"  {kind:16} {name}: {why[:100]}")
    bad = {n: o for n, o in outcomes.items() if o[0] not in ("right", "refused", "review")}
    assert counts["silently wrong"] == 0 and not bad, bad
    assert len(MUTATIONS) >= 80


@pytest.mark.parametrize("name", ["no blank lines", "RLM after the number"])
def test_mutants_give_the_same_content_hash(name: str) -> None:
    """Invisible characters and layout do not change a document's identity."""
    changed = next(m for n, m, _ in MUTATIONS if n == name)(SEED)
    assert isinstance(changed, str)
    assert parse_document(changed, "m.txt").content_hash == EXPECTED.content_hash
