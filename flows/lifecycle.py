"""One Prefect flow per lifecycle step, generated from models.domain.steps and thin over
flows.app.

Each flow keeps the name, run name (`Beratung A 21/0500-01`) and parameters its registry
entry gives it, and logs what it recorded in one German line; runs are tagged with the
motion's reference and committee, so the Prefect UI lists each motion's history. Our
database stays the record; a flow run is the visible trace of a step: the motion's timeline
as a keyed markdown artifact and a ratsfrist.motion.* event, both from the step's own
transaction.
"""

from __future__ import annotations

import inspect
from datetime import date, datetime
from typing import Any

from prefect import Flow, flow, get_run_logger, tags
from prefect.artifacts import create_markdown_artifact

from flows import app
from flows.app import StepResult, perform_step, submit_document
from flows.events import emit_step
from models.domain.states import State
from models.domain.steps import REVIEW, STEPS, SUBMIT, Step


def _now(now: datetime | None) -> datetime:
    return now or app.clock()


def artifact_key(reference: str) -> str:
    """'A 21/0500-01' → 'verlauf-a-21-0500-01' (artifact keys: lowercase, digits, dashes)."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in reference.lower())
    return "verlauf-" + "-".join(part for part in slug.split("-") if part)


def verlauf_description(reference: str, timeline: dict[str, Any], spec: Step) -> str:
    """'A 21/0500-01: Kommunales Integrationsmanagement – Verlauf nach „Beratung“': the key's
    page in the UI (where the overdue table links) shows the newest description, so the full
    title the table had to cut is one click away."""
    title = timeline["name"] if timeline.get("public") else "nichtöffentlich"
    return f"{reference}: {title} – Verlauf nach „{spec.label}“"


def _trace(spec: Step, outcome: StepResult, params: dict[str, Any]) -> None:
    """Leave the step's trace in Prefect: the timeline its transaction read, its event, and
    the committee as a tag of the running flow run."""
    from models.domain.timeline import markdown

    if outcome.timeline is not None:
        create_markdown_artifact(
            key=artifact_key(outcome.reference),
            markdown=markdown(outcome.timeline),
            description=verlauf_description(outcome.reference, outcome.timeline, spec),
        )
    details = {p.name: params[p.name] for p in spec.params if p.in_event and p.name in params}
    emit_step(outcome.reference, spec, outcome.state, details)
    if outcome.committee:
        _tag_run(outcome.committee)


def _tag_run(tag: str) -> None:
    """Add a tag to the flow run in progress (the committee is known once the step ran)."""
    from prefect import get_client
    from prefect.context import FlowRunContext

    context = FlowRunContext.get()
    if context is None or context.flow_run is None or tag in context.flow_run.tags:
        return
    with get_client(sync_client=True) as client:
        client.update_flow_run(context.flow_run.id, tags=[*context.flow_run.tags, tag])


def _value(value: Any) -> str:
    if isinstance(value, date):
        return f"{value:%d.%m.%Y}"
    if isinstance(value, list | tuple):
        return ", ".join(map(str, value))
    return str(value)


def recorded_line(spec: Step, reference: str, params: dict[str, Any], state: str) -> str:
    """The one line a step's run logs, in German ('Beratung erfasst: A 21/0500-01 –
    Ergebnis: vertagt; Zustand jetzt: eingereicht'): the run's log says what happened, not
    only 'Completed', and the result need not be dug out of the parameters."""
    details = [  # what was entered: not the defaults, the help's first clause as the name
        f"{p.title or p.help.split(';')[0]}: {_value(params[p.name])}"
        for p in spec.params
        if params.get(p.name) not in (None, "", [], p.default)
    ]
    return (
        f"{spec.label[:1].upper()}{spec.label[1:]} erfasst: {reference}"
        + (" – " + "; ".join(details) if details else "")
        + f"; Zustand jetzt: {State(state).label}"
    )


def _step_flow(spec: Step) -> Flow[..., dict[str, Any]]:
    """The Prefect flow of a registry entry: `reference`, the step's fields, `now`, `actor`."""

    def run(*args: Any, **kwargs: Any) -> dict[str, Any]:
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        params = dict(bound.arguments)
        reference, now, actor = params.pop("reference"), params.pop("now"), params.pop("actor")
        outcome = perform_step(
            spec.name, reference=reference, now=_now(now), actor=actor, trace=True, **params
        )
        _trace(spec, outcome, params)
        get_run_logger().info(recorded_line(spec, outcome.reference, params, outcome.state))
        return outcome.summary()

    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    fields = [
        inspect.Parameter(
            p.name,
            keyword,
            annotation=p.annotation,
            **({} if p.required else {"default": p.default}),
        )
        for p in spec.params
    ]
    parameters = [
        inspect.Parameter("reference", keyword, annotation=str),
        *sorted(fields, key=lambda p: p.default is not inspect.Parameter.empty),
        inspect.Parameter("now", keyword, annotation=datetime | None, default=None),
        inspect.Parameter("actor", keyword, annotation=str, default="prefect"),
        inspect.Parameter("body", keyword, annotation=str | None, default=None),
    ]
    signature = inspect.Signature(parameters, return_annotation=dict[str, Any])
    run.__signature__ = signature  # type: ignore[attr-defined]
    run.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": dict[str, Any]}
    run.__name__ = run.__qualname__ = f"{spec.name}_flow"
    run.__module__ = __name__
    run.__doc__ = spec.help
    assert spec.flow is not None
    return flow(name=spec.flow, flow_run_name=spec.flow_run_name)(run)


