"""Real PDF and Word files as towns and factions publish them (tests/data/documents/real,
sources in its README), not made from a text by make_documents.py: each is either read
with the fields checked by hand against the document, registered for review with its
doubts named, or refused in one line naming the file and what is wrong."""

from __future__ import annotations

import io
from datetime import date

import pytest

from models.domain.document import IntakeError
from models.domain.intake import parse_document
from models.domain.readers import SCATTERED_TEXT_LAYER, pdf_text, scattered
from tests.conftest import DATA

REAL = DATA / "documents" / "real"


@pytest.mark.parametrize(
    "name",
    [
        # FDP-Fraktion in der Bezirksversammlung Wandsbek (Hamburg): speeches in the
        # "Aktuelle Stunde", published as PDF next to the faction's motions. A speech asks
        # rhetorical questions and names a faction and a date, but is no motion.
        "wandsbek-fdp-rede-aktuelle-stunde-2020-02-20.pdf",
        "wandsbek-fdp-rede-aktuelle-stunde-2022-09-08.pdf",
    ],
)
def test_a_speech_in_the_aktuelle_stunde_is_refused_not_registered_as_a_motion(
    name: str,
) -> None:
    data = (REAL / name).read_bytes()
    assert data.startswith(b"%PDF") and len(data) < 300_000
    with pytest.raises(IntakeError) as info:
        parse_document(data, name)
    assert str(info.value).startswith(f"{name}:")
    assert "unbekanntes Format" in info.value.reason
    assert "\n" not in str(info.value)


def _rotated_table_pdf() -> bytes:
    """A page like the Wandsbek faction's Regionalausschuss notes of 28.04.2022 (not kept
    here: internal notes with remarks on named people): the table's text set at an angle,
    which pdfplumber gives back as letters strewn over the lines."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4)
    cells = ["Antragsteller / Fraktion", "Beschlussempfehlung", "Dokumentation Sitzung",
             "Redebeitrag Hinweise", "Unterbringung Am Luisenhof", "Sozialbehörde"]  # fmt: skip
    for index, cell in enumerate(cells * 5):
        page.saveState()
        page.translate(40 + index * 18, 300)
        page.rotate(63)
        page.drawString(0, 0, cell)
        page.restoreState()
    page.save()
    return buffer.getvalue()


def test_a_pdf_whose_text_layer_is_strewn_letters_is_refused_as_unreadable() -> None:
    """Before: "unbekanntes Format: keine Dokumentart …", which tells staff the file is no
    motion; what it needs is OCR or a text version, like a scan."""
    with pytest.raises(IntakeError) as info:
        parse_document(_rotated_table_pdf(), "notizen.pdf")
    assert str(info.value) == f"notizen.pdf:1: {SCATTERED_TEXT_LAYER}"


def test_the_scattered_text_of_the_real_wandsbek_notes_is_recognised() -> None:
    """The first lines of the real file's text layer as pdfplumber gives them (layout=True),
    names left out; 0.80 of its 2562 words have one or two characters."""
    strewn = "\n".join(
        ["e u a h 8 0 lf f u al nw e ü P n L ar i c l o g hm ä V he m t t t e m z z ed k"] * 6
    )
    assert scattered(strewn)


@pytest.mark.parametrize(
    "name",
    [
        "real-allris-vo020-steglitz-zehlendorf-0305-iii.pdf",
        "real-magdeburg-anfrage-f0071-20.pdf",
        "vorschlag.pdf",
        "vorschlag-lo.pdf",
    ],
)
def test_readable_pdfs_are_not_called_scattered(name: str) -> None:
    path = REAL.parent / name
    assert not scattered(pdf_text(path.read_bytes(), name))


def test_real_speeches_are_not_called_scattered() -> None:
    for path in sorted(REAL.glob("wandsbek-*.pdf")):
        assert not scattered(pdf_text(path.read_bytes(), path.name)), path.name


def test_a_short_text_of_single_letters_is_not_called_scattered() -> None:
    """A rotated stamp or a page number alone must not refuse a document."""
    assert not scattered("A n t r a g\n1\n2")


WELS = "wels-verhandlungsschrift-gemeinderat-2022-04-04.pdf"


def test_a_councils_minutes_are_refused_not_registered_as_one_antrag() -> None:
    """Wels (Upper Austria), Verhandlungsschrift of the Gemeinderat's 5th session, 4 April
    2022, byte for byte as published (23 pages; the minutes quote motions and
    questions). Before: registered for review as 'Antrag: GEMEINDERAT'
    dated 02.08.2021, its type not even among the doubts."""
    data = (REAL / WELS).read_bytes()
    assert data.startswith(b"%PDF") and len(data) < 300_000
    with pytest.raises(IntakeError) as info:
        parse_document(data, WELS)
    assert str(info.value) == (
        f"{WELS}:13: Niederschrift einer Sitzung ('Verhandlungsschrift'), keine Vorlage – "
        "Anträge und Anfragen bitte einzeln einlesen"
    )


GERMAN_MINUTES = """\
Stadt Musterstadt

