"""The two steps that change a deadline rather than a motion's state: Dringlichkeit (the
rules' urgent variants from now on) and Fristverlängerung (one deadline moved later, with the
mover's consent). Entries of the step table (models.domain.steps lists them in STEPS), kept
here with the parsers of their fields so that the table stays one screenful per step.

Pure: no database, no Prefect, no Typer.
"""

from __future__ import annotations

from datetime import date

from models.domain.errors import InvalidInput
from models.domain.rules import DeadlineKind
from models.domain.states import Event
from models.domain.step_spec import REQUIRED, Param, Step, day_field

EXTENDABLE: tuple[DeadlineKind, ...] = tuple(
    k for k in DeadlineKind if k not in (DeadlineKind.proposal, DeadlineKind.session)
)
"""Kinds a Fristverlängerung can move: not the Antragsfrist (a verdict on the motion's
arrival) and not the session (the meeting is moved with `meetings move`)."""


def parse_kind(text: str, what: str) -> str:
    """'Stellungnahme der Verwaltung' or 'report' → 'report': a deadline kind that can be
    extended, by its German label (the form's dropdown) or its name (the CLI)."""
    wanted = " ".join(text.split()).casefold()
    for kind in EXTENDABLE:
        if wanted in (kind.value, kind.label.casefold()):
            return kind.value
    known = ", ".join(f"{k.value} ({k.label})" for k in EXTENDABLE)
    raise InvalidInput(f"{what} {text!r}: erlaubt sind {known}")


def parse_consent(text: str, what: str) -> bool:
    """'ja' → True, 'nein' → False: the form's answer to whether the mover consented."""
    answer = text.strip().casefold()
    if answer in ("ja", "j", "yes", "true", "1"):
        return True
    if answer in ("nein", "n", "no", "false", "0", ""):
        return False
    raise InvalidInput(f"{what} {text!r}: „ja“ oder „nein“ erwartet")


REASON = Param(
    "reason",
    "--grund",
    "Begründung (erscheint im Verlauf)",
    str,
    REQUIRED,
    title="Begründung",
    form_help="der Grund, wie er im Verlauf stehen soll",
    in_event=True,
)

MARK_URGENT = Step(
    "mark_urgent",
    Event.mark_urgent,
    "marked_urgent",
    command="dringlich",
    flow="mark-urgent",
    help="Dringlichkeit feststellen (mit Begründung): die offenen Fristen laufen ab jetzt "
    "nach den verkürzten Regeln des Profils ([deadlines.NAME.urgent]); Regeln ohne "
    "verkürzte Fassung bleiben, wie sie sind.",
    params=(REASON,),
    form="Dringlichkeit feststellen",
)

EXTEND_DEADLINE = Step(
    "extend_deadline",
    Event.extend_deadline,
    "deadline_extended",
    command="fristverlaengerung",
    flow="extend-deadline",
    help="Fristverlängerung: eine offene Frist auf ein späteres Datum setzen, mit Begründung "
    "und nur mit Zustimmung der Antragstellerin / des Antragstellers (--zustimmung).",
    params=(
        Param(
            "kind",
            "--frist",
            "welche Frist: " + ", ".join(f"{k.value} ({k.label})" for k in EXTENDABLE),
            str,
            REQUIRED,
            parse=parse_kind,
            title="Frist",
            form_help="welche Frist verlängert wird",
            choices=tuple(k.label for k in EXTENDABLE),
            in_event=True,
        ),
        Param(
            "new_due",
            "--bis",
            "neues Fristende, z. B. 30.06.2021 (Uhrzeit wie bisher)",
            date,
            REQUIRED,
            parse=day_field,
            title="verlängert bis",
            form_help="das neue Datum, z. B. 30.06.2021",
        ),
        REASON,
        Param(
            "consent",
            "--zustimmung",
            "die Antragstellerin / der Antragsteller hat zugestimmt (ohne: keine Verlängerung)",
            bool,
            False,
            parse=parse_consent,
            title="Zustimmung",
            form_help="„ja“, wenn die Antragstellerin / der "
            "Antragsteller der Verlängerung zugestimmt hat (ohne Zustimmung keine Verlängerung)",
            choices=("ja", "nein"),
        ),
        Param(
            "consent_by",
            "--zustimmung-von",
            "wer zugestimmt hat; Standard: die Einreicher der Vorlage",
            str | None,
            title="zugestimmt von",
            form_help="wer zugestimmt hat (leer: die Einreicher der Vorlage)",
        ),
    ),
    form="Fristverlängerung",
)
