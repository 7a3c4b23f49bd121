"""Deadline arithmetic against dates checked by hand on the 2021/22 calendar, across daylight
saving, and properties that must hold on every day of the year."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from models.domain.calendar import WorkCalendar, make_calendar
from models.domain.rules import Rule, Unit, due_date
from models.domain.timeutil import BERLIN

NW = make_calendar("NW")  # public holidays only
OFFICE = make_calendar("NW", ["24.12.", "31.12."])  # the default profile's office
RHEIN = make_calendar("NW", ["24.12.", "31.12.", "rosenmontag"])


def rule(offset: int, unit: str, closed: str = "previous", cutoff: object = None) -> Rule:
    return Rule(
        kind="report",
        anchor="meeting",
        offset=offset,
        unit=unit,
        on_closed_day=closed,
        cutoff=cutoff,
        responsible="x",
    )


def meeting(day: date, at: time = time(17, 0)) -> datetime:
    return datetime.combine(day, at, tzinfo=BERLIN)


D = date
# (why, calendar, rule, meeting day, expected due day in Berlin). Each checked on a calendar.
CASES: list[tuple[str, WorkCalendar, Rule, date, date]] = [
    # working days
    (
        "3 AT vor Di 08.06.21 über Fronleichnam 03.06.",
        OFFICE,
        rule(-3, "working_days"),
        D(2021, 6, 8),
        D(2021, 6, 2),
    ),
    (
        "2 AT vor Mo 07.06.21: Fr 04., Fronleichnam, Mi 02.",
        OFFICE,
        rule(-2, "working_days"),
        D(2021, 6, 7),
        D(2021, 6, 2),
    ),
    (
        "1 AT vor Fr 04.06.21: Do 03. Feiertag",
        OFFICE,
        rule(-1, "working_days"),
        D(2021, 6, 4),
        D(2021, 6, 2),
    ),
    (
        "1 AT vor Di 06.04.21: Ostermontag, Karfreitag",
        OFFICE,
        rule(-1, "working_days"),
        D(2021, 4, 6),
        D(2021, 4, 1),
    ),
    (
        "3 AT vor Di 06.04.21 über Ostern",
        OFFICE,
        rule(-3, "working_days"),
        D(2021, 4, 6),
        D(2021, 3, 30),
    ),
    (
        "3 AT vor Di 04.01.22 über Neujahr und 31.12.",
        OFFICE,
        rule(-3, "working_days"),
        D(2022, 1, 4),
        D(2021, 12, 29),
    ),
    (
        "1 AT vor Mo 27.12.21: 24.12. geschlossen",
        OFFICE,
        rule(-1, "working_days"),
        D(2021, 12, 27),
        D(2021, 12, 23),
    ),
    (
        "1 AT vor Mo 27.12.21 ohne Schließtage: 24.12. ist AT",
        NW,
        rule(-1, "working_days"),
        D(2021, 12, 27),
        D(2021, 12, 24),
    ),
    (
        "1 AT vor Di 16.02.21: Rosenmontag geschlossen",
        RHEIN,
        rule(-1, "working_days"),
        D(2021, 2, 16),
        D(2021, 2, 12),
    ),
    (
        "1 AT vor Di 16.02.21 ohne Rosenmontag",
        NW,
        rule(-1, "working_days"),
        D(2021, 2, 16),
        D(2021, 2, 15),
    ),
    (
        "1 AT vor Di 02.11.21: Allerheiligen",
        OFFICE,
        rule(-1, "working_days"),
        D(2021, 11, 2),
        D(2021, 10, 29),
    ),
    (
        "1 AT vor Di 25.05.21: Pfingstmontag",
        OFFICE,
        rule(-1, "working_days"),
        D(2021, 5, 25),
        D(2021, 5, 21),
    ),
    (
        "1 AT vor Fr 14.05.21: Christi Himmelfahrt",
        OFFICE,
        rule(-1, "working_days"),
        D(2021, 5, 14),
        D(2021, 5, 12),
    ),
    (
        "2 AT vor Mo 03.05.21: 1. Mai ist Samstag",
        OFFICE,
        rule(-2, "working_days"),
        D(2021, 5, 3),
        D(2021, 4, 29),
    ),
    (
        "2 AT vor Do 17.06.21 (Waldbröl § 17)",
        RHEIN,
        rule(-2, "working_days"),
        D(2021, 6, 17),
        D(2021, 6, 15),
    ),
    # calendar days ("am N. Tag vor der Sitzung")
    ("7. Tag vor Di 15.06.21 (Standard)", OFFICE, rule(-7, "days"), D(2021, 6, 15), D(2021, 6, 8)),
    (
        "6. Tag vor Di 15.06.21 (Leverkusen § 10)",
        OFFICE,
        rule(-6, "days"),
        D(2021, 6, 15),
        D(2021, 6, 9),
    ),
    (
        "7. Tag vor Do 10.06.21 fällt auf Fronleichnam",
        OFFICE,
        rule(-7, "days"),
        D(2021, 6, 10),
        D(2021, 6, 2),
    ),
    (
        "7. Tag vor Mo 12.04.21 fällt auf Ostermontag",
        OFFICE,
        rule(-7, "days"),
        D(2021, 4, 12),
        D(2021, 4, 1),
    ),
    (
        "3. Tag vor Mo 03.01.22 fällt auf 31.12.",
        OFFICE,
        rule(-3, "days"),
        D(2022, 1, 3),
        D(2021, 12, 30),
    ),
    (
        "10. Tag vor Di 04.01.22 fällt auf 1. Weihnachtstag",
        OFFICE,
        rule(-10, "days"),
        D(2022, 1, 4),
        D(2021, 12, 23),
    ),
    (
        "8. Tag vor Di 23.02.21 fällt auf Rosenmontag",
        RHEIN,
        rule(-8, "days"),
        D(2021, 2, 23),
        D(2021, 2, 12),
    ),
    ("14. Tag vor Do 15.04.21 (Bonn § 2)", RHEIN, rule(-14, "days"), D(2021, 4, 15), D(2021, 4, 1)),
    ("14. Tag vor Di 20.04.21 (Bonn § 2)", RHEIN, rule(-14, "days"), D(2021, 4, 20), D(2021, 4, 6)),
    (
        "8 Tage vor Do 15.04.21, Stellungnahmen Bonn",
        RHEIN,
        rule(-8, "days"),
        D(2021, 4, 15),
        D(2021, 4, 7),
    ),
    (
        "keep: 7. Tag vor Mo 12.04.21 bleibt Ostermontag",
        OFFICE,
        rule(-7, "days", "keep"),
        D(2021, 4, 12),
        D(2021, 4, 5),
    ),
    # full days ("N volle Tage": neither day counts)
    (
        "8 volle Tage vor Do 17.06.21 (Wesel § 2)",
        OFFICE,
        rule(-8, "full_days"),
        D(2021, 6, 17),
        D(2021, 6, 8),
    ),
    (
        "10 volle Tage vor Di 15.06.21 (Mettmann)",
        RHEIN,
        rule(-10, "full_days"),
        D(2021, 6, 15),
        D(2021, 6, 4),
    ),
    (
        "7 volle Tage vor Di 15.06.21 (Standard)",
        OFFICE,
        rule(-7, "full_days"),
        D(2021, 6, 15),
        D(2021, 6, 7),
    ),
    (
        "7 volle Tage vor Fr 11.06.21 landet auf Fronleichnam",
        OFFICE,
        rule(-7, "full_days"),
        D(2021, 6, 11),
        D(2021, 6, 2),
    ),
    (
        "8 volle Tage vor Mi 07.04.21 über Ostern",
        OFFICE,
        rule(-8, "full_days"),
        D(2021, 4, 7),
        D(2021, 3, 29),
    ),
    # after the anchor
    (
        "3 Monate nach 15.06.21 (Wiedervorlage)",
        OFFICE,
        rule(3, "months", "next"),
        D(2021, 6, 15),
        D(2021, 9, 15),
    ),
    (
        "3 Monate nach 30.11.21: Monatsende",
        OFFICE,
        rule(3, "months", "next"),
        D(2021, 11, 30),
        D(2022, 2, 28),
    ),
    (
        "3 Monate nach 24.09.21 fällt auf 24.12.",
        OFFICE,
        rule(3, "months", "next"),
        D(2021, 9, 24),
        D(2021, 12, 27),
    ),
    (
        "28 Tage nach Di 07.12.21 (Niederschrift)",
        OFFICE,
        rule(28, "days", "next"),
        D(2021, 12, 7),
        D(2022, 1, 4),
    ),
    (
        "28 Tage nach Fr 03.12.21 fällt auf 31.12.",
        OFFICE,
        rule(28, "days", "next"),
        D(2021, 12, 3),
        D(2022, 1, 3),
    ),
    (
        "2 AT nach Do 23.12.21 über Weihnachten",
        OFFICE,
        rule(2, "working_days", "next"),
        D(2021, 12, 23),
        D(2021, 12, 28),
    ),
]


@pytest.mark.parametrize(
    ("why", "calendar", "the_rule", "meeting_day", "expected"), CASES, ids=[c[0] for c in CASES]
)
def test_known_dates(
    why: str, calendar: WorkCalendar, the_rule: Rule, meeting_day: date, expected: date
) -> None:
    due = due_date(the_rule, meeting(meeting_day), calendar).astimezone(BERLIN)
    assert due.date() == expected, why
    assert due.time() == time(23, 59, 59)


def test_there_are_at_least_thirty_known_dates() -> None:
    assert len(CASES) >= 30


# Daylight-saving switches of 2021: 28.03. (CET → CEST) and 31.10. (CEST → CET).
DST_CASES = [
    # (rule, meeting start in Berlin, expected due in UTC)
    (
        rule(0, "days", "keep", "anchor"),
        meeting(D(2021, 3, 29)),
        datetime(2021, 3, 29, 15, 0, tzinfo=UTC),
    ),
    (
        rule(0, "days", "keep", "anchor"),
        meeting(D(2021, 3, 26)),
        datetime(2021, 3, 26, 16, 0, tzinfo=UTC),
    ),
    # 3 working days before Wed 31.03. (CEST) is Fri 26.03. (CET): 12:00 CET = 11:00 UTC
    (
        rule(-3, "working_days", cutoff=time(12)),
        meeting(D(2021, 3, 31)),
        datetime(2021, 3, 26, 11, 0, tzinfo=UTC),
    ),
    # 3 working days before Tue 02.11. (CET), over Allerheiligen, is Wed 27.10. (CEST): 10:00 UTC
    (
        rule(-3, "working_days", cutoff=time(12)),
        meeting(D(2021, 11, 2)),
        datetime(2021, 10, 27, 10, 0, tzinfo=UTC),
    ),
    # 7th day before Thu 01.04. (CEST) is Thu 25.03. (CET): 23:59:59 CET = 22:59:59 UTC
    (rule(-7, "days"), meeting(D(2021, 4, 1)), datetime(2021, 3, 25, 22, 59, 59, tzinfo=UTC)),
    # 7th day before Sun 07.11.? a Sunday meeting at 11:00 (CET) → Sun 31.10. → Fri 29.10. (CEST)
    (
        rule(-7, "days"),
        meeting(D(2021, 11, 7), time(11)),
        datetime(2021, 10, 29, 21, 59, 59, tzinfo=UTC),
    ),
]


@pytest.mark.parametrize(("the_rule", "anchor", "expected"), DST_CASES)
def test_daylight_saving_switches(the_rule: Rule, anchor: datetime, expected: datetime) -> None:
    assert due_date(the_rule, anchor, OFFICE) == expected


@settings(max_examples=300, deadline=None)
@given(
    anchor_day=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    hour=st.integers(min_value=0, max_value=23),
    offset=st.integers(min_value=1, max_value=40),
    unit=st.sampled_from([u.value for u in Unit if u is not Unit.meetings]),
    cutoff=st.sampled_from([None, time(12, 0), time(0, 0)]),
    calendar=st.sampled_from([NW, OFFICE, RHEIN]),
)
def test_deadlines_before_land_on_a_working_day_and_never_after_the_anchor(
    anchor_day: date, hour: int, offset: int, unit: str, cutoff: time | None, calendar: WorkCalendar
) -> None:
    anchor = datetime.combine(anchor_day, time(hour), tzinfo=BERLIN)
    due = due_date(rule(-offset, unit, cutoff=cutoff), anchor, calendar)
    day = due.astimezone(BERLIN).date()
    # Werktage count Saturdays: such a deadline may end on one (never on a Sunday or holiday).
    assert calendar.is_werktag(day) if unit == "werktage" else calendar.is_working_day(day)
    assert due <= anchor


@settings(max_examples=200, deadline=None)
@given(
    anchor_day=st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31)),
    offset=st.integers(min_value=1, max_value=40),
    unit=st.sampled_from([u.value for u in Unit if u is not Unit.meetings]),
)
def test_deadlines_after_land_on_a_working_day_after_the_anchor(
    anchor_day: date, offset: int, unit: str
) -> None:
    anchor = datetime.combine(anchor_day, time(17), tzinfo=BERLIN)
    due = due_date(rule(offset, unit, "next"), anchor, OFFICE)
    day = due.astimezone(BERLIN).date()
    assert OFFICE.is_werktag(day) if unit == "werktage" else OFFICE.is_working_day(day)
    assert due > anchor
