"""Dringlichkeit and Fristverlängerung as steps (models.domain.deadline_steps).

Urgency is recorded in the audit log only (the `mark_urgent` event with its reason):
re-planning reads the log already (models.services.deadlines.gather_facts), so the rules'
urgent variants apply from that step on without a second place that could disagree, and an
OParl bulk replay, which never records urgency, writes exactly what it wrote before.

An extension sets the deadline's new due date and keeps the rules' own in `extended_from`;
re-planning keeps the extension as long as it is later than what the rules say
(models.domain.extension.kept_extension), and the reminders follow the new date through
sync_reminders, as for any re-dated deadline.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import col, select

from models.domain.errors import InvalidInput
from models.domain.explain import with_steps
from models.domain.extension import extend
from models.domain.rules import DeadlineKind
from models.domain.states import Event
from models.domain.steps import FieldError
from models.domain.timeutil import local_datetime, to_local
from models.domain.vocab import OWED, DeadlineStatus
from models.services.step_call import Change, StepCall, performs
from models.store.tables import Deadline, LifecycleEvent


def _reason(text: str | None, what: str) -> str:
    reason = " ".join((text or "").split())
    if not reason:
        raise FieldError("reason", "{field}: " + f"Begründung {what} fehlt")
    return reason


@performs("mark_urgent")
def _mark_urgent(call: StepCall, *, reason: str) -> Change:
    """Dringlichkeit festgestellt: from now on the open deadlines follow the rules' urgent
    variants (apply re-plans them); once is enough, a second time is refused."""
    text = _reason(reason, "der Dringlichkeit")
    already = call.session.exec(
        select(LifecycleEvent.id).where(
            LifecycleEvent.paper_id == call.paper.id,
            LifecycleEvent.event == Event.mark_urgent.value,
        )
    ).first()
    if already is not None:
        raise InvalidInput(f"{call.paper.reference}: Dringlichkeit ist bereits festgestellt")
    return Change(Event.mark_urgent, {"reason": text})


@performs("extend_deadline")
def _extend_deadline(
    call: StepCall,
    *,
    kind: str,
    new_due: date,
    reason: str,
    consent: bool | None = False,
    consent_by: str | None = None,
) -> Change:
    """Fristverlängerung of the paper's earliest open deadline of `kind`, to `new_due` at the
    same time of day as before (a deadline ending with the day still ends with the day).
    Refused without a reason, without consent, or for a date not after the current one."""
    text = _reason(reason, "der Fristverlängerung")
    deadline_kind = DeadlineKind(kind)
    row = call.session.exec(
        select(Deadline)
        .where(
            Deadline.paper_id == call.paper.id,
            Deadline.kind == deadline_kind.value,
            col(Deadline.status).in_(OWED),
        )
        .order_by(col(Deadline.due), col(Deadline.id))
    ).first()
    if row is None:
        raise FieldError(
            "kind",
            "{field}: " + f"{call.paper.reference} hat keine offene Frist „{deadline_kind.label}“",
        )
    who = (consent_by or "").strip() or ", ".join(call.paper.submitters) or "Antragsteller"
    extension = extend(
        row.due,
        local_datetime(new_due, to_local(row.due).timetz().replace(tzinfo=None)),
        reason=text,
        consent=bool(consent),
        consent_by=who,
        now=call.now,
    )
    row.extended_from = row.extended_from or row.due
    row.due = extension.new_due
    row.extension_reason = extension.reason
    # the explanation ends with the step; re-planning carries it while the extension holds
    row.explanation = with_steps(row.explanation or {"steps": []}, [extension.step()])
    row.status = DeadlineStatus.open.value  # a missed deadline extended is owed again
    row.updated_at = call.now
    call.session.add(row)
    details: dict[str, Any] = {
        "kind": deadline_kind.value,
        "label": row.label,
        "deadline": row.key,
        "previous_due": to_local(extension.previous_due).isoformat(),
        "new_due": to_local(extension.new_due).isoformat(),
        "reason": extension.reason,
        "consent_by": extension.consent_by,
        "step": extension.step(),
    }
    return Change(Event.extend_deadline, details)
