"""Applying OParl objects to the database: upserts by OParl id, and the lifecycle catching up
with what the council information system says happened.

Every object is matched first by its OParl id, then by what a clerk would have typed in
(a committee's name, a meeting's day, a paper's reference), so a town that ran ratsfrist
before connecting its council system gets its rows linked, not doubled. Lifecycle steps go
through models.services.steps like any other step, so the state machine, the audit log and the
deadlines behave exactly as if staff had entered them; what cannot be applied (a result the
lifecycle does not allow) becomes a warning in the report, never a silent drop.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time
from typing import Any, TypeVar

from sqlmodel import Session, col, select

from models.domain.errors import RatsfristError
from models.domain.oparl import (
    BodyIn,
    ConsultationIn,
    MeetingIn,
    OParlObject,
    OrganizationIn,
    PaperIn,
    SystemIn,
    result_of,
)
from models.domain.rules import RuleSet
from models.domain.states import Result, ResultKind, State
from models.domain.timeutil import local_datetime, to_local, to_utc
from models.services import steps as services
from models.services.deadlines import replan
from models.services.meetings import meet_minutes, replan_meeting
from models.store.profiles import default_rules
from models.store.repo import consultations_of, current_consultation, get_or_create_body, meeting_on
from models.store.tables import AgendaItem, Body, Consultation, Meeting, Organization, Paper

DEFAULT_ROLE = {True: "Entscheidung", False: "Vorberatung"}


@dataclass
class SyncReport:
    """What a sync did, counted per OParl type, with the events staff care about named."""

    created: Counter[str] = field(default_factory=Counter)
    updated: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    moved: list[str] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    steps: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def merge(self, other: SyncReport) -> None:
        self.created.update(other.created)
        self.updated.update(other.updated)
        self.unchanged.update(other.unchanged)
        for name in ("moved", "cancelled", "steps", "deleted", "warnings"):
            getattr(self, name).extend(getattr(other, name))

    def as_dict(self) -> dict[str, Any]:
        """For --json and the flow's result."""
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            **{
                name: list(getattr(self, name))
                for name in ("moved", "cancelled", "steps", "deleted", "warnings")
            },
        }

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        out = [
            f"{kind}: {self.created[kind]} neu, {self.updated[kind]} geändert, "
            f"{self.unchanged[kind]} unverändert"
            for kind in kinds
        ]
        out += [f"Sitzung verlegt: {m}" for m in self.moved]
        out += [f"Sitzung abgesagt: {m}" for m in self.cancelled]
        out += [f"Schritt: {s}" for s in self.steps]
        out += [f"in der Quelle gelöscht: {d}" for d in self.deleted]
        out += [f"Hinweis: {w}" for w in self.warnings]
        return out


Row = TypeVar("Row", Body, Organization, Meeting, Paper, Consultation, AgendaItem)


def by_oparl_id(session: Session, model: type[Row], url: str | None) -> Row | None:
    """The row the source knows as `url` (every synced table has a unique oparl_id)."""
    if not url:
        return None
    return session.exec(select(model).where(model.oparl_id == url)).first()


def _tail(url: str) -> str:
    return url.rstrip("/").rsplit("/", 1)[-1][:60]