STEP_FLOWS: dict[str, Flow[..., dict[str, Any]]] = {
    spec.name: _step_flow(spec) for spec in (*STEPS, REVIEW) if spec.flow
}

# The deployments in prefect.yaml name these (flows/lifecycle.py:decide_flow).
assign_flow = STEP_FLOWS["assign"]
review_flow = STEP_FLOWS["review"]
place_on_agenda_flow = STEP_FLOWS["place_on_agenda"]
request_report_flow = STEP_FLOWS["request_report"]
deliver_report_flow = STEP_FLOWS["deliver_report"]
decide_flow = STEP_FLOWS["decide"]
start_implementation_flow = STEP_FLOWS["start_implementation"]
close_flow = STEP_FLOWS["close"]
withdraw_flow = STEP_FLOWS["withdraw"]
mark_urgent_flow = STEP_FLOWS["mark_urgent"]
extend_deadline_flow = STEP_FLOWS["extend_deadline"]


@flow(name="submit", flow_run_name="Eingang {reference}", log_prints=True)
def submit_flow(
    path: str,
    reference: str,
    now: datetime | None = None,
    actor: str = "prefect",
    body: str | None = None,
) -> dict[str, Any]:
    """Take in one document, filed under `body` (default RATSFRIST_BODY). `reference` names
    the run (the file's name for a document without a number, which gets an
    Eingangsnummer); the document itself is the truth."""
    outcome = submit_document(path, now=_now(now), actor=actor, body=body)
    if outcome["reference"] != reference and outcome["intakeNumber"] is None:
        raise ValueError(f"{path}: enthält {outcome['reference']}, nicht {reference}")
    if outcome["created"]:
        from flows.app import session
        from models.services.views import timeline_view
        from models.store.repo import find_paper

        reference = outcome["reference"]
        with session() as active:
            timeline = timeline_view(active, find_paper(active, reference, body))
        _trace(SUBMIT, StepResult(reference, outcome["state"], "submit", None, timeline), {})
    get_run_logger().info(
        recorded_line(SUBMIT, reference, {}, outcome["state"])
        if outcome["created"]
        else f"Eingang: {reference} war schon erfasst"
    )
    return outcome


@flow(name="record-minutes", flow_run_name="Niederschrift {committee} {day}")
def record_minutes_flow(
    committee: str, day: date, now: datetime | None = None, actor: str = "prefect"
) -> int:
    """The minutes of a meeting are done; meets the minutes deadline of each motion on it."""
    from flows.app import current_settings, rulebook_for, session
    from models.services.meetings import record_minutes

    settings = current_settings()
    with session(settings) as active:
        return len(
            record_minutes(
                active,
                body_name=settings.body,
                committee=committee,
                day=day,
                now=_now(now),
                rules=rulebook_for(settings),
            )
        )


def run_as_flow(step: str, *, reference: str, **params: Any) -> dict[str, Any]:
    """Run a step as a flow run tagged with the motion's reference (and, once the step has
    run, its committee)."""
    with tags(reference):
        return STEP_FLOWS[step](reference=reference, **params)


def submit_as_flow(
    path: str, *, reference: str, now: datetime, actor: str, body: str | None = None
) -> dict[str, Any]:
    with tags(reference):
        return submit_flow(path=path, reference=reference, now=now, actor=actor, body=body)
