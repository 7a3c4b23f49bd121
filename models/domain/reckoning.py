"""The arithmetic of one deadline rule over an anchor and a calendar, optionally writing down
its steps in German ("Sitzung Di 15.06.2021 − 6 Tage = Mi 09.06.2021; Arbeitstag; 23:59").

One place for the arithmetic: `models.domain.rules.due_date` (the fast path, no steps) and
`models.domain.explain` (the explained path) both call `reckon`, so what is shown is what was
computed. Pure.

The wording of a Geschäftsordnung decides the unit:
- "spätestens am 6. Tag vor der Sitzung"   → days, -6: the meeting day minus 6.
- "8 volle Tage" / "mindestens 7 Tage vor"  → full_days: neither end counts, day minus 9 / 8.
- "2 Arbeitstage vor der Sitzung, den Sitzungstag nicht mitgerechnet"
                                            → working_days, -2: the second working day before.
- "auf bis zu drei Werktage abgekürzt"      → werktage, -3: Saturdays count, Sundays and
                                              statutory holidays do not.
- "binnen zwei Wochen" / "drei Monate"      → weeks / months after the anchor.
- "spätestens in der übernächsten Sitzung"  → meetings, 2: the second meeting after the anchor
                                              (that can still be reached).

Recess (`skip_recess`): a working-day count does not count recess days, a meeting count does
not count meetings in recess, and a period after the anchor in days, weeks or months is
prolonged by the recess days it covers (the period is suspended while the body does not meet).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal, Protocol

from dateutil.relativedelta import relativedelta

from models.domain.calendar import WorkCalendar
from models.domain.timeutil import local_datetime, to_local

END_OF_DAY = time(23, 59, 59)
WEEKDAYS = ("Mo", "Di", "Mi", "Do", "Fr", "Sa", "So")


class Unit(StrEnum):
    days = "days"
    full_days = "full_days"
    working_days = "working_days"
    werktage = "werktage"
    """Werktage as the law counts them: Monday to Saturday except statutory holidays."""
    weeks = "weeks"
    months = "months"
    meetings = "meetings"
    """Meetings of the body after the anchor; needs the body's meeting list."""


class Reckonable(Protocol):
    """What the arithmetic reads of a rule (a Rule, or its urgent variant)."""

    @property
    def offset(self) -> int: ...
    @property
    def unit(self) -> Unit: ...
    @property
    def cutoff(self) -> time | Literal["anchor"] | None: ...
    @property
    def on_closed_day(self) -> Literal["previous", "next", "keep"]: ...
    @property
    def skip_recess(self) -> bool: ...


def day_text(day: date) -> str:
    """'Di 15.06.2021'."""
    return f"{WEEKDAYS[day.weekday()]} {day:%d.%m.%Y}"


def reckon(
    rule: Reckonable,
    anchor: datetime,
    calendar: WorkCalendar,
    *,
    anchor_label: str = "Anker",
    meetings: Sequence[datetime] = (),
    reachable: Callable[[datetime], bool] | None = None,
    steps: list[str] | None = None,
) -> datetime | None:
    """When a deadline ends, as aware UTC; the anchor is read on the Berlin calendar.
    None only for a meeting count whose meetings are not (yet) known. With `steps`, each
    step is appended in German. `reachable(meeting_start)` says whether a meeting can still
    take the matter (SächsOVG 4 B 24/20: the "next" meeting is the next one to which the
    members can still be invited in time); without it every later meeting counts."""
    if rule.unit is Unit.meetings:
        return _in_meetings(rule, anchor, calendar, anchor_label, meetings, reachable, steps)
    local_anchor = to_local(anchor)
    start = local_anchor.date()
    unit, offset = rule.unit, rule.offset
    skip = rule.skip_recess and bool(calendar.recess)
    if unit is Unit.days:
        day = start + timedelta(days=offset)
    elif unit is Unit.full_days:
        # N full days lie strictly between the deadline day and the anchor day.
        day = start + timedelta(days=offset + (1 if offset > 0 else -1))
    elif unit is Unit.weeks:
        day = start + timedelta(weeks=offset)
    elif unit is Unit.months:
        day = start + relativedelta(months=offset)
    elif unit is Unit.werktage:
        day = _shift(start, offset, calendar.is_werktag)
    elif skip and offset:

        def counts(d: date) -> bool:
            return calendar.is_working_day(d) and not calendar.recess_name(d)

        day = _shift(start, offset, counts)
    else:
        day = calendar.shift_working_days(start, offset)
    if steps is not None:
        steps.append(_first_step(rule, anchor_label, start, day, skip))
    if skip and offset > 0 and unit in _SUSPENDED:
        day = _suspend(start, day, calendar, steps)
    if unit not in _COUNTED or offset == 0:
        day = _closed_day(rule, day, calendar, steps)
    elif steps is not None:
        steps.append("Arbeitstag" if unit is Unit.working_days else "Werktag")
    return _at(rule, day, local_anchor, steps)


