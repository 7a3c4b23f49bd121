"""A re-plan: a paper's stored deadline rows made to say what `plan` says now (added,
re-dated, cancelled; met ones and settled verdicts kept), and its pending reminders made to
follow them. Pure, over any form of row.

Two writers keep deadline rows: models.services.deadlines.replan (ORM rows, after every step)
and the OParl bulk replay (models.services.replay_rows, plain dicts, thousands of new papers
at once). Both call `reconcile` and `reconcile_reminders` with the rows in their form and
an access that reads and writes them, so what a re-plan keeps, moves, revives or cancels is
decided in one place and the two cannot drift apart (tests/services/test_oparl_bulk.py holds
them to the same rows).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, Protocol, TypeVar

from models.domain.deadlines import reminder_steps
from models.domain.explain import extension_steps, urgency_step, with_steps
from models.domain.extension import kept_extension
from models.domain.planning import PaperFacts, PlannedDeadline, keeps_its_rules, proposal_verdict
from models.domain.reminders import pending_reminder
from models.domain.rules import DeadlineKind, RuleSet
from models.domain.vocab import OWED, DeadlineStatus, ReminderStatus

R = TypeVar("R")
M = TypeVar("M")
Row = TypeVar("Row", contravariant=True)

Explained = dict[str, Any] | None
"""A stored explanation (models.domain.explain.stored_explanation)."""


class Reads(Protocol[Row]):
    """How the caller's rows are read."""

    def get(self, row: Row, column: str) -> Any:
        """A column's value (None for one the row does not carry)."""
        ...


class RowAccess(Reads[R], Protocol[R]):
    """How `reconcile` reads and writes the caller's deadline rows."""

    def put(self, row: R, values: dict[str, Any]) -> None:
        """Columns changed on an existing row (only ever ones that differ)."""
        ...

    def add(self, planned: PlannedDeadline, explanation: Explained) -> R:
        """A new row for a deadline planned for the first time (its columns:
        models.domain.deadlines.new_deadline_values)."""
        ...


@dataclass
class Reconciled(Generic[R]):
    """What a re-plan did, row by row."""

    added: list[R] = field(default_factory=list)
    moved: list[R] = field(default_factory=list)
    cancelled: list[R] = field(default_factory=list)


def reconcile(
    access: RowAccess[R],
    existing: Mapping[str, R],
    planned: Mapping[str, PlannedDeadline],
    *,
    facts: PaperFacts,
    rules: RuleSet,
    explain: Callable[[PlannedDeadline], Explained],
    now: datetime,
    version: str | None = None,
) -> Reconciled[R]:
    """Make `existing` (the paper's rows by key) say what `planned` says. With `version` (a
    version of the profile just adopted, models.services.rule_versions) `planned` holds only
    the deadlines anchored in its period, and of those only open and new ones are touched:
    met and missed stay as they were, nothing is cancelled. Without it (an ordinary
    re-plan) a missed deadline and an Antragsfrist's verdict keep the version that computed
    them while their facts stand (planning.keeps_its_rules); a met one is history."""
    get = access.get
    done: Reconciled[R] = Reconciled()
    for key, p in planned.items():
        row = existing.get(key)
        if version is not None and row is not None and get(row, "status") != DeadlineStatus.open:
            continue
        explained = explain(p)
        if p.urgent and facts.urgent_at is not None:
            explained = with_steps(explained, [urgency_step(facts.urgent_at, facts.urgent_reason)])
        if row is None:
            done.added.append(access.add(p, explained))
            continue
        status = get(row, "status")
        if version is None and _settled(rules, access, row, p, facts):
            continue  # a verdict stays as the version that reached it computed it
        if p.kind is DeadlineKind.proposal:
            verdict = proposal_verdict(facts.received_at, p.due).value
            if (get(row, "due"), status) != (p.due, verdict):
                done.moved.append(row)
                access.put(
                    row,
                    {"due": p.due, "status": verdict, "updated_at": now, "explanation": explained},
                )
            elif get(row, "explanation") is None:  # planned before 0010
                access.put(row, {"explanation": explained})
            continue
        if status == DeadlineStatus.met:
            continue  # history: met is met, even if the rule would say otherwise now
        changes: dict[str, Any] = {}
        before, extended_before = get(row, "due"), get(row, "extended_from")
        due, extended_from = kept_extension(p.due, before, extended_before)
        if extended_from != extended_before:
            changes["extended_from"] = extended_from
            changes["extension_reason"] = get(row, "extension_reason") if extended_from else None
        if extended_from is not None:  # the extension holds: so do the steps that say why
            explained = with_steps(explained, extension_steps(get(row, "explanation")))
        moved = before != due
        revived = status == DeadlineStatus.cancelled
        if (
            moved
            or revived
            or get(row, "office") != p.office
            or get(row, "responsible") != p.responsible
        ):
            if moved or revived:
                done.moved.append(row)
                changes["status"] = DeadlineStatus.open.value  # the sweep decides anew
            changes.update(due=due, office=p.office, responsible=p.responsible, updated_at=now)
        if get(row, "explanation") != explained:
            # Owed deadlines follow the rules in force (a new version, a row from before
            # 0010); met ones were skipped above and keep the rule that applied to them.
            changes.update(explanation=explained, description=p.description)
        if changes:
            access.put(row, changes)
    if version is not None:
        return done
    for key, row in existing.items():
        if key in planned or get(row, "kind") == DeadlineKind.proposal:
            continue
        if get(row, "status") in OWED:
            access.put(row, {"status": DeadlineStatus.cancelled.value, "updated_at": now})
            done.cancelled.append(row)
    return done


