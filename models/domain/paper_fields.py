"""The fields of a free-form document (models.domain.freeform) from what its head and
sections gave: type, number, status, title, Beratungsfolge, date and submitters, each with
the doubts that send the paper to review (German reasons for staff). Pure.
"""

from __future__ import annotations

import re
from datetime import date

from models.domain.consultations import parse_blocks
from models.domain.document import (
    AUTHORITATIVE_ROLE,
    MAX_ORGANIZATION,
    MAX_REFERENCE,
    QUESTION_TYPES,
    IntakeError,
    ParsedConsultation,
    ParsedSignatory,
    Uncertainty,
)
from models.domain.header_lines import HeadFacts, date_line, paper_type_of, parse_german_date
from models.domain.intake_text import Line, join_wrapped, split_submitters
from models.domain.labels import Field
from models.domain.letter_end import BODY, FACTION
from models.domain.text import fold

_LABEL_LIKE = re.compile(r"^[A-ZÄÖÜ][\wäöüß./-]{1,30}(?:\s[\wäöüß./-]{1,20})?\s*:(?:\s|$)")
"""'Sachbearbeitung: Frau X': a labelled field the reader does not know, not a title."""


def first_field(fields: list[Field], key: str) -> Field | None:
    return next((f for f in fields if f.key == key and f.value), None)


def paper_type_from(
    fields: list[Field], facts: HeadFacts, sections: dict[str, list[Line]]
) -> tuple[str, str | None]:
    art = first_field(fields, "art")
    if art:
        kind, word = paper_type_of(art.value)
        if kind:
            return kind, word
    if facts.paper_type:
        return facts.paper_type, facts.type_word
    if "proposal" in sections:
        return "Antrag", "ohne Dokumentart, mit Beschlusstext"
    if "questions" in sections:
        return "Anfrage", "ohne Dokumentart, mit Fragen"
    if "rows" in sections and "reasoning" in sections:
        return "Vorlage", "ohne Dokumentart, mit Beratungsfolge"
    raise IntakeError(
        "", 1, "unbekanntes Format: keine Dokumentart, kein Beschlusstext, keine Fragen"
    )


def reference_of(
    fields: list[Field], facts: HeadFacts, doubts: list[Uncertainty], source: str
) -> str:
    nr = first_field(fields, "nr")
    value = re.split(r"\s+vom\s|\s{3,}", nr.value.strip())[0] if nr else ""
    reference = " ".join(value.split()) or facts.reference or ""
    if not value and facts.reference and facts.reference_unlabelled:
        doubts.append(Uncertainty("reference", f"Nummer {facts.reference!r} ohne Bezeichnung"))
    if not reference and (az := first_field(fields, "az")):
        reference = az.value
        doubts.append(Uncertainty("reference", f"nur ein Aktenzeichen ({az.value!r}) als Nummer"))
    if len(reference) > MAX_REFERENCE:
        raise IntakeError(
            source, nr.no if nr else 1, f"Nummer der Vorlage zu lang ({len(reference)} Zeichen)"
        )
    return reference


def public_of(fields: list[Field], doubts: list[Uncertainty]) -> bool:
    values = {fold(f.value).replace(" ", "") for f in fields if f.key == "status" and f.value}
    if values == {"offentlich"} or values == {"oeffentlich"}:
        return True
    if values and values <= {"nichtoffentlich", "nichtoeffentlich"}:
        return False
    if values:
        doubts.append(
            Uncertainty(
                "public", f"Status unklar ({', '.join(sorted(values))}); als öffentlich angenommen"
            )
        )
    else:
        doubts.append(Uncertainty("public", "kein Status angegeben; als öffentlich angenommen"))
    return True


