"""The lifecycle catching up with an OParl source: agenda placements, moves and results the
council information system shows become the same lifecycle steps staff would take
(models.services.steps), each one checked by the state machine; a step it refuses is a
warning in the report. OParlStore (models.services.oparl_store) builds on this.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, col, select

from models.domain.errors import RatsfristError
from models.domain.oparl_results import result_of
from models.domain.rules import RuleSet
from models.domain.states import Result, ResultKind, State
from models.domain.timeutil import to_local, to_utc
from models.services import steps as services
from models.services.deadlines import replan
from models.services.oparl_report import SyncReport
from models.store.profiles import default_rules
from models.store.repo import consultations_of, current_consultation
from models.store.tables import AgendaItem, Body, Consultation, Meeting, Paper


class CatchUp:
    """One body's sync state within the caller's transaction, and the catching up."""

    def __init__(
        self,
        session: Session,
        body: Body,
        *,
        now: datetime,
        actor: str = "oparl-sync",
        rules: RuleSet | None = None,
    ) -> None:
        assert body.id is not None
        self.session = session
        self.body = body
        self.body_id: int = body.id
        self.now = to_utc(now)
        self.actor = actor
        self.rules = rules or default_rules()
        self.report = SyncReport()

    def _catch_up(self, paper: Paper) -> None:
        """Take the steps the source shows as done: agenda placement, moves to another
        meeting, results. Each loop takes one step; a paper has only so many."""
        for _ in range(4 * (len(consultations_of(self.session, paper)) + 1)):
            if not self._step(paper):
                return

    def _step(self, paper: Paper) -> bool:
        state = State(paper.state)
        if state.terminal or state in (State.decided, State.in_implementation):
            return False
        consultation = current_consultation(self.session, paper)
        if consultation is None or consultation.source_meeting_id is None:
            return False
        meeting = self.session.get(Meeting, consultation.source_meeting_id)
        assert meeting is not None
        item = self._item_for(consultation, meeting)
        if consultation.meeting_id != meeting.id or state is State.submitted:
            if meeting.cancelled:
                return False
            if item is None:
                if state is State.submitted and consultation.meeting_id != meeting.id:
                    # planned for that meeting, not on its agenda yet: deadlines follow it
                    consultation.meeting_id = meeting.id
                    self.session.add(consultation)
                    self.session.flush()
                    replan(self.session, paper, self.rules, self.now)
                return False
            if item.consultation_id is not None:
                return False  # dealt with there already (postponed): wait for the next one
            return self._try(
                paper,
                f"TOP {item.number} {to_local(meeting.start):%d.%m.%Y}",
                lambda: services.place_on_agenda(
                    self.session,
                    paper.reference,
                    item_number=item.number,
                    meeting=meeting,
                    now=self.now,
                    actor=self.actor,
                    body=self.body.name,
                    rules=self.rules,
                ),
            )
        if item is None or item.consultation_id != consultation.id:
            return False
        result = result_of(item.result, authoritative=consultation.authoritative)
        if result is None:
            if item.result:
                self.report.warnings.append(
                    f"{paper.reference}: Ergebnis {item.result!r} nicht zugeordnet; "
                    "von Hand eintragen (ratsfrist decide)"
                )
            return False
        if result == "zurückgezogen":
            return self._try(
                paper,
                "zurückgezogen",
                lambda: services.withdraw(
                    self.session,
                    paper.reference,
                    now=self.now,
                    actor=self.actor,
                    note="laut Ratsinformationssystem",
                    body=self.body.name,
                    rules=self.rules,
                ),
            )
        if not isinstance(result, Result):
            return False  # abgesetzt: the source will name the next meeting
        if result.kind is ResultKind.referral:
            self.report.warnings.append(
                f"{paper.reference}: verwiesen; Zielgremium von Hand eintragen "
                "(ratsfrist decide --to)"
            )
            return False
        text = item.resolution_text
        return self._try(
            paper,
            result.value,
            lambda: services.decide(
                self.session,
                paper.reference,
                result=result,
                resolution_text=text,
                now=self.now,
                actor=self.actor,
                body=self.body.name,
                rules=self.rules,
            ),
        )

    def _item_for(self, consultation: Consultation, meeting: Meeting) -> AgendaItem | None:
        links = AgendaItem.consultation_id == consultation.id
        if consultation.oparl_id:
            links = links | (AgendaItem.consultation_oparl_id == consultation.oparl_id)
        return self.session.exec(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id, links)
            .order_by(col(AgendaItem.id).desc())
        ).first()

    def _try(self, paper: Paper, what: str, step: Callable[[], object]) -> bool:
        """One lifecycle step; one the lifecycle refuses is reported and the sync goes on.
        The services ask the state machine before they write, so a refused step leaves
        nothing behind (no savepoint needed, which pysqlite would not keep reliably)."""
        try:
            step()
        except RatsfristError as error:
            self.report.warnings.append(f"{paper.reference}: {what} nicht übernommen: {error}")
            return False
        self.report.steps.append(f"{paper.reference}: {what} → {State(paper.state).label}")
        return True

    def _count(self, kind: str, created: bool, changed: bool) -> None:
        if created:
            self.report.created[kind] += 1
        elif changed:
            self.report.updated[kind] += 1
        else:
            self.report.unchanged[kind] += 1
