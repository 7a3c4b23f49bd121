"""Real documents of German councils and factions (tests/data/documents/real, sources in its
README), each with its fields written by hand from the document: every one is either parsed
with every field right, or registered for review with exactly the doubtful fields named, or
refused naming what is missing (issue 15: "never silently wrong")."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest

from models.domain.document import IntakeError, ParsedPaper
from models.domain.intake import parse_document
from tests.conftest import DATA, EXAMPLE

REAL = DATA / "documents" / "real"
Ö, N = True, False


class Starts(str):
    """An expected long text given by its beginning (the bodies are shortened anyway)."""


@dataclass(frozen=True)
class Case:
    file: str
    layout: str
    outcome: str  # right | review | refused
    fields: dict[str, Any] = field(default_factory=dict)
    uncertain: frozenset[str] = frozenset()
    refused: str = ""
    received: date | None = None
    """For a refused letter without any date: the day its source published it; with it the
    letter is registered for review instead (the caller knows when a file arrived)."""


Row = tuple[str, date | None, bool, str]


def _rows(*rows: Row) -> tuple[Row, ...]:
    return rows


BVV_SZ = "Bezirksverordnetenversammlung Steglitz-Zehlendorf von Berlin"
BVV_LI = "Bezirksverordnetenversammlung Lichtenberg von Berlin"
NO_DATE = "Datum fehlt"
LETTER_DOUBTS = frozenset({"name", "public", "date", "reference", "consultations"})
"""What a faction's letter without number, status, date and Beratungsfolge leaves open."""

