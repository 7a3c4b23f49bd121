"""Human in the loop: a manager records a lifecycle step in Prefect forms.

The `record-step` deployment is started for a motion; the run is suspended (its process
exits: a waiting form holds no worker) and the Prefect UI shows a form (RunInput) behind the
run's Resume button. There are two small forms, not one with every field of every step: the
first asks only which step (a dropdown of German names; skipped when the deployment's `step`
parameter names one), the second only the fields of that step, as the step table
(models.domain.steps) lists them: what the step requires is a required field there, the rest
may stay empty. Every field has a German title and a sentence saying what to enter, and
empty text fields stay empty strings (no None toggles). What is entered is checked exactly as
the CLI checks it (the same parsing and the same services); an invalid entry opens the forms
again with the reason on top. What was recorded is logged in German in the run.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from prefect import flow, get_run_logger
from prefect.flow_runs import pause_flow_run, suspend_flow_run
from prefect.input import RunInput
from pydantic import Field, create_model

from flows import app
from flows.lifecycle import run_as_flow
from models.domain.errors import RatsfristError
from models.domain.states import State
from models.domain.steps import BY_NAME, FieldError, Param, Step, form_fields, form_steps

ACTOR_DEFAULT = "Prefect-UI (Name nicht angegeben)"
"""Who is recorded when the form names nobody and the server names no user (an open-source
Prefect server with an auth string knows no users: everyone shares the string)."""


def offered_steps() -> dict[str, Step]:
    """The form's step choices, by the German words it shows ('Ergebnis der Beratung')."""
    return {s.form: s for s in form_steps() if s.form}


def _model(name: str, title: str, fields: dict[str, Any]) -> type[RunInput]:
    form = create_model(name, __base__=RunInput, __module__=__name__, **fields)
    form.__doc__ = "Schritt für eine Vorlage eintragen."
    form.model_config["title"] = title
    form.model_rebuild(force=True)
    return form


def _steps_text() -> str:
    return "Was eingetragen wird: " + "; ".join(
        f"„{label}“ ({s.label})" for label, s in offered_steps().items()
    )


def choice_form(head: str = "", chosen: str | None = None) -> type[RunInput]:
    """The first form: which step (a dropdown of the steps the table offers in the form,
    `chosen` preselected after a refusal). `head` (the motion, its state, what resuming
    does) opens the field's description, and the dialog has none of its own: the
    Resume dialog of the Prefect UI collapses its own description to nothing once the form
    is taller than the dialog (measured at 1440×900: 0 px high), a field's description
    stays; with both, a short form showed the head twice."""
    steps = offered_steps()
    title = "Schritt"
    description = (f"{head}\n\n" if head else "") + _steps_text()
    if chosen in steps:
        described = Field(chosen, title=title, description=description)
    else:
        described = Field(title=title, description=description)
    return _model("StepChoice", "Schritt wählen", {"step": (Literal[tuple(steps)], described)})


def _field(p: Param, description: str) -> tuple[Any, Any]:
    """A field of a step's form: required where the step requires it (no default, so the
    UI shows no "(Optional)"), else empty by default; a dropdown where there are choices."""
    if p.required:
        kind: Any = Literal[p.choices] if p.choices else str
        return kind, Field(title=p.title or p.name, description=description)
    kind = Literal[("", *p.choices)] if p.choices else str
    return kind, Field(default="", title=p.title or p.name, description=description)


def step_form(spec: Step, head: str = "") -> type[RunInput]:
    """The second form: the fields of `spec` that have a form text (models.domain.steps, the
    one place saying which step takes which field), then who enters it; `head` opens the
    first field's description (see `choice_form`)."""
    params = [p for p in spec.params if p.form_help is not None]
    fields: dict[str, Any] = {}
    for i, p in enumerate(params):
        fields[p.name] = _field(p, (f"{head}\n\n" if head and i == 0 else "") + str(p.form_help))
    actor_help = (
        "Ihr Name oder Kürzel; erscheint im Verlauf der Vorlage als „wer“ "
        "(leer: der angemeldete Benutzer, wo der Server einen kennt)"
    )
    fields["actor"] = (
        str,
        Field(
            default="",
            title="eingetragen von",
            description=(f"{head}\n\n" if head and not params else "") + actor_help,
        ),
    )
    return _model(f"StepForm_{spec.name}", f"{spec.form or spec.label} eintragen", fields)


