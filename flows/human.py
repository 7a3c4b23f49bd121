"""Human in the loop: a manager records a lifecycle step in a Prefect form.

The `record-step` deployment is started for a motion; the run pauses and the Prefect UI shows
a form (RunInput). The form speaks German and offers choices where there are choices: the step
and the result are dropdowns, every field has a German title and a sentence saying when to
fill it, and empty text fields stay empty strings (no None toggles). What is entered is checked
exactly as the CLI checks it (the same parsing and the same services); an invalid entry opens
the form again with the reason on top. What was recorded is logged in German in the run.
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
from models.domain.states import State
from models.domain.steps import BY_NAME, FieldError, Step, form_fields, form_steps

ACTOR_DEFAULT = "Prefect-UI"


def offered_steps() -> dict[str, Step]:
    """The form's step choices, by the German words it shows ('Ergebnis der Beratung')."""
    return {s.form: s for s in form_steps() if s.form}


def _form() -> type[RunInput]:
    """The form from the registry: the steps it offers (models.domain.steps, `form`), then
    each field they take that has a form text, then who enters it."""
    steps = offered_steps()
    fields: dict[str, Any] = {
        "step": (
            Literal[tuple(steps)],
            Field(
                title="Schritt",
                description="Was eingetragen wird: "
                + "; ".join(f"„{label}“ ({s.label})" for label, s in steps.items()),
            ),
        ),
    }
    for name, p in form_fields().items():
        kind: Any = Literal[("", *p.choices)] if p.choices else str
        fields[name] = (kind, Field(default="", title=p.title or name, description=p.form_help))
    fields["actor"] = (
        str,
        Field(
            default=ACTOR_DEFAULT,
            title="eingetragen von",
            description="Ihr Name oder Kürzel; erscheint im Verlauf der Vorlage als „wer“",
        ),
    )
    form = create_model("StepForm", __base__=RunInput, __module__=__name__, **fields)
    form.__doc__ = "Schritt für eine Vorlage eintragen."
    form.model_config["title"] = "Schritt eintragen"
    form.model_rebuild(force=True)
    return form


StepForm = _form()


def form_to_step(form: Any) -> tuple[str, dict[str, Any]]:
    """The CLI's checks, applied to the form: the same parsers, German field titles in the
    errors."""
    spec = offered_steps()[form.step]
    params: dict[str, Any] = {}
    for p in spec.params:
        if p.form_help is None:
            continue
        text = (getattr(form, p.name, "") or "").strip() or None
        if text is None and p.required:
            raise RatsfristError(f"{p.title} fehlt (Feld „{p.title}“)")
        params[p.name] = p.parse(text, p.title or p.name) if p.parse and text is not None else text
    return spec.name, params


def done_line(reference: str, step: str, params: dict[str, Any], actor: str, state: str) -> str:
    """What the run logs after a step: 'A 21/0500-01: Beratung eingetragen von frau.meier –
    Ergebnis: beschlossen; Zustand jetzt: entschieden' (German, not 'Completed')."""
    spec = BY_NAME[step]
    details = [f"{p.title}: {params[p.name]}" for p in spec.params if params.get(p.name)]
    return (
        f"{reference}: {spec.label} eingetragen von {actor}"
        + (" – " + "; ".join(details) if details else "")
        + f"; Zustand jetzt: {State(state).label}"
    )


def explain(exc: RatsfristError) -> str:
    """The error with the form's German field titles instead of the service's field names."""
    if isinstance(exc, FieldError):
        return exc.for_caller({p.name: f"„{p.title}“" for p in form_fields().values()})
    return str(exc)


def intro(reference: str, title: str, state: str) -> str:
    """The form's head in markdown: which motion, where it stands, what resuming does."""
    return (
        f"**{reference}: {title}**\n\n"
        f"Aktueller Zustand: **{State(state).label}**\n\n"
        "Schritt wählen und nur die Felder ausfüllen, die bei diesem Schritt genannt sind. "
        "**Absenden** (Fortsetzen / Resume) trägt den Schritt ein wie die Kommandozeile: "
        "Fristen werden neu berechnet, Erinnerungen angepasst, der Verlauf ergänzt. "
        "Eine ungültige Eingabe wird nicht übernommen; das Formular kommt mit dem Grund wieder."
    )


@flow(name="record-step", flow_run_name="{reference} · Eingabe")
def record_step(reference: str, attempts: int = 3, timeout_hours: int = 72) -> dict[str, Any]:
    from flows.app import session
    from models.store.repo import find_paper

    with session() as active:
        paper = find_paper(active, reference)  # unknown reference: fail at once
        head = intro(
            paper.reference, paper.name if paper.public else "nichtöffentlich", paper.state
        )
    description = head
    logger = get_run_logger()
    for _ in range(attempts):
        form: Any = pause_flow_run(
            wait_for_input=StepForm.with_initial_data(description=description),
            timeout=timeout_hours * 3600,
        )
        try:
            step, params = form_to_step(form)
            actor = form.actor.strip() or ACTOR_DEFAULT
            outcome = run_as_flow(step, reference=reference, now=app.clock(), actor=actor, **params)
        except RatsfristError as exc:
            reason = explain(exc)
            logger.warning(f"Nicht übernommen: {reason}")
            description = f"**Nicht übernommen:** {reason}\n\n{head}\n\nBitte korrigieren."
            continue
        logger.info(done_line(reference, step, params, actor, outcome["state"]))
        return outcome
    raise RatsfristError(f"{reference}: nach {attempts} ungültigen Eingaben abgebrochen")
