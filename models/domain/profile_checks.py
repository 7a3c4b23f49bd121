"""Checks of a rules profile as a whole (not of one deadline): where two of its rules,
applied to the same meeting, contradict each other, and rules that cannot be computed at
all. Pure: the profile is loaded elsewhere (models.store.profiles) and the meetings tried
are made up here from `around`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from pathlib import PurePath

from models.domain.errors import RatsfristError
from models.domain.rules import Anchor, DeadlineKind, Rule, RuleSet, Unit, due_date
from models.domain.timeutil import local_datetime, to_local

#: How many consecutive days `around` a meeting is tried on: four weeks cover every
#: weekday and most holiday constellations a working-day rule reacts to.
DAYS_TRIED = 28


@dataclass(frozen=True)
class ProfileCheck:
    """What `ratsfrist rules --check` reports: warnings (the profile works but contradicts
    itself) and errors (a rule cannot be computed; exit code 2)."""

    warnings: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def check_profile(rules: RuleSet, around: datetime) -> ProfileCheck:
    """Errors first: a rule that cannot be computed makes the order checks meaningless for
    it, so those skip it. A profile with versions is checked version by version (each on
    the meetings from `around`: the arithmetic does not depend on the period), each line
    naming its version."""
    if not rules.versions:
        errors, broken = computation_errors(rules, around)
        return ProfileCheck(warnings=order_warnings(rules, around, skip=broken), errors=errors)
    found = ProfileCheck()
    for version in rules.versions:
        in_force = rules.at(version.valid_from)
        errors, broken = computation_errors(in_force, around, f"Fassung „{version.name}“: ")
        found.errors.extend(errors)
        found.warnings.extend(
            f"Fassung „{version.name}“: {w}" for w in order_warnings(in_force, around, broken)
        )
    return found


def _meetings(around: datetime) -> list[datetime]:
    first = to_local(around).date()
    return [local_datetime(first + timedelta(days=d), time(17, 0)) for d in range(DAYS_TRIED)]


def _before_meeting(rules: RuleSet, kind: DeadlineKind, skip: set[str]) -> list[tuple[str, Rule]]:
    return [
        (n, r)
        for n, r in rules.profile.deadlines.items()
        if r.anchor is Anchor.meeting
        and r.kind is kind
        and r.unit is not Unit.meetings
        and n not in skip
    ]


def order_warnings(
    rules: RuleSet, around: datetime, skip: set[str] | frozenset[str] = frozenset()
) -> list[str]:
    """Where an Antragsfrist ends after the invitation with its agenda must go out: a motion
    judged "in time" then reaches that agenda only as a Nachtrag (Bonn: 7th day before the
    session vs. invitation 14 days before; the default: one day). Likewise a Stellungnahme
    due after the invitation cannot go out with it. Staff should know the gap, so it is
    shown, in days, as the most any meeting in the 28 days from `around` has (working-day
    rules differ by weekday and holiday). Rules named in `skip` (not computable) are left
    out."""
    meetings = _meetings(around)
    invitations = _before_meeting(rules, DeadlineKind.invitation, set(skip))
    pairs = [
        (
            DeadlineKind.proposal,
            "was rechtzeitig eingeht, erreicht die Tagesordnung dann nur als Nachtrag",
        ),
        (DeadlineKind.report, "die Stellungnahme kann der Ladung dann nicht beiliegen"),
    ]
    warnings = []
    for kind, consequence in pairs:
        for name, rule in _before_meeting(rules, kind, set(skip)):
            for i_name, invitation in invitations:
                gap = max(
                    (
                        to_local(due_date(rule, m, rules.calendar)).date()
                        - to_local(due_date(invitation, m, rules.calendar)).date()
                    ).days
                    for m in meetings
                )
                if gap > 0:
                    days = "1 Tag" if gap == 1 else f"{gap} Tage"
                    warnings.append(
                        f"{name} ({rule.title}) endet bis zu {days} nach {i_name} "
                        f"({invitation.title}): {consequence}"
                    )
    return warnings


def computation_errors(
    rules: RuleSet, around: datetime, version: str = ""
) -> tuple[list[str], set[str]]:
    """One line per rule that fails for some anchor in the 28 days from `around` (an offset
    beyond the calendar, a meeting count no meeting can satisfy): the file, the rule's key
    and the anchor it failed on. Meeting counts are tried on a made-up weekly series of
    meetings for two years. Returns the lines and the names of the failing rules."""
    file = PurePath(rules.origin).name
    deadlines = rules.profile.deadlines
    anchors = _meetings(around)
    series = [anchors[0] + timedelta(weeks=w) for w in range(105)]
    errors: list[str] = []
    broken: set[str] = set()
    for name, rule in deadlines.items():
        counted = rule.unit is Unit.meetings
        lead = deadlines.get(rule.reachable_by) if rule.reachable_by else None
        for anchor in anchors:
            variants = (False, True) if rule.urgent is not None else (False,)
            try:
                for urgent in variants:
                    due_date(
                        rule,
                        anchor,
                        rules.calendar,
                        urgent=urgent,
                        meetings=series if counted else (),
                        lead=lead if counted else None,
                    )
            except (RatsfristError, ArithmeticError, ValueError) as exc:
                day = f"{to_local(anchor):%d.%m.%Y}"
                errors.append(
                    f"{file}: {version}deadlines.{name}: nicht berechenbar für Anker {day} ({exc})"
                )
                broken.add(name)
                break
    return errors, broken