StepChoice = choice_form()
"""The first form without a motion (its schema is what the tests read); a run asks with
`choice_form(head)`, the same field under the motion's own head."""


def actor_from_events(events: list[dict[str, Any]]) -> str | None:
    """The user who resumed the run, where the server names one: Prefect Cloud relates the
    acting user or service account to the run's state events (role `actor`,
    `prefect-cloud.user.…`); an open-source server relates none. Newest event first."""
    for event in reversed(events):
        for related in event.get("related") or []:
            rid = str(related.get("prefect.resource.id", ""))
            if related.get("prefect.resource.role") == "actor" or rid.startswith(
                ("prefect-cloud.user.", "prefect-cloud.service-account.")
            ):
                return str(related.get("prefect.resource.name") or rid.rpartition(".")[2])
    return None


def resumed_by(since: datetime) -> str | None:
    """`actor_from_events` for the running flow run's events since `since` (the pause).
    Best effort: who entered a step is worth a look-up, not a failed entry."""
    from prefect import get_client
    from prefect.context import FlowRunContext
    from prefect.events.filters import EventFilter, EventOccurredFilter, EventResourceFilter

    context = FlowRunContext.get()
    if context is None or context.flow_run is None:
        return None
    try:
        with get_client(sync_client=True) as client:
            page = client.read_events(
                EventFilter(
                    occurred=EventOccurredFilter(since=since),
                    resource=EventResourceFilter(id=[f"prefect.flow-run.{context.flow_run.id}"]),
                ),
                limit=50,
            )
    except Exception as exc:  # an events API that is missing or down: no user, not a failure
        get_run_logger().warning(f"Angemeldeten Benutzer nicht ermittelt: {exc}")
        return None
    events = sorted(page.events, key=lambda e: e.occurred)
    return actor_from_events([e.model_dump(mode="json") for e in events])


def actor_of(typed: str, user: str | None) -> str:
    """Who is recorded: the authenticated user (with a different name typed into the form in
    brackets), else the typed name, else ACTOR_DEFAULT."""
    typed = typed.strip()
    if user:
        return f"{user} ({typed})" if typed and typed != user else user
    return typed or ACTOR_DEFAULT


def form_to_step(spec: Step, form: Any) -> dict[str, Any]:
    """The CLI's checks, applied to the step's form: the same parsers, German field titles in
    the errors. A required field of only blanks is missing, as on the CLI."""
    params: dict[str, Any] = {}
    for p in spec.params:
        if p.form_help is None:
            continue
        text = (getattr(form, p.name, "") or "").strip() or None
        if text is None and p.required:
            raise RatsfristError(f"{p.title} fehlt (Feld „{p.title}“)")
        params[p.name] = p.parse(text, p.title or p.name) if p.parse and text is not None else text
    return params


def chosen_step(label: str) -> Step:
    """The step a form or the deployment's `step` parameter names by its German words; an
    unknown one is a German refusal naming the choices."""
    steps = offered_steps()
    if label not in steps:
        raise RatsfristError(
            f"Schritt „{label}“ gibt es im Formular nicht; möglich: " + ", ".join(steps)
        )
    return steps[label]


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
    """The forms' head: which motion and where it stands. Plain sentences, no markdown: the
    current UI (/v2, where the tables' links lead) shows a field's description as plain
    text on one line, the old one as markdown; sentences read well in both."""
    return f"{reference}: {title}. Aktueller Zustand: {State(state).label}."


CHOOSE = (
    "Zuerst den Schritt wählen. Absenden („Submit“, in der neuen Oberfläche „Resume“) öffnet "
    "danach ein zweites Formular nur mit den Feldern dieses Schritts (nach wenigen Sekunden "
    "wieder unter „Resume“; in der neuen Oberfläche im Menü ⋮ oben rechts)."
)
"""What the first form says resuming does."""

RECORD = (
    "Absenden („Submit“, in der neuen Oberfläche „Resume“) trägt den Schritt ein wie die "
    "Kommandozeile: Fristen werden neu berechnet, Erinnerungen angepasst, der Verlauf ergänzt. "
    "Eine ungültige Eingabe wird nicht übernommen; die Formulare kommen mit dem Grund wieder."
)
"""What the second form says resuming does."""


def refused(reason: str, head: str) -> str:
    """The head of the forms after a refusal: the reason first."""
    end = "" if reason.endswith((".", "?", "!")) else "."
    return f"Nicht übernommen: {reason}{end} Bitte korrigieren.\n\n{head}"


