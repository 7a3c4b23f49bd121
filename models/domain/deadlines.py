"""Deadline vocabulary and verdicts without a database: which events meet which deadlines,
a new deadline row's columns, its reminder steps, its status as of an instant, and whether
a motion came in time (and if not, which meeting it still reaches). Pure: the services layer
(models.services.deadlines) reads and writes the rows.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import islice
from typing import Any, Protocol

from models.domain.planning import PlannedDeadline, proposal_verdict
from models.domain.reminders import NOT_REMINDED, Step, plan_steps
from models.domain.rules import DeadlineKind, RuleSet, due_date, in_time
from models.domain.states import Event
from models.domain.timeutil import to_local, to_utc
from models.domain.vocab import DeadlineStatus


class DeadlineRow(Protocol):
    """What the views read of a stored deadline (models.store.tables.Deadline has it)."""

    kind: str
    label: str
    due: datetime
    status: str
    responsible: str
    office: str | None
    description: str | None
    met_at: datetime | None
    extended_from: datetime | None
    extension_reason: str | None
    explanation: dict[str, Any] | None


#: Which lifecycle events meet which kinds of deadline. Kinds tied to a meeting are met only
#: for the meeting the event concerns.
MET_BY: dict[Event, frozenset[DeadlineKind]] = {
    Event.place_on_agenda: frozenset({DeadlineKind.invitation}),
    Event.reschedule: frozenset({DeadlineKind.invitation}),
    Event.deliver_report: frozenset({DeadlineKind.report, DeadlineKind.answer}),
    Event.decide: frozenset({DeadlineKind.session}),
    Event.close: frozenset({DeadlineKind.implementation}),
}
MEETING_BOUND = frozenset({DeadlineKind.invitation, DeadlineKind.session})


def met_here(kind: str, deadline_meeting: int | None, meeting_id: int | None) -> bool:
    """Whether a step concerning `meeting_id` meets an owed deadline of a kind it meets
    (MET_BY): one tied to a meeting (MEETING_BOUND) only if it is that meeting's. A
    deadline counted in meetings ("spätestens in der übernächsten Sitzung") has no meeting
    of its own: placing the item on any agenda meets it."""
    bound = DeadlineKind(kind) in MEETING_BOUND and deadline_meeting is not None
    return not bound or deadline_meeting == meeting_id


#: Agenda item results that mean the item was not dealt with at that meeting.
NOT_HELD = frozenset({"abgesetzt", "zurückgezogen"})


def new_deadline_values(
    p: PlannedDeadline,
    *,
    paper_id: int,
    body_id: int,
    organization_id: int | None,
    received_at: datetime,
    now: datetime,
    minutes_at: datetime | None = None,
    explanation: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The columns of a deadline row planned for the first time. A proposal deadline is a
    verdict from the start; minutes already recorded (a motion that reaches ratsfrist after
    its meeting) are met, since minutes belong to the meeting."""
    status = (
        proposal_verdict(received_at, p.due)
        if p.kind is DeadlineKind.proposal
        else DeadlineStatus.open
    )
    if minutes_at is not None:
        status = DeadlineStatus.met
    return {
        "paper_id": paper_id,
        "body_id": body_id,
        "consultation_id": p.consultation_id,
        "organization_id": organization_id,
        "meeting_id": p.meeting_id,
        "key": p.key,
        "rule": p.rule,
        "kind": p.kind.value,
        "label": p.label,
        "description": p.description,
        "due": p.due,
        "responsible": p.responsible,
        "office": p.office,
        "status": status.value,
        "met_at": minutes_at,
        "explanation": explanation,
        "created_at": now,
        "updated_at": now,
    }


def reminder_steps(
    kind: str, status: str, due: datetime, rules: RuleSet, now: datetime
) -> list[Step]:
    """The reminder steps an open deadline gets (verdicts and sessions get none)."""
    if kind in NOT_REMINDED or status != DeadlineStatus.open:
        return []
    return plan_steps(
        due,
        before_working_days=rules.profile.reminders.before_working_days,
        calendar=rules.calendar,
        now=now,
    )


def open_past_due(status: str, due: datetime, now: datetime) -> bool:
    """An open deadline whose due time has passed: missed, whether or not the sweep has
    written so yet. The database's twin of this test is models.store.repo.open_past_due."""
    return status == DeadlineStatus.open and due < to_utc(now)


def effective_status(row: DeadlineRow, now: datetime) -> str:
    """The status as of `now`: an open deadline past its due time counts as missed, even
    before the sweep has written so (so that replaying a day shows the day as it was)."""
    if open_past_due(row.status, row.due, now):
        return DeadlineStatus.missed.value
    return row.status


def late_by(due: datetime, met_at: datetime | None) -> timedelta | None:
    """How late a met deadline was met; None if in time or not met."""
    if met_at is None or to_utc(met_at) <= to_utc(due):
        return None
    return to_utc(met_at) - to_utc(due)


def late_days(due: datetime, met_at: datetime | None) -> int | None:
    """Calendar days (Berlin) between the due day and the day it was met, as staff count
    them: a report due on the 10th at noon and delivered on the 17th is 7 days late; late on
    the due day itself is 0. None if in time or not met."""
    if late_by(due, met_at) is None:
        return None
    assert met_at is not None
    return (to_local(met_at).date() - to_local(due).date()).days


