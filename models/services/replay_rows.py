"""The rows of a new paper replayed in memory (models.services.oparl_replay), and the parts of
a lifecycle step every step shares: step_call.apply (the event), deadlines.mark_met,
deadlines.replan and deadlines.sync_reminders, over plain dicts instead of ORM rows. The
rules come from where the one-by-one path takes them (models.domain.planning, .deadlines,
.reminders, .states); the re-plan and the reminders' sync themselves are the one-by-one
path's own reconciliations (models.domain.replanning) over the dicts, and the facts it plans
from carry the current committee's coming meetings as gather_facts reads them (for rules
counted in meetings, from the calendars oparl_bulk reads once per committee).
tests/services/test_oparl_bulk.py holds both paths to the same rows.

Ids: rows made here get ids local to the batch, LOCAL + 1, 2, … in creation order (as the
database would give them); models.services.oparl_bulk maps them to real ones when it writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.domain.deadlines import (
    MET_BY,
    NOT_HELD,
    coming_meetings,
    met_here,
    new_deadline_values,
)
from models.domain.explain import stored_explanation
from models.domain.oparl import PaperIn
from models.domain.planning import (
    ConsultationFacts,
    PaperFacts,
    PlannedDeadline,
    SessionHeld,
    counts_meetings,
    plan,
)
from models.domain.replanning import reconcile, reconcile_reminders
from models.domain.rules import DeadlineKind, RuleSet
from models.domain.states import (
    IMPLEMENTABLE,
    Decision,
    Event,
    Result,
    State,
    transition,
)
from models.domain.timeutil import to_utc
from models.domain.vocab import OWED, DeadlineStatus
from models.services.oparl_report import SyncReport

#: Local ids are LOCAL + 1, 2, …: ordered like the real ids they become, and told apart from
#: the real ids of rows read from the database (agenda items name either).
LOCAL = 1 << 40


class NotBulk(Exception):
    """This paper takes the one-by-one path (the reason is for the curious, not the user)."""


@dataclass(frozen=True, slots=True)
class Org:
    id: int
    name: str
    classification: str | None


@dataclass(frozen=True, slots=True)
class MeetingRow:
    id: int
    start: datetime
    cancelled: bool
    minutes_at: datetime | None


@dataclass
class Known:
    """What the papers link to, read as it is first needed and kept for the list's next
    pages (oparl_bulk._replay); emptied whenever the one-by-one path has written."""

    orgs: dict[str, Org] = field(default_factory=dict)
    """by OParl id"""
    meetings: dict[int, MeetingRow] = field(default_factory=dict)
    meeting_ids: dict[str, int] = field(default_factory=dict)
    """meeting id by OParl id"""
    items: dict[int, dict[str, Any]] = field(default_factory=dict)
    """agenda item columns by id, every item of every meeting in `meetings`"""
    item_ids: dict[str, int] = field(default_factory=dict)
    by_meeting: dict[int, list[int]] = field(default_factory=dict)
    """agenda item ids of each meeting, ascending"""
    calendars: dict[int, list[datetime]] = field(default_factory=dict)
    """meeting starts (not cancelled) of each committee by id, ascending: read only for
    profiles with a rule counted in meetings (gather_facts reads them then, too)"""

    def clear(self) -> None:
        for name in (
            "orgs",
            "meetings",
            "meeting_ids",
            "items",
            "item_ids",
            "by_meeting",
            "calendars",
        ):
            getattr(self, name).clear()


@dataclass
class Counter:
    """Local ids per table, handed out in creation order across the batch."""

    next: dict[str, int] = field(default_factory=dict)

    def take(self, table: str) -> int:
        value = self.next.get(table, 0) + 1
        self.next[table] = value
        return LOCAL + value


@dataclass
class Replayed:
    """One paper's rows (local ids), its agenda item changes and its report."""

    paper: dict[str, Any]
    consultations: list[dict[str, Any]]
    events: list[dict[str, Any]]
    deadlines: list[dict[str, Any]]
    reminders: list[dict[str, Any]]
    items: dict[int, dict[str, Any]]
    report: SyncReport


