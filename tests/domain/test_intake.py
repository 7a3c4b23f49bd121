"""The parser on the real example, on variants of other layouts, and on malformed input."""

from __future__ import annotations

from datetime import date

import pytest

from models.domain.intake import (
    IntakeError,
    ParsedConsultation,
    ParsedSignatory,
    join_wrapped,
    parse_document,
    split_submitters,
)
from tests.conftest import DATA, EXAMPLE

EXPECTED_QUESTIONS = [
    "Welche Institutionen, Gruppen und Personen werden in dem Steuerungsgremium "
    "(strategische Koordinierung) vertreten sein?",
    "Wer formuliert die Geschäftsordnung des Steuerungsgremiums? Wenn diese fertig gestellt "
    "ist, bitten wir um Zusendung an die Fraktionen.",
    "Wann wird das Steuerungsgremium erstmals zusammen kommen?",
    "Liegt der Weiterleitungsvertrag für die Case-Manager*innen inzwischen vor?",
    "Liegt die Stellenbeschreibung für die Case-Manager*innen vor?",
    "Wann werden die Stellen für das Case-Management ausgeschrieben?",
    "Wie waren die Wohlfahrtsverbände in die Konzepterstellung eingebunden?",
    "Sind alle o. g. Sachverhalte mit den Wohlfahrtsverbänden abgestimmt?",
    "Wie sollen die zu beratenden Personen erreicht werden, die bisher keinen Zugang zu "
    "einem Case-Management haben?",
]


def test_the_real_example_yields_every_field(example_bytes: bytes) -> None:
    paper = parse_document(example_bytes, "vorschlag.txt")
    assert paper.paper_type == "Vorschlag"
    assert paper.legal_basis == "gemäß der Geschäftsordnung"
    assert paper.submitters == ("CDU-Fraktion", "Fraktion BÜNDNIS 90 / DIE GRÜNEN")
    assert paper.reference == "A 21/0500-01"
    assert paper.public is True
    assert paper.date == date(2021, 6, 7)
    assert paper.name == "Kommunales Integrationsmanagement"
    assert paper.subtitle == "Vorschlag der Fraktionen von Bündnis 90/Die Grünen und der CDU"
    assert paper.consultations == (
        ParsedConsultation("Sozialausschuss", date(2021, 6, 15), True, "Entscheidung", True, 1),
    )
    assert list(paper.questions) == EXPECTED_QUESTIONS
    assert paper.resolution_proposal is not None
    assert paper.resolution_proposal.startswith(
        "Die Fraktionen von Bündnis 90/Die Grünen und der CDU bitten, den Punkt „Kommunales "
        "Integrationsmanagement“ auf die Tagesordnung zu setzen."
    )
    assert paper.resolution_proposal.count("\n- ") == 9
    assert paper.reasoning is not None
    assert paper.reasoning.startswith("Durch die Landesinitiative stehen erhebliche Fördermittel")
    assert paper.reasoning.endswith("ins Hintertreffen zu geraten.")
    assert paper.signatories == (
        ParsedSignatory("Ingrid Tews", "Fachsprecherin", "Bündnis 90/ Die Grünen"),
        ParsedSignatory("Bernd Dickmann", "Fachsprecher", "CDU-Fraktion"),
    )
    assert paper.attachments == ()


def test_crlf_form_feeds_and_page_numbers_do_not_change_the_content(example_bytes: bytes) -> None:
    plain = parse_document(example_bytes, "a.txt")
    text = example_bytes.decode()
    mangled = text.replace("- Wann wird das", "\f- 2 -\n\n- Wann wird das").replace("\n", "\r\n")
    pdfish = parse_document(mangled.encode(), "b.txt")
    assert pdfish == plain
    assert pdfish.content_hash == plain.content_hash


def test_cp1252_encoded_file_is_read(example_bytes: bytes) -> None:
    legacy = example_bytes.decode().replace("„", '"').replace("“", '"').encode("cp1252")
    assert parse_document(legacy, "alt.txt").submitters[1] == "Fraktion BÜNDNIS 90 / DIE GRÜNEN"


