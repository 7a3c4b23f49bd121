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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from models.domain.document import ROLES
from models.domain.errors import InvalidInput
from models.domain.states import Event, Result, parse_result
from models.domain.timeutil import parse_day

REQUIRED: Any = ...
"""Default of a field that must be given."""


class FieldError(InvalidInput):
    """Bad input, naming the field at fault (`referral_role`, `office`) rather than a flag:
    the services do not know who called them. `template` holds the placeholder {field}; the
    message names the field, the CLI shows its flag instead (`for_caller`), and a Prefect
    form shows the field name, which is what its user typed into."""

    def __init__(self, field: str, template: str) -> None:
        super().__init__(field, template)  # both in args, so the error survives pickling
        self.field = field
        self.template = template

    def __str__(self) -> str:
        return self.for_caller({})

    def for_caller(self, names: Mapping[str, str]) -> str:
        """The message with the field called what the caller calls it (e.g. its CLI flag)."""
        return self.template.replace("{field}", names.get(self.field, self.field))


def parse_question_numbers(text: str | None, what: str = "answered") -> list[int] | None:
    """'1, 2,5' → [1, 2, 5]; empty → None (all questions). Shared by CLI and forms, each
    passing what it calls the field (`what`) for the error."""
    if not text or not text.strip():
        return None
    try:
        return [int(part) for part in text.replace(" ", "").split(",") if part]
    except ValueError:
        raise InvalidInput(f"{what} {text!r}: Fragennummern wie 1,2,5 erwartet") from None


def _result(text: str, what: str) -> str:
    return parse_result(text).value


def _day(text: str, what: str) -> date:
    return parse_day(text, what)


def parse_role(text: str, what: str) -> str:
    """'vorberatung' → 'Vorberatung': one of the roles of a Beratungsfolge."""
    for role in ROLES:
        if role.lower() == " ".join(text.split()).lower():
            return role
    raise InvalidInput(f"{what} {text!r}: erlaubt sind {', '.join(ROLES)}")


@dataclass(frozen=True, slots=True)
class Param:
    """One field of a step: the service keyword, the flow parameter and the form field share
    its name; `flag` is what the CLI calls it."""

    name: str
    flag: str
    help: str
    annotation: Any
    """The flow parameter's type (what Prefect validates and shows)."""
    default: Any = None
    parse: Callable[[str, str], Any] | None = None
    """Text typed on the CLI or into a form → the value; the second argument is what the
    caller calls the field, for the error message."""
    title: str = ""
    """German name of the field: the form's label, and 'Ergebnis fehlt' in its errors."""
    form_help: str | None = None
    """Offered in the record-step form with this description; None: not in the form."""
    choices: tuple[str, ...] = ()
    """The form offers exactly these (a dropdown); empty: free text."""
    in_event: bool = False
    """Copied into the payload of the step's ratsfrist.motion.* event."""

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


@dataclass(frozen=True, slots=True)
class Step:
    """One lifecycle step and every name it goes by."""

    name: str
    """The service function, the key callers use, the tail of the flow run name."""
    event: Event
    emits: str
    """ratsfrist.motion.<emits>, the Prefect event after the step."""
    command: str | None = None
    """The CLI command; None: not a command of its own."""
    flow: str | None = None
    """The Prefect flow name; None: no flow of its own."""
    help: str = ""
    """The CLI command's help (German)."""
    params: tuple[Param, ...] = ()
    form: str | None = None
    """What the record-step form says about the step; None: not offered there."""
    also: tuple[Event, ...] = ()
    """Other events the step may record instead (reschedule)."""

    @property
    def label(self) -> str:
        """German, the 'Schritt' column of a timeline (models.domain.states.EVENT_LABELS)."""
        return self.event.label

    @property
    def event_name(self) -> str:
        return f"ratsfrist.motion.{self.emits}"

    @property
    def flow_run_name(self) -> str:
        """'Beratung A 21/0500-01': what the step is, in German, then the motion (the Runs
        page lists steps by what staff call them, not by 'decide')."""
        return f"{self.label[:1].upper()}{self.label[1:]} {{reference}}"

    @property
    def flags(self) -> dict[str, str]:
        """Field → CLI flag, for error messages on the command line."""
        return {p.name: p.flag for p in self.params}


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
                parse=_day,
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
                form_help="nur bei „Beratung zuweisen“: das Gremium, das den Antrag berät, "
                "z. B. Sozialausschuss",
                in_event=True,
            ),
            Param(
                "meeting_day",
                "--meeting",
                "Sitzungsdatum; Standard: keine Sitzung festgelegt",
                date | None,
                parse=_day,
                title="Sitzung am",
                form_help="nur bei „Beratung zuweisen“: Datum der Sitzung, z. B. 15.06.2021",
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
                form_help="nur bei „Beratung zuweisen“: die Nummer der Drucksache, falls "
                "schon vergeben (sonst leer lassen)",
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
                form_help="nur bei „Bericht liegt vor“: Nummern der beantworteten Fragen, "
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
                parse=_result,
                title="Ergebnis",
                form_help="nur bei „Ergebnis der Beratung“: das Ergebnis, wie es in der "
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
                "wurde, z. B. Bauausschuss",
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
    for s in reversed(form_steps()):  # the decision first: what the form is mostly for
        for p in s.params:
            if p.form_help is not None:
                fields.setdefault(p.name, p)
    return fields
