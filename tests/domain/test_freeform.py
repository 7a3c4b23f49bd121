"""The layout-independent reader on small letters made for one rule each (the real documents
are in test_real_documents.py): labels with the value on the next line, Beratungsfolge rows
with the date first and the roles' other names, greetings and 'gez.', factions with '/',
and a guess that must be named."""

from __future__ import annotations

from datetime import date

import pytest

from models.domain.intake import parse_document

LETTER = """SPD/Volt-Fraktion im Rat der Stadt

Antrag gem. § 3 GO

Nr.
A 24/0042
Datum
01.02.2024
Status
öffentlich

Betreff: Mehr Bänke am Rheinufer

Beratungsfolge:
12.02.2024 Ausschuss für Umwelt Ö Kenntnisnahme
Rat der Stadt 29.02.2024 N zur Beschlussfassung

Beschlussentwurf:
Die Verwaltung stellt zehn Bänke am Rheinufer auf.

Begründung:
Viele Menschen gehen dort spazieren.

Mit freundlichen Grüßen

gez. Anna Beispiel
Fraktionsvorsitzende
Fraktion B90/Grüne
"""


def test_a_letter_with_every_field_labelled_is_read_whole() -> None:
    paper = parse_document(LETTER.encode(), "brief.txt")
    assert not paper.uncertain
    assert (paper.paper_type, paper.reference, paper.date, paper.public) == (
        "Antrag", "A 24/0042", date(2024, 2, 1), True,
    )  # fmt: skip
    assert paper.legal_basis == "gem. § 3 GO"
    assert paper.name == "Mehr Bänke am Rheinufer"
    assert [(c.organization, c.meeting_date, c.public, c.role) for c in paper.consultations] == [
        ("Ausschuss für Umwelt", date(2024, 2, 12), True, "Kenntnisnahme"),
        ("Rat der Stadt", date(2024, 2, 29), False, "Entscheidung"),
    ]
    assert paper.resolution_proposal == "Die Verwaltung stellt zehn Bänke am Rheinufer auf."
    assert paper.reasoning == "Viele Menschen gehen dort spazieren."
    assert [(s.name, s.function, s.faction) for s in paper.signatories] == [
        ("Anna Beispiel", "Fraktionsvorsitzende", "Fraktion B90/Grüne")
    ]
    assert paper.submitters == ("SPD/Volt-Fraktion",)  # the letterhead's, one faction


def test_without_number_and_beratungsfolge_a_letter_is_registered_with_both_named() -> None:
    text = LETTER.replace("Nr.\nA 24/0042\n", "").split("Beratungsfolge:")[0]
    text += "Beschlussentwurf:\nDie Verwaltung stellt zehn Bänke auf.\n"
    paper = parse_document(text.encode(), "entwurf.txt")
    assert paper.reference == "" and paper.consultations == ()
    assert {d.field for d in paper.uncertain} == {"reference", "consultations"}
    assert all(d.reason for d in paper.uncertain)


def test_a_greeting_is_no_name_and_bare_names_without_one_are_a_guess() -> None:
    greeted = parse_document(LETTER.encode(), "brief.txt")
    assert all("Grüßen" not in s.name for s in greeted.signatories)
    unsigned = LETTER.split("Mit freundlichen Grüßen")[0] + "Rheinufer Nord\n"
    paper = parse_document(unsigned.encode(), "ohne-gruss.txt")
    assert [s.name for s in paper.signatories] == ["Rheinufer Nord"]
    assert [d.field for d in paper.uncertain] == ["signatories"]


@pytest.mark.parametrize(
    ("heading", "questions"),
    [
        ("Fragen:\n• Wie viele Bänke gibt es?\n• Wann kommen neue?", 2),
        ("Wir fragen die Verwaltung: Wie viele Bänke gibt es? Wann kommen neue?", 2),
        ("Fragen:\na) Wie viele Bänke gibt es?\nb) Wann kommen neue?\nc) Wer zahlt?", 3),
    ],
)
def test_questions_of_an_anfrage_in_lists_and_in_prose(heading: str, questions: int) -> None:
    text = LETTER.replace("Antrag gem. § 3 GO", "Anfrage").split("Beschlussentwurf:")[0]
    paper = parse_document((text + heading + "\n").encode(), "anfrage.txt")
    assert paper.paper_type == "Anfrage"
    assert len(paper.questions) == questions and all(q.endswith("?") for q in paper.questions)


def test_a_saved_page_drops_navigation_and_scripts() -> None:
    body = "".join(f"<p>{line}</p>" for line in LETTER.split("\n") if line)
    page = (
        "<!DOCTYPE html><html><head><title>RIS</title><script>var x = 'Datum: 01.01.1999';"
        "</script></head><body><nav><a>Sitzungen</a> <a>Gremien</a></nav>"
        f"{body}</body></html>"
    )
    paper = parse_document(page.encode(), "seite.html")
    assert paper.date == date(2024, 2, 1) and paper.name == "Mehr Bänke am Rheinufer"