Niederschrift über die 12. öffentliche Sitzung des Rates der Stadt am 14.03.2023

Beginn: 17:00 Uhr
Ende: 19:40 Uhr

Anwesend:
Bürgermeisterin Anna Beispiel
Ratsmitglied Bernd Muster (SPD)

TOP 3 Antrag der SPD-Fraktion: Sanierung der Turnhalle
Beschluss: Der Rat beschließt, die Verwaltung mit der Sanierung der Turnhalle zu beauftragen.

TOP 4 Anfrage der Grünen: Wie viele Kitaplätze fehlen?
"""


def test_minutes_in_the_layout_of_german_councils_are_refused_naming_the_heading() -> None:
    with pytest.raises(IntakeError) as info:
        parse_document(GERMAN_MINUTES, "niederschrift.txt")
    assert str(info.value).startswith("niederschrift.txt:3: Niederschrift einer Sitzung")


@pytest.mark.parametrize(
    "text",
    [
        # a motion about minutes: heading word in the title, but no start time, no attendance
        "Antrag\n\nProtokoll der Sitzungen veröffentlichen\n\nWir beantragen, die Protokolle "
        "der Sitzungen zu veröffentlichen.\n",
        # the minutes' words in a motion's reasoning, not at its head
        "Antrag der SPD-Fraktion vom 01.02.2023\n\nBetreff: Turnhalle\n\nBeschlussvorschlag:\n"
        "Die Turnhalle wird saniert.\n\nBegründung:\n"
        + "Die Halle ist alt.\n" * 40
        + "Niederschrift der Sitzung vom 12.01.2023, Beginn: 17 Uhr.\n",
    ],
)
def test_a_motion_that_mentions_minutes_is_still_read(text: str) -> None:
    parsed = parse_document(text, "antrag.txt", received=date(2023, 2, 1))
    assert parsed.paper_type == "Antrag"


ERLANGEN_ANTRAG = "erlangen-stbr-buechenbach-antrag-2020-12-16.pdf"
ERLANGEN_STELLUNGNAHME = "erlangen-stbr-buechenbach-stellungnahme-antrag-266-2019.pdf"


def test_erlangen_stadtteilbeirat_antrag_is_read_with_its_four_questions() -> None:
    """Erlangen, Stadtteilbeirat Büchenbach to the Oberbürgermeister, 16.12.2020 (Word PDF,
    3 pages). Hand-checked: 'Antrag: Priorisierte Sportentwicklungsplanung in Büchenbach',
    'Erlangen, den 16.12.2020', no number, no Beratungsfolge, a body (no faction) signing;
    one item asks for milestones in four sub-bullets Word prints as 'o'. Before: the four
    questions and the sentence above them were one question, and the motion's text began
    with the second and third line of the greeting; no submitter (the body is no faction)."""
    parsed = parse_document((REAL / ERLANGEN_ANTRAG).read_bytes(), ERLANGEN_ANTRAG)
    assert parsed.paper_type == "Antrag"
    assert parsed.name == "Priorisierte Sportentwicklungsplanung in Büchenbach"
    assert parsed.date == date(2020, 12, 16)
    assert parsed.reference == "" and parsed.consultations == ()
    assert parsed.submitters == ("Stadtteilbeirat Büchenbach",)  # letterhead and signature
    assert parsed.questions == (
        "wann sollen in Frage kommende Flächen definiert sein und wer ist hierfür verantwortlich?",
        "wann soll ein Konzept vorliegen und wer ist hierfür verantwortlich?",
        "wann soll das Sportgelände fertiggestellt sein?",
        "wann müssen Gelder beantragt werden / welche Fördermöglichkeiten gibt es?",
    )
    assert parsed.resolution_proposal is not None
    assert parsed.resolution_proposal.startswith("wir, der Stadtteilbeirat Büchenbach, möchten")
    assert "Wir beantragen deshalb:" in parsed.resolution_proposal
    assert [s.name for s in parsed.signatories] == ["Stadtteilbeirat Büchenbach"]
    assert {d.field for d in parsed.uncertain} == {"public", "reference", "consultations"}


def test_erlangen_stellungnahme_to_a_cited_antrag_goes_to_review_with_type_and_date_named() -> None:
    """Erlangen, the Stadtteilbeirat's Stellungnahme (September 2020 by its publisher's list,
    no date in the letter) on its own 'Antrag … Nr. 266/2019 vom 21.10.2019', which its head
    cites under the title. Before: registered as an Antrag dated 21.10.2019, neither type nor
    date among the doubts. The body signs it: its submitter."""
    name = ERLANGEN_STELLUNGNAHME
    parsed = parse_document((REAL / name).read_bytes(), name)
    doubts = {d.field: d.reason for d in parsed.uncertain}
    assert "Nr. 266/2019" in doubts["date"] and "genannten Vorlage" in doubts["date"]
    assert "Stellungnahme" in doubts["paper_type"]
    assert parsed.name == "Zum Beschluss des Stadtrates vom 23.04.2020"
    assert "name" in doubts and "reference" in doubts
    assert parsed.submitters == ("Stadtteilbeirat Büchenbach",) and "submitters" not in doubts
    assert parsed.resolution_proposal is not None
    assert parsed.resolution_proposal.startswith("der Tagesordnungspunkt 36")


def test_a_type_line_with_this_papers_own_number_and_date_is_not_doubted() -> None:
    """'Antrag der SPD-Fraktion Nr. 12/2023 vom 01.02.2023' under 'Drucksache: 12/2023'
    names this paper: type and date stand."""
    text = (
        "Drucksache: 12/2023\n\nAntrag der SPD-Fraktion Nr. 12/2023 vom 01.02.2023\n\n"
        "Betreff: Turnhalle sanieren\n\nBeschlussvorschlag:\nDie Turnhalle wird saniert.\n"
    )
    parsed = parse_document(text, "antrag.txt")
    assert parsed.date == date(2023, 2, 1) and parsed.reference == "12/2023"
    assert not {"paper_type", "date"} & {d.field for d in parsed.uncertain}


def test_a_type_line_citing_another_number_makes_type_and_date_doubtful() -> None:
    text = (
        "Drucksache: 40/2023\n\nAntrag der SPD-Fraktion Nr. 12/2023 vom 01.02.2023\n\n"
        "Betreff: Turnhalle sanieren\n\nBeschlussvorschlag:\nDie Turnhalle wird saniert.\n"
    )
    parsed = parse_document(text, "stellungnahme.txt")
    assert {"paper_type", "date"} <= {d.field for d in parsed.uncertain}


ERLANGEN_MINUTES = "erlangen-stbr-buechenbach-niederschrift-2023-06-15.pdf"


def test_german_minutes_of_a_stadtteilbeirat_are_refused_not_registered_as_a_vorschlag() -> None:
    """Erlangen, Niederschrift of the Stadtteilbeirat Büchenbach's session of 15.06.2023 as
    the town's RIS exports it ('Referat: OBM', 'Amt: 13-2', 'Niederschrift', 'Besprechung
    am: … Beginn: …', 'Anwesende'). Before: registered for review as 'Vorschlag: Referat:
    OBM', its type not among the doubts."""
    data = (REAL / ERLANGEN_MINUTES).read_bytes()
    with pytest.raises(IntakeError) as info:
        parse_document(data, ERLANGEN_MINUTES)
    assert str(info.value).startswith(
        f"{ERLANGEN_MINUTES}:14: Niederschrift einer Sitzung ('Niederschrift'), keine Vorlage"
    )