def _first_step(rule: Reckonable, anchor_label: str, start: date, day: date, skip: bool) -> str:
    """'Sitzung Di 15.06.2021 − 6 Tage = Mi 09.06.2021'."""
    if rule.offset == 0:
        return f"{anchor_label} {day_text(start)}"
    n = abs(rule.offset)
    sign = "−" if rule.offset < 0 else "+"
    one = n == 1
    amount = {
        Unit.days: f"{n} Tag{'' if one else 'e'}",
        Unit.full_days: f"{n} volle{'r' if one else ''} Tag{'' if one else 'e'} "
        "(beide Endtage zählen nicht)",
        Unit.weeks: f"{n} Woche{'' if one else 'n'}",
        Unit.months: f"{n} Monat{'' if one else 'e'}",
        Unit.werktage: f"{n} Werktag{'' if one else 'e'} (ohne Sonn- und Feiertage)",
        Unit.working_days: f"{n} Arbeitstag{'' if one else 'e'} (Ankertag nicht mitgerechnet"
        + (", ohne Sitzungspause)" if skip else ")"),
    }[rule.unit]
    return f"{anchor_label} {day_text(start)} {sign} {amount} = {day_text(day)}"


_COUNTED = frozenset({Unit.working_days, Unit.werktage})
_SUSPENDED = frozenset({Unit.days, Unit.full_days, Unit.weeks, Unit.months})


def _shift(day: date, n: int, counts: Callable[[date], bool]) -> date:
    """The n-th counted day after (n > 0) or before (n < 0) `day`, not counting `day`."""
    step = timedelta(days=1 if n > 0 else -1)
    remaining = abs(n)
    while remaining:
        day += step
        if counts(day):
            remaining -= 1
    return day


def _suspend(start: date, day: date, calendar: WorkCalendar, steps: list[str] | None) -> date:
    """Prolong a period after `start` by the recess days it covers (repeatedly, since the
    prolonged period may reach further into a recess)."""
    counted = 0
    while True:
        inside = [
            name
            for i in range(1, (day - start).days + 1)
            if (name := calendar.recess_name(start + timedelta(days=i)))
        ]
        if len(inside) == counted:
            break
        day += timedelta(days=len(inside) - counted)
        counted = len(inside)
    if counted and steps is not None:
        names = ", ".join(dict.fromkeys(inside))
        steps.append(f"+ {counted} Tage {names} (Frist ruht) = {day_text(day)}")
    return day


def _closed_day(
    rule: Reckonable, day: date, calendar: WorkCalendar, steps: list[str] | None
) -> date:
    reason = calendar.holiday_name(day)
    if reason is None:
        if steps is not None:
            steps.append("Arbeitstag")
        return day
    if rule.on_closed_day == "keep":
        if steps is not None:
            steps.append(f"{reason}, bleibt (Kalendertag)")
        return day
    moved = (
        calendar.previous_working_day(day)
        if rule.on_closed_day == "previous"
        else calendar.next_working_day(day)
    )
    if steps is not None:
        where = "davor" if rule.on_closed_day == "previous" else "danach"
        steps.append(f"{reason} → Arbeitstag {where}: {day_text(moved)}")
    return moved


def _at(rule: Reckonable, day: date, local_anchor: datetime, steps: list[str] | None) -> datetime:
    if rule.cutoff == "anchor":
        at = local_anchor.time().replace(tzinfo=None)
        label = f"{at:%H:%M} (Beginn)"
    else:
        at = rule.cutoff or END_OF_DAY
        label = f"{at:%H:%M}"
    if steps is not None:
        steps.append(label)
    return local_datetime(day, at)


def _in_meetings(
    rule: Reckonable,
    anchor: datetime,
    calendar: WorkCalendar,
    anchor_label: str,
    meetings: Sequence[datetime],
    reachable: Callable[[datetime], bool] | None,
    steps: list[str] | None,
) -> datetime | None:
    counted: list[datetime] = []
    notes: list[str] = []
    for start in sorted(meetings):
        if start <= anchor:
            continue
        day = to_local(start).date()
        if rule.skip_recess and calendar.recess_name(day):
            notes.append(f"Sitzung {day_text(day)} in der {calendar.recess_name(day)}")
            continue
        if reachable is not None and not reachable(start):
            notes.append(f"Sitzung {day_text(day)} nicht mehr erreichbar (Frist verpasst)")
            continue
        counted.append(start)
        if len(counted) == rule.offset:
            break
    if steps is not None:
        ordinal = {1: "nächste", 2: "übernächste"}.get(rule.offset, f"{rule.offset}.")
        found = ", ".join(day_text(to_local(s).date()) for s in counted)
        steps.append(
            f"{anchor_label} {day_text(to_local(anchor).date())}; gezählte Sitzungen: "
            f"{found or 'keine'}; {ordinal} Sitzung"
        )
        steps.extend(notes)
    if len(counted) < rule.offset:
        if steps is not None:
            steps.append("noch nicht genug Sitzungen im Kalender")
        return None
    due = counted[-1]
    if steps is not None:
        steps.append(f"{to_local(due):%H:%M} (Beginn)")
    return due
