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
from pydantic import Field, create_model

from flows import app
from flows.lifecycle import run_as_flow
from models.domain.errors import RatsfristError
from models.domain.steps import BY_NAME, form_fields, form_steps


def _form() -> type[RunInput]:
    """The form from the registry: the steps it offers (models.domain.steps, `form`), then
    each field they take that has a form text, then who enters it."""
    offered = form_steps()
    fields: dict[str, Any] = {
        "step": (
            Literal[tuple(s.name for s in offered)],
            Field(description="; ".join(f"{s.name}: {s.form}" for s in offered)),
        ),
        **{
            name: (str | None, Field(default=None, description=p.form_help))
            for name, p in form_fields().items()
        },
        "actor": (str, Field(default="prefect-ui", description="wer den Schritt einträgt")),
    }
    form = create_model("StepForm", __base__=RunInput, __module__=__name__, **fields)
    form.__doc__ = "Schritt für eine Vorlage eintragen."
    return form


StepForm = _form()


def form_to_step(form: Any) -> tuple[str, dict[str, Any]]:
    """The CLI's checks, applied to the form: the same parsers, field names in the errors."""
    spec = BY_NAME[form.step]
    params: dict[str, Any] = {}
    for p in spec.params:
        if p.form_help is None:
            continue
        text = getattr(form, p.name) or None
        if text is None and p.required:
            raise RatsfristError(f"{p.title} fehlt (Feld '{p.name}')")
        params[p.name] = p.parse(text, p.name) if p.parse and text is not None else text
    return spec.name, params


@flow(name="record-step", flow_run_name="{reference} · Eingabe")
def record_step(reference: str, attempts: int = 3, timeout_hours: int = 72) -> dict[str, Any]:
    from flows.app import session
    from models.store.repo import find_paper

    with session() as active:
        paper = find_paper(active, reference)  # unknown reference: fail at once
        intro = (
            f"{paper.reference}: {paper.name if paper.public else 'nichtöffentlich'} "
            f"(Zustand: {paper.state})"
        )
    description = f"**{intro}**\n\nSchritt eintragen."
    logger = get_run_logger()
    for _ in range(attempts):
        form: Any = pause_flow_run(
            wait_for_input=StepForm.with_initial_data(description=description),
            timeout=timeout_hours * 3600,
        )
        try:
            step, params = form_to_step(form)
            return run_as_flow(
                step, reference=reference, now=app.clock(), actor=form.actor, **params
            )
        except RatsfristError as exc:
            logger.warning(str(exc))
            description = f"**Nicht übernommen:** {exc}\n\n**{intro}**\n\nBitte korrigieren."
    raise RatsfristError(f"{reference}: nach {attempts} ungültigen Eingaben abgebrochen")
