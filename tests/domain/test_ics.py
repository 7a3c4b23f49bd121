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


def _by_icalendar(entries: list[ics.CalendarEntry], *, name: str, now: datetime) -> bytes:
    """The calendar as icalendar's components write it (what `ics.build` did before it wrote
    the lines itself): the reference the direct writer must equal byte for byte."""
    from datetime import timedelta

    from icalendar import Event

    calendar = Calendar()
    calendar.add("prodid", ics.PRODID)
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
        event.add("sequence", ics.sequence(entry.updated_at))
        if entry.all_day:
            day = entry.start.astimezone(BERLIN).date()
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
    calendar.add_missing_timezones()
    return bytes(calendar.to_ical())


def test_the_direct_writer_writes_what_icalendar_writes() -> None:
    import random
    from datetime import timedelta

    rng = random.Random(18)
    # escapes (\ ; , line ends of every kind, \N), the caret of parameter escapes, multi-byte
    # characters where a line is folded, and lines around the 75-octet limit
    alphabet = 'abcXYZ 0123 \\;,:"^\n\r\tüßé€😀–§'
    texts = ["", "\\N", "a\r\nb", "x" * 74, "x" * 75, "ü" * 40, "\\" * 80, "^" * 80]

    def text() -> str:
        if rng.random() < 0.2:
            return rng.choice(texts)
        return "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 160)))

    for trial in range(150):
        entries = []
        for _ in range(rng.randint(0, 3)):
            start = NOW + timedelta(minutes=rng.randint(-500_000, 500_000))
            entries.append(
                ics.CalendarEntry(
                    uid=ics.stable_uid("t", trial, start),
                    summary=text(),
                    start=start,
                    end=rng.choice([None, start + timedelta(hours=2)]),
                    all_day=rng.random() < 0.4,
                    description=text(),
                    cancelled=rng.random() < 0.3,
                    updated_at=start - timedelta(days=rng.randint(0, 300)),
                    categories=rng.choice([(), ("Frist", "report"), (text(), text())]),
                    location=rng.choice([None, "", text()]),
                )
            )
        name = rng.choice(["ratsfrist", text().replace("\n", " ").replace("\r", " ")])
        ours = ics.build(entries, name=name, now=NOW)
        assert ours == _by_icalendar(entries, name=name, now=NOW), (trial, entries)