def title_of(
    fields: list[Field], facts: HeadFacts, rest: list[Line], doubts: list[Uncertainty]
) -> tuple[str, str | None]:
    betreff = first_field(fields, "betreff")
    if betreff:
        after = [line.text for line in rest if line.no == betreff.no + 1]
        subtitle = after[0].lstrip("-– ").strip() if after else None
        if subtitle and subtitle in facts.candidates:
            facts.candidates.remove(after[0])
        return join_wrapped(betreff.value.split("\n")), subtitle or None
    if facts.title:
        return facts.title, None
    if facts.candidates and _LABEL_LIKE.match(facts.candidates[0]):
        doubts.append(Uncertainty("name", f"Titel {facts.candidates[0][:60]!r} sieht aus wie "
                                  "ein Feld, das die Einlesung nicht kennt"))  # fmt: skip
    unique = list(dict.fromkeys(facts.candidates))
    if len(unique) > 1:  # the first is the title; what follows is read as its subtitle
        shown = " | ".join(c[:40] for c in unique[:3])
        doubts.append(Uncertainty("name", f"mehrere Zeilen kommen als Titel in Frage: {shown}"))
        doubts.append(Uncertainty("subtitle", f"als Untertitel gelesen: {unique[1][:60]!r}"))
        return unique[0], "\n".join(unique[1:])
    if unique:  # a line that merely stands where titles stand: said so, not assumed
        doubts.append(
            Uncertainty("name", f"Titel ohne Betreff-Feld aus der Zeile {unique[0][:60]!r}")
        )
        return unique[0], None
    return "", None


def consultations_of(
    fields: list[Field],
    sections: dict[str, list[Line]],
    paper_type: str,
    source: str,
    doubts: list[Uncertainty],
) -> tuple[ParsedConsultation, ...]:
    rows, row_doubts = parse_blocks(sections.get("rows", []), source)
    doubts.extend(Uncertainty(field, reason) for field, reason in row_doubts)
    gremium = first_field(fields, "gremium")
    if rows or gremium is None:
        return rows
    if len(gremium.value) > MAX_ORGANIZATION:
        raise IntakeError(source, gremium.no, f"Gremium zu lang ({len(gremium.value)} Zeichen)")
    when = first_field(fields, "termin") or next(
        (f for f in fields if f.key == "datum" and abs(f.no - gremium.no) <= 1), None
    )
    meeting = parse_german_date(re.sub(r"^\w\w,\s*", "", when.value)) if when else None
    if paper_type in QUESTION_TYPES:
        role = "Kenntnisnahme"  # an Anfrage is answered in the meeting: taken note of
    else:
        role = "Beratung"
        doubts.append(
            Uncertainty("consultations", f"Zuständigkeit von {gremium.value!r} nicht angegeben")
        )
    return (ParsedConsultation(gremium.value, meeting, True, role, role == AUTHORITATIVE_ROLE, 1),)


def end_date(texts: dict[str, list[Line]], last: str | None) -> date | None:
    """'Berlin Steglitz-Zehlendorf, den 09.05.2007' above the signatures: the letter's date,
    taken out of the text it ends."""
    lines = texts.get(last or "", [])
    for line in reversed(lines[-4:]):
        if line.text and (when := date_line(line.text)):
            texts[last or ""] = [x for x in lines if x is not line]
            return when
    return None


