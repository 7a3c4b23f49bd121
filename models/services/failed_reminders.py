"""Reminders that failed for good, as managers see them beside the overdue deadlines: a
deadline whose reminder never arrived is about to be missed by someone who was not told.

Read-only; plain rows for the sweep's artifacts. Nothing of a paper's content (the artifacts
are read by everyone with access to the Prefect UI): the reference, the kind of deadline, the
role, the mail server's answer. The route (an address) stays in the operators' notice and in
`ratsfrist reminders --failed`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.domain.reminders import OPERATIONS_TAG, split_error
from models.domain.timeutil import to_local
from models.domain.vocab import ReminderStatus
from models.store.tables import Deadline, Paper, Reminder

SHOWN = 10
"""At most this many in an artifact (the newest failures first); the count says the rest."""


@dataclass(frozen=True, slots=True)
class FailedReminder:
    reminder_id: int
    reference: str
    label: str
    tag: str
    attempts: int
    reply: str
    since: datetime


def _failed() -> sa.ColumnElement[bool]:
    """Failed reminders of people, not the operators' own notices."""
    return sa.and_(
        col(Reminder.status) == ReminderStatus.failed.value, col(Reminder.tag) != OPERATIONS_TAG
    )


def failed_count(session: Session) -> int:
    return int(session.exec(select(sa.func.count()).select_from(Reminder).where(_failed())).one())


def failed_reminders(session: Session, limit: int = SHOWN) -> list[FailedReminder]:
    """The newest failures first."""
    rows = session.exec(
        select(Reminder, Paper.reference, Deadline.label)
        .outerjoin(Paper, col(Paper.id) == Reminder.paper_id)
        .outerjoin(Deadline, col(Deadline.id) == Reminder.deadline_id)
        .where(_failed())
        .order_by(col(Reminder.updated_at).desc(), col(Reminder.id).desc())
        .limit(limit)
    ).all()
    found = []
    for reminder, reference, label in rows:
        assert reminder.id is not None
        found.append(
            FailedReminder(
                reminder_id=reminder.id,
                reference=reference or "",
                label=label or f"Eskalation {reminder.committee or ''}".strip(),
                tag=reminder.tag,
                attempts=reminder.attempts,
                reply=_reply(reminder.last_error or ""),
                since=reminder.updated_at,
            )
        )
    return found


def _reply(error: str) -> str:
    """The mail server's answers where the error has them (Apprise's own lines beside them
    name the address), else the error without its route."""
    reply = split_error(error)[1]
    return "; ".join(re.findall(r"SMTP \d{3}[^;]*", reply)) or reply


def _cell(text: str) -> str:
    return re.sub(r"\s+", " ", text).replace("|", "/")[:120]


def failed_section(items: list[FailedReminder], total: int) -> str:
    """Markdown: the failed reminders as a small table, or '' when there are none."""
    if not total:
        return ""
    lines = [
        f"## Nicht zugestellte Erinnerungen: {total}",
        "",
        "Endgültig fehlgeschlagen: die Zuständigen wissen von diesen Fristen nichts. "
        "Betrieb prüft die Adresse (`ratsfrist reminders --failed`) und sendet erneut "
        "(`ratsfrist dispatch --retry-failed`).",
        "",
        "| Erinnerung | Vorlage | Frist | an | Versuche | Antwort des Mailservers | seit |",
        "|--:|---|---|---|--:|---|---|",
    ]
    for item in items:
        lines.append(
            f"| #{item.reminder_id} | {_cell(item.reference) or '–'} | {_cell(item.label)} "
            f"| {item.tag} | {item.attempts} | {_cell(item.reply)} "
            f"| {to_local(item.since):%d.%m.%Y %H:%M} |"
        )
    if total > len(items):
        lines.append(f"\n… und {total - len(items)} weitere (`ratsfrist reminders --failed`)")
    return "\n".join(lines) + "\n"
