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


# --- the holidays of every state, worked out by hand ----------------------------------------------
# Each row: 1 Arbeitstag vor the meeting day (working_days -1, the meeting day not counted) on
# the public holidays of (state, categories) alone; the comment gives weekday and holiday.
# (why, state, categories, meeting day, expected day)
STATE_CASES: list[tuple[str, str, tuple[str, ...], date, date]] = [
    # 06.01.2021 is a Wednesday (01.01.2021 Fri): Heilige Drei Könige in BW, not in NW
    ("BW Hl. Drei Könige", "BW", (), D(2021, 1, 7), D(2021, 1, 5)),
    ("NW kennt Hl. Drei Könige nicht", "NW", (), D(2021, 1, 7), D(2021, 1, 6)),
    # 06.01.2025 is a Monday (01.01.2025 Wed): ST has Hl. Drei Könige → Fri 03.01.
    ("ST Hl. Drei Könige", "ST", (), D(2025, 1, 7), D(2025, 1, 3)),
    # 15.08.2022 is a Monday: Mariä Himmelfahrt only in catholic Bavarian municipalities
    ("BY ohne Kategorie: 15.08. Arbeitstag", "BY", (), D(2022, 8, 16), D(2022, 8, 15)),
    ("BY katholisch: Mariä Himmelfahrt", "BY", ("catholic",), D(2022, 8, 16), D(2022, 8, 12)),
    ("Augsburg: Mariä Himmelfahrt", "BY", ("augsburg",), D(2022, 8, 16), D(2022, 8, 12)),
    # 08.08.2022 is a Monday: Augsburger Hohes Friedensfest only in Augsburg
    ("Augsburg: Friedensfest", "BY", ("augsburg",), D(2022, 8, 9), D(2022, 8, 5)),
    ("BY katholisch ohne Friedensfest", "BY", ("catholic",), D(2022, 8, 9), D(2022, 8, 8)),
    # 15.08.2024 is a Thursday: the Saarland keeps Mariä Himmelfahrt state-wide → Wed 14.08.
    ("SL Mariä Himmelfahrt", "SL", (), D(2024, 8, 16), D(2024, 8, 14)),
    # 08.03.2021 is a Monday: Frauentag in Berlin (since 2019) → Fri 05.03.
    ("BE Frauentag", "BE", (), D(2021, 3, 9), D(2021, 3, 5)),
    # 08.03.2023 is a Wednesday: Frauentag in MV since 2023 → Tue 07.03.
    ("MV Frauentag 2023", "MV", (), D(2023, 3, 9), D(2023, 3, 7)),
    # 08.03.2022 is a Tuesday: not yet a holiday in MV
    ("MV 2022 noch ohne Frauentag", "MV", (), D(2022, 3, 9), D(2022, 3, 8)),
    # 20.09.2021 is a Monday: Weltkindertag in Thuringia (since 2019) → Fri 17.09.
    ("TH Weltkindertag", "TH", (), D(2021, 9, 21), D(2021, 9, 17)),
    ("NW kennt Weltkindertag nicht", "NW", (), D(2021, 9, 21), D(2021, 9, 20)),
    # 17.11.2021 is a Wednesday: Buß- und Bettag in Saxony → Tue 16.11.
    ("SN Buß- und Bettag", "SN", (), D(2021, 11, 18), D(2021, 11, 16)),
    ("NW kennt Buß- und Bettag nicht", "NW", (), D(2021, 11, 18), D(2021, 11, 17)),
    # 31.10.2022 is a Monday: Reformationstag in SN and HB → Fri 28.10.
    ("SN Reformationstag", "SN", (), D(2022, 11, 1), D(2022, 10, 28)),
    ("HB Reformationstag (seit 2018)", "HB", (), D(2022, 11, 1), D(2022, 10, 28)),
    # 31.10.2023 is a Tuesday: Reformationstag in NI and HH → Mon 30.10.
    ("NI Reformationstag", "NI", (), D(2023, 11, 1), D(2023, 10, 30)),
    ("HH Reformationstag", "HH", (), D(2023, 11, 1), D(2023, 10, 30)),
    # 31.10.2024 is a Thursday: Reformationstag in BB → Wed 30.10.
    ("BB Reformationstag", "BB", (), D(2024, 11, 1), D(2024, 10, 30)),
    # 31.10.2025 is a Friday: Reformationstag in SH → Thu 30.10.
    ("SH Reformationstag", "SH", (), D(2025, 11, 3), D(2025, 10, 30)),
    # 01.11.2024 is a Friday: Allerheiligen in RP (no Reformationstag there) → Thu 31.10.
    ("RP Allerheiligen", "RP", (), D(2024, 11, 4), D(2024, 10, 31)),
    # 31.10.2017 (Tue) was a holiday in every state (500 years of the Reformation) → Mon 30.10.
    ("HE Reformationstag 2017 bundesweit", "HE", (), D(2017, 11, 1), D(2017, 10, 30)),
    # 16.06.2022 is a Thursday (Easter 17.04. + 60): Fronleichnam in Saxony and Thuringia
    # only in catholic municipalities; in Hessen everywhere
    ("SN ohne Kategorie: Fronleichnam Arbeitstag", "SN", (), D(2022, 6, 17), D(2022, 6, 16)),
    ("SN katholisch: Fronleichnam", "SN", ("catholic",), D(2022, 6, 17), D(2022, 6, 15)),
    ("TH ohne Kategorie: Fronleichnam Arbeitstag", "TH", (), D(2022, 6, 17), D(2022, 6, 16)),
    ("TH katholisch: Fronleichnam", "TH", ("catholic",), D(2022, 6, 17), D(2022, 6, 15)),
    ("HE Fronleichnam", "HE", (), D(2022, 6, 17), D(2022, 6, 15)),
]


