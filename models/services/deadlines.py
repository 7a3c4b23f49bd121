"""Deadline records: planned from the rules, reconciled after every change, met by events.

`replan` is the one way deadlines come or go: models.domain.planning.plan says what a paper
must have now, and the table is made to say so (added, re-dated, cancelled; met ones kept).
`mark_met` records which event met which; the rest is models.domain.deadlines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, col, select

from models.domain.bodies import Rules, rules_of
from models.domain.deadlines import (
    LATER_MEETINGS,
    MET_BY,
    NOT_HELD,
    Timeliness,
    deadline_view,
    met_here,
    new_deadline_values,
    verdict,
)
from models.domain.explain import (
    stored_explanation,
)
from models.domain.planning import (
    ConsultationFacts,
    PaperFacts,
    PlannedDeadline,
    SessionHeld,
    Unplanned,
    counts_meetings,
    meeting_rules,
    plan_all,
)
from models.domain.replanning import reconcile, reconcile_reminders
from models.domain.rules import DeadlineKind, RuleError, RuleSet
from models.domain.states import IMPLEMENTABLE, WAITING, Event, Result, State
from models.domain.timeutil import to_utc
from models.domain.vocab import OWED, DeadlineStatus
from models.store.tables import (
    AgendaItem,
    Body,
    Consultation,
    Deadline,
    LifecycleEvent,
    Meeting,
    Organization,
    Paper,
    Question,
    Reminder,
)


@dataclass
class PlanChange:
    """What a re-plan did, for the CLI to report and for tests to check."""

    added: list[Deadline] = field(default_factory=list)
    moved: list[Deadline] = field(default_factory=list)
    cancelled: list[Deadline] = field(default_factory=list)
    uncomputable: list[str] = field(default_factory=list)
    """Deadlines the rules require that cannot be computed yet, as lines for staff
    ('A 21/0500-01: Auf die Tagesordnung …: noch keine übernächste Sitzung terminiert')."""

    def __bool__(self) -> bool:
        return bool(self.added or self.moved or self.cancelled)

    def merge(self, other: PlanChange) -> None:
        self.added += other.added
        self.moved += other.moved
        self.cancelled += other.cancelled
        self.uncomputable += other.uncomputable


def gather_facts(session: Session, paper: Paper, *, meetings: bool = False) -> PaperFacts:
    """The plain facts planning needs, read from the paper, its consultations and its log;
    with `meetings`, the coming meetings of the committee it is before (one query), for
    rules counted in meetings."""
    assert paper.id is not None
    return gather_facts_of(session, [paper], meetings=meetings)[paper.id]


def gather_facts_of(
    session: Session, papers: Sequence[Paper], *, meetings: bool = False
) -> dict[int, PaperFacts]:
    """`gather_facts` for several papers at once, by paper id: the same reads, each one
    statement for all of them (the lists ask it for every motion waiting for meetings, which
    one by one took five round trips each)."""
    ids = [p.id for p in papers if p.id is not None]
    consultations: dict[int, list[tuple[Consultation, Meeting | None, Organization]]] = {
        i: [] for i in ids
    }
    for c, m, o in session.exec(
        select(Consultation, Meeting, Organization)
        .join(Organization, col(Organization.id) == Consultation.organization_id)
        .outerjoin(Meeting, col(Meeting.id) == Consultation.meeting_id)
        .where(col(Consultation.paper_id).in_(ids))
        .order_by(col(Consultation.position), col(Consultation.id))
    ).all():
        consultations[c.paper_id].append((c, m, o))
    held: dict[int, list[tuple[AgendaItem, Meeting]]] = {i: [] for i in ids}
    for item, meeting, paper_id in session.exec(
        select(AgendaItem, Meeting, Consultation.paper_id)
        .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
        .join(Consultation, col(Consultation.id) == AgendaItem.consultation_id)
        .where(col(Consultation.paper_id).in_(ids), col(AgendaItem.result).is_not(None))
        .order_by(col(AgendaItem.id))
    ).all():
        held[paper_id].append((item, meeting))
    events: dict[int, list[LifecycleEvent]] = {i: [] for i in ids}
    for event in session.exec(
        select(LifecycleEvent)
        .where(col(LifecycleEvent.paper_id).in_(ids))
        .order_by(col(LifecycleEvent.id))
    ).all():
        events[event.paper_id].append(event)
    with_questions = set(
        session.exec(select(Question.paper_id).where(col(Question.paper_id).in_(ids)).distinct())
    )
    current = {i: next((o.id for c, _, o in consultations[i] if not c.done), None) for i in ids}
    starts: dict[int, list[datetime]] = {}
    if meetings:
        counting = [p for p in papers if p.id is not None and current[p.id] is not None]
        after: dict[int, datetime] = {}
        for p in counting:
            org = current[p.id or 0] or 0
            after[org] = min(after.get(org, p.received_at), p.received_at)
        coming = later_meetings_of(
            session, after, limit=LATER_MEETINGS if len(counting) == 1 else None
        )
        for p in counting:
            following = (s for s in coming.get(current[p.id or 0] or 0, ()) if s > p.received_at)
            starts[p.id or 0] = list(islice(following, LATER_MEETINGS))
    return {
        p.id: _facts(
            p,
            consultations[p.id],
            held[p.id],
            events[p.id],
            p.id in with_questions,
            starts.get(p.id, []),
        )
        for p in papers
        if p.id is not None
    }


def _facts(
    paper: Paper,
    consultations: list[tuple[Consultation, Meeting | None, Organization]],
    held: list[tuple[AgendaItem, Meeting]],
    events: list[LifecycleEvent],
    has_questions: bool,
    starts: list[datetime],
) -> PaperFacts:
    report_at = report_office = decided_at = implementation_office = None
    decided_consultation: int | None = None
    implementable = urgent = False
    urgent_at: datetime | None = None
    urgent_reason: str | None = None
    for event in events:
        if event.event == Event.mark_urgent.value:
            urgent, urgent_at, urgent_reason = True, event.at, event.details.get("reason")
        elif event.event == Event.request_report.value:
            report_at, report_office = event.at, event.details.get("office")
        elif event.event == Event.decide.value and event.to_state == "decided":
            start = event.details.get("meeting")  # counted from the session, not the entry
            decided_at = datetime.fromisoformat(start) if start else event.at
            implementable = Result(event.details["result"]) in IMPLEMENTABLE
            decided_consultation = event.details.get("consultation_id")
        elif event.event == Event.start_implementation.value:
            implementation_office = event.details.get("office")
    return PaperFacts(
        paper_type=paper.paper_type,
        state=paper.state,
        received_at=paper.received_at,
        has_questions=has_questions,
        consultations=tuple(
            ConsultationFacts(
                id=c.id or 0,
                position=c.position,
                organization=o.name,
                organization_id=o.id or 0,
                meeting_id=m.id if m else None,
                meeting_start=m.start if m else None,
                meeting_cancelled=bool(m and m.cancelled),
                done=c.done,
            )
            for c, m, o in consultations
        ),
        sessions_held=tuple(
            SessionHeld(
                consultation_id=item.consultation_id or 0,  # joined on it: never None
                meeting_id=meeting.id or 0,
                meeting_start=meeting.start,
                result=item.result or "",
            )
            for item, meeting in held
            if not meeting.cancelled and item.result not in NOT_HELD
        ),
        report_requested_at=report_at,
        report_office=report_office,
        decided_at=decided_at,
        decision_implementable=implementable,
        decided_consultation_id=decided_consultation,
        implementation_office=implementation_office,
        urgent=urgent,
        urgent_at=urgent_at,
        urgent_reason=urgent_reason,
        meetings=tuple(starts),
    )


def later_meetings(
    session: Session, organization_id: int | None, after: datetime
) -> list[datetime]:
    """The next LATER_MEETINGS meetings (not cancelled) of a committee after `after`, in
    order: what rules counted in meetings plan with and what a late motion's verdict names."""
    if organization_id is None:
        return []
    return later_meetings_of(session, {organization_id: after}, limit=LATER_MEETINGS).get(
        organization_id, []
    )