CASES = [
    Case("allris-vo020-lichtenberg-ds-1246-v.txt", "ALLRIS vo020", "review", {
        "paper_type": "Antrag", "reference": "DS/1246/V", "public": True,
        "date": date(2005, 2, 16),
        "name": "Weiterentwicklung der Zentralen Anlauf- und Beratungsstelle des Ordnungsamtes",
        "consultations": _rows((BVV_LI, date(2005, 2, 16), Ö, "Entscheidung"),
                               (BVV_LI, date(2005, 10, 19), Ö, "Entscheidung")),
        "submitters": (), "questions": (), "signatories": (), "resolution_proposal": None,
        "reasoning": Starts("Die BVV hat in ihrer 38. Sitzung am 16.02.2005"),
        "attachments": ("Antrag PDS PDF-Dokument",
                        "Dringl. Vorlage z. Ktn. BA (Zwb.) (erledigt ÄR 29.08.07) PDF-Dokument"),
    }, frozenset({"date", "submitters"})),
    Case("allris-vo020-steglitz-zehlendorf-0305-iii.txt", "ALLRIS vo020", "right", {
        "paper_type": "Antrag", "reference": "0305/III", "date": date(2007, 5, 9), "public": True,
        "name": "Neue Geschäftsordnung für die BVV Steglitz-Zehlendorf", "subtitle": None,
        "submitters": ("SPD-Fraktion",),
        "consultations": _rows(
            (BVV_SZ, date(2007, 5, 16), Ö, "Vorberatung"),
            ("Ausschuss für Geschäftsordnung und Bürgerbeteiligung", date(2007, 5, 23), N,
             "Vorberatung"),
            (BVV_SZ, date(2007, 6, 20), Ö, "Vorberatung"),
        ),
        "resolution_proposal": "Die im Anhang befindliche Geschäftsordnung wird angenommen.",
        "questions": (), "reasoning": "Erfolgt mündlich.",
        "signatories": (("Karnetzki", None, "SPD-Fraktion"), ("Müller", None, "SPD-Fraktion")),
        "attachments": ("Antrag", "Beschlussempfehlung", "Beschluss vom 20.06.2007"),
    }),
    Case("allris-vo020-steglitz-zehlendorf-1536-v.txt", "ALLRIS vo020", "review", {
        "paper_type": "Vorlage", "reference": "1536/V", "public": True,
        "date": date(2019, 8, 19),
        "name": "Bezirkshaushaltsplan Steglitz-Zehlendorf für die Haushaltsjahre 2020 und 2021 "
                "(Doppelhaushaltsplan 2020/21)",
        "submitters": ("Bezirksamt",),
        "consultations": _rows(
            ("Ausschuss für Haushalt, Personal und Verwaltungsmodernisierung", date(2019, 8, 28),
             Ö, "Vorberatung"),
            (BVV_SZ, date(2019, 9, 11), Ö, "Entscheidung"),
        ),
        "resolution_proposal": Starts("Der Doppelhaushaltsplan 2020/21 des Bezirks"),
        "questions": (), "signatories": (),
    }, frozenset({"consultations", "date"})),
    Case("allris-vo020-sehnde-2015-0288-1.txt", "ALLRIS vo020", "review", {
        "paper_type": "Beschlussvorlage", "reference": "2015/0288-1", "public": True,
        "date": date(2015, 11, 17),
        "name": "Grünflächenkataster der Stadt Sehnde",
        "subtitle": "Operative Steuerung der Bewirtschaftung der öffentlichen Grünflächen",
        "consultations": _rows(
            ("Fachbereichsausschuss Finanzen, Steuerung, Innere Dienste und Ordnung",
             date(2015, 11, 17), Ö, "Vorberatung"),
            ("Fachbereichsausschuss Stadtentwicklung und Bauaufsicht", date(2015, 11, 17), Ö,
             "Vorberatung"),
            ("Verwaltungsausschuss", None, Ö, "Vorberatung"),
            ("Rat der Stadt Sehnde", date(2015, 12, 17), Ö, "Entscheidung"),
        ),
        "resolution_proposal": Starts("a) Der Fachbereichsausschuss Stadtentwicklung"),
        "questions": (), "reasoning": Starts("Das Kataster beschreibt"), "signatories": (),
    }, frozenset({"date"})),
    Case("allris-to020-berlin-mitte-1265-ii.txt", "ALLRIS to020", "refused",
         refused="weder Beschlussvorschlag noch Fragen"),
    Case("allris-to010-wismar-vo-2014-0850.txt", "ALLRIS to010", "review", {
        "paper_type": "Vorlage", "reference": "VO/2014/0850", "name": "Haushaltssatzung 2014",
        "date": date(2014, 3, 10),
        "consultations": _rows(("Ausschuss für Gesundheit und Soziales", date(2014, 3, 10), Ö,
                                "Beratung")),
        "resolution_proposal": Starts("Die Bürgerschaft beschließt die Haushaltssatzung 2014"),
        "questions": (),
    }, frozenset({"reference", "name", "consultations", "public", "date"})),
    Case("allris4-hagen-0456-2010.txt", "ALLRIS 4", "refused", {
        "paper_type": "Beschlussvorlage", "reference": "0456/2010",
        "name": Starts("1. Der Bericht der Verwaltung"), "consultations": (), "questions": (),
        "resolution_proposal": Starts("1. Der Bericht der Verwaltung"),
        "reasoning": Starts("Die Arbeitsgruppen aus Politik"),
    }, frozenset({"name", "public", "date", "consultations"}),
        refused=NO_DATE, received=date(2010, 6, 1)),  # a day the page might have been saved
    Case("aschaffenburg-pl-3-1-16.txt", "RIS Meeting.mvc", "review", {
        "paper_type": "Vorlage", "reference": "pl/3/1/16", "date": date(2016, 2, 29),
        "name": "Gewährung eines Ehrengrabes (Vollzug des § 22 Abs. 3 der Friedhofs- und "
                "Bestattungssatzung) für Peter Pfarrer",
        "consultations": _rows(("Stadtrat (Plenum)", date(2016, 2, 29), Ö, "Entscheidung")),
        "reasoning": Starts("Der Verwaltung liegt ein Antrag vor"), "questions": (),
    }, frozenset({"reference", "paper_type", "public", "date"})),
    Case("magdeburg-anfrage-f0071-20.txt", "Magdeburg Anfrage form", "right", {
        "paper_type": "Anfrage", "reference": "F0071/20", "date": date(2020, 2, 20),
        "public": True, "name": "Lärmschutzwand Olvenstedter Graseweg", "subtitle": None,
        "submitters": ("Fraktion Gartenpartei/Tierschutzallianz",),
        "consultations": _rows(("Stadtrat", date(2020, 2, 20), Ö, "Kenntnisnahme")),
        "questions": (
            "Welche Maßnahmen werden nun getroffen?",
            "Wann ist mit der Errichtung einer neuen Lärmschutzwand zu rechnen?",
            "Gibt es die Möglichkeit Fördermittel zur Errichtung einer neuen Lärmschutzwand zu "
            "beantragen, wenn ja im Welcher Höhe wäre mit Förderung zu rechnen? Welche Kosten "
            "kommen auf die Landeshauptstadt Magdeburg zu?",
        ),
        "signatories": (("Marcel Guderjahn", "Stellv.Fraktionsvorsitzender",
                         "Fraktion Gartenpartei/Tierschutzallianz"),),
        "reasoning": None, "attachments": (),
    }),
    Case("letter-ingolstadt-fw-kulturbeirat-2022.txt", "faction letter", "refused", {
        "paper_type": "Antrag", "reference": "",
        "name": Starts("die Stadtratsfraktion der FREIEN WÄHLER stellt den Antrag"),
        "submitters": ("FREIE WÄHLER Stadtratsfraktion Ingolstadt",),
        "signatories": (("Hans Stachel", "Fraktionsvorsitzender",
                         "FREIE WÄHLER Stadtratsfraktion Ingolstadt"),),
        "resolution_proposal": Starts("die Stadtratsfraktion der FREIEN WÄHLER stellt den"),
        "reasoning": Starts("Der Kulturbeirat ist nach seiner Geschäftsordnung"),
    }, LETTER_DOUBTS, refused=NO_DATE, received=date(2022, 6, 4)),
    Case("letter-ingolstadt-fw-fragestunde-2025.txt", "faction letter", "review", {
        "paper_type": "Antrag", "reference": "", "date": date(2025, 10, 30),
        "name": "Berichtsantrag zur Fragestunde im Rahmen der Stadtratssitzung vom 30.10.2025",
        "submitters": ("Stadtratsfraktion FREIE WÄHLER",), "consultations": (),
        "questions": (
            "Was wurde hier genehmigt und umgesetzt?",
            "Gab es dort nicht andere Planungen in der Vergangenheit?",
            "Soll in Anbetracht der knappen Kassen jegliches „Stadtbild“ im eigentlichen Sinne "
            "des Wortes geopfert werden?",
        ),
        "signatories": (("Hans Stachel", "Fraktionsvorsitzender",
                         "Stadtratsfraktion FREIE WÄHLER"),),
    }, frozenset({"name", "paper_type", "public", "date", "reference", "consultations"})),
    Case("letter-weimar-piraten-ds-062a-2016.txt", "faction list of motions", "review", {
        "paper_type": "Änderungsantrag", "reference": "062a/2016", "date": date(2016, 6, 15),
        "name": "Änderungsantrag zur Drucksache 062/2016 Grundsatzbeschluss",
        "resolution_proposal": Starts("Anlage 1 wird im Punkt 5. Pilotphase ergänzt:"),
        "reasoning": Starts("Kinder und Jugendliche sollen"), "questions": (), "submitters": (),
    }, frozenset({"public", "date", "consultations", "submitters"})),
    Case("letter-weimar-piraten-ds-117-2016.txt", "faction list of motions", "review", {
        "paper_type": "Antrag", "reference": "117/2016", "name": "Wilhelm-Ernst-Denkmal",
        "resolution_proposal": Starts("Zum 100. Todestag des Großherzogs"), "questions": (),
    }, frozenset({"paper_type", "public", "date", "consultations", "submitters"})),
    Case("letter-stuttgart-diefraktion-2019-02-25.txt", "faction motion", "refused", {
        "paper_type": "Antrag", "reference": "", "date": date(2019, 2, 25),
        "name": "Änderung der Mindestfraktionsgröße auf drei Stadträt_innen",
        "resolution_proposal": Starts("Mit Wirkung zur Neubesetzung des Gemeinderats"),
        "reasoning": Starts("Drei von 60 Mandaten"), "questions": (), "submitters": (),
    }, LETTER_DOUBTS | {"paper_type", "submitters"},
        refused=NO_DATE, received=date(2019, 2, 25)),
    Case("letter-wolfsburg-linke-2021-11-05.txt", "faction motion", "refused", {
        "paper_type": "Antrag", "reference": "",
        "name": "Antrag zur Geschäftsordnung: Rede- und Antragsrecht für fraktionslose "
                "Ratsmitglieder im Fachausschuss",
        "resolution_proposal": Starts("Die GO-Rat wird in den §§ 9 und 37 ergänzt"),
        "reasoning": Starts("Fraktionslose Ratsmitglieder dürfen"), "questions": (),
    }, frozenset({"name", "public", "date", "reference", "consultations", "submitters"}),
        refused=NO_DATE, received=date(2021, 11, 5)),
    Case("letter-stuttgart-soes-breitband-beteiligung.txt", "faction motion", "refused", {
        "paper_type": "Antrag", "name": "Bürgerbeteiligung beim Breitbandausbau",
        "submitters": ("SÖS LINKE PluS",),
        "resolution_proposal": Starts("Die Durchführung einer Bürgerbeteiligung"),
        "reasoning": Starts("Der Aufbau von Breitband-Infrastruktur"), "questions": (),
    }, frozenset({"name", "paper_type", "public", "date", "reference", "consultations"}),
        refused=NO_DATE, received=date(2019, 6, 1)),
    Case("letter-stuttgart-soes-telekom-anfrage.txt", "faction prose questions", "refused", {
        "paper_type": "Anfrage", "name": "Offene Fragen zum Breitbandausbau und dem Telekom-Deal",
        "submitters": ("SÖS LINKE PluS",),
        "questions": (
            "Warum wurde die Anfrage 22/2019 „Welche Rolle spielt Wolfgang Schuster beim "
            "Telekom-Deal mit der Stadt Stuttgart?“ immer noch nicht beantwortet?",
            "Warum wird ein Vertrag über ein Ausbauprojekt von Infrastruktur, was in hohem Maße "
            "von öffentlichem Interesse ist, ausschließlich nicht-öffentlich verhandelt und "
            "verabschiedet?",
        ),
    }, frozenset({"name", "paper_type", "public", "date", "reference", "consultations"}),
        refused=NO_DATE, received=date(2019, 6, 1)),
    Case("letter-stuttgart-soes-protokolle.txt", "faction motion", "refused", {
        "paper_type": "Antrag",
        "name": "Antrag auf Veröffentlichung der Protokolle nichtöffentlicher Sitzungen",
        "submitters": ("SÖS LINKE PluS",),
        "resolution_proposal": Starts("Wir beantragen, dass künftig auch Protokolle"),
        "questions": (),
    }, frozenset({"name", "public", "date", "reference", "consultations"}),
        refused=NO_DATE, received=date(2019, 6, 1)),
    Case("stuttgart-afd-anfrage-24-2021.txt", "faction list of Anfragen", "review", {
        "paper_type": "Anfrage", "reference": "24-2021", "date": date(2021, 2, 5),
        "name": "Wie werden die Qualtätsanforderungen der WHO bei PCR-Tests sichergestellt?",
        "questions": ("Wie werden die Qualtätsanforderungen der WHO bei PCR-Tests "
                      "sichergestellt?",),
        "consultations": (), "submitters": (),
    }, frozenset({"public", "consultations", "submitters"})),
    Case("letter-hannover-dringlichkeitsantrag-2022-03-31.txt", "faction list, Beratungsverlauf",
         "review", {
        "paper_type": "Dringlichkeitsantrag", "reference": "", "date": date(2022, 3, 31),
        "name": "Resolution gegen die Anfeindungen gegenüber russischstämmigen Einwohner*innen",
        "submitters": ("Fraktion Bündnis 90/Die Grünen", "SPD-Fraktion", "CDU-Fraktion",
                       "Fraktion DIE LINKE", "FDP-Fraktion", "Fraktion Die PARTEI & Volt"),
        "consultations": (),
        "resolution_proposal": Starts("Die Landeshauptstadt Hannover bekennt sich zur Vielfalt"),
        "reasoning": Starts("In den letzten Wochen gab es bundesweit"), "questions": (),
    }, frozenset({"public", "reference", "consultations"})),
    Case("muenchen-ru-projektion-2022-01-26.txt", "München Rathaus Umschau", "review", {
        "paper_type": "Antrag", "reference": "", "date": date(2022, 1, 26),
        "name": "Projektion am Rathaus: Ein Zeichen setzen für Demokratie und Zusammenhalt",
        "submitters": ("SPD/Volt-Fraktion", "Fraktion Die Grünen – Rosa Liste", "CSU-Fraktion",
                       "FDP BAYERNPARTEI Stadtratsfraktion", "Freie Wähler"),
        "resolution_proposal": Starts("„Die Landeshauptstadt München dankt"), "questions": (),
    }, frozenset({"name", "public", "reference", "consultations"})),
    Case("muenchen-ru-bueroklammern-2024-01-19.txt", "München Rathaus Umschau", "review", {
        "paper_type": "Antrag", "reference": "", "date": date(2024, 1, 19),
        "name": "Nachhaltigkeit auch in „kleinen“ Dingen I",
        "submitters": ("Stadtratsfraktion der CSU mit FREIE WÄHLER",),
        "resolution_proposal": Starts("„Die Landeshauptstadt München wird gebeten"),
        "questions": (),
    }, frozenset({"name", "public", "reference", "consultations"})),
]  # fmt: skip


