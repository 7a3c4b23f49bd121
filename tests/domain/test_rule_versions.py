"""Rule versions (issue 18, item 4): a deadline is computed by the version of the rules of
procedure valid on its anchor's day (Berlin), and its explanation names that version.

The dates are worked out by hand from the wording of the shipped example
models/profiles/leverkusen_fassungen.toml: until 31.10.2020 (illustrative version of the term
2014–2020) "spätestens am 7. Tag vor der Sitzung", from 01.11.2020 (GO Leverkusen § 10 Abs. 1)
"spätestens am 6. Tag vor der Sitzung"; a weekend, an NRW holiday or a closed day (24.12.,
31.12., Rosenmontag) moves the end to the working day before. The receipt and decision anchors
are checked on profiles made here from erfurt.toml and default.toml with a version each.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time
from typing import Any

import pytest

from models.domain.deadlines import next_reachable
from models.domain.explain import explain_due
from models.domain.planning import (
    ConsultationFacts,
    PaperFacts,
    PlannedDeadline,
    keeps_its_rules,
    plan,
)
from models.domain.rules import RuleError, RuleSet, ruleset_from
from models.domain.timeutil import BERLIN, to_local
from models.store.profiles import PROFILES, load_profile

D = date
V2014 = "GO Wahlperiode 2014–2020 (illustrativ)"
V2020 = "GO Wahlperiode 2020–2025"


def at(day: date, hour: int = 17, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=BERLIN)


def end(day: date) -> datetime:
    return datetime.combine(day, time(23, 59, 59), tzinfo=BERLIN)


# (why, meeting, version that applies, expected Antragsfrist in Berlin)
ANTRAGSFRIST: list[tuple[str, datetime, str, datetime]] = [
    ("Fr 30.10.2020, alte Fassung: − 7 = Fr 23.10.", at(D(2020, 10, 30)), V2014,
     end(D(2020, 10, 23))),
    ("Sa 31.10.2020, Tag vor valid_from: − 7 = Sa 24.10. → Fr 23.10.", at(D(2020, 10, 31)),
     V2014, end(D(2020, 10, 23))),
    ("Sa 31.10.2020 23:30 (22:30 UTC): noch die alte Fassung", at(D(2020, 10, 31), 23, 30),
     V2014, end(D(2020, 10, 23))),
    ("So 01.11.2020 (valid_from, Allerheiligen) 00:30 = 31.10. 23:30 UTC: neue Fassung, "
     "− 6 = Mo 26.10.", at(D(2020, 11, 1), 0, 30), V2020, end(D(2020, 10, 26))),
    ("Mo 02.11.2020, Tag nach valid_from: − 6 = Di 27.10.", at(D(2020, 11, 2)), V2020,
     end(D(2020, 10, 27))),
    ("Fr 06.11.2020: − 6 = Sa 31.10. → Fr 30.10.", at(D(2020, 11, 6)), V2020,
     end(D(2020, 10, 30))),
    ("Sa 07.11.2020: − 6 = So 01.11. (Allerheiligen) → Fr 30.10.", at(D(2020, 11, 7)), V2020,
     end(D(2020, 10, 30))),
    ("Fr 13.11.2020: − 6 = Sa 07.11. → Fr 06.11.", at(D(2020, 11, 13)), V2020,
     end(D(2020, 11, 6))),
    ("Mi 30.12.2020: − 6 = Do 24.12. (geschlossen) → Mi 23.12.", at(D(2020, 12, 30)), V2020,
     end(D(2020, 12, 23))),
    ("So 21.02.2021: − 6 = Rosenmontag 15.02. (geschlossen) → Fr 12.02.", at(D(2021, 2, 21)),
     V2020, end(D(2021, 2, 12))),
    ("Mo 02.06.2014, erste Fassung: − 7 = Mo 26.05.2014", at(D(2014, 6, 2)), V2014,
     end(D(2014, 5, 26))),
    ("Di 20.05.2014, vor der ersten Fassung: die erste gilt, − 7 = Di 13.05.", at(D(2014, 5, 20)),
     V2014, end(D(2014, 5, 13))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("meeting", "version", "due"),
    [c[1:] for c in ANTRAGSFRIST],
    ids=[c[0] for c in ANTRAGSFRIST],
)
def test_the_antragsfrist_follows_the_version_valid_on_the_meeting_day(
    meeting: datetime, version: str, due: datetime
) -> None:
    rules = load_profile("leverkusen_fassungen")
    explained = explain_due(rules, "antragsfrist", meeting)
    assert explained is not None
    assert to_local(explained.due) == due
    assert explained.explanation.version == version
    assert explained.explanation.as_dict()["version"] == version
    assert f"Fassung „{version}“" in explained.explanation.steps[0]


def versioned(base: str, versions: list[dict[str, Any]], name: str = "test.toml") -> RuleSet:
    data = tomllib.loads((PROFILES / f"{base}.toml").read_text(encoding="utf-8"))
    data["versions"] = versions
    return ruleset_from(data, name, name)


def erfurt_versions() -> RuleSet:
    """Erfurt ("Die Beantwortungsfrist beträgt zwei Wochen") with a made-up later version of
    three weeks from 01.07.2024."""
    return versioned(
        "erfurt",
        [
            {"version": "GO 2019", "valid_from": D(2019, 7, 1)},
            {
                "version": "GO 2024",
                "valid_from": D(2024, 7, 1),
                "deadlines": {"anfrage_antwort": {"offset": 3, "source": "GO 2024 (Test)"}},
            },
        ],
    )


def default_versions() -> RuleSet:
    """The default profile's Wiedervorlage ("3 Monate nach dem Beschluss") made 2 months by a
    version from 01.11.2020."""
    return versioned(
        "default",
        [
            {"version": "alt", "valid_from": D(2014, 6, 1), "valid_until": D(2020, 10, 31)},
            {
                "version": "neu",
                "valid_from": D(2020, 11, 1),
                "deadlines": {"wiedervorlage": {"offset": 2}},
            },
        ],
    )


# (why, profile, rule, anchor, version, expected due)
OTHER_ANCHORS: list[tuple[str, str, str, datetime, str, datetime]] = [
    ("Eingang So 30.06.2024 (TH) + 2 Wochen = So 14.07. → Mo 15.07.", "erfurt",
     "anfrage_antwort", at(D(2024, 6, 30), 11), "GO 2019", end(D(2024, 7, 15))),
    ("Eingang Mo 01.07.2024 + 3 Wochen = Mo 22.07.", "erfurt", "anfrage_antwort",
     at(D(2024, 7, 1), 11), "GO 2024", end(D(2024, 7, 22))),
    ("Eingang Mo 02.09.2024 + 3 Wochen = Mo 23.09. (20.09. Weltkindertag liegt davor)",
     "erfurt", "anfrage_antwort", at(D(2024, 9, 2), 11), "GO 2024", end(D(2024, 9, 23))),
    ("Beschlusssitzung Do 29.10.2020 + 3 Monate = Fr 29.01.2021", "default", "wiedervorlage",
     at(D(2020, 10, 29)), "alt", end(D(2021, 1, 29))),
    ("Beschlusssitzung Di 03.11.2020 + 2 Monate = So 03.01.2021 → Mo 04.01.", "default",
     "wiedervorlage", at(D(2020, 11, 3)), "neu", end(D(2021, 1, 4))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("profile", "rule", "anchor", "version", "due"),
    [c[1:] for c in OTHER_ANCHORS],
    ids=[c[0] for c in OTHER_ANCHORS],
)
def test_receipt_and_decision_anchors_choose_their_version(
    profile: str, rule: str, anchor: datetime, version: str, due: datetime
) -> None:
    rules = erfurt_versions() if profile == "erfurt" else default_versions()
    explained = explain_due(rules, rule, anchor)
    assert explained is not None
    assert (to_local(explained.due), explained.explanation.version) == (due, version)


def test_planning_computes_each_anchor_by_its_version() -> None:
    """One motion with two consultations: the Antragsfrist is for the meeting named at intake
    (Sa 31.10.2020: old version), the Stellungnahme for the current one (Mo 02.11.2020)."""
    rules = load_profile("leverkusen_fassungen")
    facts = PaperFacts(
        paper_type="Antrag",
        state="scheduled",
        received_at=at(D(2020, 10, 1), 9),
        has_questions=True,
        consultations=(
            ConsultationFacts(1, 1, "Rat", 1, at(D(2020, 10, 31)), False, True),
            ConsultationFacts(2, 2, "Rat", 2, at(D(2020, 11, 2)), False, False),
        ),
    )
    planned = {p.rule: p for p in plan(facts, rules)}
    assert to_local(planned["antragsfrist"].due) == end(D(2020, 10, 23))
    assert "7. Tag vor der Sitzung" in planned["antragsfrist"].description
    # 3 Arbeitstage vor Mo 02.11., 12 Uhr: Fr 30.10., Do 29.10., Mi 28.10. (both versions)
    assert to_local(planned["stellungnahme"].due) == at(D(2020, 10, 28), 12)


def test_a_settled_deadline_is_held_to_its_own_version_until_its_facts_change() -> None:
    """An Antragsfrist planned for Sa 31.10.2020 by the old version (− 7 = Fr 23.10.) that a
    re-plan now finds anchored Fr 06.11. (the meeting moved) is no longer what its version
    gives: it is planned anew. Anchored where it was, it keeps its version, whatever the
    version in force says; one naming no version the profile knows is held to any version
    that gives its date; a profile without versions holds nothing."""
    rules = load_profile("leverkusen_fassungen")
    facts = PaperFacts("Antrag", "submitted", at(D(2020, 10, 1), 9), False, ())
    planned = next(p for p in _planned(rules, at(D(2020, 10, 31))) if p.rule == "antragsfrist")
    due = planned.due
    held = {"version": V2014, "rules_due": due}
    assert rules.named(V2014) is not None and rules.named("GO 1999") is None
    assert keeps_its_rules(rules, planned, facts, **held)
    moved = next(p for p in _planned(rules, at(D(2020, 11, 6))) if p.rule == "antragsfrist")
    assert not keeps_its_rules(rules, moved, facts, **held)
    # named by no version the profile knows: held to whichever version gives its date
    assert keeps_its_rules(rules, planned, facts, version="GO 1999", rules_due=due)
    assert keeps_its_rules(rules, planned, facts, version=None, rules_due=due)
    assert not keeps_its_rules(rules, moved, facts, version=None, rules_due=due)
    assert not keeps_its_rules(
        load_profile("leverkusen"), planned, facts, version=V2014, rules_due=due
    )


def _planned(rules: RuleSet, meeting: datetime) -> list[PlannedDeadline]:
    facts = PaperFacts(
        paper_type="Antrag",
        state="submitted",
        received_at=at(D(2020, 10, 1), 9),
        has_questions=False,
        consultations=(ConsultationFacts(1, 1, "Rat", 1, meeting, False, False),),
    )
    return plan(facts, rules)


def test_a_late_motion_reaches_a_later_meeting_by_that_meetings_version() -> None:
    """Received Di 27.10.2020 10:00, too late for its meeting. Fr 30.10. (old version: − 7 =
    Fr 23.10.) is out of reach too; Mo 02.11. (new version: − 6 = Di 27.10.) is reachable,
    which the old version (− 7 = Mo 26.10.) would have denied."""
    rules = load_profile("leverkusen_fassungen")
    starts = [at(D(2020, 10, 30)), at(D(2020, 11, 2))]
    found = next_reachable(at(D(2020, 10, 27), 10), "antragsfrist", starts, rules)
    assert found == at(D(2020, 11, 2))


def test_a_profile_without_versions_is_one_version_forever() -> None:
    rules = load_profile("leverkusen")
    assert rules.versions == ()
    assert rules.at(at(D(2001, 1, 1))) is rules
    explained = explain_due(rules, "antragsfrist", at(D(2020, 11, 2)))
    assert explained is not None
    assert explained.explanation.version is None
    assert not explained.explanation.steps[0].startswith("Fassung")


def test_the_newest_version_describes_the_profile_and_roles_cover_all() -> None:
    rules = load_profile("leverkusen_fassungen")
    assert rules.profile.profile.version == V2020
    assert rules.profile.deadlines["antragsfrist"].offset == -6
    assert [(v.name, v.period()) for v in rules.versions] == [
        (V2014, "01.06.2014–31.10.2020"),
        (V2020, "ab 01.11.2020"),
    ]
    assert rules.versions[1].changed == ("antragsfrist",)
    # another municipality's calendar keeps the versions
    elsewhere = rules.for_municipality("BY", ("catholic",))
    assert elsewhere.at(at(D(2020, 10, 1))).calendar is elsewhere.calendar
    assert elsewhere.at(at(D(2020, 10, 1))).profile.deadlines["antragsfrist"].offset == -7


# (why, versions, the one error line)
BAD: list[tuple[str, list[dict[str, Any]], str]] = [
    (
        "overlap",
        [
            {"version": "A", "valid_from": D(2014, 6, 1), "valid_until": D(2020, 11, 30)},
            {"version": "B", "valid_from": D(2020, 11, 1)},
        ],
        "test.toml: versions.1.valid_from: 01.11.2020 überschneidet sich mit 'A' (gültig bis "
        "30.11.2020); Fassungen nach Beginn geordnet angeben",
    ),
    (
        "out of order",
        [
            {"version": "A", "valid_from": D(2020, 11, 1)},
            {"version": "B", "valid_from": D(2014, 6, 1)},
        ],
        "test.toml: versions.1.valid_from: 01.06.2014 überschneidet sich mit 'A'; Fassungen "
        "nach Beginn geordnet angeben",
    ),
    (
        "gap",
        [
            {"version": "A", "valid_from": D(2014, 6, 1), "valid_until": D(2020, 10, 30)},
            {"version": "B", "valid_from": D(2020, 11, 2)},
        ],
        "test.toml: versions.1.valid_from: Lücke 31.10.2020–01.11.2020 nach 'A' (gültig bis "
        "30.10.2020): keine Fassung gilt dann",
    ),
    (
        "unknown rule",
        [
            {"version": "A", "valid_from": D(2014, 6, 1)},
            {"version": "B", "valid_from": D(2020, 11, 1), "deadlines": {"antragsfirst": {}}},
        ],
        "test.toml: versions.1.deadlines.antragsfirst: unbekannte Regel (bekannt: antragsfrist, "
        "anfragefrist, ladung, stellungnahme, beantwortung, sitzung, niederschrift, "
        "wiedervorlage)",
    ),
    (
        "bad field",
        [{"version": "A", "valid_from": D(2014, 6, 1), "deadlines": {"ladung": {"ofset": 1}}}],
        "test.toml: versions.0.deadlines.ladung.ofset: Extra inputs are not permitted",
    ),
    (
        "anchor changed",
        [
            {
                "version": "A",
                "valid_from": D(2014, 6, 1),
                "deadlines": {"wiedervorlage": {"anchor": "receipt"}},
            }
        ],
        "test.toml: versions.0.deadlines.wiedervorlage.anchor: eine Fassung ändert Art und Anker "
        "einer Regel nicht (der Anker wählt die Fassung); eine neue Regel anlegen",
    ),
    (
        "newest closed",
        [{"version": "A", "valid_from": D(2014, 6, 1), "valid_until": D(2020, 10, 31)}],
        "test.toml: versions.0.valid_until: die neueste Fassung gilt, bis eine neue sie ablöst "
        "(valid_until weglassen, die neue Fassung als [[versions]] anfügen)",
    ),
    (
        "no valid_from",
        [{"version": "A"}],
        "test.toml: versions.0.valid_from: Field required",
    ),
]


@pytest.mark.parametrize(("versions", "line"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_versions_are_one_line_with_file_and_field(
    versions: list[dict[str, Any]], line: str
) -> None:
    with pytest.raises(RuleError) as caught:
        versioned("default", versions)
    assert str(caught.value) == line