def later_meetings_of(
    session: Session, after: dict[int, datetime], *, limit: int | None
) -> dict[int, list[datetime]]:
    """The meetings (not cancelled) of each committee after its moment, in order, in one
    statement; at most `limit` in all (for one committee: `later_meetings`), else every one
    after the earliest moment of them all, each committee's kept from its own moment on."""
    if not after:
        return {}
    query = (
        select(Meeting.start, Meeting.organization_id)
        .where(
            col(Meeting.organization_id).in_(after),
            Meeting.start > min(after.values()),
            col(Meeting.cancelled).is_(False),
        )
        .order_by(col(Meeting.organization_id), col(Meeting.start))
    )
    if limit is not None:
        query = query.limit(limit)
    found: dict[int, list[datetime]] = {org: [] for org in after}
    for start, org in session.exec(query).all():
        if start > after[org]:
            found[org].append(start)
    return found


def committee_calendars(session: Session, org_ids: Iterable[int]) -> dict[int, list[datetime]]:
    """Every meeting (not cancelled) of these committees, each in order, in one statement
    (`later_meetings_of` from the beginning): for the paths that plan many papers at once
    and count meetings ("spätestens in der übernächsten Sitzung";
    domain.deadlines.coming_meetings picks a paper's)."""
    return later_meetings_of(session, dict.fromkeys(org_ids, _EARLIEST), limit=None)


_EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def replan(
    session: Session,
    paper: Paper,
    rules: Rules,
    now: datetime,
    *,
    version: str | None = None,
) -> PlanChange:
    """Make the paper's deadline rows match what its body's rules say now. With `version`
    (a version of the body's profile just adopted, models.services.rule_versions) only the
    deadlines anchored in its period, and of those only open ones and new ones: met and
    missed stay as they were, nothing is cancelled."""
    now = to_utc(now)
    rules = rules_of(rules, paper.body_id)
    facts = gather_facts(session, paper, meetings=counts_meetings(rules))
    planned_list, unplanned = plan_all(facts, rules)
    planned = {p.key: p for p in planned_list}
    if version is not None:
        planned = {k: p for k, p in planned.items() if _anchored_in(rules, p, version)}
    committee_of: dict[int | None, int] = {c.id: c.organization_id for c in facts.consultations}
    current = next((c.organization_id for c in facts.consultations if not c.done), None)
    if paper.current_organization_id != current:
        paper.current_organization_id = current
        session.add(paper)
    existing = {
        d.key: d for d in session.exec(select(Deadline).where(Deadline.paper_id == paper.id)).all()
    }
    assert paper.id is not None
    minuted = _minutes_recorded(session, planned.values())

    def new_row(p: PlannedDeadline, explained: dict[str, Any] | None) -> Deadline:
        met_at = (
            minuted.get(p.meeting_id)
            if p.kind is DeadlineKind.minutes and p.meeting_id is not None
            else None
        )
        assert paper.id is not None
        return Deadline(
            **new_deadline_values(
                p,
                paper_id=paper.id,
                body_id=paper.body_id,
                organization_id=committee_of.get(p.consultation_id),
                received_at=paper.received_at,
                now=now,
                minutes_at=met_at,
                explanation=explained,
            )
        )

    done = reconcile(
        _OrmRows(session, new_row),
        existing,
        planned,
        facts=facts,
        rules=rules,
        explain=lambda p: stored_explanation(rules, p, meetings=facts.meetings),
        now=now,
        version=version,
    )
    change = PlanChange(
        added=done.added,
        moved=done.moved,
        cancelled=done.cancelled,
        uncomputable=[  # a met one is not waiting (as `show` and the lists say)
            _unplanned_line(paper, u)
            for u in unplanned
            if u.key not in existing or existing[u.key].status != DeadlineStatus.met.value
        ],
    )
    session.flush()
    sync_reminders(session, paper, rules, now)
    return change


class _OrmRead:
    """ORM rows read for models.domain.replanning."""

    def get(self, row: Any, column: str) -> Any:
        return getattr(row, column)


class _OrmRows(_OrmRead):
    """Deadline rows as ORM objects for models.domain.replanning.reconcile."""

    def __init__(
        self,
        session: Session,
        new_row: Callable[[PlannedDeadline, dict[str, Any] | None], Deadline],
    ) -> None:
        self.session, self.new_row = session, new_row

    def put(self, row: Deadline, values: dict[str, Any]) -> None:
        for column, value in values.items():
            setattr(row, column, value)
        self.session.add(row)

    def add(self, planned: PlannedDeadline, explanation: dict[str, Any] | None) -> Deadline:
        row = self.new_row(planned, explanation)
        self.session.add(row)
        return row


def _anchored_in(rules: RuleSet, planned: PlannedDeadline, version: str) -> bool:
    """Whether the planned deadline's anchor lies in the period of `version`."""
    if planned.anchor is None:
        return False
    found = rules.version_at(planned.anchor)
    return found is not None and found.name == version


