"""The lifecycle catching up with an OParl source: agenda placements, moves and results the
council information system shows become the same lifecycle steps staff would take
(models.services.steps), each one checked by the state machine; a step it refuses is a
warning in the report. OParlStore (models.services.oparl_store) builds on this.

Results are read by models.domain.oparl_results; one it cannot read unambiguously is stored
on the agenda item as `result_review` ("Ergebnis prüfen: …"), reported, and never assumed.

History: a first sync brings years of archive. Meetings before the start of tracking (the
cut-off, Body.oparl_history_before; by default the day of the first sync) are
history. A paper whose last consultation was held before the cut-off without a recognised
result becomes `historical` ("historisch, Ergebnis unbekannt"), which owes no deadlines. Owed
deadlines of meetings before the cut-off, and every owed deadline due before the cut-off of a
paper that is historical or was decided in history, are cancelled ("entfallen"): ratsfrist did
not track them, so they are no alarms, and no reminder or escalation is planned for them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time

from sqlmodel import Session, col, select

from models.domain.bodies import Rules
from models.domain.errors import RatsfristError
from models.domain.oparl_results import for_consultation, inferred_roles, is_council, read_result
from models.domain.states import Event, Result, ResultKind, State, transition
from models.domain.timeutil import local_datetime, to_local, to_utc
from models.domain.vocab import OWED, DeadlineStatus
from models.services import steps as services
from models.services.deadlines import replan, sync_reminders
from models.services.oparl_report import SyncReport
from models.store.profiles import default_rules
from models.store.repo import consultations_of, current_consultation
from models.store.tables import (
    AgendaItem,
    Body,
    Consultation,
    Deadline,
    LifecycleEvent,
    Meeting,
    Organization,
    Paper,
)


def history_cutoff(
    session: Session, body: Body, *, now: datetime, wanted: datetime | None = None
) -> datetime:
    """The body's start of tracking (Body.oparl_history_before): stored at its first sync
    (`wanted`, else the start of that day in Berlin), kept from then on unless `wanted`
    changes it."""
    if wanted is not None or body.oparl_history_before is None:
        day = to_local(wanted or now).date()
        body.oparl_history_before = to_utc(wanted) if wanted else local_datetime(day, time(0, 0))
        session.add(body)
        session.flush()
    assert body.oparl_history_before is not None
    return to_utc(body.oparl_history_before)


class CatchUp:
    """One body's sync state within the caller's transaction, and the catching up."""

    def __init__(
        self,
        session: Session,
        body: Body,
        *,
        now: datetime,
        actor: str = "oparl-sync",
        rules: Rules | None = None,
        history_before: datetime | None = None,
    ) -> None:
        assert body.id is not None
        self.session = session
        self.body = body
        self.body_id: int = body.id
        self.now = to_utc(now)
        self.actor = actor
        self.rules = rules or default_rules()
        self.report = SyncReport()
        self.history_before = history_cutoff(session, body, now=self.now, wanted=history_before)
        self._orgs: dict[str, Organization] = {}
        """Committees by OParl id as the store met them (a meeting names them again and again)."""

    def _catch_up(self, paper: Paper) -> None:
        """Take the steps the source shows as done: agenda placement, moves to another
        meeting, results. Each loop takes one step; a paper has only so many."""
        for _ in range(4 * (len(consultations_of(self.session, paper)) + 1)):
            if not self._step(paper):
                break
        self._settle_history(paper)

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
        reading = read_result(item.result, paper_type=paper.paper_type)
        review = reading.review
        if review and not (item.result or "").strip() and meeting.start < self.history_before:
            review = None  # history without a result text: "historisch, Ergebnis unbekannt" says it
        if item.result_review != review:
            item.result_review = review
            self.session.add(item)
        result = for_consultation(reading.result, authoritative=consultation.authoritative)
        if result is None:
            if review:
                self.report.review.append(
                    f"{review} – {paper.reference}, TOP {item.number} "
                    f"{to_local(meeting.start):%d.%m.%Y}: {short(item.result)} "
                    "(ratsfrist oparl-review; von Hand: ratsfrist decide)"
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

    # --- roles the source leaves unsaid -----------------------------------------------------

    def _infer_roles(self, consultations: list[Consultation]) -> bool:
        """Roles for a Beratungsfolge whose source names none (models.domain.oparl_results.
        inferred_roles: a council or the last consultation decides, the others advise);
        consultations already done keep what they were decided as."""
        ordered = sorted(consultations, key=lambda c: (c.position, c.id or 0))
        councils = []
        for consultation in ordered:
            org = self.session.get(Organization, consultation.organization_id)
            councils.append(org is not None and is_council(org.name, org.classification))
        changed = False
        for consultation, (role, authoritative) in zip(
            ordered, inferred_roles(councils), strict=True
        ):
            if consultation.done:
                continue
            if (consultation.role, consultation.authoritative) != (role, authoritative):
                consultation.role, consultation.authoritative = role, authoritative
                self.session.add(consultation)
                changed = True
        return changed

    # --- history ------------------------------------------------------------------------------

    def _settle_history(self, paper: Paper) -> None:
        """History is no alarm (module docstring): a paper last consulted before the cut-off
        without a result becomes historical; owed deadlines of history are cancelled."""
        assert paper.id is not None
        starts = self._held_meetings(paper)
        in_history = bool(starts) and max(starts.values()) < self.history_before
        state = State(paper.state)
        if (
            in_history
            and not state.terminal
            and state
            not in (
                State.decided,
                State.in_implementation,
            )
        ):
            self._archive(paper)
        decided_in_history = in_history and State(paper.state) in (
            State.decided,
            State.in_implementation,
            State.closed,
            State.historical,
        )
        owed = self.session.exec(
            select(Deadline).where(
                Deadline.paper_id == paper.id,
                col(Deadline.status).in_(OWED),
                Deadline.due < self.history_before,
            )
        ).all()
        cancelled = False
        for deadline in owed:
            old_meeting = deadline.meeting_id is not None and (
                starts.get(deadline.meeting_id, self.history_before) < self.history_before
            )
            if decided_in_history or old_meeting:
                deadline.status = DeadlineStatus.cancelled.value
                deadline.updated_at = self.now
                self.session.add(deadline)
                cancelled = True
        if cancelled:
            self.session.flush()
            sync_reminders(self.session, paper, self.rules, self.now)

    def _held_meetings(self, paper: Paper) -> dict[int, datetime]:
        """Start of every meeting the paper's consultations were (or are) held in, by id."""
        rows = self.session.exec(
            select(Meeting.id, Meeting.start)
            .join(
                Consultation,
                (col(Consultation.source_meeting_id) == Meeting.id)
                | (col(Consultation.meeting_id) == Meeting.id),
            )
            .where(Consultation.paper_id == paper.id, col(Meeting.cancelled).is_(False))
        ).all()
        return {meeting_id: to_utc(start) for meeting_id, start in rows if meeting_id}

    def _archive(self, paper: Paper) -> None:
        assert paper.id is not None
        before = State(paper.state)
        paper.state = transition(before, Event.archive).value
        paper.updated_at = self.now
        self.session.add(paper)
        self.session.add(
            LifecycleEvent(
                paper_id=paper.id,
                at=self.now,
                actor=self.actor,
                event=Event.archive.value,
                from_state=before.value,
                to_state=paper.state,
                details={
                    "note": "vor Beginn der Fristenverfolgung beraten, Ergebnis unbekannt",
                    "history_before": self.history_before.isoformat(),
                },
            )
        )
        self.session.flush()
        replan(self.session, paper, self.rules, self.now)
        self.report.steps.append(f"{paper.reference}: {State.historical.label}")