def paper_date(
    fields: list[Field],
    facts: HeadFacts,
    end_date: date | None,
    consultations: tuple[ParsedConsultation, ...],
    doubts: list[Uncertainty],
    source: str,
    lines: list[Line],
    received: date | None = None,
) -> date:
    """The paper's date: its 'Datum' field, a date line ('Berlin, den 09.05.2007', '5. Februar
    2021') or 'vom …' in its type line; else, flagged, the first date of its head or
    Beratungsfolge, else the day it was received (when the caller knows it)."""
    gremium = first_field(fields, "gremium")
    for field in fields:
        if field.key != "datum" or (gremium and abs(field.no - gremium.no) <= 1):
            continue  # 'Gremium: …' ⏎ 'Datum: …' is the meeting's date, not the paper's
        parsed = parse_german_date(re.sub(r"^\w\w,\s*", "", field.value))
        if parsed is None:
            raise IntakeError(source, field.no, f"Datum {field.value!r} ist kein Datum TT.MM.JJJJ")
        return parsed
    labelled = first_field(fields, "nr")
    own = (labelled.value.split()[0] if labelled and labelled.value.split() else "") or (
        facts.reference or ""
    )
    if facts.date and facts.cited and not (own and own in facts.cited):
        if facts.dated_by == facts.cited:
            doubts.append(
                Uncertainty(
                    "date",
                    f"Datum aus {facts.cited[:80]!r}: eine genannte Vorlage mit eigener Nummer – "
                    "Datum dieses Schreibens oder der genannten Vorlage?",
                )
            )
        doubts.append(
            Uncertainty(
                "paper_type",
                f"Art aus {facts.cited[:80]!r}: vielleicht die Art der genannten Vorlage "
                "(dieses Schreiben z. B. eine Stellungnahme dazu)",
            )
        )
    if facts.date and facts.placed and facts.rivals:
        doubts.append(
            Uncertainty(
                "date",
                f"Datum {facts.date:%d.%m.%Y} aus {(facts.dated_by or '').strip()[-40:]!r}; im "
                f"Kopf auch {facts.rivals[0].strip()[:80]!r} – welches ist das Datum des "
                "Schreibens?",
            )
        )
    if facts.date or end_date:
        return facts.date or end_date  # type: ignore[return-value]
    known = (
        sorted(facts.header_dates)
        or sorted(facts.row_dates())
        or sorted(c.meeting_date for c in consultations if c.meeting_date)
    )
    if not known and received is not None:
        reason = f"kein Datum im Dokument; Eingangsdatum {received:%d.%m.%Y} übernommen"
        doubts.append(Uncertainty("date", reason))
        return received
    if not known:
        raise IntakeError(source, lines[0].no, "Datum fehlt (kein Datum im Kopf, keine Sitzung)")
    doubts.append(
        Uncertainty(
            "date",
            f"kein Datum der Vorlage; vorläufig {known[0]:%d.%m.%Y} "
            "(erstes Datum im Kopf bzw. der Beratungsfolge)",
        )
    )
    return known[0]


MOTION_TYPES = frozenset(
    {"Antrag", "Änderungsantrag", "Ergänzungsantrag", "Dringlichkeitsantrag", "Vorschlag",
     "Anfrage", "Große Anfrage", "Kleine Anfrage", "Resolution", "Anregung"}
)  # fmt: skip
"""Papers a faction or member submits: without a submitter they are doubtful."""


def submitters_of(
    paper_type: str,
    fields: list[Field],
    facts: HeadFacts,
    people: tuple[ParsedSignatory, ...],
    glued: bool,
    doubts: list[Uncertainty],
) -> tuple[str, ...]:
    names: list[str] = []
    for field in fields:
        if field.key != "initiator" or not field.value:
            continue
        cells = [c for c in re.split(r"\s{3,}", field.value.strip()) if c]
        if glued and len(cells) == 2:  # cells of a saved page: origin, current
            names.extend(split_submitters(cells[0]))
            continue
        value = " ".join(field.value.split())
        half = len(value) // 2
        if glued and value[:half] == value[half:]:
            value = value[:half]  # 'SPD-FraktionSPD-Fraktion': origin and current, the same
        elif glued:
            doubts.append(
                Uncertainty(
                    "submitters",
                    f"Initiator {value!r}: Ursprung und aktueller Stand nicht zu trennen",
                )
            )
            continue
        names.extend(split_submitters(value))
    names.extend(facts.submitters)
    for line in facts.letterhead:
        names.extend(split_submitters(line))
    if not names:  # the signatures name the factions only when the head does not
        names.extend(p.faction for p in people if p.faction and FACTION.search(p.faction))
    if not names:  # no faction: a Stadtteilbeirat, Seniorenbeirat … heading or signing it
        signed = [
            m.group("body") for p in people for m in map(BODY.match, (p.name, p.faction or "")) if m
        ]
        bodies = {fold(b): b for b in facts.bodies + signed}
        if len(bodies) == 1 and not facts.body_below:
            names.extend(bodies.values())
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(fold(re.sub(r"^(?:der|die|des)\s+", "", name, flags=re.I)), name)
    if not seen and paper_type in MOTION_TYPES and not any(d.field == "submitters" for d in doubts):
        doubts.append(Uncertainty("submitters", "keine einreichende Fraktion erkannt"))
    return tuple(seen.values())
