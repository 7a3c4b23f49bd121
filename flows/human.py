"""Human in the loop: a manager records a lifecycle step in a Prefect form.

The `record-step` deployment is started for a motion; the run pauses and the Prefect UI shows
a form (RunInput). What is entered is checked exactly as the CLI checks it (the same parsing
and the same services); an invalid entry opens the form again with the reason on top.
"""

from __future__ import annotations

from typing import Any, Literal

from prefect import flow, get_run_logger
from prefect.flow_runs import pause_flow_run
from prefect.input import RunInput
from pydantic import Field

from flows.lifecycle import run_as_flow
from models.domain.errors import RatsfristError
from models.domain.states import parse_result
from models.domain.timeutil import system_clock
from models.services.lifecycle import parse_question_numbers


class StepForm(RunInput):
    """Schritt für eine Vorlage eintragen."""

    step: Literal["deliver_report", "decide"] = Field(
        description="deliver_report: Bericht liegt vor; decide: Ergebnis der Beratung"
    )
    result: str | None = Field(
        default=None,
        description="bei decide: beschlossen, geändert beschlossen, abgelehnt, vertagt, "
        "verwiesen, zur Kenntnis genommen, empfohlen, …",
    )
    referred_to: str | None = Field(default=None, description="bei verwiesen: an welches Gremium")
    answered: str | None = Field(
        default=None,
        description="bei deliver_report: beantwortete Fragen, z. B. 1,2,5 (leer: alle)",
    )
    note: str | None = Field(default=None, description="Vermerk")
    actor: str = Field(default="prefect-ui", description="wer den Schritt einträgt")


def form_to_step(form: StepForm) -> tuple[str, dict[str, Any]]:
    """The CLI's checks, applied to the form."""
    if form.step == "decide":
        if not form.result:
            raise RatsfristError("Ergebnis fehlt (Feld 'result')")
        return "decide", {
            "result": parse_result(form.result).value,
            "referred_to": form.referred_to or None,
        }
    return "deliver_report", {"answered": parse_question_numbers(form.answered), "note": form.note}


@flow(name="record-step", flow_run_name="{reference} · Eingabe")
def record_step(reference: str, attempts: int = 3, timeout_hours: int = 72) -> dict[str, Any]:
    from flows.app import engine_for
    from flows.settings import load_settings
    from models.services import lifecycle as services
    from models.store.db import session_scope

    with session_scope(engine_for(load_settings())) as session:
        paper = services.find_paper(session, reference)  # unknown reference: fail at once
        intro = (
            f"{paper.reference}: {paper.name if paper.public else 'nichtöffentlich'} "
            f"(Zustand: {paper.state})"
        )
    description = f"**{intro}**\n\nSchritt eintragen."
    logger = get_run_logger()
    for _ in range(attempts):
        form = pause_flow_run(
            wait_for_input=StepForm.with_initial_data(description=description),
            timeout=timeout_hours * 3600,
        )
        try:
            step, params = form_to_step(form)
            return run_as_flow(
                step, reference=reference, now=system_clock(), actor=form.actor, **params
            )
        except RatsfristError as exc:
            logger.warning(str(exc))
            description = f"**Nicht übernommen:** {exc}\n\n**{intro}**\n\nBitte korrigieren."
    raise RatsfristError(f"{reference}: nach {attempts} ungültigen Eingaben abgebrochen")
