"""Prefect events in ratsfrist's own namespace, with the motion as resource, so that managers
can build automations on them in the UI (e.g. a Teams message on ratsfrist.deadline.missed).
Events are kept for days, not years: our database stays the record."""

from __future__ import annotations

from typing import Any

from prefect.events import emit_event
from sqlmodel import col, select

from flows.app import session
from models.domain.steps import Step
from models.domain.timeutil import to_local
from models.store.tables import Deadline, Paper


def paper_resource(reference: str, public: bool, title: str) -> dict[str, str]:
    return {
        "prefect.resource.id": f"ratsfrist.paper.{reference}",
        "prefect.resource.name": reference if not public else f"{reference} {title}"[:200],
        "ratsfrist.reference": reference,
    }


def emit_missed(deadline_ids: list[int]) -> int:
    if not deadline_ids:
        return 0
    with session() as active:
        rows = active.exec(
            select(Deadline, Paper)
            .join(Paper, col(Paper.id) == Deadline.paper_id)
            .where(col(Deadline.id).in_(deadline_ids))
        ).all()
        for deadline, paper in rows:
            emit_event(
                event="ratsfrist.deadline.missed",
                resource=paper_resource(paper.reference, paper.public, paper.name),
                payload={
                    "kind": deadline.kind,
                    "label": deadline.label,
                    "due": to_local(deadline.due).isoformat(),
                    "responsible": deadline.responsible,
                },
            )
        return len(rows)


def emit_sent(sent: list[dict[str, Any]]) -> int:
    for item in sent:
        emit_event(
            event="ratsfrist.reminder.sent",
            resource={
                "prefect.resource.id": f"ratsfrist.paper.{item['reference']}",
                "ratsfrist.reference": item["reference"],
            },
            payload={"reminder": item["reminder"], "kind": item["kind"]},
        )
    return len(sent)


def emit_failed(errors: list[str]) -> int:
    """ratsfrist.reminder.failed, once per sweep with failures: an automation in the UI (see
    docs/operations.md) tells the operators; the lines are masked by the dispatcher."""
    if errors:
        emit_event(
            event="ratsfrist.reminder.failed",
            resource={"prefect.resource.id": "ratsfrist.outbox"},
            payload={"count": len(errors), "errors": errors[:20]},
        )
    return len(errors)


def emit_step(reference: str, step: Step, state: str, details: dict[str, Any]) -> None:
    """The step's event (models.domain.steps), e.g. ratsfrist.motion.decided with the result."""
    emit_event(
        event=step.event_name,
        resource={
            "prefect.resource.id": f"ratsfrist.paper.{reference}",
            "ratsfrist.reference": reference,
        },
        payload={"state": state, **details},
    )
