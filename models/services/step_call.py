"""What every lifecycle step shares: the call it is given, the change it returns and the
one path that records it.

A step's function (models.services.agenda, .decisions, .steps) gets a `StepCall` (the paper,
found once; the instant as aware UTC; who; the rules; the consultations read at most once),
checks its input, changes what is particular to it and returns a `Change`; `apply` asks
models.domain.states whether the step is allowed and writes the LifecycleEvent in the same
transaction, then settles the deadlines.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any

from sqlmodel import Session, select

from models.domain.bodies import Rules
from models.domain.errors import InvalidInput
from models.domain.states import Decision, Entry, Event, Result, State, transition
from models.domain.steps import BY_NAME, FieldError
from models.domain.timeutil import to_utc
from models.services.deadlines import mark_met, replan
from models.store.repo import DEFAULT_MEETING_TIME, consultations_of
from models.store.tables import AgendaItem, Consultation, LifecycleEvent, Organization, Paper


@dataclass(slots=True)
class StepCall:
    """One step asked for. `now` is converted to aware UTC here, at the entry, and nowhere
    after; the paper is the one row every part of the step works on."""

    session: Session
    paper: Paper
    now: datetime
    actor: str
    rules: Rules
    meeting_time: time = DEFAULT_MEETING_TIME
    """When a meeting first named by the step starts (RATSFRIST_MEETING_TIME), like `rules`
    part of the installation, not of the step's own parameters."""
    _consultations: list[Consultation] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.now = to_utc(self.now)

    def consultations(self) -> list[Consultation]:
        """The Beratungsfolge as it was when the step began, read once."""
        if self._consultations is None:
            self._consultations = consultations_of(self.session, self.paper)
        return self._consultations

    def current(self) -> Consultation | None:
        """The open consultation first in the Beratungsfolge: the one the step concerns."""
        return next((c for c in self.consultations() if not c.done), None)

    def require_current(self) -> Consultation:
        consultation = self.current()
        if consultation is None:
            raise InvalidInput(
                f"{self.paper.reference}: keine offene Beratung in der Beratungsfolge"
            )
        return consultation

    def committee(self) -> str | None:
        """The committee of the current consultation (for tags), before the step moves on."""
        consultation = self.current()
        if consultation is None:
            return None
        org = self.session.get(Organization, consultation.organization_id)
        return org.name if org else None


@dataclass(slots=True)
class Change:
    """What a step's function hands to `apply`: the event and what it records."""

    event: Event
    details: dict[str, Any]
    meeting_id: int | None = None
    decision: Decision | None = None
    last_result: Result | None = None
    entry: Entry | None = None
    """For submit and review: what decides the state the motion goes to."""


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """A step done: the paper after it, the event written, and (if asked) the committee of
    the consultation that was current before it."""

    paper: Paper
    record: LifecycleEvent
    committee: str | None = None


def apply(call: StepCall, change: Change) -> LifecycleEvent:
    """Validate and record one step, then settle its deadlines: mark the ones it meets and
    re-plan the rest, all in the caller's transaction."""
    paper, now = call.paper, call.now
    before = State(paper.state) if paper.state else None
    after = transition(
        before,
        change.event,
        decision=change.decision,
        last_result=change.last_result,
        entry=change.entry,
    )
    paper.state = after.value
    paper.updated_at = now
    call.session.add(paper)
    call.session.flush()
    assert paper.id is not None
    record = LifecycleEvent(
        paper_id=paper.id,
        at=now,
        actor=call.actor,
        event=change.event.value,
        from_state=before.value if before else None,
        to_state=after.value,
        details=change.details,
    )
    call.session.add(record)
    call.session.flush()
    mark_met(call.session, paper, record, meeting_id=change.meeting_id)
    replan(call.session, paper, call.rules, now)
    return record


#: Step name → its function; `performs` fills it, models.domain.steps names the steps.
FUNCTIONS: dict[str, Callable[..., Change]] = {}


def performs(name: str) -> Callable[[Callable[..., Change]], Callable[..., Change]]:
    """Attach a function to the registry entry `name` (which must exist)."""

    def attach(function: Callable[..., Change]) -> Callable[..., Change]:
        assert name in BY_NAME, f"{name} fehlt in models.domain.steps"
        FUNCTIONS[name] = function
        return function

    return attach


def office_name(text: str) -> str:
    office = " ".join(text.split())
    if not office:
        raise FieldError("office", "{field}: zuständige Stelle fehlt")
    return office


def open_agenda_item(session: Session, consultation: Consultation) -> AgendaItem | None:
    if consultation.meeting_id is None:
        return None
    return session.exec(
        select(AgendaItem).where(
            AgendaItem.consultation_id == consultation.id,
            AgendaItem.meeting_id == consultation.meeting_id,
        )
    ).first()