@pytest.mark.parametrize(
    ("why", "state", "categories", "meeting_day", "expected"),
    STATE_CASES,
    ids=[c[0] for c in STATE_CASES],
)
def test_holidays_of_every_state(
    why: str, state: str, categories: tuple[str, ...], meeting_day: date, expected: date
) -> None:
    calendar = make_calendar(state, categories=categories)
    assert calendar.shift_working_days(meeting_day, -1) == expected, why


def test_every_state_is_covered_with_its_categories() -> None:
    states = {c[1] for c in STATE_CASES}
    assert states == {
        "BW", "BY", "BE", "BB", "HB", "HH", "HE", "MV", "NI", "NW", "RP", "SL", "SN", "ST",
        "SH", "TH",
    }  # fmt: skip
    assert {cat for c in STATE_CASES for cat in c[2]} == {"catholic", "augsburg"}


def test_holiday_names_and_werktage() -> None:
    augsburg = make_calendar("BY", categories=["augsburg"])
    assert augsburg.holiday_name(D(2022, 8, 8)) == "Augsburger Hohes Friedensfest"
    assert make_calendar("TH").holiday_name(D(2021, 9, 20)) == "Weltkindertag"
    assert make_calendar("BE").holiday_name(D(2021, 3, 8)) == "Frauentag"
    # Rosenmontag 15.02.2021: the Rhenish office is closed, but it is a Werktag in law;
    # Saturday 13.02. is a Werktag, Sunday 14.02. is not
    assert not RHEIN.is_working_day(D(2021, 2, 15)) and RHEIN.is_werktag(D(2021, 2, 15))
    assert RHEIN.is_werktag(D(2021, 2, 13)) and not RHEIN.is_werktag(D(2021, 2, 14))
    assert not OFFICE.is_werktag(D(2021, 6, 3))  # Fronleichnam


def test_one_calendar_per_key() -> None:
    """Bodies sharing (state, categories, closed days, recess) share one calendar object
    and its day cache: the lookup is per key, not per deadline row."""
    assert make_calendar("BY", ["24.12."], ["catholic"]) is make_calendar(
        "BY", ("24.12.",), ("catholic",)
    )
    assert make_calendar("BY") is not make_calendar("BY", categories=["catholic"])


@pytest.mark.parametrize(
    ("state", "categories", "message"),
    [
        ("NW", ["catholic"], "gilt nur in BY, SN, TH, nicht in NW"),
        ("SN", ["augsburg"], "gilt nur in BY, nicht in SN"),
        ("BY", ["evangelisch"], "Feiertagskategorie 'evangelisch'"),
    ],
)
def test_a_category_that_means_nothing_is_refused(
    state: str, categories: list[str], message: str
) -> None:
    from models.domain.errors import InvalidInput

    with pytest.raises(InvalidInput, match=message):
        make_calendar(state, categories=categories)