def _ask(form: type[RunInput], key: str, timeout: int) -> Any:
    """Wait for the form. A deployment run is suspended: its process exits and a worker
    starts it again after Submit, so a waiting form holds no process (a paused one keeps
    ≈ 125 MB for up to 72 hours). A run without a deployment (called directly, tests) cannot
    be suspended and is paused. The explicit `key` makes the re-run find the same input."""
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is not None and context.flow_run is not None and context.flow_run.deployment_id:
        return suspend_flow_run(wait_for_input=form, timeout=timeout, key=key)
    return pause_flow_run(wait_for_input=form, timeout=timeout, key=key)


VERDICT = "ratsfrist-abgelehnt-{attempt}"
"""Flow run input key: why an attempt was refused. A suspended run starts again from the top
after each Submit and gets the earlier attempts' inputs back; a refused one must stay
refused, even if it would be valid by now (a decision refused while the motion was not on an
agenda must not be recorded once it is)."""


def _refused(attempt: int) -> str | None:
    from prefect.input import read_flow_run_input

    value = read_flow_run_input(VERDICT.format(attempt=attempt))
    return str(value) if value is not None else None


def _titled(title: str, **schema: Any) -> Any:
    """A flow parameter's German title (and more of its schema) in the deployment's
    parameters form, where Prefect would show the Python name."""
    return Field(json_schema_extra={"title": title, **schema})


StepParameter = Annotated[str, _titled("Schritt", enum=["", *offered_steps()])]
"""The deployment's `step` parameter: a dropdown of the German step names in the parameters
form (a `str`, so that a script may pass the words; the flow checks them)."""


@flow(name="record-step", flow_run_name="Eingabe {reference}")
def record_step(
    reference: Annotated[str, _titled("Vorlage")],
    step: StepParameter = "",
    attempts: Annotated[int, _titled("Versuche")] = 3,
    timeout_hours: Annotated[int, _titled("Wartezeit (Stunden)")] = 72,
) -> dict[str, Any]:
    """Einen Schritt für eine Vorlage im Formular eintragen.

    Args:
        reference: das Aktenzeichen der Vorlage, z. B. A 21/0500-01
        step: leer lassen: der Schritt wird im ersten Formular gewählt; sonst fragt das
            Formular gleich nach den Feldern dieses Schritts
        attempts: so oft kommen die Formulare nach einer ungültigen Eingabe wieder
        timeout_hours: so lange wartet ein Formular auf die Eingabe
    """
    from prefect.input import create_flow_run_input

    from flows.app import session
    from models.store.repo import find_paper

    chosen = chosen_step(step) if step else None  # an unknown step: fail before any form
    with session() as active:
        paper = find_paper(active, reference)  # unknown reference: fail at once
        head = intro(
            paper.reference, paper.name if paper.public else "nichtöffentlich", paper.state
        )
    top = head
    logger = get_run_logger()
    timeout = timeout_hours * 3600
    for attempt in range(1, attempts + 1):
        reason = _refused(attempt)  # a suspended run's re-run: this attempt is settled
        if reason is not None:
            top = refused(reason, head)
            continue
        if chosen is None or attempt > 1:  # after a refusal the step may have been wrong
            text = f"{top}\n\n{CHOOSE}"
            preset = chosen.form if chosen else None
            choice: Any = _ask(
                choice_form(text, preset),
                key=f"schritt-{attempt}",
                timeout=timeout,
            )
            chosen = chosen_step(choice.step)
        text = f"{top}\n\nSchritt: {chosen.form}.\n\n{RECORD}"
        form: Any = _ask(
            step_form(chosen, text),
            key=f"eingabe-{attempt}",
            timeout=timeout,
        )
        try:
            params = form_to_step(chosen, form)
            since = app.clock() - timedelta(hours=timeout_hours + 1)
            actor = actor_of(form.actor, resumed_by(since))
            outcome = run_as_flow(
                chosen.name, reference=reference, now=app.clock(), actor=actor, **params
            )
        except RatsfristError as exc:
            reason = explain(exc)
            logger.warning(f"Nicht übernommen: {reason}")
            create_flow_run_input(VERDICT.format(attempt=attempt), reason)
        else:
            logger.info(done_line(reference, chosen.name, params, actor, outcome["state"]))
            return outcome
        top = refused(reason, head)
    raise RatsfristError(f"{reference}: nach {attempts} ungültigen Eingaben abgebrochen")
