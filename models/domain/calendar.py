"""Working days and session calendars. Pure: no database, no clock.

Public holidays come from the `holidays` package for the body's federal state (NRW by
default) and the holiday categories of its municipality; offices are also closed on days the
law does not know (24.12., 31.12., Rosenmontag in the Rhineland), which a profile adds as
fixed dates or as offsets from Easter Sunday. A calendar is identified by its key (state,
categories, closed days, recess): `make_calendar` hands out one object per key, so a body →
(profile, state, categories) mapping shares calendars and their day cache instead of
building one per deadline row.

Municipality categories (what the state's holiday law leaves to the municipality):
- "catholic": Mariä Himmelfahrt in Bavaria's predominantly catholic municipalities,
  Fronleichnam in the catholic municipalities of Saxony and Thuringia (the `holidays`
  package's CATHOLIC category; it has no effect in other states, so it is refused there).
- "augsburg": the city of Augsburg (Bavaria): Augsburger Hohes Friedensfest (08.08.) and
  Mariä Himmelfahrt (the package's subdivision "Augsburg").
Reformationstag, Buß- und Bettag (SN), Frauentag (BE, MV) and Weltkindertag (TH) are
state-wide public holidays and need no category.

Recess (Sitzungspause, Ferienzeit) is part of the session calendar, not of the office's:
the office works, the council does not meet. Rules say themselves whether they skip it
(models.domain.reckoning).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from dateutil.easter import easter
from dateutil.rrule import rrulestr

from models.domain.errors import InvalidInput
from models.domain.timeutil import local_datetime

#: Movable closing days by name, as offsets from Easter Sunday.
MOVABLE_DAYS: dict[str, int] = {
    "weiberfastnacht": -52,
    "rosenmontag": -48,
    "veilchendienstag": -47,
    "aschermittwoch": -46,
    "gruendonnerstag": -3,
}


#: Municipality categories and the states where they mean something.
CATEGORIES: dict[str, frozenset[str]] = {
    "catholic": frozenset({"BY", "SN", "TH"}),
    "augsburg": frozenset({"BY"}),
}


@lru_cache(maxsize=64)
def _public_holidays(state: str, categories: frozenset[str] = frozenset()) -> Any:
    """The holiday table of one (state, categories) key; cached, so one per key."""
    import holidays

    subdiv = "Augsburg" if "augsburg" in categories else state
    kinds = ("public", "catholic") if "catholic" in categories else ("public",)
    return holidays.country_holidays("DE", subdiv=subdiv, language="de", categories=kinds)


@dataclass(frozen=True, slots=True)
class Recess:
    """A period in which the body does not meet (Sitzungspause, Ferienzeit), both ends
    included."""

    start: date
    end: date
    name: str = "Sitzungspause"

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True)
class WorkCalendar:
    """Which days an office works on."""

    state: str = "NW"
    categories: frozenset[str] = frozenset()
    """Municipality holiday categories (CATEGORIES)."""
    closed_dates: frozenset[tuple[int, int]] = frozenset()
    """(month, day) closed every year, e.g. (12, 24)."""
    closed_easter_offsets: frozenset[int] = frozenset()
    """Days relative to Easter Sunday that are closed, e.g. -48 for Rosenmontag."""
    recess: tuple[Recess, ...] = ()
    """The body's recess periods, in order."""
    _cache: dict[date, str | None] = field(
        default_factory=dict, compare=False, hash=False, repr=False
    )
    """holiday_name per day, asked for again by every deadline and its explanation."""

    def holiday_name(self, day: date) -> str | None:
        """Why `day` is not a working day, or None if it is one."""
        if day not in self._cache:
            self._cache[day] = self._holiday_name(day)
        return self._cache[day]

    def _holiday_name(self, day: date) -> str | None:
        if day.weekday() == 5:
            return "Samstag"
        if day.weekday() == 6:
            return "Sonntag"
        name = self.public_holiday(day)
        if name:
            return name
        if (day.month, day.day) in self.closed_dates:
            return "Dienststelle geschlossen"
        offset = (day - easter(day.year)).days
        if offset in self.closed_easter_offsets:
            named = [n for n, o in MOVABLE_DAYS.items() if o == offset]
            return (
                f"{named[0].capitalize() if named else 'Brauchtumstag'} (Dienststelle geschlossen)"
            )
        return None

    def public_holiday(self, day: date) -> str | None:
        """The statutory holiday on `day` (of this state and municipality), if any."""
        name = _public_holidays(self.state, self.categories).get(day)
        return str(name) if name else None

    def is_werktag(self, day: date) -> bool:
        """A Werktag in the legal sense: every day but Sunday and statutory holidays
        (Saturday and the office's own closed days are Werktage)."""
        return day.weekday() != 6 and self.public_holiday(day) is None

    def recess_name(self, day: date) -> str | None:
        """The recess `day` lies in, if any."""
        return next((r.name for r in self.recess if r.covers(day)), None)

    def is_working_day(self, day: date) -> bool:
        return self.holiday_name(day) is None

    def shift_working_days(self, day: date, n: int) -> date:
        """The n-th working day after (n > 0) or before (n < 0) `day`, not counting `day`.
        n == 0 gives `day` itself if it is a working day, else the previous one."""
        if n == 0:
            return self.previous_working_day(day)
        step = timedelta(days=1 if n > 0 else -1)
        remaining = abs(n)
        while remaining:
            day += step
            if self.is_working_day(day):
                remaining -= 1
        return day

    def previous_working_day(self, day: date) -> date:
        """`day` if it is a working day, else the last one before it."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def next_working_day(self, day: date) -> date:
        """`day` if it is a working day, else the first one after it."""
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


def make_calendar(
    state: str = "NW",
    closed_days: Iterable[str] = (),
    categories: Iterable[str] = (),
    recess: Iterable[Recess] = (),
) -> WorkCalendar:
    """A calendar from profile values: 'DD.MM.' for fixed dates, names of MOVABLE_DAYS,
    municipality categories (CATEGORIES) and recess periods. One object per key (cached):
    many bodies of one state and profile share a calendar and its day cache."""
    return _calendar(
        state,
        tuple(closed_days),
        frozenset(c.strip().lower() for c in categories),
        tuple(sorted(recess, key=lambda r: r.start)),
    )


@lru_cache(maxsize=512)
def _calendar(
    state: str,
    closed_days: tuple[str, ...],
    categories: frozenset[str],
    recess: tuple[Recess, ...],
) -> WorkCalendar:
    for category in sorted(categories):
        if category not in CATEGORIES:
            raise InvalidInput(
                f"Feiertagskategorie {category!r}: erwartet eine von {', '.join(CATEGORIES)}"
            )
        if state not in CATEGORIES[category]:
            raise InvalidInput(
                f"Feiertagskategorie {category!r} gilt nur in "
                f"{', '.join(sorted(CATEGORIES[category]))}, nicht in {state}"
            )
    for period in recess:
        if period.end < period.start:
            raise InvalidInput(
                f"Sitzungspause {period.name!r}: Ende {period.end:%d.%m.%Y} vor Beginn "
                f"{period.start:%d.%m.%Y}"
            )
    fixed: set[tuple[int, int]] = set()
    movable: set[int] = set()
    for entry in closed_days:
        text = entry.strip().lower()
        if text in MOVABLE_DAYS:
            movable.add(MOVABLE_DAYS[text])
            continue
        parts = [p for p in text.split(".") if p]
        try:
            day, month = int(parts[0]), int(parts[1])
            date(2024, month, day)  # a leap year, so 29.02. is allowed
        except (ValueError, IndexError):
            raise InvalidInput(
                f"geschlossener Tag {entry!r}: erwartet 'TT.MM.' oder einen von "
                f"{', '.join(MOVABLE_DAYS)}"
            ) from None
        fixed.add((month, day))
    return WorkCalendar(
        state=state,
        categories=categories,
        closed_dates=frozenset(fixed),
        closed_easter_offsets=frozenset(movable),
        recess=recess,
    )


def expand_rrule(
    rule: str,
    *,
    start: date,
    until: date,
    at: time,
    exceptions: Iterable[date] = (),
    skip_closed: WorkCalendar | None = None,
) -> list[datetime]:
    """Meeting starts (aware UTC) for an RFC 5545 RRULE between start and until, in Berlin
    wall time (17:00 stays 17:00 across the DST switch), minus exception dates and, if a
    calendar is given, minus days on which the office is closed."""
    text = rule.strip()
    if text.upper().startswith("RRULE:"):
        text = text[6:]
    try:
        first = datetime.combine(start, at)
        recurrence = rrulestr(text, dtstart=first, ignoretz=True)
    except (ValueError, TypeError) as exc:
        raise InvalidInput(f"--rrule {rule!r}: keine gültige RRULE ({exc})") from None
    skipped = set(exceptions)
    last = datetime.combine(until, time(23, 59))
    starts = []
    for occurrence in recurrence.between(first, last, inc=True):
        day = occurrence.date()
        if day in skipped or (skip_closed and not skip_closed.is_working_day(day)):
            continue
        starts.append(local_datetime(day, occurrence.time()))
        if len(starts) > 1000:
            raise InvalidInput(f"--rrule {rule!r}: mehr als 1000 Sitzungen; --until prüfen")
    return starts
