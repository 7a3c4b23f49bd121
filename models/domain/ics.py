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
from functools import cache

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
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Europe/Berlin")
    for entry in entries:
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
        calendar.add_component(event)
    # What calendar.add_missing_timezones() does, with each zone derived once per process.
    # Their text is spliced in where add_component would have put them (before the first
    # event), serialised once per process: a zone's text is 40 lines of transitions, and
    # serialising them was the largest cost of a reminder mail after the zone itself.
    zones = b"".join(_vtimezone_text(tzid) for tzid in sorted(calendar.get_missing_tzids()))
    data: bytes = calendar.to_ical()
    if zones:
        at = data.find(b"BEGIN:VEVENT\r\n")
        at = at if at >= 0 else data.rfind(b"END:VCALENDAR")
        data = data[:at] + zones + data[at:]
    return data


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
