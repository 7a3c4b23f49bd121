"""The lifecycle steps as use cases, each a plain function over a session.

`perform` runs any step of models.domain.steps by name: it finds the paper once, hands the
step's function (here, in models.services.agenda and in models.services.decisions) a
StepCall and records the Change it returns through the one path, step_call.apply. Adding a
step is its entry in models.domain.steps plus its function marked @performs(name).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time
from typing import Any

from sqlmodel import Session, col, select

from models.domain.bodies import Rules
from models.domain.errors import InvalidInput
from models.domain.states import Entry, Event, State, transition
from models.domain.steps import STEPS

# The step functions attach themselves to FUNCTIONS when their modules are imported.
from models.services import (  # noqa: F401
    agenda,
    assignment,
    deadline_steps,
    decisions,
    reviews,
)
from models.services.step_call import (
    FUNCTIONS,
    Change,
    StepCall,
    StepOutcome,
    apply,
    office_name,
    performs,
)
from models.store.profiles import default_rules
from models.store.repo import DEFAULT_MEETING_TIME, find_paper
from models.store.tables import LifecycleEvent, Paper, Question

__all__ = ["BY_REFERENCE", "FUNCTIONS", "StepOutcome", "perform", "submit"]


def perform(
    name: str,
    session: Session,
    reference: str,
    *,
    now: datetime,
    actor: str,
    body: str | None = None,
    rules: Rules | None = None,
    committee: bool = False,
    meeting_time: time = DEFAULT_MEETING_TIME,
    **params: Any,
) -> StepOutcome:
    """Run the step `name` on the motion `reference`: the paper is looked up once, here."""
    paper = find_paper(session, reference, body)
    call = StepCall(session, paper, now, actor, rules or default_rules(), meeting_time)
    tag = call.committee() if committee else None
    record = apply(call, FUNCTIONS[name](call, **params))
    return StepOutcome(paper, record, tag)


def submit(
    session: Session,
    paper: Paper,
    *,
    now: datetime,
    actor: str,
    details: dict[str, Any],
    rules: Rules | None = None,
    entry: Entry | None = None,
) -> LifecycleEvent:
    """The first step of a stored paper (document intake, OParl sync): its consultations
    must be in the session already, since they decide its first deadlines. `entry` says
    whether it waits for a review or an assignment first (models.domain.states.Entry)."""
    call = StepCall(session, paper, now, actor, rules or default_rules())
    return apply(call, Change(Event.submit, details, entry=entry))


# --- the steps, one function each -------------------------------------------------------------


@performs("request_report")
def _request_report(call: StepCall, *, office: str) -> Change:
    """Ask the administration (an office, e.g. 'Amt 50') for its report."""
    return Change(Event.request_report, {"office": office_name(office)})


@performs("deliver_report")
def _deliver_report(
    call: StepCall, *, answered: list[int] | None = None, note: str | None = None
) -> Change:
    """Record the report; `answered` lists the question numbers it answers (None: all)."""
    session, paper = call.session, call.paper
    questions = list(
        session.exec(
            select(Question).where(Question.paper_id == paper.id).order_by(col(Question.number))
        ).all()
    )
    numbers = {q.number for q in questions}
    wanted = numbers if answered is None else set(answered)
    unknown = sorted(wanted - numbers)
    if unknown:
        raise InvalidInput(
            f"{paper.reference}: Frage(n) {', '.join(map(str, unknown))} gibt es nicht "
            f"(die Vorlage hat {len(numbers)} Fragen)"
        )
    transition(State(paper.state), Event.deliver_report)
    for question in questions:
        if question.number in wanted and question.answered_at is None:
            question.answered_at = call.now
            session.add(question)
    still_open = sorted(
        q.number for q in questions if q.number not in wanted and q.answered_at is None
    )
    details: dict[str, Any] = {"answered": sorted(wanted), "open": still_open}
    if note:
        details["note"] = note
    return Change(Event.deliver_report, details)


@performs("close")
def _close(call: StepCall, *, note: str | None = None) -> Change:
    """Erledigt: the motion is done with."""
    return Change(Event.close, {"note": note} if note else {})


# --- the steps as plain functions over a session (tests, OParl sync, benchmarks) -------------


def _by_reference(name: str) -> Callable[..., Paper]:
    def run(
        session: Session,
        reference: str,
        *,
        now: datetime,
        actor: str,
        body: str | None = None,
        rules: Rules | None = None,
        **params: Any,
    ) -> Paper:
        return perform(
            name, session, reference, now=now, actor=actor, body=body, rules=rules, **params
        ).paper

    run.__name__ = run.__qualname__ = name
    run.__doc__ = FUNCTIONS[name].__doc__
    return run


#: Step name → the function over a session, for every step of the registry.
BY_REFERENCE: dict[str, Callable[..., Paper]] = {s.name: _by_reference(s.name) for s in STEPS}

BY_REFERENCE["review"] = _by_reference("review")

assign = BY_REFERENCE["assign"]
review = BY_REFERENCE["review"]
place_on_agenda = BY_REFERENCE["place_on_agenda"]
request_report = BY_REFERENCE["request_report"]
deliver_report = BY_REFERENCE["deliver_report"]
decide = BY_REFERENCE["decide"]
start_implementation = BY_REFERENCE["start_implementation"]
close = BY_REFERENCE["close"]
withdraw = BY_REFERENCE["withdraw"]
mark_urgent = BY_REFERENCE["mark_urgent"]
extend_deadline = BY_REFERENCE["extend_deadline"]
