"""Rule profiles on disk: every shipped profile loads and cites its sources, the real ones hold
their numbers, a broken file names the key, a custom file is used."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from models.domain.rules import RuleError, Unit, due_date
from models.domain.timeutil import BERLIN
from models.store.profiles import load_profile, shipped_profiles

D = date


def meeting(day: date, at: time = time(17, 0)) -> datetime:
    return datetime.combine(day, at, tzinfo=BERLIN)


def test_the_example_gets_its_deadlines_from_the_default_profile() -> None:
    rules = load_profile("default")
    start = meeting(D(2021, 6, 15))
    due = {name: due_date(r, start, rules.calendar) for name, r in rules.profile.deadlines.items()}
    local = {name: d.astimezone(BERLIN).strftime("%d.%m.%Y %H:%M") for name, d in due.items()}
    assert local["antragsfrist"] == "08.06.2021 23:59"  # 7th day before the session
    assert local["ladung"] == "07.06.2021 23:59"  # 7 full days: 08.–14.06.
    assert local["stellungnahme"] == "10.06.2021 12:00"  # Do, Fr, Mo before Di 15.06.
    assert local["sitzung"] == "15.06.2021 17:00"
    received = datetime(2021, 6, 7, tzinfo=BERLIN)
    assert received <= due["antragsfrist"]  # in time, as the profile's rule has it


@pytest.mark.parametrize("name", shipped_profiles())
def test_every_shipped_profile_loads_and_cites_its_sources(name: str) -> None:
    rules = load_profile(name)
    assert rules.profile.deadlines
    kinds = {r.kind.value for r in rules.profile.deadlines.values()}
    assert {
        "proposal",
        "invitation",
        "report",
        "session",
        "minutes",
        "implementation",
        "answer",
    } <= kinds
    if name != "default":
        cites = ("GO", "GeschO", "GemO", "§")
        assert any(
            r.source and any(c in r.source for c in cites) for r in rules.profile.deadlines.values()
        ), "an example profile cites its Geschäftsordnung"


def test_shipped_real_profiles_hold_their_numbers() -> None:
    assert load_profile("leverkusen").profile.deadlines["antragsfrist"].offset == -6
    bonn = load_profile("bonn").profile.deadlines
    assert (bonn["ladung"].offset, bonn["ladung"].unit) == (-14, Unit.days)
    assert (bonn["stellungnahme"].offset, bonn["stellungnahme"].unit) == (-8, Unit.days)
    wesel = load_profile("wesel").profile.deadlines["ladung"]
    assert (wesel.offset, wesel.unit) == (-8, Unit.full_days)
    mettmann = load_profile("mettmann").profile.deadlines["ladung"]
    assert (mettmann.offset, mettmann.unit) == (-10, Unit.full_days)
    waldbroel = load_profile("waldbroel").profile.deadlines["anfragefrist"]
    assert (waldbroel.offset, waldbroel.unit) == (-2, Unit.working_days)


def _profile(tmp_path: Path, text: str) -> str:
    path = tmp_path / "go.toml"
    path.write_text(text, encoding="utf-8")
    return str(path)


GOOD = """
[profile]
name = "Test"
[deadlines.stellungnahme]
kind = "report"
anchor = "meeting"
offset = -3
unit = "working_days"
responsible = "fachamt"
"""


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            GOOD.replace('unit = "working_days"', 'unit = "stunden"'),
            "go.toml: deadlines.stellungnahme.unit:",
        ),
        (
            GOOD.replace("offset = -3", 'offset = "drei"'),
            "go.toml: deadlines.stellungnahme.offset:",
        ),
        (
            GOOD.replace('kind = "report"', 'kind = "bericht"'),
            "go.toml: deadlines.stellungnahme.kind:",
        ),
        (
            GOOD.replace('responsible = "fachamt"', ""),
            "go.toml: deadlines.stellungnahme.responsible:",
        ),
        (
            GOOD + 'on_closed_day = "next"\n',
            "go.toml: deadlines.stellungnahme: on_closed_day = 'next'",
        ),
        (GOOD + "farbe = 1\n", "go.toml: deadlines.stellungnahme.farbe:"),
        (
            GOOD.replace('name = "Test"', 'name = "Test"\nstate = "XX"'),
            "go.toml: profile.state: unbekanntes Bundesland",
        ),
        (
            GOOD.replace('name = "Test"', 'name = "Test"\nclosed_days = ["32.12."]'),
            "go.toml: profile.closed_days:",
        ),
        (
            GOOD.replace("[deadlines.stellungnahme]", "[deadlines.Stellung-nahme]"),
            "go.toml: deadlines: Regelname",
        ),
        (GOOD.replace('name = "Test"', 'name = "Test'), "go.toml: "),
        ("[profile]\nname = 'x'\n", "go.toml: deadlines:"),
    ],
)
def test_broken_profiles_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(RuleError) as info:
        load_profile(_profile(tmp_path, text))
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_profile_name_lists_the_shipped_ones() -> None:
    with pytest.raises(RuleError, match="leverkusen"):
        load_profile("gibtsnicht")


def test_a_custom_profile_file_is_used(tmp_path: Path) -> None:
    rules = load_profile(_profile(tmp_path, GOOD))
    assert rules.name == "Test"
    due = due_date(rules.profile.deadlines["stellungnahme"], meeting(D(2021, 6, 8)), rules.calendar)
    assert due.astimezone(BERLIN).date() == D(2021, 6, 2)
    assert due - timedelta(0) == due


def test_a_profile_on_a_bodys_own_calendar_is_cached_by_key() -> None:
    """A Kreis profile used by a Bavarian and a Saxon body: the rules stay, the holidays are
    the body's; the same key gives the same object (no lookup per deadline row)."""
    from datetime import date

    from models.store.profiles import load_profile_for

    augsburg = load_profile_for("bayern_stadtrat", "BY", ("augsburg",))
    assert augsburg is load_profile_for("bayern_stadtrat", "BY", ("augsburg",))
    assert augsburg.profile is load_profile("bayern_stadtrat").profile
    # 08.08.2022 (Mon): Friedensfest in Augsburg only
    assert augsburg.calendar.holiday_name(date(2022, 8, 8)) == "Augsburger Hohes Friedensfest"
    assert load_profile("bayern_stadtrat").calendar.holiday_name(date(2022, 8, 8)) is None
    # 17.11.2021 (Wed): Buß- und Bettag for a Saxon body on the default profile
    saxon = load_profile_for("default", "SN")
    assert saxon.calendar.holiday_name(date(2021, 11, 17)) == "Buß- und Bettag"
    assert load_profile_for("default") is load_profile("default")