def _plain(parsed: ParsedPaper, name: str) -> Any:
    value = getattr(parsed, name)
    if name == "consultations":
        return tuple((c.organization, c.meeting_date, c.public, c.role) for c in value)
    if name == "signatories":
        return tuple((s.name, s.function, s.faction) for s in value)
    return value


def _check_fields(parsed: ParsedPaper, case: Case) -> None:
    for name, expected in case.fields.items():
        actual = _plain(parsed, name)
        if isinstance(expected, Starts):
            assert actual is not None and actual.startswith(expected), (name, actual)
        else:
            assert actual == expected, (name, actual)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file.removesuffix(".txt"))
def test_each_real_document_is_right_in_review_with_its_doubts_named_or_refused(
    case: Case,
) -> None:
    data = (REAL / case.file).read_bytes()
    if case.outcome == "refused":
        with pytest.raises(IntakeError) as info:
            parse_document(data, case.file)
        assert case.refused in info.value.reason
        assert str(info.value).startswith(f"{case.file}:")
        if case.received is None:
            return
        parsed = parse_document(data, case.file, received=case.received)
    else:
        parsed = parse_document(data, case.file)
    _check_fields(parsed, case)
    named = {doubt.field for doubt in parsed.uncertain}
    assert named == set(case.uncertain), parsed.uncertain
    assert all(doubt.reason for doubt in parsed.uncertain)
    if case.outcome == "right":
        assert not parsed.uncertain
    if case.received is not None:
        assert parsed.date == case.received


