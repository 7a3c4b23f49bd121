"""Which `now` a sweep runs as of: the scheduled time for a scheduled run, even when the
worker starts it early; the clock for a manual run; an explicit now above both."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flows.sweep import sweep_instant
from models.domain.timeutil import BERLIN

SEVEN = datetime(2026, 11, 30, 7, 0, tzinfo=BERLIN)
EARLY = SEVEN - timedelta(seconds=9)  # what the worker did: 06:59:51


def test_a_scheduled_run_started_early_sweeps_as_of_its_scheduled_time() -> None:
    instant = sweep_instant(None, SEVEN, True, EARLY)
    assert (instant.now, instant.source) == (SEVEN.astimezone(UTC), "Zeitplan")


def test_a_scheduled_run_started_a_little_late_still_sweeps_as_of_its_time() -> None:
    instant = sweep_instant(None, SEVEN, True, SEVEN + timedelta(minutes=3))
    assert instant.now == SEVEN


def test_a_scheduled_run_hours_late_sweeps_as_of_the_clock() -> None:
    late = SEVEN + timedelta(hours=3)
    assert sweep_instant(None, SEVEN, True, late).now == late


def test_a_manual_run_sweeps_as_of_the_clock_not_its_creation_time() -> None:
    instant = sweep_instant(None, EARLY, False, SEVEN)
    assert (instant.now, instant.source) == (SEVEN, "Uhr")


def test_an_explicit_now_wins_over_schedule_and_clock() -> None:
    replay = datetime(2021, 6, 11, 7, 5, tzinfo=BERLIN)
    instant = sweep_instant(replay, SEVEN, True, EARLY)
    assert (instant.now, instant.source) == (replay, "Parameter")
    assert instant.now.tzinfo is UTC


def test_outside_a_flow_run_it_is_the_clock() -> None:
    instant = sweep_instant(None, None, False, SEVEN)
    assert instant.source == "Uhr"
