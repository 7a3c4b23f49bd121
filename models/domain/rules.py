"""Rules of procedure (Geschäftsordnung) as data, and the deadline arithmetic over them.

Pure: a profile's parsed TOML is validated (errors name the file and the key; reading the file
is models.store.profiles);
`due_date` turns a rule and an anchor into an instant. Which deadlines a paper must have
(`plan`) is models.domain.planning; the statuses are models.domain.vocab.

The wording of a Geschäftsordnung decides the arithmetic:
- "spätestens am 6. Tag vor der Sitzung"  → unit "days", offset -6: meeting day minus 6.
- "8 volle Tage" (neither the day of receipt nor the session day count)
                                          → unit "full_days", offset -8: meeting day minus 9.
- "2 Arbeitstage vor der Sitzung"         → unit "working_days", offset -2: the second
                                             working day before the meeting day.
- "3 Monate nach dem Beschluss"           → unit "months", offset 3.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, Literal

from dateutil.relativedelta import relativedelta
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from models.domain.calendar import WorkCalendar, make_calendar
from models.domain.errors import InvalidInput, RatsfristError
from models.domain.timeutil import local_datetime, to_local

END_OF_DAY = time(23, 59, 59)


class DeadlineKind(StrEnum):
    """What a deadline is for. The German label is what staff read."""

    proposal = "proposal"
    """Antragsfrist: is the motion in time for the meeting it names?"""
    invitation = "invitation"
    """Ladung / Tagesordnung: the agenda must go out; placing the item on it meets it."""
    report = "report"
    """Stellungnahme / Bericht der Verwaltung vor der Sitzung."""
    session = "session"
    """Die Sitzung selbst: the committee is to decide."""
    minutes = "minutes"
    """Niederschrift nach der Sitzung."""
    implementation = "implementation"
    """Wiedervorlage: Stand der Umsetzung nach dem Beschluss."""
    answer = "answer"
    """Beantwortung einer Anfrage."""

    @property
    def label(self) -> str:
        return KIND_LABELS[self]


KIND_LABELS: dict[DeadlineKind, str] = {
    DeadlineKind.proposal: "Antragsfrist",
    DeadlineKind.invitation: "Ladung/Tagesordnung",
    DeadlineKind.report: "Stellungnahme der Verwaltung",
    DeadlineKind.session: "Sitzung",
    DeadlineKind.minutes: "Niederschrift",
    DeadlineKind.implementation: "Wiedervorlage Umsetzung",
    DeadlineKind.answer: "Beantwortung der Anfrage",
}


class Anchor(StrEnum):
    meeting = "meeting"
    receipt = "receipt"
    decision = "decision"
    report_request = "report_request"


class Unit(StrEnum):
    days = "days"
    full_days = "full_days"
    working_days = "working_days"
    months = "months"


class RuleError(RatsfristError):
    pass


# --- the profile file ---------------------------------------------------------------------------


class Rule(BaseModel):
    """One deadline rule of a profile ([deadlines.NAME] in the TOML file)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: DeadlineKind
    label: str | None = None
    anchor: Anchor
    offset: int
    unit: Unit
    cutoff: time | Literal["anchor"] | None = None
    """Time of day the deadline ends; "anchor" keeps the anchor's own time (the session);
    none means the end of the day."""
    on_closed_day: Literal["previous", "next", "keep"] = "previous"
    paper_types: tuple[str, ...] | None = None
    """Only these paper types (OParl paperType); none means all."""
    responsible: str
    """The role that owes it: fraktion, sitzungsdienst, fachamt, gremium, verwaltung …"""
    source: str | None = None
    """Where the rule is written, e.g. 'GO Leverkusen § 10 Abs. 1'."""

    @model_validator(mode="after")
    def _before_stays_before(self) -> Rule:
        if self.offset < 0 and self.on_closed_day == "next":
            raise ValueError(
                "on_closed_day = 'next' könnte eine Frist vor dem Anker hinter ihn schieben; "
                "'previous' oder 'keep' verwenden"
            )
        if self.unit is Unit.full_days and self.offset == 0:
            raise ValueError("full_days braucht einen Versatz ungleich 0")
        return self

    @property
    def title(self) -> str:
        return self.label or self.kind.label

    def applies_to(self, paper_type: str) -> bool:
        return self.paper_types is None or paper_type in self.paper_types


