"""The lifecycle steps, written down once.

Each entry says what a step is called everywhere it shows up: the Event it records, the CLI
command, the Prefect flow, the ratsfrist.motion.* event, its German label and help, and the
fields it takes (each with its German help and the CLI flag that sets it). The CLI commands,
the Prefect flows, the record-step form, the events and the timeline labels are generated
from or looked up in this table; the service that performs a step is attached to its name in
models.services.steps. Adding a step is one entry here plus its service function.

Pure: no database, no Prefect, no Typer.
"""

from __future__ import annotations

from datetime import date

from models.domain.deadline_steps import EXTEND_DEADLINE, MARK_URGENT
from models.domain.errors import InvalidInput
from models.domain.states import Event, Result
from models.domain.step_spec import (
    REQUIRED,
    FieldError,
    Param,
    Step,
    day_field,
    parse_question_numbers,
    parse_role,
    result_field,
)

__all__ = [
    "BY_NAME",
    "REQUIRED",
    "REVIEW",
    "STEPS",
    "SUBMIT",
    "FieldError",
    "Param",
    "Step",
    "form_fields",
    "form_steps",
    "parse_question_numbers",
    "parse_role",
    "step",
]

_NOTE = Param(
    "note",
    "--note",
    "Vermerk",
    str | None,
    title="Vermerk",
    form_help="freier Vermerk zum Schritt, erscheint im Verlauf (kann leer bleiben)",
)

SUBMIT = Step("submit", Event.submit, "submitted")
"""Taking in a document: started by `import`/`submit` and the intake flows, not a command here."""

REVIEW = Step(
    "review",
    Event.review,
    "reviewed",
    flow="review",
    help="Die Felder prüfen, bei denen die Einlesung unsicher war: berichtigen (--set "
    "feld=wert) oder bestätigen (--confirm). Danach laufen die Fristen.",
    params=(
        Param(
            "corrections",
            "--set",
            "Feld berichtigen, z. B. --set titel='…' --set gremium.1=Rat (mehrfach)",
            dict[str, str] | None,
        ),
        Param("confirm", "--confirm", "die übrigen Felder wie gelesen bestätigen", bool, False),
    ),
)
"""Settling the fields of a motion `in_review`; its own command (`ratsfrist review` lists the
fields before it changes them) and its own form (flows.review)."""