def _changed(row: object, **values: object) -> bool:
    """Set the attributes that differ; True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed


class OParlStore:
    """Applies OParl objects of one body within the caller's transaction."""

    def __init__(
        self,
        session: Session,
        body: Body,
        *,
        now: datetime,
        actor: str = "oparl-sync",
        rules: RuleSet | None = None,
        meeting_time: time = time(17, 0),
    ) -> None:
        assert body.id is not None
        self.session = session
        self.body = body
        self.body_id: int = body.id
        self.now = to_utc(now)
        self.actor = actor
        self.rules = rules or default_rules()
        self.meeting_time = meeting_time
        self.report = SyncReport()

    # --- the body ------------------------------------------------------------------------------

    @staticmethod
    def body_for(session: Session, obj: BodyIn | None, fallback_name: str) -> Body:
        """The body by OParl id, else by name (a body set up by hand gets linked)."""
        row = by_oparl_id(session, Body, obj.id if obj else None)
        if row is None:
            row = get_or_create_body(session, (obj.name if obj else None) or fallback_name)
        if obj is not None:
            row.oparl_id = obj.id
            row.short_name = obj.short_name or row.short_name
        session.add(row)
        session.flush()
        return row

    # --- dispatch ------------------------------------------------------------------------------

    def apply(self, obj: OParlObject) -> None:
        if isinstance(obj, OrganizationIn):
            self.organization(obj)
        elif isinstance(obj, MeetingIn):
            self.meeting(obj)
        elif isinstance(obj, PaperIn):
            self.paper(obj)
        elif isinstance(obj, BodyIn | SystemIn):
            pass  # the body is chosen before the lists are read
        self.session.flush()

    # --- organizations -------------------------------------------------------------------------

    def organization(self, obj: OrganizationIn) -> Organization:
        row = by_oparl_id(self.session, Organization, obj.id)
        if row is None and obj.name:
            row = self.session.exec(
                select(Organization).where(
                    Organization.body_id == self.body_id,
                    Organization.name == obj.name,
                    col(Organization.oparl_id).is_(None),
                )
            ).first()
        created = row is None
        if row is None:
            row = Organization(body_id=self.body_id, name=obj.name or f"Gremium {_tail(obj.id)}")
        changed = _changed(
            row,
            oparl_id=obj.id,
            name=(obj.name or row.name)[:200],
            short_name=(obj.short_name or row.short_name or None),
            classification=(obj.classification or row.classification),
        )
        if obj.deleted:
            self.report.deleted.append(f"Gremium {row.name} (bleibt mit seinen Sitzungen)")
        self._count("Organization", created, changed)
        self.session.add(row)
        self.session.flush()
        return row

    def _organization_by_url(self, url: str) -> Organization:
        """A committee only linked so far: a placeholder that its own sync names."""
        row = by_oparl_id(self.session, Organization, url)
        if row is None:
            row = self.organization(OrganizationIn(id=url, name=None))
        return row

    # --- meetings ------------------------------------------------------------------------------

    def meeting(self, obj: MeetingIn) -> Meeting | None:
        row = by_oparl_id(self.session, Meeting, obj.id)
        if obj.deleted:
            if row is not None and not row.cancelled:
                row.cancelled, row.updated_at = True, self.now
                self.session.add(row)
                self.report.deleted.append(f"Sitzung {row.name} (als abgesagt geführt)")
                self._replanned(row)
            return row
        if not obj.organizations:
            self.report.warnings.append(f"Sitzung {obj.id}: kein Gremium angegeben, übergangen")
            return None
        assert obj.start is not None
        org = self._organization_by_url(obj.organizations[0])
        assert org.id is not None
        if row is None:
            # A meeting typed in by hand (or named by a document) on the same day is this one.
            local = meeting_on(self.session, org, to_local(obj.start).date(), create=False)
            if local is not None and local.oparl_id is None:
                row = local
        created = row is None
        if row is None:
            row = Meeting(organization_id=org.id, start=obj.start, updated_at=self.now)
        moved = not created and row.start != to_utc(obj.start)
        cancel_changed = not created and row.cancelled != obj.cancelled
        name = obj.name or f"Sitzung {org.name} {to_local(obj.start):%d.%m.%Y}"
        changed = _changed(
            row,
            oparl_id=obj.id,
            organization_id=org.id,
            start=to_utc(obj.start),
            end=to_utc(obj.end) if obj.end else None,
            name=name[:300],
            cancelled=obj.cancelled,
            meeting_state=obj.meeting_state[:100] if obj.meeting_state else None,
            location=obj.location[:300] if obj.location else row.location,
        )
        if moved or cancel_changed:
            row.updated_at = self.now
        self.session.add(row)
        self.session.flush()
        when = f"{org.name} {to_local(row.start):%d.%m.%Y %H:%M}"
        if moved:
            self.report.moved.append(when)
        if cancel_changed and obj.cancelled:
            self.report.cancelled.append(when)
        if moved or cancel_changed:
            self._replanned(row)
        touched, agenda_changed = self._agenda(row, obj)
        self._count("Meeting", created, changed or agenda_changed)
        for paper in touched:
            self._catch_up(paper)
        if obj.minutes_published and meet_minutes(
            self.session, row, now=self.now, rules=self.rules
        ):
            self.report.steps.append(f"Niederschrift {when} veröffentlicht")
        return row

    def _replanned(self, meeting: Meeting) -> None:
        change = replan_meeting(self.session, meeting, now=self.now, rules=self.rules)
        for reference in change.needs_new_meeting:
            self.report.warnings.append(f"{reference}: Sitzung abgesagt, neuer Termin nötig")

    def _agenda(self, meeting: Meeting, obj: MeetingIn) -> tuple[list[Paper], bool]:
        """Upsert the embedded agenda items; the papers they link to are caught up after."""
        assert meeting.id is not None
        papers: dict[int, Paper] = {}
        changed = False
        for item in obj.agenda_items:
            row = by_oparl_id(self.session, AgendaItem, item.id)
            if row is None:
                row = self.session.exec(
                    select(AgendaItem).where(
                        AgendaItem.meeting_id == meeting.id,
                        AgendaItem.number == item.number,
                        col(AgendaItem.oparl_id).is_(None),
                    )
                ).first()
            if row is None:
                row = AgendaItem(meeting_id=meeting.id, number=item.number)
                changed = True
            changed |= _changed(
                row,
                oparl_id=item.id,
                meeting_id=meeting.id,
                name=item.name,
                public=item.public,
                resolution_text=item.resolution_text or row.resolution_text,
                consultation_oparl_id=item.consultation or row.consultation_oparl_id,
            )
            if item.result and (row.consultation_id is None or row.result is None):
                # kept as the source words it; the lifecycle translates it when it decides
                changed |= _changed(row, result=item.result[:50])
            self.session.add(row)
            self.session.flush()
            if not row.consultation_oparl_id:
                continue
            consultation = by_oparl_id(self.session, Consultation, row.consultation_oparl_id)
            if consultation is None:
                continue
            self._point_to(consultation, meeting)
            paper = self.session.get(Paper, consultation.paper_id)
            assert paper is not None and paper.id is not None
            papers[paper.id] = paper
        return list(papers.values()), changed

    def _point_to(self, consultation: Consultation, meeting: Meeting) -> None:
        """The source's newest meeting for a consultation wins (a postponed item's old
        meeting keeps its agenda item as history)."""
        if consultation.source_meeting_id == meeting.id:
            return
        current = (
            self.session.get(Meeting, consultation.source_meeting_id)
            if consultation.source_meeting_id
            else None
        )
        if current is None or current.start <= meeting.start or current.cancelled:
            consultation.source_meeting_id = meeting.id
            self.session.add(consultation)

    # --- papers --------------------------------------------------------------------------------

    def paper(self, obj: PaperIn) -> Paper | None:
        reference = obj.reference or f"OParl {_tail(obj.id)}"
        row = by_oparl_id(self.session, Paper, obj.id)
        if row is None:
            row = self.session.exec(
                select(Paper).where(
                    Paper.body_id == self.body_id,
                    Paper.reference == reference,
                    col(Paper.oparl_id).is_(None),
                )
            ).first()
        if obj.deleted:
            self._deleted(obj, row, reference)
            return row
        if row is None:
            return self._new_paper(obj, reference)
        changed = _changed(
            row,
            oparl_id=obj.id,
            name=obj.name or row.name,
            paper_type=(obj.paper_type or row.paper_type)[:100],
            date=obj.date or row.date,
        )
        changed |= self._consultations(row, obj.consultations)
        before = row.state
        self._catch_up(row)
        if changed or row.state != before:
            row.updated_at = self.now
        self.session.add(row)
        self._count("Paper", False, changed or row.state != before)
        return row

    def _new_paper(self, obj: PaperIn, reference: str) -> Paper:
        day = obj.date or to_local(self.now).date()
        paper = Paper(
            body_id=self.body_id,
            reference=reference[:100],
            paper_type=(obj.paper_type or "Vorlage")[:100],
            name=obj.name or reference,
            date=day,
            public=True,  # what a public OParl API publishes is public
            state="",
            received_at=local_datetime(day, time(0, 0)),
            source=(obj.web or obj.id)[:500],
            oparl_id=obj.id,
            created_at=self.now,
            updated_at=self.now,
        )
        self.session.add(paper)
        self.session.flush()
        self._consultations(paper, obj.consultations)
        services.submit(
            self.session,
            paper,
            now=self.now,
            actor=self.actor,
            details={"source": obj.id, "via": "OParl"},
            rules=self.rules,
        )
        self._count("Paper", True, True)
        self._catch_up(paper)
        return paper

    def _consultations(self, paper: Paper, wanted: tuple[ConsultationIn, ...]) -> bool:
        assert paper.id is not None
        existing = consultations_of(self.session, paper)
        changed = False
        next_position = max((c.position for c in existing), default=0) + 1
        for obj in wanted:
            if not obj.organizations:
                self.report.warnings.append(
                    f"{paper.reference}: Beratung {obj.id} ohne Gremium, übergangen"
                )
                continue
            org = self._organization_by_url(obj.organizations[0])
            assert org.id is not None
            row = next((c for c in existing if c.oparl_id == obj.id), None)
            if row is None:  # typed in from the document before: same committee, in order
                row = next(
                    (c for c in existing if c.oparl_id is None and c.organization_id == org.id),
                    None,
                )
            meeting = by_oparl_id(self.session, Meeting, obj.meeting)
            item = by_oparl_id(self.session, AgendaItem, obj.agenda_item)
            if item is not None:
                if item.consultation_oparl_id is None:
                    item.consultation_oparl_id = obj.id
                    self.session.add(item)
                meeting = meeting or self.session.get(Meeting, item.meeting_id)
            if row is None:
                row = Consultation(
                    paper_id=paper.id,
                    organization_id=org.id,
                    position=next_position,
                    role=(obj.role or DEFAULT_ROLE[obj.authoritative])[:50],
                    authoritative=obj.authoritative,
                    public=paper.public,
                    meeting_id=meeting.id if meeting and not paper.state else None,
                )
                next_position += 1
                changed = True
            else:
                changed |= _changed(
                    row,
                    role=(obj.role or row.role)[:50],
                    authoritative=obj.authoritative,
                )
            row.oparl_id = obj.id
            self.session.add(row)
            self.session.flush()
            if meeting is not None:
                before = row.source_meeting_id
                self._point_to(row, meeting)
                changed |= row.source_meeting_id != before
            if row not in existing:
                existing.append(row)
        return changed

    def _deleted(self, obj: PaperIn, row: Paper | None, reference: str) -> None:
        if row is None:
            self.report.deleted.append(f"{reference} (war nicht erfasst)")
            return
        first_time = row.upstream_deleted_at is None
        row.upstream_deleted_at = row.upstream_deleted_at or self.now
        row.oparl_id = obj.id
        self.session.add(row)
        if not first_time:
            self._count("Paper", False, False)
            return
        self._count("Paper", False, True)
        if State(row.state).terminal:
            self.report.deleted.append(f"{row.reference} ({State(row.state).label})")
            return
        try:
            services.withdraw(
                self.session,
                row.reference,
                now=self.now,
                actor=self.actor,
                note="in der OParl-Quelle gelöscht",
                body=self.body.name,
                rules=self.rules,
            )
            self.report.deleted.append(f"{row.reference}: als zurückgezogen geführt")
        except RatsfristError:
            self.report.deleted.append(
                f"{row.reference}: Zustand '{State(row.state).label}' bleibt (Löschung vermerkt)"
            )

    # --- the lifecycle catching up -------------------------------------------------------------

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