def short(text: str | None, limit: int = 80) -> str:
    """A result as a report line shows it: one line, at most `limit` characters."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def results_to_review(session: Session) -> list[dict[str, object]]:
    """Agenda item results flagged "Ergebnis prüfen" whose consultation is still open (one
    decided by hand since is done with), oldest meeting first; for `ratsfrist oparl-review`."""
    rows = session.exec(
        select(AgendaItem, Meeting, Organization, Consultation)
        .join(Meeting, col(Meeting.id) == AgendaItem.meeting_id)
        .join(Organization, col(Organization.id) == Meeting.organization_id)
        .outerjoin(Consultation, col(Consultation.id) == AgendaItem.consultation_id)
        .where(col(AgendaItem.result_review).is_not(None))
        .order_by(col(Meeting.start), col(AgendaItem.id))
    ).all()
    listed: list[dict[str, object]] = []
    for item, meeting, org, consultation in rows:
        if consultation is not None and consultation.done:
            continue
        paper = session.get(Paper, consultation.paper_id) if consultation else None
        listed.append(
            {
                "reference": paper.reference if paper else None,
                "state": State(paper.state).label if paper else None,
                "organization": org.name,
                "meeting": to_local(meeting.start).isoformat(),
                "agendaItem": item.number,
                "result": item.result,
                "review": item.result_review,
                "source": item.oparl_id or (paper.source if paper else None),
            }
        )
    return listed