class Batch:
    """What a batch of papers is replayed with; each paper sees the agenda items the ones
    before it adopted (`commit`), as it would in the database."""

    def __init__(
        self,
        known: Known,
        *,
        body_id: int,
        body_name: str,
        now: datetime,
        actor: str,
        rules: RuleSet,
        history_before: datetime,
        default_role: dict[bool, str],
    ) -> None:
        self.known, self.body_id, self.body_name = known, body_id, body_name
        self.now, self.actor, self.rules = to_utc(now), actor, rules
        self.history_before, self.default_role = history_before, default_role
        self.ids = Counter()
        self.orgs_by_id = {o.id: o for o in known.orgs.values()}
        self.counting = counts_meetings(rules)
        """The profile counts meetings: facts carry the current committee's coming ones."""
        self._explained: dict[tuple[Any, ...], dict[str, Any] | None] = {}

    def explained(
        self, planned: PlannedDeadline, meetings: tuple[datetime, ...]
    ) -> dict[str, Any] | None:
        """stored_explanation, once per (rule, anchor, urgent, meetings): a batch's papers
        share their meetings, and every step re-plans a paper's deadlines. The same dict
        goes to each row that asks (rows are written, never changed in place)."""
        key = (planned.rule, planned.anchor, planned.urgent, meetings)
        if key not in self._explained:
            self._explained[key] = stored_explanation(self.rules, planned, meetings=meetings)
        return self._explained[key]

    def commit(self, done: Replayed) -> None:
        """The paper's agenda item changes become what the next paper sees."""
        for item_id, item in done.items.items():
            self.known.items[item_id] = item


class RowsReplay:
    """One paper's rows and the steps every lifecycle step shares (step_call.apply,
    deadlines.mark_met, replan, sync_reminders), over plain dicts."""

    def __init__(self, replay: Batch, obj: PaperIn, values: dict[str, Any]) -> None:
        self.r, self.obj = replay, obj
        self.known = replay.known
        self.now = replay.now
        paper = {**values, "id": replay.ids.take("paper"), "state": ""}
        self.out = Replayed(paper, [], [], [], [], {}, SyncReport())
        self.p = paper

    # --- reading and writing agenda items (the paper's changes apart until commit) ------------

    def item(self, item_id: int) -> dict[str, Any]:
        return self.out.items.get(item_id) or self.known.items[item_id]

    def set_item(self, item_id: int, **values: Any) -> None:
        self.out.items[item_id] = {**self.item(item_id), **values}

    def org_name(self, org_id: int | None) -> str | None:
        org = self.r.orgs_by_id.get(org_id) if org_id is not None else None
        return org.name if org else None

    # --- step_call.apply, deadlines.mark_met, replan, sync_reminders ---------------------------

    def apply(
        self,
        event: Event,
        details: dict[str, Any],
        *,
        meeting_id: int | None = None,
        decision: Decision | None = None,
    ) -> None:
        before = State(self.p["state"]) if self.p["state"] else None
        after = transition(before, event, decision=decision)
        self.p["state"] = after.value
        record = self.event(event, before, after, details)
        kinds = MET_BY.get(event)
        for row in self.out.deadlines:
            if not kinds or DeadlineKind(row["kind"]) not in kinds or row["status"] not in OWED:
                continue
            if not met_here(row["kind"], row["meeting_id"], meeting_id):
                continue
            row.update(
                status=DeadlineStatus.met.value,
                met_at=record["at"],
                met_by_event_id=record["id"],
                updated_at=record["at"],
            )
        self.replan()

    def event(
        self, event: Event, before: State | None, after: State, details: dict[str, Any]
    ) -> dict[str, Any]:
        record = {
            "id": self.r.ids.take("lifecycle_event"),
            "paper_id": self.p["id"],
            "at": self.now,
            "actor": self.r.actor,
            "event": event.value,
            "from_state": before.value if before else None,
            "to_state": after.value,
            "details": details,
        }
        self.out.events.append(record)
        return record

    def facts(self) -> PaperFacts:
        """deadlines.gather_facts over the replayed rows."""
        meetings = self.known.meetings
        ordered = sorted(self.out.consultations, key=lambda c: (c["position"], c["id"]))
        mine = {c["id"] for c in ordered}
        held = []
        for item_id in sorted(i for i in self.out.items if i in self.known.items):
            item = self.item(item_id)
            if item["consultation_id"] in mine and item["result"] is not None:
                meeting = meetings[item["meeting_id"]]
                if not meeting.cancelled and item["result"] not in NOT_HELD:
                    held.append(
                        SessionHeld(
                            consultation_id=item["consultation_id"],
                            meeting_id=meeting.id,
                            meeting_start=meeting.start,
                            result=item["result"],
                        )
                    )
        decided_at = decided_consultation = None
        implementable = False
        for event in self.out.events:
            if event["event"] == Event.decide.value and event["to_state"] == "decided":
                start = event["details"].get("meeting")
                decided_at = datetime.fromisoformat(start) if start else event["at"]
                implementable = Result(event["details"]["result"]) in IMPLEMENTABLE
                decided_consultation = event["details"].get("consultation_id")
        coming: tuple[datetime, ...] = ()
        current = next((c for c in ordered if not c["done"]), None)
        if self.r.counting and current is not None:
            calendar = self.known.calendars.get(current["organization_id"], [])
            coming = coming_meetings(calendar, self.p["received_at"])
        return PaperFacts(
            paper_type=self.p["paper_type"],
            state=self.p["state"],
            received_at=self.p["received_at"],
            has_questions=False,
            consultations=tuple(
                ConsultationFacts(
                    id=c["id"],
                    position=c["position"],
                    organization=self.org_name(c["organization_id"]) or "",
                    organization_id=c["organization_id"],
                    meeting_id=c["meeting_id"],
                    meeting_start=meetings[c["meeting_id"]].start if c["meeting_id"] else None,
                    meeting_cancelled=bool(c["meeting_id"] and meetings[c["meeting_id"]].cancelled),
                    done=c["done"],
                )
                for c in ordered
            ),
            sessions_held=tuple(held),
            decided_at=decided_at,
            decision_implementable=implementable,
            decided_consultation_id=decided_consultation,
            meetings=coming,
        )

    def replan(self) -> None:
        """deadlines.replan: the same reconciliation (models.domain.replanning), over the
        replayed rows."""
        facts = self.facts()
        self.p["current_organization_id"] = next(
            (c.organization_id for c in facts.consultations if not c.done), None
        )
        planned = {p.key: p for p in plan(facts, self.r.rules)}
        existing = {d["key"]: d for d in self.out.deadlines}
        reconcile(
            _DictRows(self, {c.id: c.organization_id for c in facts.consultations}),
            existing,
            planned,
            facts=facts,
            rules=self.r.rules,
            explain=lambda p: self.r.explained(p, facts.meetings),
            now=self.now,
        )
        self.sync_reminders()

    def sync_reminders(self) -> None:
        """deadlines.sync_reminders: the same reconciliation, over the replayed rows."""
        existing = {(r["deadline_id"], r["step"], r["tag"]): r for r in self.out.reminders}
        reconcile_reminders(
            _DictReminders(self),
            _DictRead(),
            [(d, self.org_name(d["organization_id"])) for d in self.out.deadlines],
            existing,
            rules=self.r.rules,
            now=self.now,
            paper_id=self.p["id"],
        )


