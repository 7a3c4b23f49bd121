"""What a lifecycle step is made of: its fields (`Param`), the step itself (`Step`), the error
that names a field, and the parsers the CLI and the form share. The table of steps is
models.domain.steps (and models.domain.deadline_steps); this module only says what an entry
holds.

Pure: no database, no Prefect, no Typer.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from models.domain.document import ROLES
from models.domain.errors import InvalidInput
from models.domain.states import Event, parse_result
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


def result_field(text: str, what: str) -> str:
    """'Beschlossen' → 'beschlossen': a result of the vocabulary (English names too)."""
    return parse_result(text).value


def day_field(text: str, what: str) -> date:
    """'15.06.2021' or '2021-06-15' → the day, the field named in the error."""
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