STEPS: tuple[Step, ...] = (
    Step(
        "place_on_agenda",
        Event.place_on_agenda,
        "scheduled",
        command="schedule",
        flow="place-on-agenda",
        help="Auf die Tagesordnung der (nächsten) Sitzung setzen.",
        params=(
            Param(
                "item_number",
                "--item",
                "Nummer des Tagesordnungspunkts (TOP)",
                str,
                REQUIRED,
                in_event=True,
            ),
            Param(
                "meeting_day",
                "--meeting",
                "Sitzungsdatum; Standard: das aus der Beratungsfolge",
                date | None,
                parse=day_field,
            ),
        ),
        also=(Event.reschedule,),
    ),
    Step(
        "assign",
        Event.assign,
        "assigned",
        command="assign",
        flow="assign",
        help="Beratung zuweisen (Sitzungsdienst): Gremium und Sitzung für einen Antrag ohne "
        "Beratungsfolge; seine Fristen beginnen damit.",
        params=(
            Param(
                "organization",
                "--committee",
                "Gremium, das berät (muss erfasst sein)",
                str,
                REQUIRED,
                title="Gremium",
                form_help="das Gremium, das den Antrag berät, z. B. Sozialausschuss",
                in_event=True,
            ),
            Param(
                "meeting_day",
                "--meeting",
                "Sitzungsdatum; Standard: keine Sitzung festgelegt",
                date | None,
                parse=day_field,
                title="Sitzung am",
                form_help="Datum der Sitzung, z. B. 15.06.2021",
            ),
            Param(
                "role",
                "--role",
                "Zuständigkeit: Entscheidung, Vorberatung, Kenntnisnahme, …",
                str,
                "Entscheidung",
                parse=parse_role,
            ),
            Param(
                "number",
                "--number",
                "Drucksachennummer, wenn sie schon vergeben ist",
                str | None,
                title="Drucksachennummer",
                form_help="die Nummer der Drucksache, falls schon vergeben (sonst leer lassen)",
            ),
        ),
        form="Beratung zuweisen",
    ),
    Step(
        "request_report",
        Event.request_report,
        "report_requested",
        command="request-report",
        flow="request-report",
        help="Bericht / Stellungnahme der Verwaltung anfordern.",
        params=(
            Param(
                "office",
                "--office",
                "zuständige Stelle der Verwaltung",
                str,
                REQUIRED,
                in_event=True,
            ),
        ),
    ),
    Step(
        "deliver_report",
        Event.deliver_report,
        "report_delivered",
        command="report",
        flow="deliver-report",
        help="Bericht der Verwaltung liegt vor (beantwortet alle oder die genannten Fragen).",
        params=(
            Param(
                "answered",
                "--answers",
                "beantwortete Fragen, z. B. 1,2,5; Standard: alle",
                list[int] | None,
                parse=parse_question_numbers,
                title="beantwortete Fragen",
                form_help="Nummern der beantworteten Fragen, "
                "z. B. 1,2,5; leer lassen, wenn alle beantwortet sind",
            ),
            _NOTE,
        ),
        form="Bericht liegt vor",
    ),
    Step(
        "decide",
        Event.decide,
        "decided",
        command="decide",
        flow="decide",
        help="Ergebnis der aktuellen Beratung eintragen.",
        params=(
            Param(
                "result",
                "--result",
                "Ergebnis: beschlossen, geändert beschlossen, abgelehnt, vertagt, verwiesen, "
                "zur Kenntnis genommen, empfohlen, … (oder approved, rejected, postponed, …)",
                str,
                REQUIRED,
                parse=result_field,
                title="Ergebnis",
                form_help="das Ergebnis, wie es in der "
                "Niederschrift steht (bei „verwiesen“ auch das Gremium angeben)",
                choices=tuple(r.value for r in Result),
                in_event=True,
            ),
            Param(
                "referred_to",
                "--to",
                "bei 'verwiesen': an welches Gremium",
                str | None,
                title="verwiesen an",
                form_help="nur bei Ergebnis „verwiesen“: Name des Gremiums, an das verwiesen "
                "wurde, z. B. Bauausschuss (sonst leer lassen)",
            ),
            Param(
                "referral_role",
                "--referral-role",
                "bei 'verwiesen': Vorberatung oder Entscheidung",
                str,
                "Vorberatung",
            ),
            Param("resolution_text", "--text", "Beschlusstext", str | None),
        ),
        form="Ergebnis der Beratung",
    ),
    Step(
        "start_implementation",
        Event.start_implementation,
        "in_implementation",
        command="implement",
        flow="start-implementation",
        help="Umsetzung des Beschlusses beginnen.",
        params=(
            Param(
                "office",
                "--office",
                "für die Umsetzung zuständige Stelle",
                str,
                REQUIRED,
                in_event=True,
            ),
        ),
    ),
    Step(
        "close",
        Event.close,
        "closed",
        command="close",
        flow="close",
        help="Vorgang abschließen (erledigt).",
        params=(_NOTE,),
    ),
    Step(
        "withdraw",
        Event.withdraw,
        "withdrawn",
        command="withdraw",
        flow="withdraw",
        help="Vorlage zurückziehen (zurückgezogen).",
        params=(_NOTE,),
    ),
    MARK_URGENT,
    EXTEND_DEADLINE,
)
"""The steps staff take, in the order `--help` lists their commands."""

RENUMBER = Step("renumber", Event.renumber, "renumbered")
"""A document registered under an Eingangsnummer came again with its external number (intake,
not a command: `assign --number` gives one by hand)."""

BY_NAME: dict[str, Step] = {s.name: s for s in (SUBMIT, REVIEW, RENUMBER, *STEPS)}


def step(name: str) -> Step:
    """The step called `name`, or an error listing the known ones."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise InvalidInput(
            f"unbekannter Schritt {name!r} (bekannt: {', '.join(BY_NAME)})"
        ) from None


def form_steps() -> tuple[Step, ...]:
    """The steps the record-step form offers."""
    return tuple(s for s in STEPS if s.form)


def form_fields() -> dict[str, Param]:
    """The fields of the record-step form, each once, in the order the steps name them."""
    fields: dict[str, Param] = {}
    # The decision first (what the form is mostly for); the deadline steps' fields last.
    ordered = [*reversed(form_steps())]
    ordered.sort(key=lambda s: s in (MARK_URGENT, EXTEND_DEADLINE))
    for s in ordered:
        for p in s.params:
            if p.form_help is not None:
                fields.setdefault(p.name, p)
    return fields