def test_nichtoeffentlich_antrag_with_three_consultations_and_numbered_items() -> None:
    paper = parse_document((DATA / "antrag-nichtoeffentlich.txt").read_bytes(), "antrag.txt")
    assert paper.paper_type == "Antrag"
    assert paper.legal_basis == "gemäß § 24 GO NRW"
    assert paper.submitters == ("SPD-Fraktion",)
    assert paper.public is False
    assert [
        (c.organization, c.meeting_date, c.public, c.role, c.authoritative)
        for c in paper.consultations
    ] == [
        (
            "Ausschuss für Wirtschaft, Digitalisierung und Beschäftigung",
            date(2022, 2, 15),
            False,
            "Vorberatung",
            False,
        ),
        ("Haupt- und Finanzausschuss", date(2022, 2, 24), False, "Vorberatung", False),
        ("Rat der Stadt", date(2022, 3, 10), False, "Entscheidung", True),
    ]
    # Instructions, not questions: an Antrag's numbered items without '?' are no questions.
    assert paper.questions == ()
    assert paper.resolution_proposal == (
        "Die Verwaltung wird beauftragt,\n"
        "1. die Vergabe der Grundstücke im Gewerbegebiet Nord bis zur Vorlage eines "
        "Vermarktungskonzepts auszusetzen,\n"
        "2. dem Rat ein Konzept für die Vergabe nach Arbeitsplätzen je Hektar vorzulegen."
    )
    assert paper.reasoning == (
        "Die Flächen sind knapp. Eine Vergabe nach Eingang der Anfragen wird dem nicht gerecht."
    )
    assert paper.signatories == (
        ParsedSignatory("Dr. Erika Muster", "Fraktionsvorsitzende", "SPD-Fraktion"),
    )
    assert paper.attachments == ("Lageplan Gewerbegebiet Nord", "Flächenübersicht")


def test_anfrage_with_numbered_questions_in_a_fragen_section() -> None:
    paper = parse_document((DATA / "anfrage-nummeriert.txt").read_bytes(), "anfrage.txt")
    assert paper.paper_type == "Anfrage"
    assert paper.submitters == ("Ratsgruppe DIE LINKE", "Die PARTEI")
    assert paper.consultations[0].role == "Kenntnisnahme"
    assert paper.consultations[0].authoritative is False
    assert paper.questions == (
        "Wie viele Unfälle mit Schulkindern gab es 2022 im Umfeld der Grundschule?",
        "Wann wird die beantragte Querungshilfe gebaut",
        "Welche Kosten entstehen?",
    )
    assert paper.reasoning == "Eltern berichten von gefährlichen Situationen."


def test_paper_type_line_variants() -> None:
    text = (DATA / "anfrage-nummeriert.txt").read_text().replace("Anfrage\n", "Große Anfrage\n", 1)
    assert parse_document(text, "x").paper_type == "Große Anfrage"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "CDU-Fraktion / Fraktion BÜNDNIS 90 / DIE GRÜNEN",
            ("CDU-Fraktion", "Fraktion BÜNDNIS 90 / DIE GRÜNEN"),
        ),
        ("Fraktion Bündnis 90/Die Grünen", ("Fraktion Bündnis 90/Die Grünen",)),
        ("SPD-Fraktion, FDP-Fraktion", ("SPD-Fraktion", "FDP-Fraktion")),
        ("SPD-Fraktion und CDU-Fraktion", ("SPD-Fraktion", "CDU-Fraktion")),
        ("Fraktion Die Linke", ("Fraktion Die Linke",)),
    ],
)
def test_split_submitters(line: str, expected: tuple[str, ...]) -> None:
    assert split_submitters(line) == expected


@pytest.mark.parametrize(
    ("parts", "joined"),
    [
        (["Konzept-", "erstellung"], "Konzepterstellung"),
        (["Case-", "Manager"], "Case-Manager"),
        (["fertig ", "gestellt"], "fertig gestellt"),
        (["a  b", "   c"], "a b c"),
        (["Stand -", "heute"], "Stand - heute"),
    ],
)
def test_join_wrapped(parts: list[str], joined: str) -> None:
    assert join_wrapped(parts) == joined


# --- malformed input: each refused with FILE:LINE: reason --------------------------------------


def _example_text() -> str:
    from tests.conftest import EXAMPLE

    return EXAMPLE.read_text(encoding="utf-8")


def _without_line(text: str, start: str) -> str:
    return "\n".join(line for line in text.split("\n") if not line.startswith(start))