ERLANGEN_STUB = "erlangen-stbr-buechenbach-antrag-stub-2020-11-04.pdf"


def test_erlangen_antrag_with_its_type_line_under_the_greeting_is_read() -> None:
    """Erlangen, Stadtteilbeirat Büchenbach, 'Erlangen 04.11.2020' (Word PDF, 3 pages): the
    greeting first, then 'Antrag: Änderung der StUB Vorzugstrasse … anstelle durch die' ⏎
    'Lindnerstraße', the motion, 'Begründung:'. Before: refused as 'unbekanntes Format: keine
    Dokumentart', the type line being read as the letter's first line; then the date only
    provisional ('Erlangen 04.11.2020' has no comma) and no submitter (the body is no
    faction)."""
    parsed = parse_document((REAL / ERLANGEN_STUB).read_bytes(), ERLANGEN_STUB)
    assert parsed.paper_type == "Antrag"
    assert parsed.name == (
        "Änderung der StUB Vorzugstrasse auf den Adenauerring anstelle durch die Lindnerstraße"
    )
    assert parsed.date == date(2020, 11, 4)  # 'Erlangen 04.11.2020' in the letterhead's column
    assert parsed.submitters == ("Stadtteilbeirat Büchenbach",)  # the letterhead's first line
    assert parsed.reference == "" and parsed.questions == ()
    assert parsed.resolution_proposal is not None
    assert parsed.resolution_proposal.startswith(
        "Der Stadtteilbeirat Büchenbach stellt folgenden Antrag:"
    )
    assert "die Vorzugstrasse auf den Adenauerring zu verlegen" in parsed.resolution_proposal
    assert parsed.reasoning is not None
    assert parsed.reasoning.startswith("1. Aufenthaltsqualität und Begegnungsmöglichkeiten")
    assert [s.name for s in parsed.signatories] == ["Günter Winkelmann"]
    doubts = {d.field: d.reason for d in parsed.uncertain}
    assert set(doubts) == {"public", "signatories", "reference", "consultations"}
    assert "Frei verwendbar" in doubts["signatories"]  # the file's classification footer


