"""The calendar files: events in Europe/Berlin with the zone's VTIMEZONE, derived once."""

from __future__ import annotations

from datetime import UTC, datetime

from icalendar import Calendar, Timezone

from models.domain import ics
from models.domain.timeutil import BERLIN

NOW = datetime(2021, 6, 7, 6, 0, tzinfo=UTC)


def _entry(start: datetime, *, all_day: bool = False) -> ics.CalendarEntry:
    return ics.CalendarEntry(
        uid=ics.stable_uid("t", start),
        summary="Frist",
        start=start,
        end=None,
        all_day=all_day,
        description="",
        cancelled=False,
        updated_at=NOW,
    )


def test_timed_events_carry_the_berlin_zone_icalendar_derives() -> None:
    summer = datetime(2021, 6, 10, 10, 0, tzinfo=UTC)
    winter = datetime(2021, 12, 9, 16, 0, tzinfo=UTC)
    first = Calendar.from_ical(ics.build([_entry(summer)], name="a", now=NOW))
    second = Calendar.from_ical(ics.build([_entry(winter)], name="b", now=NOW))
    reference = Timezone.from_tzid("Europe/Berlin").to_ical()
    for calendar, instant in ((first, summer), (second, winter)):
        zones = list(calendar.walk("VTIMEZONE"))
        assert [str(z["TZID"]) for z in zones] == ["Europe/Berlin"]
        assert zones[0].to_ical() == reference
        assert calendar.subcomponents[0].name == "VTIMEZONE"  # before the events use it
        (event,) = calendar.walk("VEVENT")
        start = event.decoded("DTSTART")
        assert start == instant and start.tzinfo is not None
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
    assert (
        second.walk("VEVENT")[0].decoded("DTSTART").utcoffset()
        != first.walk("VEVENT")[0].decoded("DTSTART").utcoffset()
    )


def test_all_day_calendar_has_no_zone() -> None:
    day = datetime(2021, 6, 10, 21, 59, tzinfo=UTC).astimezone(BERLIN)
    calendar = Calendar.from_ical(ics.build([_entry(day, all_day=True)], name="c", now=NOW))
    assert list(calendar.walk("VTIMEZONE")) == []
    assert len(list(calendar.walk("VEVENT"))) == 1


def test_the_calendar_put_together_from_parts_is_what_icalendar_writes_for_the_whole() -> None:
    # build() joins text icalendar wrote for the frame, each zone and each event; parsed and
    # written again as one calendar, with icalendar adding the zones itself, it is the same
    from datetime import timedelta

    start = datetime(2021, 3, 28, 0, 30, tzinfo=UTC)  # the night the clocks go forward
    entries = [
        ics.CalendarEntry(
            uid=ics.stable_uid("t", k),
            summary="Ausschuss für Umwelt, Klima; und Mobilität " * 3,  # folded lines
            start=start + timedelta(days=k),
            end=None,
            all_day=k % 2 == 0,
            description="Zeile\nZeile 2, mit Komma; und Ä",
            cancelled=k == 3,
            updated_at=start,
            categories=("Frist", "report"),
            location="Rathaus" if k == 1 else None,
        )
        for k in range(4)
    ]
    for chosen in (entries, entries[:1], entries[1:2], []):  # all-day only: no zone
        data = ics.build(chosen, name="Fristen Mülheim", now=NOW)
        whole = Calendar.from_ical(data)
        whole.subcomponents = [c for c in whole.subcomponents if c.name != "VTIMEZONE"]
        whole.add_missing_timezones()
        assert whole.to_ical() == data
        assert (b"BEGIN:VTIMEZONE" in data) == any(not e.all_day for e in chosen)
    # an event's text is kept per entry and instant: another instant, another DTSTAMP
    later = ics.build(entries[:1], name="Fristen Mülheim", now=NOW + timedelta(days=1))
    assert b"DTSTAMP:20210608T060000Z" in later
    assert b"DTSTAMP:20210607T060000Z" in ics.build(entries[:1], name="x", now=NOW)
