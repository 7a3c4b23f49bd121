"""Working calendars: the names of closed days, and meeting series from an RRULE that skip
exceptions and holidays and keep their wall time across daylight saving."""

from __future__ import annotations

from datetime import date, time

import pytest

from models.domain.calendar import expand_rrule, make_calendar
from models.domain.timeutil import BERLIN

D = date
OFFICE = make_calendar("NW", ["24.12.", "31.12."])  # the default profile's office
RHEIN = make_calendar("NW", ["24.12.", "31.12.", "rosenmontag"])


def test_working_day_names() -> None:
    assert RHEIN.holiday_name(D(2021, 2, 15)) == "Rosenmontag (Dienststelle geschlossen)"
    assert OFFICE.holiday_name(D(2021, 6, 3)) == "Fronleichnam"
    assert OFFICE.holiday_name(D(2021, 12, 24)) == "Dienststelle geschlossen"
    assert OFFICE.holiday_name(D(2021, 6, 5)) == "Samstag"
    assert OFFICE.holiday_name(D(2021, 6, 4)) is None


def test_rrule_meetings_skip_exceptions_and_holidays_and_keep_wall_time() -> None:
    starts = expand_rrule(
        "FREQ=WEEKLY;BYDAY=TH",
        start=D(2021, 5, 1),
        until=D(2021, 6, 30),
        at=time(17, 0),
        exceptions=[D(2021, 6, 24)],
        skip_closed=OFFICE,
    )
    days = [s.astimezone(BERLIN).date() for s in starts]
    assert D(2021, 5, 13) not in days  # Christi Himmelfahrt
    assert D(2021, 6, 3) not in days  # Fronleichnam
    assert D(2021, 6, 24) not in days  # exception
    assert days == [D(2021, 5, 6), D(2021, 5, 20), D(2021, 5, 27), D(2021, 6, 10), D(2021, 6, 17)]
    assert {s.astimezone(BERLIN).time() for s in starts} == {time(17, 0)}
    winter = expand_rrule(
        "FREQ=MONTHLY;BYDAY=2TU", start=D(2021, 10, 1), until=D(2021, 11, 30), at=time(17, 0)
    )
    assert [s.hour for s in winter] == [15, 16]  # 17:00 CEST, then 17:00 CET, in UTC


def test_a_bad_rrule_is_a_clear_error() -> None:
    from models.domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match="keine gültige RRULE"):
        expand_rrule("FREQ=SOMETIMES", start=D(2021, 1, 1), until=D(2021, 2, 1), at=time(17))
