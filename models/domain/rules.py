"""Rules of procedure (Geschäftsordnung) as data, and the deadline arithmetic over them.

Pure: a profile's parsed TOML is validated (errors name the file and the key; reading the file
is models.store.profiles); `due_date` turns a rule and an anchor into an instant (the
arithmetic itself, and which wording means which unit, is models.domain.reckoning; the
explained variant is models.domain.explain). Which deadlines a paper must have (`plan`) is
models.domain.planning; the statuses are models.domain.vocab.

A rule may carry an urgent variant ([deadlines.NAME.urgent]): the shortened period of the
same paragraph ("In dringenden Fällen kann die Ladungsfrist auf bis zu drei Werktage
abgekürzt werden"), used when urgency is given (`urgent=True`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from models.domain.calendar import Recess, WorkCalendar, make_calendar
from models.domain.errors import InvalidInput, RatsfristError
from models.domain.reckoning import END_OF_DAY, Reckonable, Unit, reckon
from models.domain.timeutil import to_local

__all__ = ["END_OF_DAY", "Unit"]


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


class RuleError(RatsfristError):
    pass


# --- the profile file ---------------------------------------------------------------------------


class Period(BaseModel):
    """The arithmetic part of a rule: shared by a rule and its urgent variant."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    offset: int
    unit: Unit
    cutoff: time | Literal["anchor"] | None = None
    """Time of day the deadline ends; "anchor" keeps the anchor's own time (the session);
    none means the end of the day."""
    on_closed_day: Literal["previous", "next", "keep"] = "previous"
    skip_recess: bool = False
    """The wording suspends the period in the recess (see models.domain.reckoning)."""
    source: str | None = None
    """Where the rule is written, e.g. 'GO Leverkusen § 10 Abs. 1'."""
    wording: str | None = None
    """The rule's own words, quoted, so an explanation can show them."""

    @model_validator(mode="after")
    def _consistent(self) -> Period:
        if self.offset < 0 and self.on_closed_day == "next":
            raise ValueError(
                "on_closed_day = 'next' könnte eine Frist vor dem Anker hinter ihn schieben; "
                "'previous' oder 'keep' verwenden"
            )
        if self.unit is Unit.full_days and self.offset == 0:
            raise ValueError("full_days braucht einen Versatz ungleich 0")
        if self.unit is Unit.meetings and (self.offset <= 0 or self.cutoff is not None):
            raise ValueError("meetings zählt Sitzungen nach dem Anker: Versatz > 0, ohne cutoff")
        if self.skip_recess and self.offset < 0 and self.unit not in _COUNTING:
            raise ValueError(
                "skip_recess vor dem Anker nur für gezählte Arbeitstage oder Sitzungen"
            )
        return self


_COUNTING = frozenset({Unit.working_days, Unit.meetings})


class Rule(Period):
    """One deadline rule of a profile ([deadlines.NAME] in the TOML file)."""

    kind: DeadlineKind
    label: str | None = None
    anchor: Anchor
    paper_types: tuple[str, ...] | None = None
    """Only these paper types (OParl paperType); none means all."""
    responsible: str
    """The role that owes it: fraktion, sitzungsdienst, fachamt, gremium, verwaltung …"""
    as_a_rule: bool = False
    """"in der Regel": a Soll-Frist the body may depart from (BW GemO § 34 Abs. 1)."""
    reachable_by: str | None = None
    """For a meeting count: the rule of this profile (anchored on the meeting) whose
    deadline the anchor must meet for a meeting to count as reachable."""
    urgent: Period | None = None
    """The shortened period when urgency is given (Dringlichkeit)."""

    @property
    def title(self) -> str:
        return self.label or self.kind.label

    def period(self, urgent: bool = False) -> Period:
        """The arithmetic to apply: the urgent variant if urgency is given and the profile
        has one, else the rule itself."""
        return self.urgent if urgent and self.urgent is not None else self

    def applies_to(self, paper_type: str) -> bool:
        return self.paper_types is None or paper_type in self.paper_types


