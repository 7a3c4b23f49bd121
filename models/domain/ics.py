"""Deadlines and meetings as an RFC 5545 calendar (icalendar) that Outlook and Thunderbird
subscribe to. Pure: plain entries in, bytes out.

UIDs are derived from what identifies an entry (body, reference, rule key; body, committee,
meeting id), never from the export run, so a re-exported file updates the same events;
SEQUENCE grows with the entry's last change, and cancelled entries stay in the file with
STATUS:CANCELLED so subscribers remove them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache

from icalendar import Calendar, Event, Timezone

from models.domain.timeutil import BERLIN, to_local

PRODID = "-//ratsfrist//Fristen kommunaler Gremien//DE"
_EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


def stable_uid(*parts: object) -> str:
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).hexdigest()[:24]
    return f"{digest}@ratsfrist"


@dataclass(frozen=True, slots=True)
class CalendarEntry:
    uid: str
    summary: str
    start: datetime
    end: datetime | None
    all_day: bool
    description: str
    cancelled: bool
    updated_at: datetime
    categories: tuple[str, ...] = ()
    location: str | None = None


def deadline_entry(
    *,
    body: str,
    reference: str,
    key: str,
    summary: str,
    due: datetime,
    description: str,
    kind: str,
    updated_at: datetime,
    cancelled: bool = False,
) -> CalendarEntry:
    """A deadline as a calendar entry: the same UID in the subscribed calendar and in every
    reminder's attachment, all-day when it ends with the day."""
    from models.domain.rules import END_OF_DAY

    return CalendarEntry(
        uid=stable_uid("deadline", body, reference, key),
        summary=summary,
        start=due,
        end=None,
        all_day=to_local(due).time().replace(tzinfo=None) == END_OF_DAY,
        description=description,
        cancelled=cancelled,
        updated_at=updated_at,
        categories=("Frist", kind),
    )


def sequence(updated_at: datetime) -> int:
    """A number that grows with every change of the entry (minutes since 2020)."""
    return max(0, int((updated_at - _EPOCH).total_seconds() // 60))


def build(entries: list[CalendarEntry], *, name: str, now: datetime) -> bytes:
    """The calendar of `entries` as of `now` (DTSTAMP), with the time zones its events use.

    The text is what icalendar writes for the whole calendar (`Calendar.to_ical` after
    `add_missing_timezones`), put together from parts icalendar wrote once: the calendar's
    own lines per name, each zone per process, each event per entry and `now`. A dispatcher
    sends one calendar per reminder mail and the same deadline to several recipients, and
    serialising a calendar was a sixth of a mail's cost."""
    head, tail = _frame(name)
    events = [_event(entry, now) for entry in entries]
    tzids = sorted(frozenset[str]().union(*(used for _, used in events)))
    zones = b"".join(_vtimezone_text(tzid) for tzid in tzids)
    return head + zones + b"".join(text for text, _ in events) + tail


@lru_cache(maxsize=64)
def _frame(name: str) -> tuple[bytes, bytes]:
    """The calendar's text before its first component and after its last."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Berlin")
    data: bytes = calendar.to_ical()
    at = data.rfind(b"END:VCALENDAR")
    return data[:at], data[at:]


@lru_cache(maxsize=4096)
def _event(entry: CalendarEntry, now: datetime) -> tuple[bytes, frozenset[str]]:
    """One entry's VEVENT text, and the zones it names that the calendar must describe."""
    event = Event()
    event.add("uid", entry.uid)
    event.add("summary", entry.summary)
    event.add("dtstamp", now.astimezone(UTC))
    event.add("last-modified", entry.updated_at.astimezone(UTC))
    event.add("sequence", sequence(entry.updated_at))
    if entry.all_day:
        day = to_local(entry.start).date()
        event.add("dtstart", day)
        event.add("dtend", day + timedelta(days=1))
    else:
        event.add("dtstart", entry.start.astimezone(BERLIN))
        event.add("dtend", (entry.end or entry.start).astimezone(BERLIN))
    event.add("description", entry.description)
    event.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if entry.all_day else "OPAQUE")
    if entry.categories:
        event.add("categories", list(entry.categories))
    if entry.location:
        event.add("location", entry.location)
    # the TZID parameters of its properties, as Calendar.get_used_tzids reads them
    used = {getattr(value, "params", {}).get("TZID") for value in event.values()}
    return event.to_ical(), frozenset(str(tzid) for tzid in used - {None, "UTC"})


@cache
def _vtimezone_text(tzid: str) -> bytes:
    zone = _vtimezone(tzid)
    return zone.to_ical() if zone is not None else b""


@cache
def _vtimezone(tzid: str) -> Timezone | None:
    """A zone as VTIMEZONE (None if icalendar does not know it). icalendar walks the zone's
    transitions over decades (some 5,000 offset lookups for Europe/Berlin), 14 ms per
    calendar and a quarter of the dispatcher's time per mail, so it is done once. Shared
    between calendars and threads; serialising a component reads and never changes it."""
    try:
        return Timezone.from_tzid(tzid)
    except ValueError:
        return None