MALFORMED: list[tuple[str, bytes | None, int, str]] = [
    # (case id, document bytes (None = derived below), expected line, expected reason part)
    ("empty", b"", 1, "leere Datei"),
    ("only-blank", b"\n\n  \n", 1, "leere Datei"),
    ("binary", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", 1, "Binärdatei"),
    ("pdf", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", 1, "PDF nicht lesbar"),
    ("unknown-format", b"Hallo Welt\nDies ist ein Brief.\n", 1, "unbekanntes Format"),
]


def _derived_cases() -> list[tuple[str, bytes, int, str]]:
    text = _example_text()
    cases = [
        (
            "empty-reference",
            text.replace("Nr.: A 21/0500-01", "Nr.:"),
            7,
            "Nummer der Vorlage ist leer",
        ),
        (
            "impossible-date",
            text.replace("Datum: 07.06.2021", "Datum: 31.06.2021"),
            11,
            "unmögliches Datum '31.06.2021'",
        ),
        ("not-a-date", text.replace("Datum: 07.06.2021", "Datum: 7. Juni"), 11, "kein Datum"),
        (
            "impossible-meeting-date",
            text.replace("Sozialausschuss 15.06.2021", "Sozialausschuss 30.02.2021"),
            20,
            "unmögliches Sitzungsdatum",
        ),
        ("missing-status", _without_line(text, "Status:"), 12, "Status fehlt"),
        (
            "bad-status",
            text.replace("Status: öffentlich", "Status: geheim"),
            9,
            "weder 'öffentlich'",
        ),
        ("missing-date", _without_line(text, "Datum:"), 12, "Datum fehlt"),
        (
            "empty-beratungsfolge",
            text.replace("Sozialausschuss 15.06.2021 Ö Entscheidung\n", ""),
            17,
            "Beratungsfolge ohne Einträge",
        ),
        (
            "unreadable-row",
            text.replace("Sozialausschuss 15.06.2021 Ö Entscheidung", "Sozialausschuss irgendwann"),
            20,
            "nicht lesbar",
        ),
        (
            "unknown-role",
            text.replace("Ö Entscheidung", "Ö Abstimmung"),
            20,
            "unbekannte Zuständigkeit 'Abstimmung'",
        ),
        (
            "duplicate-field",
            text.replace("Datum: 07.06.2021", "Datum: 07.06.2021\nDatum: 08.06.2021"),
            12,
            "doppelt",
        ),
        (
            "no-title",
            text.replace(
                "Kommunales Integrationsmanagement\n\n"
                "Vorschlag der Fraktionen von Bündnis 90/Die Grünen und der CDU\n",
                "",
            ),
            14,
            "Titel fehlt",
        ),
        (
            "duplicate-section",
            text.replace("Anlagen:", "Sachverhalt: noch einmal\nAnlagen:"),
            50,
            "doppelt",
        ),
    ]
    return [(name, doc.encode(), line, reason) for name, doc, line, reason in cases]


@pytest.mark.parametrize(
    ("case", "data", "line", "reason"),
    [*MALFORMED, *_derived_cases()],
    ids=lambda v: v if isinstance(v, str) and len(v) < 30 else None,
)
def test_malformed_documents_are_refused_with_file_and_line(
    case: str, data: bytes, line: int, reason: str
) -> None:
    with pytest.raises(IntakeError) as info:
        parse_document(data, f"{case}.txt")
    assert info.value.line == line, str(info.value)
    assert reason in info.value.reason
    assert str(info.value).startswith(f"{case}.txt:{line}: ")
    assert "\n" not in str(info.value)


def test_a_document_without_number_or_beratungsfolge_is_read_not_refused() -> None:
    """A faction's letter has neither until the Sitzungsdienst assigns them (issue 15, 3):
    the reader leaves the reference empty and the Beratungsfolge out; intake gives the
    motion an Eingangsnummer and waits for the assignment."""
    text = _example_text()
    without = (
        _without_line(text, "Nr.:")
        .replace("Beratungsfolge:\n", "")
        .replace("Gremium : Datum: Status: Zuständigkeit:\n", "")
        .replace("Sozialausschuss 15.06.2021 Ö Entscheidung\n", "")
    )
    parsed = parse_document(without.encode(), "brief.txt")
    assert parsed.reference == "" and parsed.consultations == ()
    assert parsed.name == "Kommunales Integrationsmanagement"
    assert parsed.questions == parse_document(text.encode(), "v.txt").questions


def test_there_are_at_least_a_dozen_malformed_cases() -> None:
    assert len(MALFORMED) + len(_derived_cases()) >= 12


def test_the_content_hash_of_a_document_never_changes() -> None:
    """Databases hold these hashes: a re-import is 'unchanged' only if the hash is computed
    as when it was stored. A faster way to compute it must give the same value."""
    parsed = parse_document(EXAMPLE.read_bytes(), "v.txt")
    assert parsed.content_hash == "0fa9fedc0b3d187b419fa734d9a0d42e8867edf861e9e0872f5fc4fc0491b19e"
