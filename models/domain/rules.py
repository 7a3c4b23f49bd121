"""Rules of procedure (Geschäftsordnung) as data, and the deadline arithmetic over them.

Pure: a profile's parsed TOML is validated (errors name the file and the key; reading the file
is models.store.profiles); `due_date` turns a rule and an anchor into an instant (the
arithmetic itself, and which wording means which unit, is models.domain.reckoning; the
explained variant is models.domain.explain). Which deadlines a paper must have (`plan`) is
models.domain.planning; the statuses are models.domain.vocab.

A rule may carry an urgent variant ([deadlines.NAME.urgent]): the shortened period of the
same paragraph ("In dringenden Fällen kann die Ladungsfrist auf bis zu drei Werktage
abgekürzt werden"), used when urgency is given (`urgent=True`).

A profile may carry versions ([[versions]], `RuleVersion`): a Geschäftsordnung lapses with
the electoral term and is re-adopted, often changed. Each version has its period and the rules
it changes; a deadline is computed by the version valid on its anchor's day (`RuleSet.at`).
A profile without versions is one version valid forever, as before.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from functools import cached_property, lru_cache
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


class VersionEntry(BaseModel):
    """[[versions]]: one Fassung of the rules of procedure, valid from `valid_from` (the first
    day) to `valid_until` (the last day; missing: until the next version begins). Its
    `deadlines` tables change single fields of single rules of the version before it (the
    first version: of the profile's [deadlines]); every other rule stays as it was."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    valid_from: date
    valid_until: date | None = None
    adopted: str | None = None
    """Who adopted it when, e.g. 'Ratsbeschluss vom 10.12.2020'."""
    source: str | None = None
    """Where the text is published (Amtsblatt, URL)."""
    deadlines: dict[str, dict[str, Any]] = Field(default_factory=dict)


class Profile(BaseModel):
    """A body's rules of procedure as far as deadlines go."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    profile: ProfileHead
    reminders: Reminders = Reminders()
    deadlines: Annotated[dict[str, Rule], Field(min_length=1)]
    versions: tuple[VersionEntry, ...] = ()

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
class RuleVersion:
    """One version of a profile's rules with its period, as loaded: `profile` holds every
    rule as in force then (its head's `version` is this version's name)."""

    name: str
    valid_from: date
    valid_until: date | None
    """The last day; None for the version in force until a newer one is added."""
    adopted: str | None
    source: str | None
    changed: tuple[str, ...]
    """The rules this version changes against the one before it."""
    profile: Profile

    def period(self) -> str:
        """The period in German, e.g. '01.11.2014–31.10.2020' or 'ab 01.11.2020'."""
        if self.valid_until is None:
            return f"ab {self.valid_from:%d.%m.%Y}"
        return f"{self.valid_from:%d.%m.%Y}–{self.valid_until:%d.%m.%Y}"


@dataclass(frozen=True)
class RuleSet:
    """A loaded profile with its working-day calendar: what the services need.

    With versions, `profile` is the newest version (what describes the profile today) and
    `at(anchor)` the version that computes a deadline anchored then."""

    profile: Profile
    calendar: WorkCalendar
    origin: str
    versions: tuple[RuleVersion, ...] = field(default=(), compare=False)

    @property
    def name(self) -> str:
        return self.profile.profile.name

    def version_at(self, when: datetime | date) -> RuleVersion | None:
        """The version valid on `when`'s day (Berlin); an anchor before the first version
        gets the first (the oldest text the profile knows). None without versions."""
        if not self.versions:
            return None
        return self.versions[self._index(when)]

    def at(self, when: datetime | date) -> RuleSet:
        """The rules that compute a deadline anchored at `when`: the version then in force,
        on this RuleSet's calendar; itself if the profile has no versions."""
        if not self.versions:
            return self
        return self._in_force[self._index(when)]

    def named(self, version: str | None) -> RuleSet | None:
        """The rules of the version called `version`, on this RuleSet's calendar: what
        computed a deadline whose explanation names it. None without versions or for a name
        the profile no longer has."""
        for entry, in_force in zip(self.versions, self._in_force, strict=True):
            if entry.name == version:
                return in_force
        return None

    def each_version(self) -> tuple[RuleSet, ...]:
        """The rules of every version, oldest first (none without versions)."""
        return self._in_force

    def _index(self, when: datetime | date) -> int:
        day = to_local(when).date() if isinstance(when, datetime) else when
        return max(bisect_right(self._starts, day) - 1, 0)

    @cached_property
    def _starts(self) -> tuple[date, ...]:
        return tuple(v.valid_from for v in self.versions)

    @cached_property
    def _in_force(self) -> tuple[RuleSet, ...]:
        return tuple(RuleSet(v.profile, self.calendar, self.origin) for v in self.versions)

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
        return RuleSet(
            profile=self.profile, calendar=calendar, origin=self.origin, versions=self.versions
        )

    @property
    def roles(self) -> frozenset[str]:
        """Who owes this profile's deadlines (in any version): the role tags a routing file
        may use."""
        profiles = [v.profile for v in self.versions] or [self.profile]
        return frozenset(r.responsible for p in profiles for r in p.deadlines.values())


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
    versions = _versions(profile, name)
    if versions:
        profile = versions[-1].profile
    return RuleSet(profile=profile, calendar=calendar, origin=origin, versions=versions)


_FIXED = ("kind", "anchor")
"""What a version cannot change in a rule: the anchor decides which version applies, and
the kind what the deadline is for."""


def _versions(profile: Profile, file: str) -> tuple[RuleVersion, ...]:
    """The [[versions]] as loaded, each with all its rules. Their periods must follow each
    other without gap or overlap, and the newest stays open (a GO holds until a new one
    replaces it); errors name the file and the key, as every profile error."""
    entries = profile.versions
    if not entries:
        return ()
    if profile.profile.version is not None:
        raise RuleError(
            f"{file}: profile.version: mit [[versions]] steht die Fassung dort (versions.N.version)"
        )
    rules = dict(profile.deadlines)
    loaded: list[RuleVersion] = []
    for i, entry in enumerate(entries):
        key = f"versions.{i}"
        if entry.valid_until is not None and entry.valid_until < entry.valid_from:
            raise RuleError(
                f"{file}: {key}.valid_until: {entry.valid_until:%d.%m.%Y} vor valid_from "
                f"{entry.valid_from:%d.%m.%Y}"
            )
        if i:
            _follows(entries[i - 1], entry, f"{file}: {key}")
        if any(e.version == entry.version for e in entries[:i]):
            raise RuleError(f"{file}: {key}.version: {entry.version!r} gibt es schon")
        if i == len(entries) - 1 and entry.valid_until is not None:
            raise RuleError(
                f"{file}: {key}.valid_until: die neueste Fassung gilt, bis eine neue sie "
                "ablöst (valid_until weglassen, die neue Fassung als [[versions]] anfügen)"
            )
        for rule_name, changes in entry.deadlines.items():
            rules[rule_name] = _changed_rule(rules, rule_name, changes, f"{file}: {key}")
        head = profile.profile.model_copy(update={"version": entry.version})
        try:
            in_force = Profile.model_validate(
                {"profile": head, "reminders": profile.reminders, "deadlines": rules}
            )
        except ValidationError as exc:
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise RuleError(f"{file}: {key}.deadlines: {message}") from None
        following = entries[i + 1] if i + 1 < len(entries) else None
        until = entry.valid_until or (
            following.valid_from - timedelta(days=1) if following else None
        )
        loaded.append(
            RuleVersion(
                name=entry.version,
                valid_from=entry.valid_from,
                valid_until=until,
                adopted=entry.adopted,
                source=entry.source,
                changed=tuple(entry.deadlines),
                profile=in_force,
            )
        )
    return tuple(loaded)


def _follows(before: VersionEntry, entry: VersionEntry, where: str) -> None:
    """`entry` begins the day after `before` ends: no day without rules, none with two."""
    end = before.valid_until
    if entry.valid_from <= before.valid_from or (end is not None and entry.valid_from <= end):
        last = f" (gültig bis {end:%d.%m.%Y})" if end else ""
        raise RuleError(
            f"{where}.valid_from: {entry.valid_from:%d.%m.%Y} überschneidet sich mit "
            f"{before.version!r}{last}; Fassungen nach Beginn geordnet angeben"
        )
    if end is not None and entry.valid_from > end + timedelta(days=1):
        gap = f"{end + timedelta(days=1):%d.%m.%Y}–{entry.valid_from - timedelta(days=1):%d.%m.%Y}"
        raise RuleError(
            f"{where}.valid_from: Lücke {gap} nach {before.version!r} (gültig bis "
            f"{end:%d.%m.%Y}): keine Fassung gilt dann"
        )


def _changed_rule(rules: dict[str, Rule], name: str, changes: dict[str, Any], where: str) -> Rule:
    """The rule `name` with a version's changes applied (fields not named stay)."""
    base = rules.get(name)
    if base is None:
        raise RuleError(f"{where}.deadlines.{name}: unbekannte Regel (bekannt: {', '.join(rules)})")
    for fixed in _FIXED:
        if fixed in changes and changes[fixed] != getattr(base, fixed):
            raise RuleError(
                f"{where}.deadlines.{name}.{fixed}: eine Fassung ändert Art und Anker einer "
                "Regel nicht (der Anker wählt die Fassung); eine neue Regel anlegen"
            )
    try:
        rule = Rule.model_validate({**base.model_dump(), **changes})
    except ValidationError as exc:
        first = exc.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        message = first["msg"].removeprefix("Value error, ")
        raise RuleError(f"{where}.deadlines.{name}{'.' + key if key else ''}: {message}") from None
    if (rule.offset > 0) != (base.offset > 0):
        raise RuleError(
            f"{where}.deadlines.{name}.offset: eine Fassung macht aus einer Frist vor dem "
            "Anker keine danach (und umgekehrt)"
        )
    return rule


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
    return _reckoned(rule, anchor, calendar, urgent, (), None, None)


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
    """`due_date`, or None where a meeting count has too few meetings to count. Without
    meetings, lead and steps, remembered (planning asks it for every step of every paper)."""
    if steps is not None:
        return _reckoned(rule, anchor, calendar, urgent, meetings, lead, steps)
    if not meetings and lead is None:
        return _by_identity(
            (rule, calendar), (anchor, urgent), lambda: _remembered(rule, anchor, calendar, urgent)
        )
    # A meeting count: each candidate meeting is reckoned (is it reachable?), and planning
    # asks again at every step of the paper and for each paper of a batch received the same
    # day; remembered the same way, the meetings being part of the key.
    return _by_identity(
        (rule, calendar, lead),
        (anchor, urgent, tuple(meetings)),
        lambda: _reckoned(rule, anchor, calendar, urgent, meetings, lead, None),
    )


_SAME_OBJECTS: dict[tuple[Any, ...], tuple[tuple[object, ...], datetime | None]] = {}
"""Due dates remembered by the identity of the objects they were reckoned from (kept alive
in the value, so an id is not reused while its entry stands), in front of `_remembered`:
hashing a Rule (a pydantic model) and a WorkCalendar field by field costs more than
reckoning, and planning asks the same rule objects for every step of every paper."""


def _by_identity(
    objects: tuple[object, ...],
    values: tuple[Any, ...],
    reckon: Callable[[], datetime | None],
) -> datetime | None:
    """`reckon()`, remembered under the identity of `objects` and the hashable `values`."""
    key = (*map(id, objects), *values)
    hit = _SAME_OBJECTS.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], objects, strict=True)):
        return hit[1]
    if len(_SAME_OBJECTS) >= 65536:
        _SAME_OBJECTS.clear()
    due = reckon()
    _SAME_OBJECTS[key] = (objects, due)
    return due


def _reckoned(
    rule: Rule,
    anchor: datetime,
    calendar: WorkCalendar,
    urgent: bool,
    meetings: Sequence[datetime],
    lead: Rule | None,
    steps: list[str] | None,
) -> datetime | None:
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