def _unplanned_line(paper: Paper, unplanned: Unplanned) -> str:
    return f"{paper.reference}: {unplanned.label}: {unplanned.reason}"


def not_yet_computable(session: Session, paper: Paper, rules: Rules) -> list[dict[str, Any]]:
    """The deadlines the paper's rules require that cannot be computed yet (a count of
    meetings beyond the calendar), for `show` and, through `waiting_deadlines`, the lists:
    what the Sitzungsdienst must still schedule. Asked when shown, as the timeliness verdict
    is: nothing is stored until it can be."""
    assert paper.id is not None
    return not_yet_computable_of(session, [paper], rules).get(paper.id, [])


def not_yet_computable_of(
    session: Session, papers: Sequence[Paper], rules: Rules
) -> dict[int, list[dict[str, Any]]]:
    """`not_yet_computable` for several papers, by paper id, their facts read together
    (`gather_facts_of`); papers whose rules count no meetings are not read. A rule that has
    a computed or met row for the consultation (SETTLED) is left out, as `waiting_deadlines`
    leaves it out: `show` and the lists give the same answer."""
    counting = [p for p in papers if counts_meetings(rules_of(rules, p.body_id))]
    facts = gather_facts_of(session, counting, meetings=True) if counting else {}
    unplanned = {
        paper_id: plan_all(found, rules_of(rules, paper.body_id))[1]
        for paper in counting
        if (paper_id := paper.id) is not None and (found := facts.get(paper_id)) is not None
    }
    # A rule with a computed or met row for the consultation is not waiting, whatever the
    # calendar says now (met is met): one statement, only where something is not computable.
    settled: set[tuple[int, str]] = set()
    if any(unplanned.values()):
        settled = set(
            session.exec(
                select(Deadline.paper_id, Deadline.key).where(
                    col(Deadline.paper_id).in_([i for i, u in unplanned.items() if u]),
                    col(Deadline.rule).in_({u.rule for w in unplanned.values() for u in w}),
                    col(Deadline.status).in_(SETTLED),
                )
            ).all()
        )
    return {
        paper_id: [
            {"rule": u.rule, "label": u.label, "reason": u.reason}
            for u in waiting
            if (paper_id, u.key) not in settled
        ]
        for paper_id, waiting in unplanned.items()
    }


