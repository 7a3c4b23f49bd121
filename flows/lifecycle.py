"""One Prefect flow per lifecycle step, each thin over flows.app.

Run names carry the motion (`A 21/0500-01 · decide`) and callers tag the runs with the
reference and committee (see `run_as_flow`), so the Prefect UI lists each motion's history.
Our database stays the record; a flow run is the visible trace of a step.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from prefect import flow, tags
from prefect.artifacts import create_markdown_artifact

from flows.app import committee_of, engine_for, run_step, submit_document
from flows.events import emit_step
from flows.settings import load_settings
from models.domain.timeutil import system_clock
from models.store.db import session_scope


def _now(now: datetime | None) -> datetime:
    return now or system_clock()


def artifact_key(reference: str) -> str:
    """'A 21/0500-01' → 'verlauf-a-21-0500-01' (artifact keys: lowercase, digits, dashes)."""
    slug = "".join(ch if ch.isalnum() else "-" for ch in reference.lower())
    return "verlauf-" + "-".join(part for part in slug.split("-") if part)


def _step(step: str, **params: Any) -> dict[str, Any]:
    """Run a step, then leave its trace in Prefect: the motion's timeline as a keyed markdown
    artifact and a ratsfrist.motion.* event."""
    outcome = run_step(step, **params)
    _trace(outcome["reference"], step, outcome["state"], params)
    return outcome


def _trace(reference: str, step: str, state: str, params: dict[str, Any]) -> None:
    from models.domain.timeline import markdown
    from models.services import lifecycle as services

    with session_scope(engine_for(load_settings())) as session:
        paper = services.find_paper(session, reference)
        view = services.paper_view(session, paper, paper.updated_at)
    create_markdown_artifact(
        key=artifact_key(reference),
        markdown=markdown(view),
        description=f"Verlauf {reference} nach {step}",
    )
    details = {k: v for k, v in params.items() if k in ("result", "office", "item_number")}
    emit_step(reference, step, state, details)


@flow(name="submit", flow_run_name="{reference} · submit", log_prints=True)
def submit_flow(
    path: str, reference: str, now: datetime | None = None, actor: str = "prefect"
) -> dict[str, Any]:
    """Take in one document. `reference` names the run; the document itself is the truth."""
    outcome = submit_document(path, now=_now(now), actor=actor)
    if outcome["reference"] != reference:
        raise ValueError(f"{path}: enthält {outcome['reference']}, nicht {reference}")
    if outcome["created"]:
        _trace(reference, "submit", outcome["state"], {})
    return outcome


@flow(name="place-on-agenda", flow_run_name="{reference} · place_on_agenda")
def place_on_agenda_flow(
    reference: str,
    item_number: str,
    meeting_day: date | None = None,
    now: datetime | None = None,
    actor: str = "prefect",
) -> dict[str, Any]:
    return _step(
        "place_on_agenda",
        reference=reference,
        item_number=item_number,
        meeting_day=meeting_day,
        now=_now(now),
        actor=actor,
    )


@flow(name="request-report", flow_run_name="{reference} · request_report")
def request_report_flow(
    reference: str, office: str, now: datetime | None = None, actor: str = "prefect"
) -> dict[str, Any]:
    return _step("request_report", reference=reference, office=office, now=_now(now), actor=actor)


@flow(name="deliver-report", flow_run_name="{reference} · deliver_report")
def deliver_report_flow(
    reference: str,
    answered: list[int] | None = None,
    note: str | None = None,
    now: datetime | None = None,
    actor: str = "prefect",
) -> dict[str, Any]:
    return _step(
        "deliver_report",
        reference=reference,
        answered=answered,
        note=note,
        now=_now(now),
        actor=actor,
    )


@flow(name="decide", flow_run_name="{reference} · decide")
def decide_flow(
    reference: str,
    result: str,
    referred_to: str | None = None,
    referral_role: str = "Vorberatung",
    resolution_text: str | None = None,
    now: datetime | None = None,
    actor: str = "prefect",
) -> dict[str, Any]:
    return _step(
        "decide",
        reference=reference,
        result=result,
        referred_to=referred_to,
        referral_role=referral_role,
        resolution_text=resolution_text,
        now=_now(now),
        actor=actor,
    )


@flow(name="start-implementation", flow_run_name="{reference} · start_implementation")
def start_implementation_flow(
    reference: str, office: str, now: datetime | None = None, actor: str = "prefect"
) -> dict[str, Any]:
    return _step(
        "start_implementation", reference=reference, office=office, now=_now(now), actor=actor
    )


@flow(name="close", flow_run_name="{reference} · close")
def close_flow(
    reference: str, note: str | None = None, now: datetime | None = None, actor: str = "prefect"
) -> dict[str, Any]:
    return _step("close", reference=reference, note=note, now=_now(now), actor=actor)


@flow(name="withdraw", flow_run_name="{reference} · withdraw")
def withdraw_flow(
    reference: str, note: str | None = None, now: datetime | None = None, actor: str = "prefect"
) -> dict[str, Any]:
    return _step("withdraw", reference=reference, note=note, now=_now(now), actor=actor)


@flow(name="record-minutes", flow_run_name="Niederschrift {committee} {day}")
def record_minutes_flow(
    committee: str, day: date, now: datetime | None = None, actor: str = "prefect"
) -> int:
    """The minutes of a meeting are done; meets the minutes deadline of each motion on it."""
    from flows.app import engine_for, rules_for
    from flows.settings import load_settings
    from models.services.meetings import record_minutes
    from models.store.db import session_scope

    settings = load_settings()
    with session_scope(engine_for(settings)) as session:
        return len(
            record_minutes(
                session,
                body_name=settings.body,
                committee=committee,
                day=day,
                now=_now(now),
                rules=rules_for(settings),
            )
        )


STEP_FLOWS = {
    "place_on_agenda": place_on_agenda_flow,
    "request_report": request_report_flow,
    "deliver_report": deliver_report_flow,
    "decide": decide_flow,
    "start_implementation": start_implementation_flow,
    "close": close_flow,
    "withdraw": withdraw_flow,
}


def run_as_flow(step: str, *, reference: str, **params: Any) -> dict[str, Any]:
    """Run a step as a flow run tagged with the motion's reference and committee."""
    labels = [reference]
    committee = committee_of(reference)
    if committee:
        labels.append(committee)
    with tags(*labels):
        return STEP_FLOWS[step](reference=reference, **params)


def submit_as_flow(path: str, *, reference: str, now: datetime, actor: str) -> dict[str, Any]:
    with tags(reference):
        return submit_flow(path=path, reference=reference, now=now, actor=actor)