def test_the_collection_has_twenty_documents_of_five_layouts_and_every_file_is_tested() -> None:
    files = {path.name for path in REAL.glob("*.txt")}
    assert files == {case.file for case in CASES}
    layouts = {case.layout for case in CASES} | {"ALLRIS print (Mülheim, seed)"}
    assert len(files) + 1 >= 20 and len(layouts) >= 5
    # The seed document, the one real layout the first reader knew, is still read whole.
    assert not parse_document(EXAMPLE.read_bytes(), "seed.txt").uncertain


def test_counts_of_outcomes() -> None:
    """The numbers the closing note of issue 15 reports (updated when a layout is added)."""
    counts = {outcome: sum(c.outcome == outcome for c in CASES) for outcome in
              ("right", "review", "refused")}  # fmt: skip
    assert counts == {"right": 2, "review": 12, "refused": 8}


STEGLITZ = "allris-vo020-steglitz-zehlendorf-0305-iii.txt"
DERIVED = {
    # made by tests/data/documents/make_documents.py from the texts above
    "real-vo020-steglitz-zehlendorf-0305-iii.html": STEGLITZ,
    "real-vo020-sehnde-2015-0288-1.html": "allris-vo020-sehnde-2015-0288-1.txt",
    "real-vo0050-magdeburg-f0071-20.html": "magdeburg-anfrage-f0071-20.txt",
    "real-allris-vo020-steglitz-zehlendorf-0305-iii.pdf": STEGLITZ,
    "real-magdeburg-anfrage-f0071-20.pdf": "magdeburg-anfrage-f0071-20.txt",
    "real-magdeburg-anfrage-f0071-20.docx": "magdeburg-anfrage-f0071-20.txt",
    "real-letter-ingolstadt-fw-fragestunde-2025.docx": "letter-ingolstadt-fw-fragestunde-2025.txt",
}  # fmt: skip