class _DictRead:
    """Replayed rows (plain dicts) read for models.domain.replanning."""

    def get(self, row: dict[str, Any], column: str) -> Any:
        return row.get(column)


class _DictReminders(_DictRead):
    """The replayed reminder rows for replanning.reconcile_reminders."""

    def __init__(self, paper: RowsReplay) -> None:
        self.paper = paper

    def put(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        row.update(values)

    def add(self, values: dict[str, Any]) -> dict[str, Any]:
        reminder = {**values, "id": self.paper.r.ids.take("reminder")}
        self.paper.out.reminders.append(reminder)
        return reminder


class _DictRows(_DictRead):
    """The replayed deadline rows for models.domain.replanning.reconcile."""

    def __init__(self, paper: RowsReplay, committee_of: dict[int, int]) -> None:
        self.paper, self.committee_of = paper, committee_of

    def put(self, row: dict[str, Any], values: dict[str, Any]) -> None:
        row.update(values)

    def add(self, planned: PlannedDeadline, explanation: dict[str, Any] | None) -> dict[str, Any]:
        replay = self.paper
        minutes_at = (
            replay.known.meetings[planned.meeting_id].minutes_at
            if planned.kind is DeadlineKind.minutes and planned.meeting_id is not None
            else None
        )
        values = new_deadline_values(
            planned,
            paper_id=replay.p["id"],
            body_id=replay.r.body_id,
            organization_id=(
                self.committee_of.get(planned.consultation_id)
                if planned.consultation_id is not None
                else None
            ),
            received_at=replay.p["received_at"],
            now=replay.now,
            minutes_at=minutes_at,
            explanation=explanation,
        )
        row = {**values, "id": replay.r.ids.take("deadline"), "met_by_event_id": None}
        replay.out.deadlines.append(row)
        return row