class Reminders(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    before_working_days: tuple[int, ...] = (7, 3, 1, 0)
    escalate_daily: bool = True


class RecessEntry(BaseModel):
    """[[profile.recess]]: a period the body does not meet, both ends included."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date
    end: date
    name: str = "Sitzungspause"

    @model_validator(mode="after")
    def _ordered(self) -> RecessEntry:
        if self.end < self.start:
            raise ValueError(f"Ende {self.end:%d.%m.%Y} vor Beginn {self.start:%d.%m.%Y}")
        return self


class ProfileHead(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    description: str | None = None
    source: str | None = None
    version: str | None = None
    """Which version of the rules of procedure, e.g. 'Fassung vom 27.09.2023'."""
    state: str = "NW"
    categories: tuple[str, ...] = ()
    """Municipality holiday categories: catholic, augsburg (models.domain.calendar)."""
    closed_days: tuple[str, ...] = ()
    recess: tuple[RecessEntry, ...] = ()

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
        for name, rule in value.items():
            if not name.replace("_", "").isalnum() or not name.islower():
                raise ValueError(f"Regelname {name!r}: nur Kleinbuchstaben, Ziffern und _")
            if rule.reachable_by is not None:
                lead = value.get(rule.reachable_by)
                if lead is None or lead.anchor is not Anchor.meeting or lead.offset > 0:
                    raise ValueError(
                        f"{name}.reachable_by = {rule.reachable_by!r}: keine Regel dieses "
                        "Profils vor der Sitzung"
                    )
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

    def for_municipality(
        self, state: str | None = None, categories: Sequence[str] | None = None
    ) -> RuleSet:
        """The same rules on another body's holiday calendar: a county's profile used by
        each of its towns with their own state and municipality categories. The calendar
        comes from `make_calendar`, one object per key, so bodies sharing a key share it."""
        head = self.profile.profile
        calendar = make_calendar(
            state or head.state,
            head.closed_days,
            head.categories if categories is None else categories,
            self.calendar.recess,
        )
        if calendar is self.calendar:
            return self
        return RuleSet(profile=self.profile, calendar=calendar, origin=self.origin)

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
    head = profile.profile
    try:
        calendar = make_calendar(
            head.state,
            head.closed_days,
            head.categories,
            [Recess(r.start, r.end, r.name) for r in head.recess],
        )
    except InvalidInput as exc:
        text = str(exc)
        key = "categories" if text.startswith("Feiertagskategorie") else "closed_days"
        raise RuleError(f"{name}: profile.{key}: {text}") from None
    return RuleSet(profile=profile, calendar=calendar, origin=origin)


# --- the arithmetic -----------------------------------------------------------------------------


ANCHOR_LABELS = {
    Anchor.meeting: "Sitzung",
    Anchor.receipt: "Eingang",
    Anchor.decision: "Beschluss",
    Anchor.report_request: "Anforderung",
}


def due_date(
    rule: Rule,
    anchor: datetime,
    calendar: WorkCalendar,
    *,
    urgent: bool = False,
    meetings: Sequence[datetime] = (),
    lead: Rule | None = None,
) -> datetime:
    """When a deadline ends, as aware UTC; the anchor is read on the Berlin calendar.
    `urgent` applies the rule's shortened variant, if it has one. A meeting count needs
    the body's `meetings` (and `lead`, the rule named by `reachable_by`); if they do not
    reach far enough it raises RuleError (planning asks `due_or_none`)."""
    if not meetings and lead is None:
        due = _remembered(rule, anchor, calendar, urgent)
    else:
        due = due_or_none(rule, anchor, calendar, urgent=urgent, meetings=meetings, lead=lead)
    if due is None:
        raise RuleError(f"{rule.title}: noch nicht genug Sitzungen im Kalender")
    return due


@lru_cache(maxsize=65536)
def _remembered(
    rule: Rule, anchor: datetime, calendar: WorkCalendar, urgent: bool
) -> datetime | None:
    """`due_or_none` without meetings, remembered: a town's papers share their meetings, so
    an OParl sync plans the same (rule, meeting) thousands of times (rule and calendar are
    frozen, hence hashable)."""
    return due_or_none(rule, anchor, calendar, urgent=urgent)


def due_or_none(
    rule: Rule,
    anchor: datetime,
    calendar: WorkCalendar,
    *,
    urgent: bool = False,
    meetings: Sequence[datetime] = (),
    lead: Rule | None = None,
    steps: list[str] | None = None,
) -> datetime | None:
    """`due_date`, or None where a meeting count has too few meetings to count."""
    return reckon(
        rule.period(urgent),
        anchor,
        calendar,
        anchor_label=ANCHOR_LABELS[rule.anchor],
        meetings=meetings,
        reachable=_reachable(anchor, lead, calendar),
        steps=steps,
    )


def _reachable(anchor: datetime, lead: Rule | None, calendar: WorkCalendar) -> Any:
    if lead is None:
        return None
    period: Reckonable = lead

    def reachable(start: datetime) -> bool:
        due = reckon(period, start, calendar)
        return due is not None and in_time(anchor, due)

    return reachable


def in_time(moment: datetime, due: datetime) -> bool:
    """Whether `moment` meets a deadline ending at `due`. A deadline "bis zum … Tag" (due at
    END_OF_DAY, 23:59:59) runs to the end of that day, so it is compared with the next
    midnight: a motion stamped 23:59:59.5 is in time, not "0 h 0 min" late. A deadline at a
    time of day (the session's start) includes that instant."""
    if to_local(due).time().replace(tzinfo=None) == END_OF_DAY:
        return moment < due + timedelta(seconds=1)
    return moment <= due


@lru_cache(maxsize=1024)
def describe_rule(rule: Rule) -> str:
    """The rule in words, e.g. '6. Tag vor der Sitzung, 23:59'."""
    anchors = {
        Anchor.meeting: "der Sitzung",
        Anchor.receipt: "dem Eingang",
        Anchor.decision: "dem Beschluss",
        Anchor.report_request: "der Anforderung des Berichts",
    }
    text = _describe_period(rule, anchors[rule.anchor])
    if rule.as_a_rule:
        text = f"in der Regel {text}"
    if rule.source:
        text += f" ({rule.source})"
    if rule.urgent is not None:
        text += f"; dringlich: {_describe_period(rule.urgent, anchors[rule.anchor])}"
        text += f" ({rule.urgent.source})" if rule.urgent.source else ""
    return text


def _describe_period(rule: Period, anchor: str) -> str:
    n = abs(rule.offset)
    direction = "vor" if rule.offset < 0 else "nach"
    one = n == 1
    if rule.unit is Unit.meetings:
        which = {1: "nächsten", 2: "übernächsten"}.get(n, f"{n}.")
        text = f"spätestens in der {which} Sitzung nach {anchor}"
        return text + (", ohne Sitzungen in der Sitzungspause" if rule.skip_recess else "")
    amount = {
        Unit.days: f"{n}. Tag" if rule.offset < 0 else f"{n} Tag{'' if one else 'e'}",
        Unit.full_days: f"{n} volle{'r' if one else ''} Tag{'' if one else 'e'}",
        Unit.working_days: f"{n} Arbeitstag{'' if one else 'e'}",
        Unit.werktage: f"{n} Werktag{'' if one else 'e'}",
        Unit.weeks: f"{n} Woche{'' if one else 'n'}",
        Unit.months: f"{n} Monat{'' if one else 'e'}",
    }[rule.unit]
    if rule.offset == 0:
        return f"Zeitpunkt {anchor}"
    text = f"{amount} {direction} {anchor}"
    if rule.skip_recess:
        text += ", ruht in der Sitzungspause"
    return text