@pytest.mark.parametrize(
    ("second", "title"),
    [
        ("Lindnerstraße", "Radweg entlang der Lindnerstraße"),
        # the type line's title ends with a noun: the next line is the letter's
        ("Der Beirat bittet um Prüfung", "Radweg Lindnerstraße"),
    ],
)
def test_a_title_wrapped_under_the_greeting_is_joined_only_after_an_open_end(
    second: str, title: str
) -> None:
    head = "Radweg entlang der" if second == "Lindnerstraße" else "Radweg Lindnerstraße"
    text = (
        "Stadtteilbeirat Musterdorf    Musterstadt, den 04.11.2020\n\n"
        f"Sehr geehrte Damen und Herren,\n\nAntrag: {head}\n\n{second}\n"
        "Der Beirat beantragt: Der Radweg wird gebaut.\n\nMit freundlichen Grüßen\nAnna Muster\n"
    )
    assert parse_document(text, "antrag.txt").name == title


ERLANGEN_SOZIALE_STADT = "erlangen-stbr-buechenbach-antrag-soziale-stadt-2019-04-20.pdf"


def test_erlangen_antrag_with_sender_and_address_field_takes_its_title_from_the_type_line() -> None:
    """Erlangen, Stadtteilbeirat Büchenbach, 20. April 2019 (Word PDF, 1 page): the sender's
    line 'Stadtteilbeirat Büchenbach, z.H. …, Holzweg 7, 91056 Erlangen', the address field
    'An Oberbürgermeister Dr. Florian Janik' …, then 'Antrag zur Erweiterung der Sozialen
    Stadt Büchenbach Nord'. Before: the sender's line was the title and the addressee the
    subtitle (both named as doubtful); now the type line is the title (still named, as a line
    without 'Betreff'). Then the date '91052 Erlangen   20. April 2019' was only provisional,
    and the sender's line named no submitter (the body is no faction)."""
    name = ERLANGEN_SOZIALE_STADT
    parsed = parse_document((REAL / name).read_bytes(), name)
    assert parsed.paper_type == "Antrag"
    assert parsed.name == "Antrag zur Erweiterung der Sozialen Stadt Büchenbach Nord"
    assert parsed.subtitle is None
    assert parsed.date == date(2019, 4, 20)  # postcode and place, then the date's column
    assert parsed.submitters == ("Stadtteilbeirat Büchenbach",)  # the sender's line
    assert parsed.resolution_proposal is not None
    assert parsed.resolution_proposal.startswith("In einer Öffentlichen Sitzung am 26. März 2019")
    assert "- Europakanal, Frauenauracher Straße bis Büchenbacher Damm\n- Goldwitzer Straße\n" in (
        parsed.resolution_proposal
    )
    assert {d.field for d in parsed.uncertain} == {
        "public", "name", "signatories", "reference", "consultations",
    }  # fmt: skip


def _letter(head: str, body: str = "Der Beirat beantragt: Der Radweg wird gebaut.") -> str:
    return (
        f"{head}\n\nSehr geehrte Damen und Herren,\n\nAntrag: Radweg Lindnerstraße\n\n"
        f"{body}\n\nMit freundlichen Grüßen\nAnna Muster\n"
    )


