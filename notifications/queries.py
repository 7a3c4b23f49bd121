"""Read-only views of the outbox for the CLI and the artifacts."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from models.domain.reminders import OPERATIONS_TAG
from models.domain.timeutil import to_local
from models.domain.vocab import ReminderStatus
from models.store.tables import Deadline, Paper, Reminder


def list_reminders(
    session: Session,
    *,
    statuses: list[ReminderStatus] | None = None,
    body_id: int | None = None,
) -> list[dict[str, Any]]:
    """Outbox rows, the earliest first; only those in `statuses` and of `body_id` if given."""
    query = (
        select(Reminder, Deadline, Paper.reference)
        .outerjoin(Deadline, col(Deadline.id) == Reminder.deadline_id)
        .outerjoin(Paper, col(Paper.id) == Reminder.paper_id)
        .order_by(col(Reminder.send_at), col(Reminder.id))
    )
    if statuses:
        query = query.where(col(Reminder.status).in_([s.value for s in statuses]))
    if body_id is not None:
        query = query.where(Reminder.body_id == body_id)
    return [
        {
            "id": r.id,
            "reference": reference or "",  # an escalation stands for a committee
            "kind": _kind_label(r, d)[0],
            "label": _kind_label(r, d)[1],
            "step": r.step,
            "tag": r.tag,
            "committee": r.committee,
            "escalation": r.escalation,
            "send_at": to_local(r.send_at).isoformat(),
            "status": r.status,
            "attempts": r.attempts,
            "last_error": r.last_error,
            "delivered": len(r.delivered_to),
            "sent_at": to_local(r.sent_at).isoformat() if r.sent_at else None,
            # while sending: whose run holds the row and until when (then another may take it)
            "claimed_by": r.claimed_by,
            "claimed_until": to_local(r.claimed_until).isoformat() if r.claimed_until else None,
        }
        for r, d, reference in session.exec(query).all()
    ]


def _kind_label(reminder: Reminder, deadline: Deadline | None) -> tuple[str, str]:
    """A deadline's reminder, a committee's escalation, or the operators' notice of a failed
    reminder (scope `fehler/<id>`, tag `betrieb`)."""
    if deadline is not None:
        return deadline.kind, deadline.label
    if reminder.tag == OPERATIONS_TAG:
        failed = (reminder.scope or "").rsplit("/", 1)[-1]
        return "notice", f"Zustellfehler #{failed} an Betrieb"
    return "escalation", f"Eskalation {reminder.committee or '(ohne Gremium)'}"
