"""Which deadlines one paper must have now: its facts in, the planned deadlines out. Pure.

The services layer gathers the facts (`PaperFacts`) from the database and stores what `plan`
answers; the rule arithmetic itself (`due_date`) is models.domain.rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.domain.reckoning import Unit
from models.domain.rules import (
    Anchor,
    DeadlineKind,
    Rule,
    RuleSet,
    describe_rule,
    due_or_none,
    in_time,
)
from models.domain.states import WAITING, State
from models.domain.vocab import DeadlineStatus


@dataclass(frozen=True, slots=True)
class ConsultationFacts:
    id: int
    position: int
    organization: str
    meeting_id: int | None
    meeting_start: datetime | None
    meeting_cancelled: bool
    done: bool
    organization_id: int = 0


@dataclass(frozen=True, slots=True)
class SessionHeld:
    """A meeting at which the paper was dealt with (an agenda item with a result)."""

    consultation_id: int
    meeting_id: int
    meeting_start: datetime
    result: str


@dataclass(frozen=True, slots=True)
class PaperFacts:
    """What planning needs to know about a paper, gathered by the services layer."""

    paper_type: str
    state: str
    received_at: datetime
    has_questions: bool
    consultations: tuple[ConsultationFacts, ...]
    sessions_held: tuple[SessionHeld, ...] = ()
    report_requested_at: datetime | None = None
    report_office: str | None = None
    decided_at: datetime | None = None
    decision_implementable: bool = False
    decided_consultation_id: int | None = None
    implementation_office: str | None = None
    urgent: bool = False
    """Urgency recorded for the paper: rules with an urgent variant use it."""
    urgent_at: datetime | None = None
    urgent_reason: str | None = None
    """When and why urgency was recorded: the last step of a shortened deadline's
    explanation."""
    meetings: tuple[datetime, ...] = ()
    """Starts of the meetings (not cancelled) of the committee the paper is before (its
    current consultation's), for rules counted in meetings ("spätestens in der übernächsten
    Sitzung"); the services read them only for profiles with such a rule (`counts_meetings`).
    Too few of them: the deadline is not computable yet (`Unplanned`)."""


@dataclass(frozen=True, slots=True)
class PlannedDeadline:
    key: str
    """Stable identity within the paper: rule name + consultation + meeting."""
    rule: str
    kind: DeadlineKind
    label: str
    due: datetime
    responsible: str
    office: str | None
    consultation_id: int | None
    meeting_id: int | None
    description: str
    anchor: datetime | None = None
    """The instant the rule was applied to (meeting start, receipt, decision): with the rule
    name and `urgent`, enough to explain the deadline again (models.domain.explain)."""
    urgent: bool = False


@dataclass(frozen=True, slots=True)
class Unplanned:
    """A deadline the rules require but that cannot be computed yet: a count of meetings
    ("spätestens in der übernächsten Sitzung") beyond the meetings in the calendar. Shown to
    staff (show, the meetings commands) instead of silently nothing; planned as soon as
    enough meetings are there."""

    key: str
    rule: str
    label: str
    reason: str
    """German, e.g. 'noch keine übernächste Sitzung terminiert (Sozialausschuss)'."""
    consultation_id: int | None


TERMINAL_STATES = frozenset({"closed", "withdrawn", "historical"})
WAITING_STATES = frozenset(s.value for s in WAITING)
"""Zu prüfen / Beratung zuzuweisen: nothing is owed until a person settled the motion. Its
deadlines start with that step (review, assign); the ones anchored on the receipt (and the
Antragsfrist, which asks whether the motion arrived in time) then count from the original
receipt, since the Geschäftsordnung counts from the Eingang and an internal check must not
lengthen a faction's or the administration's deadline."""


def plan(facts: PaperFacts, rules: RuleSet) -> list[PlannedDeadline]:
    """Every deadline the paper must have now. Deadlines that are no longer in this list
    (meeting cancelled, motion withdrawn) are to be cancelled if still open."""
    return plan_all(facts, rules)[0]


def plan_all(facts: PaperFacts, rules: RuleSet) -> tuple[list[PlannedDeadline], list[Unplanned]]:
    """`plan`, and the deadlines the rules require that cannot be computed yet (a count of
    meetings beyond the calendar)."""
    if facts.state in WAITING_STATES:
        return [], []
    terminal = facts.state in TERMINAL_STATES
    planned: list[PlannedDeadline] = []
    unplanned: list[Unplanned] = []
    current = next((c for c in facts.consultations if not c.done), None)
    first = min(facts.consultations, key=lambda c: c.position, default=None)
    versioned = bool(rules.versions)
    for name, base in rules.profile.deadlines.items():
        if not versioned and not base.applies_to(facts.paper_type):
            continue
        # A closed motion owes nothing more; what follows a session held (the minutes)
        # is owed for the meeting, not the motion, and stays.
        if terminal and not (base.anchor is Anchor.meeting and base.offset > 0):
            continue
        # Kind, anchor and before/after are the same in every version (models.domain.rules
        # refuses a version changing them), so the anchors are found once; each anchor is
        # then computed by the version in force on its day.
        for anchor, consultation, meeting_id, office in _anchors(base, facts, current, first):
            in_force = rules.at(anchor)
            rule = in_force.profile.deadlines[name]
            if versioned and not rule.applies_to(facts.paper_type):
                continue
            lead = in_force.profile.deadlines[rule.reachable_by] if rule.reachable_by else None
            due = due_or_none(
                rule,
                anchor,
                in_force.calendar,
                urgent=facts.urgent,
                meetings=facts.meetings,
                lead=lead,
            )
            key = deadline_key(name, consultation, meeting_id)
            if due is None:
                unplanned.append(
                    Unplanned(key, name, rule.title, _missing(rule, current), consultation)
                )
                continue
            planned.append(
                PlannedDeadline(
                    key=key,
                    rule=name,
                    kind=rule.kind,
                    label=rule.title,
                    due=due,
                    responsible=rule.responsible,
                    office=office,
                    consultation_id=consultation,
                    meeting_id=meeting_id,
                    description=describe_rule(rule),
                    anchor=anchor,
                    urgent=facts.urgent and rule.urgent is not None,
                )
            )
    return planned, unplanned


def due_by(rules: RuleSet, planned: PlannedDeadline, facts: PaperFacts) -> datetime | None:
    """When `planned` ends by `rules` taken as they are (one version: RuleSet.named), for
    its anchor and the paper's facts now; None if those rules lack the rule or cannot
    compute it. What a settled deadline is held to (`keeps_its_rules`)."""
    rule = rules.profile.deadlines.get(planned.rule)
    if rule is None or planned.anchor is None:
        return None
    lead = rules.profile.deadlines.get(rule.reachable_by) if rule.reachable_by else None
    return due_or_none(
        rule,
        planned.anchor,
        rules.calendar,
        urgent=facts.urgent,
        meetings=facts.meetings,
        lead=lead,
    )


def keeps_its_rules(
    rules: RuleSet,
    planned: PlannedDeadline,
    facts: PaperFacts,
    *,
    version: str | None,
    rules_due: datetime,
) -> bool:
    """Whether a settled deadline (missed, or an Antragsfrist's verdict) stays as it is
    although the rules in force now may say otherwise. It was computed by `version` (the
    one its stored explanation names) to end at `rules_due` (before any extension); if
    that version, for the anchor and facts of today, still gives `rules_due`, nothing but
    the rules changed (a Fassung adopted since), and a verdict once reached is not
    rewritten by a later Geschäftsordnung. If it gives another date, the facts changed (a
    moved meeting, urgency recorded) and the deadline is planned anew by the version valid
    on its anchor's day.

    A row that names no version the profile knows (planned before the profile had
    [[versions]], or under a name since changed) is held the same way to whichever of the
    profile's versions still gives its date: the rules that computed it were one of them,
    as far as anyone recorded. A profile without versions holds nothing: False."""
    then = rules.named(version) if version is not None else None
    candidates = (then,) if then is not None else rules.each_version()
    return any(due_by(each, planned, facts) == rules_due for each in candidates)


def meeting_rules(rules: RuleSet) -> list[tuple[str, Rule]]:
    """The profile's rules counted in meetings, (name, rule), in every one of its versions
    (a version may change the paper types a rule applies to)."""
    profiles = [v.profile for v in rules.versions] or [rules.profile]
    return [
        (name, rule)
        for profile in profiles
        for name, rule in profile.deadlines.items()
        if rule.unit is Unit.meetings
    ]


def counts_meetings(rules: RuleSet) -> bool:
    """Whether the profile has a rule counted in meetings (in any version): only then do
    the services read the committee's meetings for a re-plan."""
    return bool(meeting_rules(rules))


def _missing(rule: Rule, current: ConsultationFacts | None) -> str:
    """'noch keine übernächste Sitzung terminiert (Sozialausschuss)'."""
    which = {1: "nächste", 2: "übernächste"}.get(rule.offset, f"{rule.offset}.")
    where = f" ({current.organization})" if current else ""
    return f"noch keine {which} Sitzung terminiert{where}"


def deadline_key(rule: str, consultation: int | None, meeting: int | None) -> str:
    """A deadline's identity within its paper (Deadline.key)."""
    parts = [rule]
    if consultation is not None:
        parts.append(f"c{consultation}")
    if meeting is not None:
        parts.append(f"m{meeting}")
    return ":".join(parts)


_Anchor = tuple[datetime, int | None, int | None, str | None]


def _anchors(
    rule: Rule,
    facts: PaperFacts,
    current: ConsultationFacts | None,
    first: ConsultationFacts | None,
) -> list[_Anchor]:
    """The anchors a rule applies to: (instant, consultation id, meeting id, office)."""
    if rule.kind is DeadlineKind.proposal:
        # The motion's own timeliness: for the meeting named at intake.
        if first and first.meeting_start and first.meeting_id and not first.meeting_cancelled:
            return [(first.meeting_start, first.id, first.meeting_id, None)]
        return []
    if rule.anchor is Anchor.receipt:
        if rule.unit is Unit.meetings:
            # "spätestens in der übernächsten Sitzung": of the committee the matter is
            # before, so the deadline is that consultation's (its committee's lists show it).
            # Owed while the matter waits for an agenda: once it is on one, the placement met
            # it, or (not computable then, too few meetings) there is nothing left to owe;
            # vertagt, it waits for a later one, but was on an agenda in this consultation.
            if current is None or facts.state != State.submitted or _held(facts, current):
                return []
            return [(facts.received_at, current.id, None, None)]
        return [(facts.received_at, None, None, None)]
    if rule.anchor is Anchor.report_request:
        if facts.report_requested_at is None or facts.state != "report_requested":
            return []
        return [(facts.report_requested_at, None, None, facts.report_office)]
    if rule.anchor is Anchor.decision:
        if facts.decided_at is None or facts.state not in ("decided", "in_implementation"):
            return []
        if rule.kind is DeadlineKind.implementation and not facts.decision_implementable:
            return []
        return [
            (facts.decided_at, facts.decided_consultation_id, None, facts.implementation_office)
        ]
    # Anchored on a meeting: "before" rules prepare the coming session of the current
    # consultation, "after" rules follow up each session at which the paper was dealt with.
    if rule.offset > 0:
        return [
            (s.meeting_start, s.consultation_id, s.meeting_id, None) for s in facts.sessions_held
        ]
    if current is None or current.meeting_start is None or current.meeting_cancelled:
        return []
    if facts.state in ("decided", "in_implementation"):
        return []
    if rule.kind is DeadlineKind.report and not (
        facts.has_questions or facts.report_requested_at is not None
    ):
        return []
    office = (
        facts.report_office if rule.kind in (DeadlineKind.report, DeadlineKind.answer) else None
    )
    return [(current.meeting_start, current.id, current.meeting_id, office)]


def _held(facts: PaperFacts, consultation: ConsultationFacts) -> bool:
    """Whether the paper was dealt with at a meeting in this consultation (vertagt,
    zurückgestellt: submitted again, the same consultation): it was on an agenda of the
    committee, which a rule asking for a place on one ("auf die Tagesordnung spätestens der
    übernächsten Sitzung") asked for; a row of it open then was met by the placement
    (MET_BY), and without one none is owed however many meetings the calendar gains."""
    return any(s.consultation_id == consultation.id for s in facts.sessions_held)


def proposal_verdict(received_at: datetime, due: datetime) -> DeadlineStatus:
    """The Antragsfrist is met if the motion arrived by its end."""
    return DeadlineStatus.met if in_time(received_at, due) else DeadlineStatus.missed
