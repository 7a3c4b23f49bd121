"""Deadline edges found wrong (issue 18): the end of a deadline day, the Wiedervorlage's anchor,
and the rule in words."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from models.domain.rules import Anchor, Rule, Unit, describe_rule, in_time
from models.domain.timeutil import BERLIN
from tests.conftest import EXAMPLE
from tests.services.test_deadlines import REF, _deadlines, _import, _step, at


def test_a_deadline_day_runs_to_the_next_midnight() -> None:
    due = datetime(2021, 6, 8, 23, 59, 59, tzinfo=BERLIN)
    assert in_time(datetime(2021, 6, 8, 23, 59, 59, 500_000, tzinfo=BERLIN), due)
    assert not in_time(datetime(2021, 6, 9, 0, 0, 0, tzinfo=BERLIN), due)
    session = datetime(2021, 6, 15, 17, 0, tzinfo=BERLIN)  # a deadline at a time of day
    assert in_time(session, session)
    assert not in_time(datetime(2021, 6, 15, 17, 0, 0, 1, tzinfo=BERLIN), session)


def test_a_motion_in_the_last_second_of_the_cut_off_day_is_in_time(engine: Engine) -> None:
    """The Antragsfrist ends 08.06.2021 (7th day before the session on 15.06.)."""
    verdict = _import(engine, EXAMPLE.read_bytes(), received="2021-06-08T23:59:59.500")
    assert verdict is not None and verdict.in_time, verdict and verdict.sentence()


def test_the_wiedervorlage_counts_from_the_session_not_from_the_entry(engine: Engine) -> None:
    """Decided in the session of 15.06.2021, entered on Monday 21.06.: three months after the
    decision is 15.09.2021, not 21.09."""
    _import(engine, EXAMPLE.read_bytes())
    _step(engine, "place_on_agenda", "2021-06-07T14:00", item_number="5")
    _step(engine, "decide", "2021-06-21T09:00", result="beschlossen")
    due = datetime.fromisoformat(_deadlines(engine, "2021-06-22T08:00")["implementation"]["due"])
    assert due.date().isoformat() == "2021-09-15"
    assert REF


def test_one_is_singular_in_the_rule_in_words() -> None:
    def words(offset: int, unit: Unit) -> str:
        rule = Rule(
            kind="invitation",
            label="x",
            anchor=Anchor.meeting,
            offset=offset,
            unit=unit,
            responsible="sitzungsdienst",
        )
        return describe_rule(rule)

    assert words(-1, Unit.working_days) == "1 Arbeitstag vor der Sitzung"
    assert words(-2, Unit.working_days) == "2 Arbeitstage vor der Sitzung"
    assert words(1, Unit.days) == "1 Tag nach der Sitzung"
    assert words(-1, Unit.full_days) == "1 voller Tag vor der Sitzung"
    assert words(1, Unit.months) == "1 Monat nach der Sitzung"
    assert words(-6, Unit.days) == "6. Tag vor der Sitzung"


def test_a_profile_whose_antragsfrist_ends_after_its_invitation_says_so() -> None:
    """Bonn: Antragsfrist on the 7th day before the session, invitation 14 days before."""
    from models.domain.profile_checks import order_warnings
    from models.store.profiles import load_profile

    (antrag, anfrage, bericht) = order_warnings(load_profile("bonn"), at("2026-11-30T08:00"))
    assert antrag.startswith("antragsfrist (Antragsfrist) endet bis zu 7 Tage nach ladung")
    assert "nur als Nachtrag" in antrag
    assert anfrage.startswith("anfragefrist")
    # Stellungnahme 8 days before, invitation 14 days before: 6 days, 7 with a closed day
    # (Rosenmontag, 24.12., 31.12.) moving the invitation one day earlier
    assert bericht.startswith("stellungnahme (Stellungnahme der Verwaltung) endet bis zu 7 Tage")


def test_a_profile_whose_antragsfrist_ends_before_its_invitation_gives_no_hint(
    tmp_path: Path,
) -> None:
    from models.domain.profile_checks import order_warnings
    from models.store.profiles import PROFILES, load_profile

    text = (PROFILES / "default.toml").read_text(encoding="utf-8")
    early = text.replace('offset = -7\nunit = "days"', 'offset = -12\nunit = "days"', 1)
    early = early.replace(  # the Anfragefrist and the Stellungnahme
        'offset = -3\nunit = "working_days"', 'offset = -10\nunit = "working_days"'
    )
    assert early != text
    path = tmp_path / "frueh.toml"
    path.write_text(early, encoding="utf-8")
    assert order_warnings(load_profile(str(path)), at("2026-11-30T08:00")) == []
