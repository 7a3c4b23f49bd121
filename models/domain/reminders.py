"""When reminders go out for a deadline, and when escalations do. Pure.

Steps carry the due date they remind of (`vorher-3@2021-06-10`): if a meeting moves, the
deadline's old steps are cancelled and new ones planned, and a reminder already sent for the
old date does not silence the one for the new date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from models.domain.calendar import WorkCalendar
from models.domain.text import slug
from models.domain.timeutil import local_datetime, to_local
from models.domain.vocab import ReminderStatus

SEND_TIME = time(7, 0)
ESCALATION_TAG = "leitung"
"""The Apprise tag of the managers who receive escalations."""
CLEARED_TAG = "vertraulich"
"""Recipients with this Apprise tag may read non-public papers' content."""
OPERATIONS_TAG = "betrieb"
"""The Apprise tag of the operators, told once of every reminder that failed for good."""
FAILURE_STEP = "fehlgeschlagen"
"""The step of an operations notice; its scope names the failed row (`fehler/<id>`)."""
COMMITTEE_TAG_PREFIX = "gremium-"
"""An Apprise URL tagged gremium-<slug> gets only that committee's reminders."""

#: Deadline kinds that are verdicts, not work: nobody is reminded of them.
NOT_REMINDED = frozenset({"proposal", "session"})


@dataclass(frozen=True, slots=True)
class Step:
    step: str
    send_at: datetime
    escalation: bool = False


def plan_steps(
    due: datetime,
    *,
    before_working_days: tuple[int, ...],
    calendar: WorkCalendar,
    now: datetime,
    send_time: time = SEND_TIME,
) -> list[Step]:
    """Reminders n working days before the due day (0 = on the day), at `send_time`.

    Steps already past when the deadline is planned are not sent late one by one; instead one
    'neu' notice goes out at once, so a deadline never arrives unannounced."""
    due_day = to_local(due).date()
    tag = due_day.isoformat()
    steps: list[Step] = []
    missed_any = False
    for n in sorted(set(before_working_days), reverse=True):
        day = (
            calendar.shift_working_days(due_day, -n)
            if n
            else calendar.previous_working_day(due_day)
        )
        send_at = min(local_datetime(day, send_time), due)
        if send_at < now:
            missed_any = True
            continue
        steps.append(Step(f"vorher-{n}@{tag}" if n else f"am-tag@{tag}", send_at))
    if missed_any and due > now:
        steps.insert(0, Step(f"neu@{tag}", now))
    return steps


def escalation_step(
    now: datetime, calendar: WorkCalendar, send_time: time = SEND_TIME
) -> Step | None:
    """Today's escalation for an overdue deadline: one per working day, from send_time on."""
    local = to_local(now)
    if not calendar.is_working_day(local.date()) or local.time() < send_time:
        return None
    return Step(
        f"eskalation@{local.date().isoformat()}",
        local_datetime(local.date(), send_time),
        escalation=True,
    )


def pending_reminder(
    step: Step, *, tag: str, committee: str | None, now: datetime, **owner: int | str | None
) -> dict[str, Any]:
    """The columns of an outbox row planned now: waiting, tried never, delivered to nobody.
    `owner` is what it belongs to: `deadline_id`, `paper_id` and `body_id`, or an
    escalation's `scope`, `body_id` and `organization_id`. Every path that plans reminders
    builds its rows here, so a row planned by the sweep, by one import or by a batch is the
    same row."""
    return {
        **owner,
        "step": step.step,
        "tag": tag,
        "committee": committee,
        "escalation": step.escalation,
        "send_at": step.send_at,
        "status": ReminderStatus.pending.value,
        "attempts": 0,
        "delivered_to": [],
        "created_at": now,
        "updated_at": now,
    }


def backoff(
    attempts: int, base: timedelta = timedelta(minutes=2), cap: timedelta = timedelta(hours=6)
) -> timedelta:
    """Exponential backoff after a failed send: 2, 4, 8 … minutes, at most 6 hours."""
    return min(cap, base * (1 << max(0, attempts - 1)))


MAX_ATTEMPTS = 12
"""After this many failed attempts (about two days with the backoff above) a row is failed:
it stays visible (`ratsfrist reminders --failed`) and `dispatch --retry-failed` revives it."""


def committee_slug(name: str) -> str:
    """'Ausschuss für Umwelt, Planung' → 'ausschuss-fuer-umwelt-planung' (an Apprise tag)."""
    return slug(name)


def split_error(error: str) -> tuple[str, str]:
    """A stored `last_error` ('mailto://…/?to=…: SMTP 554 5.7.1 …', masked when stored) as
    (route, reply); a URL holds no ': ', so the first one after '://' ends it. Errors not
    about one route ('kein Empfänger …') are all reply."""
    head, sep, rest = error.partition(": ")
    if sep and "://" in head:
        return head, rest
    return "", error