@pytest.mark.parametrize(
    ("head", "when"),
    [
        ("Stadtteilbeirat Musterdorf\nVorsitzende Anna Muster      Musterstadt 04.11.2020",
         date(2020, 11, 4)),
        ("Anna Muster\nMusterweg 3\n\n12345 Musterstadt                  5. Mai 2021",
         date(2021, 5, 5)),
        ("Anna Muster                      Frankfurt am Main 04.11.2020", date(2020, 11, 4)),
    ],
)  # fmt: skip
def test_a_place_before_the_letterheads_date_without_a_comma_dates_the_letter(
    head: str, when: date
) -> None:
    """'Erlangen 04.11.2020', '91052 Erlangen   20. April 2019' (Erlangen, real PDFs): the
    letter's date as with 'Erlangen, den …', not a provisional date to be checked."""
    parsed = parse_document(_letter(head), "antrag.txt")
    assert parsed.date == when
    assert "date" not in {d.field for d in parsed.uncertain}


@pytest.mark.parametrize(
    "head",
    [
        # a type line citing another paper's date under the letterhead's
        "Stadtteilbeirat Musterdorf      Musterstadt 04.11.2020\n\n"
        "Antrag des Stadtteilbeirates Musterdorf Nr. 12/2020 vom 21.10.2020",
        # … and above it: the cited date comes first
        "Antrag des Stadtteilbeirates Musterdorf Nr. 12/2020 vom 21.10.2020\n\n"
        "Stadtteilbeirat Musterdorf      Musterstadt 04.11.2020",
        # no place: a version's date, a stamp's date
        "Stadtteilbeirat Musterdorf\nStand 04.11.2020",
        "Stadtteilbeirat Musterdorf\nEingang 04.11.2020",
        # two words before the date: a sender, maybe
        "Stadtteilbeirat Musterdorf 04.11.2020",
    ],
)
def test_a_letterheads_date_without_a_comma_stays_doubtful_where_another_reading_competes(
    head: str,
) -> None:
    parsed = parse_document(_letter(head), "antrag.txt")
    assert "date" in {d.field for d in parsed.uncertain}


def test_the_cited_date_does_not_displace_the_letterheads_date() -> None:
    head = (
        "Stadtteilbeirat Musterdorf      Musterstadt 04.11.2020\n\n"
        "Antrag des Stadtteilbeirates Musterdorf Nr. 12/2020 vom 21.10.2020"
    )
    parsed = parse_document(_letter(head), "antrag.txt")
    assert parsed.date == date(2020, 11, 4)
    doubt = next(d.reason for d in parsed.uncertain if d.field == "date")
    assert "Musterstadt 04.11.2020" in doubt and "Nr. 12/2020 vom 21.10.2020" in doubt
    assert "paper_type" in {d.field for d in parsed.uncertain}  # maybe the cited paper's type


@pytest.mark.parametrize(
    ("head", "body", "submitters"),
    [
        ("Seniorenbeirat der Stadt Musterstadt\nMusterweg 3", "Wir beantragen: Bänke.",
         ("Seniorenbeirat der Stadt Musterstadt",)),
        ("Integrationsrat Musterstadt, z.H. Anna Muster, Musterweg 3, 12345 Musterstadt",
         "Wir beantragen: Bänke.", ("Integrationsrat Musterstadt",)),
        # the text names a Beirat: no submitter
        ("Anna Muster\nMusterweg 3",
         "Der Jugendbeirat Musterstadt hat beantragt: Der Radweg wird gebaut.", ()),
        ("Anna Muster\nMusterweg 3",
         "Wir beantragen: Der Radweg wird gebaut.\nJugendbeirat Musterstadt", ()),
        # a faction's letter under a Beirat's name as its first line: the faction
        ("Jugendbeirat Musterstadt\nSPD-Fraktion im Stadtrat", "Wir beantragen: Bänke.",
         ("SPD-Fraktion",)),
        # two bodies: not unambiguous
        ("Jugendbeirat Musterstadt\nSeniorenbeirat Musterstadt", "Wir beantragen: Bänke.", ()),
    ],
)  # fmt: skip
def test_an_advisory_body_heading_the_letter_is_its_submitter(
    head: str, body: str, submitters: tuple[str, ...]
) -> None:
    """Stadtteilbeirat, Seniorenbeirat, Jugendbeirat, Integrationsrat … (Erlangen, real PDFs)
    submit motions as factions do; they are the submitter only where the letterhead, the
    sender's line or the signature names one alone, never for a mention in the text."""
    parsed = parse_document(_letter(head, body), "antrag.txt", received=date(2020, 11, 4))
    assert parsed.submitters == submitters
    assert ("submitters" in {d.field for d in parsed.uncertain}) == (not submitters)