class Reminders(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    before_working_days: tuple[int, ...] = (7, 3, 1, 0)
    escalate_daily: bool = True


class ProfileHead(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str | None = None
    source: str | None = None
    state: str = "NW"
    closed_days: tuple[str, ...] = ()

    @field_validator("state")
    @classmethod
    def _known_state(cls, value: str) -> str:
        states = {
            "BB",
            "BE",
            "BW",
            "BY",
            "HB",
            "HE",
            "HH",
            "MV",
            "NI",
            "NW",
            "RP",
            "SH",
            "SL",
            "SN",
            "ST",
            "TH",
        }
        if value not in states:
            raise ValueError(f"unbekanntes Bundesland {value!r} (z. B. NW, BY, HE)")
        return value


class Profile(BaseModel):
    """A body's rules of procedure as far as deadlines go."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: ProfileHead
    reminders: Reminders = Reminders()
    deadlines: Annotated[dict[str, Rule], Field(min_length=1)]

    @field_validator("deadlines")
    @classmethod
    def _names(cls, value: dict[str, Rule]) -> dict[str, Rule]:
        for name in value:
            if not name.replace("_", "").isalnum() or not name.islower():
                raise ValueError(f"Regelname {name!r}: nur Kleinbuchstaben, Ziffern und _")
        return value


@dataclass(frozen=True)
class RuleSet:
    """A loaded profile with its working-day calendar: what the services need."""

    profile: Profile
    calendar: WorkCalendar
    origin: str

    @property
    def name(self) -> str:
        return self.profile.profile.name

    @property
    def roles(self) -> frozenset[str]:
        """Who owes this profile's deadlines: the role tags a routing file may use."""
        return frozenset(rule.responsible for rule in self.profile.deadlines.values())


def ruleset_from(data: dict[str, Any], name: str, origin: str) -> RuleSet:
    """A profile's parsed TOML as a RuleSet; errors name the file (`name`) and the key."""
    try:
        profile = Profile.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise RuleError(f"{name}: {key}: {message}") from None
    try:
        calendar = make_calendar(profile.profile.state, profile.profile.closed_days)
    except InvalidInput as exc:
        raise RuleError(f"{name}: profile.closed_days: {exc}") from None
    return RuleSet(profile=profile, calendar=calendar, origin=origin)


# --- the arithmetic -----------------------------------------------------------------------------


@lru_cache(maxsize=65536)
def due_date(rule: Rule, anchor: datetime, calendar: WorkCalendar) -> datetime:
    """When a deadline ends, as aware UTC; the anchor is read on the Berlin calendar.
    Remembered: a town's papers share their meetings, so a sync plans the same
    (rule, meeting) thousands of times (rule and calendar are frozen, hence hashable)."""
    local_anchor = to_local(anchor)
    day = local_anchor.date()
    if rule.unit is Unit.days:
        day = day + timedelta(days=rule.offset)
    elif rule.unit is Unit.full_days:
        # N full days lie strictly between the deadline day and the anchor day.
        day = day + timedelta(days=rule.offset + (1 if rule.offset > 0 else -1))
    elif rule.unit is Unit.months:
        day = day + relativedelta(months=rule.offset)
    else:
        day = calendar.shift_working_days(day, rule.offset)
    if rule.unit is not Unit.working_days or rule.offset == 0:
        if rule.on_closed_day == "previous":
            day = calendar.previous_working_day(day)
        elif rule.on_closed_day == "next":
            day = calendar.next_working_day(day)
    if rule.cutoff == "anchor":
        at = local_anchor.time().replace(tzinfo=None)
    else:
        at = rule.cutoff or END_OF_DAY
    return local_datetime(day, at)


def in_time(moment: datetime, due: datetime) -> bool:
    """Whether `moment` meets a deadline ending at `due`. A deadline "bis zum … Tag" (due at
    END_OF_DAY, 23:59:59) runs to the end of that day, so it is compared with the next
    midnight: a motion stamped 23:59:59.5 is in time, not "0 h 0 min" late. A deadline at a
    time of day (the session's start) includes that instant."""
    if to_local(due).time().replace(tzinfo=None) == END_OF_DAY:
        return moment < due + timedelta(seconds=1)
    return moment <= due


def order_warnings(rules: RuleSet, around: datetime) -> list[str]:
    """Where an Antragsfrist ends after the invitation with its agenda must go out: a motion
    judged "in time" then reaches that agenda only as a Nachtrag (Bonn: 7th day before the
    session vs. invitation 14 days before; the default: one day). Staff should know the gap,
    so it is shown, in days, as the most any meeting in the 28 days from `around` has
    (working-day rules differ by weekday and holiday)."""
    deadlines = rules.profile.deadlines
    at_meeting = [(n, r) for n, r in deadlines.items() if r.anchor is Anchor.meeting]
    proposals = [(n, r) for n, r in at_meeting if r.kind is DeadlineKind.proposal]
    invitations = [(n, r) for n, r in at_meeting if r.kind is DeadlineKind.invitation]
    first = to_local(around).date()
    meetings = [local_datetime(first + timedelta(days=d), time(17, 0)) for d in range(28)]
    warnings = []
    for p_name, proposal in proposals:
        for i_name, invitation in invitations:
            gap = max(
                (
                    to_local(due_date(proposal, m, rules.calendar)).date()
                    - to_local(due_date(invitation, m, rules.calendar)).date()
                ).days
                for m in meetings
            )
            if gap > 0:
                days = "1 Tag" if gap == 1 else f"{gap} Tage"
                warnings.append(
                    f"{p_name} ({proposal.title}) endet bis zu {days} nach {i_name} "
                    f"({invitation.title}): was rechtzeitig eingeht, erreicht die Tagesordnung "
                    "dann nur als Nachtrag"
                )
    return warnings


@lru_cache(maxsize=1024)
def describe_rule(rule: Rule) -> str:
    """The rule in words, e.g. '6. Tag vor der Sitzung, 23:59'."""
    anchors = {
        Anchor.meeting: "der Sitzung",
        Anchor.receipt: "dem Eingang",
        Anchor.decision: "dem Beschluss",
        Anchor.report_request: "der Anforderung des Berichts",
    }
    n = abs(rule.offset)
    direction = "vor" if rule.offset < 0 else "nach"
    one = n == 1
    amount = {
        Unit.days: f"{n}. Tag" if rule.offset < 0 else f"{n} Tag{'' if one else 'e'}",
        Unit.full_days: f"{n} volle{'r' if one else ''} Tag{'' if one else 'e'}",
        Unit.working_days: f"{n} Arbeitstag{'' if one else 'e'}",
        Unit.months: f"{n} Monat{'' if one else 'e'}",
    }[rule.unit]
    text = f"{amount} {direction} {anchors[rule.anchor]}" if rule.offset else anchors[rule.anchor]
    if rule.offset == 0:
        text = f"Zeitpunkt {anchors[rule.anchor]}"
    return text + (f" ({rule.source})" if rule.source else "")