@dataclass(frozen=True, slots=True)
class Waiting:
    """A deadline that cannot be computed yet, as the lists show it (`deadlines`, the
    overview): which motion, before which committee, by which rule, and what is missing."""

    body_id: int
    body: str
    reference: str
    committee: str
    rule: str
    label: str
    reason: str
    """German, e.g. 'noch keine übernächste Sitzung terminiert (Sozialausschuss)'."""

    def as_dict(self) -> dict[str, Any]:
        """For --json: the keys of `show --json`'s deadlinesNotYetComputable, and whose."""
        return {
            "reference": self.reference,
            "body": self.body,
            "committee": self.committee,
            "rule": self.rule,
            "label": self.label,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class WaitingList:
    """`waiting_deadlines`' answer; `unchecked_of` names bodies whose rules could not be loaded
    (a profile gone from disk): their motions were not looked at, and the lists say so."""

    items: list[Waiting]
    unchecked_of: list[tuple[int | None, str]] = field(default_factory=list)
    """(body id, or None for every body, and why), e.g. (None, '/nirgends/go.toml:
    Regelprofil nicht gefunden')."""

    @property
    def unchecked(self) -> list[str]:
        return [why for _, why in self.unchecked_of]

    def of_body(self, body_id: int | None) -> WaitingList:
        """What concerns one body (None: all), for the sweep's overview per body."""
        if body_id is None:
            return self
        return WaitingList(
            [w for w in self.items if w.body_id == body_id],
            [(b, why) for b, why in self.unchecked_of if b in (None, body_id)],
        )


ACTIVE_STATES = tuple(s.value for s in State if not s.terminal and s not in WAITING)
"""States in which a motion owes deadlines (plan_all plans nothing before the review or
assignment, and nothing counted in meetings once it is closed)."""

SETTLED = (DeadlineStatus.open.value, DeadlineStatus.missed.value, DeadlineStatus.met.value)
"""A stored row of a meeting-count rule in one of these states: it was computed (or met)."""


def waiting_deadlines(
    session: Session,
    rules: Rules,
    *,
    body_id: int | None = None,
    committee: str | None = None,
) -> WaitingList:
    """Every deadline not computable yet, of all bodies (or one; of one committee by name or
    short name), by committee and reference: `not_yet_computable`, the one answer `show`
    gives, asked only for the motions that can have one, which SQL finds without reading the
    others. Only bodies whose rules count meetings are looked at, and of their motions only
    those in a state that owes deadlines, before a committee, that owe such a rule (of a
    paper type it applies to) with no computed (open, missed) or met row of it for the
    consultation it is before (a committee consulted again, after a Verweisung, owes it
    anew): `replan` stores the row as soon as the calendar has the meetings (adding,
    moving or cancelling a meeting re-plans), so a motion with one is not waiting. A day
    with nothing waiting costs one read of the bodies and one statement over the counting
    bodies' motions (each probed in the deadline index by paper, each row of the rule in
    the consultation index for the paper's current consultation: 41 → 56 ms for that
    statement at 1,000,000 deadlines on SQLite, no change measurable on PostgreSQL); the
    waiting ones then have their facts read together (five statements for all,
    `gather_facts_of`) and their rows of the rules once (`not_yet_computable_of`)."""
    # bodies by their rules counted in meetings: (rule name, paper types or None for all)
    groups: dict[frozenset[tuple[str, frozenset[str] | None]], list[int]] = defaultdict(list)
    unchecked: list[tuple[int | None, str]] = []
    body_names: dict[int, str] = {}
    bodies = select(Body.id, Body.name).order_by(col(Body.id))
    if body_id is not None:
        bodies = bodies.where(Body.id == body_id)
    for found, name in session.exec(bodies).all():
        if found is None:
            continue
        body_names[found] = name
        try:
            counted = meeting_rules(rules_of(rules, found))
        except RuleError as exc:
            unchecked.append((found, f"{name}: {exc}"))
            continue
        types: dict[str, set[str] | None] = {}
        for rule_name, rule in counted:  # a version may change the types a rule applies to
            known = types.setdefault(rule_name, set())
            if known is None or rule.paper_types is None:
                types[rule_name] = None
            else:
                known.update(rule.paper_types)
        if types:
            groups[
                frozenset((n, None if t is None else frozenset(t)) for n, t in types.items())
            ].append(found)
    items: list[Waiting] = []
    current = (  # the consultation the paper is before (`gather_facts`' current), whose row
        select(Consultation.id)  # it would be: a committee consulted again owes it anew
        .where(Consultation.paper_id == Deadline.paper_id, col(Consultation.done).is_(False))
        .order_by(col(Consultation.position), col(Consultation.id))
        .limit(1)
        .scalar_subquery()
    )
    for counted_rules, ids in groups.items():
        unsettled = [  # a rule this paper owes with no computed or met row for its consultation
            sa.and_(
                sa.true() if paper_types is None else col(Paper.paper_type).in_(paper_types),
                ~select(Deadline.id)
                .where(
                    Deadline.paper_id == Paper.id,
                    Deadline.rule == rule_name,
                    Deadline.consultation_id == current,
                    col(Deadline.status).in_(SETTLED),
                )
                .exists(),
            )
            for rule_name, paper_types in sorted(counted_rules, key=lambda r: r[0])
        ]
        query = (
            select(Paper, Organization.name)
            .join(Organization, col(Organization.id) == Paper.current_organization_id)
            .where(
                col(Paper.state).in_(ACTIVE_STATES),
                col(Paper.body_id).in_(ids),
                sa.or_(*unsettled),
            )
        )
        if committee is not None:
            query = query.where(
                (Organization.name == committee) | (Organization.short_name == committee)
            )
        candidates = session.exec(query).all()
        unplanned = not_yet_computable_of(session, [paper for paper, _ in candidates], rules)
        for paper, org in candidates:
            items += [
                Waiting(
                    paper.body_id,
                    body_names[paper.body_id],
                    paper.reference,
                    org,
                    u["rule"],
                    u["label"],
                    u["reason"],
                )
                for u in unplanned.get(paper.id or 0, [])
            ]
    items.sort(key=lambda w: (w.committee, w.reference, w.label))
    return WaitingList(items, unchecked)


def _minutes_recorded(session: Session, planned: Iterable[PlannedDeadline]) -> dict[int, datetime]:
    """Meetings among the planned minutes deadlines whose minutes are already recorded (a
    motion that reaches ratsfrist after them, e.g. by an OParl sync), with when."""
    ids = {p.meeting_id for p in planned if p.kind is DeadlineKind.minutes and p.meeting_id}
    if not ids:
        return {}
    rows = session.exec(
        select(Meeting.id, Meeting.minutes_at).where(
            col(Meeting.id).in_(ids), col(Meeting.minutes_at).is_not(None)
        )
    ).all()
    return {meeting_id: at for meeting_id, at in rows if meeting_id is not None and at}


def sync_reminders(session: Session, paper: Paper, rules: Rules, now: datetime) -> None:
    """Make the paper's pending reminders match its deadlines: steps for open deadlines are
    planned, steps of met or cancelled deadlines and of old due dates are cancelled. Sent rows
    are history and stay as they are."""
    now = to_utc(now)
    rules = rules_of(rules, paper.body_id)
    rows = session.exec(
        select(Deadline, Organization.name)
        .outerjoin(Organization, col(Organization.id) == Deadline.organization_id)
        .where(Deadline.paper_id == paper.id)
        .order_by(col(Deadline.id))  # reminders planned in one order whatever the join plan
    ).all()
    existing: dict[tuple[int | None, str, str], Reminder] = {
        (r.deadline_id, r.step, r.tag): r
        for r in session.exec(select(Reminder).where(Reminder.paper_id == paper.id)).all()
    }
    reconcile_reminders(
        _OrmReminders(session),
        _OrmRead(),
        list(rows),
        existing,
        rules=rules,
        now=now,
        paper_id=paper.id,
    )
    session.flush()


class _OrmReminders(_OrmRead):
    """Reminder rows as ORM objects for models.domain.replanning.reconcile_reminders."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def put(self, row: Reminder, values: dict[str, Any]) -> None:
        for column, value in values.items():
            setattr(row, column, value)
        self.session.add(row)

    def add(self, values: dict[str, Any]) -> Reminder:
        reminder = Reminder(**values)
        self.session.add(reminder)
        return reminder


def mark_met(
    session: Session,
    paper: Paper,
    event: LifecycleEvent,
    *,
    meeting_id: int | None = None,
) -> list[Deadline]:
    """Record that `event` met the deadlines it meets (MET_BY), also ones already missed."""
    kinds = MET_BY.get(Event(event.event))
    if not kinds:
        return []
    rows = session.exec(
        select(Deadline).where(
            Deadline.paper_id == paper.id,
            col(Deadline.kind).in_([k.value for k in kinds]),
            col(Deadline.status).in_(OWED),
        )
    ).all()
    met = []
    for row in rows:
        if not met_here(row.kind, row.meeting_id, meeting_id):
            continue
        row.status = DeadlineStatus.met.value
        row.met_at = event.at
        row.met_by_event_id = event.id
        row.updated_at = event.at
        session.add(row)
        met.append(row)
    session.flush()
    return met


def deadlines_of(session: Session, paper: Paper, now: datetime) -> list[dict[str, Any]]:
    rows = session.exec(
        select(Deadline, Organization.name)
        .outerjoin(Organization, col(Organization.id) == Deadline.organization_id)
        .where(Deadline.paper_id == paper.id)
        .order_by(col(Deadline.due), col(Deadline.id))
    ).all()
    return [deadline_view(row, paper.reference, now, committee=org) for row, org in rows]


def timeliness(session: Session, paper: Paper, rules: Rules) -> Timeliness | None:
    """The verdict of the paper's proposal deadline, and if late the next meeting of the
    same committee whose deadline the motion still meets."""
    rules = rules_of(rules, paper.body_id)
    row = session.exec(
        select(Deadline).where(
            Deadline.paper_id == paper.id, Deadline.kind == DeadlineKind.proposal.value
        )
    ).first()
    if row is None or row.meeting_id is None or row.consultation_id is None:
        return None
    meeting = session.get(Meeting, row.meeting_id)
    consultation = session.get(Consultation, row.consultation_id)
    assert meeting is not None and consultation is not None
    org = session.get(Organization, consultation.organization_id)
    assert org is not None
    return verdict(
        met=row.status == DeadlineStatus.met.value,
        organization=org.name,
        meeting_start=meeting.start,
        due=row.due,
        received_at=paper.received_at,
        rule=row.rule,
        later_starts=lambda: later_meetings(session, org.id, meeting.start),
        rules=rules,
    )