@pytest.mark.parametrize("derived", sorted(DERIVED))
def test_the_html_pdf_and_docx_of_a_real_document_parse_the_same(derived: str) -> None:
    """A RIS page saved as HTML (ALLRIS vo020, SessionNet vo0050), a PDF and a Word file of
    the same document: the same hand-written fields, the same doubts."""
    case = next(c for c in CASES if c.file == DERIVED[derived])
    as_text = parse_document((REAL / case.file).read_bytes(), case.file)
    parsed = parse_document((REAL.parent / derived).read_bytes(), derived)
    _check_fields(parsed, case)
    assert {d.field for d in parsed.uncertain} == set(case.uncertain), parsed.uncertain
    for name in ("questions", "consultations", "signatories", "submitters", "reference"):
        assert _plain(parsed, name) == _plain(as_text, name), name


def test_a_saved_page_is_read_as_html_by_its_content_whatever_its_name() -> None:
    page = (REAL.parent / "real-vo020-steglitz-zehlendorf-0305-iii.html").read_bytes()
    assert page.decode("latin-1").startswith("<!DOCTYPE HTML")  # saved as the RIS serves it
    parsed = parse_document(page, "drucksache.txt")
    assert parsed.reference == "0305/III" and not parsed.uncertain


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        (b"<html><head><title>x</title></head><body><script>1</script></body></html>", "ohne Text"),
        (b"<!DOCTYPE html><html><body><p>Hallo Welt</p></body></html>", "unbekanntes Format"),
    ],
)
def test_a_page_without_a_document_is_refused_in_one_line(page: bytes, reason: str) -> None:
    with pytest.raises(IntakeError) as info:
        parse_document(page, "seite.html")
    assert reason in str(info.value) and str(info.value).startswith("seite.html:")