@pytest.mark.parametrize(
    ("name", "line"),
    [
        # Erlangen, Stadtteilbeirat Büchenbach, 1st session 2024 as the town's RIS exports
        # it: 'Einladung' beside the letterhead, '1. Sitzung … 24.04.2024 … 18:30 Uhr …
        # Mönauschule, Aula', 'Öffentliche Tagesordnung - 18:30 Uhr', two numbered items
        ("erlangen-stbr-buechenbach-einladung-2024-04-24.pdf", 8),
        # Wels, Gemeinderat's 4th session, 7 March 2022: 'Einladung' beside the letterhead's
        # address column, '… um 15.00 Uhr … 4. Sitzung des Gemeinderates', 'Tagesordnung'
        # and the items with their numbers and proposals
        ("wels-einladung-gemeinderat-2022-03-07.pdf", 13),
    ],
)
def test_a_real_invitation_with_its_agenda_is_refused_as_an_invitation(
    name: str, line: int
) -> None:
    """Before: refused as 'unbekanntes Format: keine Dokumentart …' (Erlangen) or 'weder
    Beschlussvorschlag noch Fragen noch Begründung' (Wels), which does not tell staff that
    the file is a meeting's invitation."""
    data = (REAL / name).read_bytes()
    assert data.startswith(b"%PDF") and len(data) < 300_000
    with pytest.raises(IntakeError) as info:
        parse_document(data, name)
    assert str(info.value) == (
        f"{name}:{line}: Einladung zu einer Sitzung ('Einladung'), keine Vorlage – "
        "Anträge und Anfragen bitte einzeln einlesen"
    )


GERMAN_INVITATION = """\
Stadt Musterstadt

Einladung zur 12. öffentlichen Sitzung des Rates der Stadt

Ort: Rathaus, Sitzungsraum 1
Beginn: 17:00 Uhr

Tagesordnung
TOP 1 Genehmigung der Niederschrift der letzten Sitzung
TOP 2 Antrag der SPD-Fraktion: Sanierung der Turnhalle
TOP 3 Anfrage der Grünen: Wie viele Kitaplätze fehlen?
"""


def test_an_invitation_in_the_layout_of_german_councils_is_refused_naming_the_heading() -> None:
    with pytest.raises(IntakeError) as info:
        parse_document(GERMAN_INVITATION, "einladung.txt")
    assert str(info.value) == (
        "einladung.txt:3: Einladung zu einer Sitzung ('Einladung zur 12. öffentlichen Sitzung "
        "des Rates der Stadt'), keine Vorlage – Anträge und Anfragen bitte einzeln einlesen"
    )


@pytest.mark.parametrize(
    "text",
    [
        # a motion to put an item on the agenda: agenda, session and hour named, the agenda
        # heading and a TOP at the start of a line ("Sitzung" below it), but no invitation's
        # heading
        "Antrag auf Aufnahme in die Tagesordnung\n\nSehr geehrter Herr Oberbürgermeister,\n\n"
        "wir beantragen, folgenden Punkt auf die Tagesordnung der Sitzung des Stadtrates am "
        "12.03.2023 um 17:00 Uhr zu setzen:\n\nTagesordnung\nTOP 1 Sanierung der Turnhalle\n"
        "(zuletzt in der Sitzung des Bauausschusses am 12.01.2023)\n\n"
        "Begründung:\nDie Halle ist seit Jahren gesperrt.\n\nMit freundlichen Grüßen\n"
        "Anna Beispiel\nSPD-Fraktion\n",
        # a motion about invitations: the heading word in its title, a session below, but no
        # agenda and no hour
        "Antrag der SPD-Fraktion vom 01.02.2023\n\nEinladung zu den Sitzungen des Rates auch "
        "per E-Mail\n\nBeschlussvorschlag:\nDie Einladung zur Sitzung wird auch per E-Mail "
        "versandt.\n",
    ],
)
def test_a_motion_about_the_agenda_or_invitations_is_still_read(text: str) -> None:
    parsed = parse_document(text, "antrag.txt", received=date(2023, 2, 1))
    assert parsed.paper_type == "Antrag"