def status_label(status: str, due: datetime, met_at: datetime | None) -> str:
    """The status in German, lateness kept: 'verspätet erfüllt (7 Tage)', not plain
    'erfüllt' (a report delivered a week late must not read as if on time)."""
    labels = {s.value: s.label for s in DeadlineStatus}
    label = labels.get(status, status)
    late = late_by(due, met_at) if status == DeadlineStatus.met else None
    if late is None:
        return label
    days = late_days(due, met_at) or 0
    if days >= 1:
        return f"verspätet erfüllt ({days} Tag{'e' if days != 1 else ''})"
    return f"verspätet erfüllt ({max(1, late.seconds // 3600)} Std.)"


def deadline_view(row: DeadlineRow, reference: str, now: datetime, **extra: Any) -> dict[str, Any]:
    """A deadline as the CLI, the artifacts and the JSON output show it; `late_by_days` and
    `status_label` keep a late fulfilment visible."""
    status = effective_status(row, now)
    met_late = status == DeadlineStatus.met and late_by(row.due, row.met_at) is not None
    return {
        "reference": reference,
        "kind": row.kind,
        "label": row.label,
        "due": to_local(row.due).isoformat(),
        "status": status,
        "status_label": status_label(status, row.due, row.met_at),
        "late_by_days": late_days(row.due, row.met_at) if met_late else None,
        "responsible": row.responsible,
        "office": row.office,
        "rule": row.description,
        "met_at": to_local(row.met_at).isoformat() if row.met_at else None,
        "extended_from": to_local(row.extended_from).isoformat() if row.extended_from else None,
        "extension_reason": row.extension_reason,
        "due_text": due_text(row.due, row.extended_from),
        "explanation": row.explanation,
        **extra,
    }


def due_text(due: datetime, extended_from: datetime | None) -> str:
    """The due date as every view shows it: '30.06.2021 23:59', or for an extended deadline
    'verlängert bis 30.06.2021 23:59 (statt 09.06.)', so the extension is never lost."""
    text = to_local(due).strftime("%d.%m.%Y %H:%M")
    if extended_from is None:
        return text
    return f"verlängert bis {text} (statt {to_local(extended_from):%d.%m.})"


def extension_note(due: datetime, extended_from: datetime | None, reason: str | None) -> str:
    """The line a calendar entry or a mail gives an extended deadline; '' if not extended."""
    if extended_from is None:
        return ""
    return f"Fristverlängerung: {due_text(due, extended_from)}" + (
        f", Grund: {reason}" if reason else ""
    )


@dataclass(frozen=True, slots=True)
class Timeliness:
    """Did the motion arrive in time for the meeting it names?"""

    in_time: bool
    organization: str
    meeting_start: datetime
    due: datetime
    late_by: timedelta | None = None
    next_meeting: datetime | None = None

    def sentence(self) -> str:
        meeting = to_local(self.meeting_start).strftime("%d.%m.%Y")
        due = to_local(self.due).strftime("%d.%m.%Y %H:%M")
        if self.in_time:
            return f"rechtzeitig für {self.organization} am {meeting} (Frist bis {due})"
        assert self.late_by is not None
        late = _duration(self.late_by)
        text = f"verspätet um {late} für {self.organization} am {meeting} (Frist bis {due})"
        if self.next_meeting:
            text += f"; nächste erreichbare Sitzung: {to_local(self.next_meeting):%d.%m.%Y}"
        else:
            text += "; keine spätere Sitzung im Kalender"
        return text


def _duration(delta: timedelta) -> str:
    days, seconds = delta.days, delta.seconds
    if days >= 1:
        return f"{days} Tag{'e' if days != 1 else ''}" + (
            f" {seconds // 3600} Std." if seconds >= 3600 else ""
        )
    return f"{seconds // 3600} Std. {seconds % 3600 // 60} Min."


LATER_MEETINGS = 50
"""How far a late motion's next reachable meeting is looked for: about four years of a
monthly committee."""


def coming_meetings(calendar: Sequence[datetime], after: datetime) -> tuple[datetime, ...]:
    """The first LATER_MEETINGS meetings after `after` of a committee's calendar (its
    meetings not cancelled, in order): what models.services.deadlines.later_meetings reads
    in one query, for the paths that hold the calendar already (a batch of documents, an
    OParl page)."""
    start = bisect_right(calendar, after)
    return tuple(calendar[start : start + LATER_MEETINGS])


def verdict(
    *,
    met: bool,
    organization: str,
    meeting_start: datetime,
    due: datetime,
    received_at: datetime,
    rule: str,
    later_starts: Callable[[], Iterable[datetime]],
    rules: RuleSet,
) -> Timeliness:
    """The proposal deadline's verdict (`rule`: the rule's name in the profile).
    `later_starts` gives the committee's meetings (not cancelled, in order; those after this
    meeting count) and is asked only if the motion is late, so the in-time case reads
    nothing more."""
    if met:
        return Timeliness(True, organization, meeting_start, due)
    following = islice((s for s in later_starts() if s > meeting_start), LATER_MEETINGS)
    return Timeliness(
        False,
        organization,
        meeting_start,
        due,
        received_at - due,
        next_reachable(received_at, rule, following, rules),
    )


def next_reachable(
    received_at: datetime, rule: str, starts: Iterable[datetime], rules: RuleSet
) -> datetime | None:
    """The first of these later meetings whose proposal deadline (rule `rule`, as the version
    in force on each meeting's day has it) a late motion still meets."""

    def due(start: datetime) -> datetime:
        in_force = rules.at(start)
        return due_date(in_force.profile.deadlines[rule], start, in_force.calendar)

    return next((s for s in starts if in_time(received_at, due(s))), None)