def _settled(
    rules: RuleSet, access: RowAccess[R], row: R, planned: PlannedDeadline, facts: PaperFacts
) -> bool:
    """A missed deadline, or an Antragsfrist (a verdict from the start), that its own
    version of the rules still computes as it stands (planning.keeps_its_rules). Met ones
    other than the Antragsfrist are history whatever happens (`reconcile` skips them); a row
    planned before explanations were stored (migration 0010) is explained by the rules in
    force, as before."""
    if (
        access.get(row, "kind") != DeadlineKind.proposal
        and access.get(row, "status") != DeadlineStatus.missed
    ):
        return False
    explanation = access.get(row, "explanation")
    if explanation is None:
        return False
    return keeps_its_rules(
        rules,
        planned,
        facts,
        version=explanation.get("version"),
        rules_due=access.get(row, "extended_from") or access.get(row, "due"),
    )


class ReminderAccess(Reads[M], Protocol[M]):
    """How `reconcile_reminders` reads and writes the caller's reminder rows."""

    def put(self, row: M, values: dict[str, Any]) -> None: ...

    def add(self, values: dict[str, Any]) -> M:
        """A new outbox row (its columns: models.domain.reminders.pending_reminder)."""
        ...


ReminderKey = tuple[Any, str, str]
"""(deadline id, step, tag): a reminder's identity."""


def reconcile_reminders(
    access: ReminderAccess[M],
    rows: Reads[R],
    deadlines: Iterable[tuple[R, str | None]],
    existing: MutableMapping[ReminderKey, M],
    *,
    rules: RuleSet,
    now: datetime,
    paper_id: Any,
) -> None:
    """Make a paper's pending reminders match its deadlines (each with its committee's
    name, in the order of their ids): steps for open deadlines are planned, steps of met or
    cancelled deadlines and of old due dates are cancelled. Sent rows are history and stay
    as they are. `existing`: the paper's reminders by key; new ones are added to it."""
    get = access.get
    wanted: set[ReminderKey] = set()
    for deadline, committee in deadlines:
        deadline_id = rows.get(deadline, "id")
        steps = reminder_steps(
            rows.get(deadline, "kind"), rows.get(deadline, "status"), rows.get(deadline, "due"),
            rules, now,
        )  # fmt: skip
        if not steps:
            continue
        suffix = "@" + steps[0].step.split("@")[1]
        known = {
            key
            for key, r in existing.items()
            if key[0] == deadline_id and not get(r, "escalation") and key[1].endswith(suffix)
        }
        if known:
            # Already planned for this due date: keep what is there (sent or still waiting,
            # even if its hour has passed) and add only steps still to come, no new notice.
            wanted |= known
            steps = [s for s in steps if not s.step.startswith("neu@")]
        responsible = rows.get(deadline, "responsible")
        for step in steps:
            key = (deadline_id, step.step, responsible)
            wanted.add(key)
            if key in existing:
                continue
            existing[key] = access.add(
                pending_reminder(
                    step,
                    tag=responsible,
                    committee=committee,
                    now=now,
                    deadline_id=deadline_id,
                    paper_id=paper_id,
                    body_id=rows.get(deadline, "body_id"),
                )
            )
    for key, reminder in existing.items():
        if get(reminder, "status") != ReminderStatus.pending or key in wanted:
            continue
        access.put(
            reminder,
            {"status": ReminderStatus.cancelled.value, "last_error": None, "updated_at": now},
        )
