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

from datetime import time
from typing import Any

from sqlmodel import Session, col, select

from models.domain.errors import RatsfristError
from models.domain.oparl import (
    AgendaItemIn,
    BodyIn,
    ConsultationIn,
    MeetingIn,
    OParlObject,
    OrganizationIn,
    PaperIn,
    SystemIn,
)
from models.domain.states import State
from models.domain.timeutil import local_datetime, to_local, to_utc
from models.services import oparl_bodies
from models.services import steps as services
from models.services.meetings import meet_minutes, replan_meeting
from models.services.oparl_catch_up import CatchUp
from models.services.oparl_report import Row, by_oparl_id, set_changed, tail
from models.store.bulk import insert_rows
from models.store.repo import consultations_of, meeting_on
from models.store.tables import AgendaItem, Body, Consultation, Meeting, Organization, Paper

#: Where the source gives `authoritative` but no `role`. Where it gives neither (SD.NET), the
#: roles are inferred from the whole Beratungsfolge (CatchUp._infer_roles).
DEFAULT_ROLE = {True: "Entscheidung", False: "Vorberatung"}


class OParlStore(CatchUp):
    """Applies OParl objects of one body within the caller's transaction."""

    # --- the body ------------------------------------------------------------------------------

    @staticmethod
    def body_for(session: Session, obj: BodyIn | None, fallback_name: str) -> Body:
        """The body by OParl id, whatever it is named; `fallback_name` (RATSFRIST_BODY) is
        the default body, linked rather than doubled (models.services.oparl_bodies)."""
        return oparl_bodies.body_for(session, obj, fallback_name)

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

    def organization(self, obj: OrganizationIn) -> Organization | None:
        row = by_oparl_id(self.session, Organization, obj.id)
        if row is None and obj.name:
            row = self.session.exec(
                select(Organization).where(
                    Organization.body_id == self.body_id,
                    Organization.name == obj.name,
                    col(Organization.oparl_id).is_(None),
                )
            ).first()
        if row is None and obj.deleted:
            self._count("Organization", False, False)  # never stored: nothing to delete
            return None
        created = row is None
        if row is None:
            row = Organization(body_id=self.body_id, name=obj.name or f"Gremium {tail(obj.id)}")
        changed = set_changed(
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
        """A committee only linked so far (in no list, or answering 404 as SessionNet's
        Wuppertal ones do): a placeholder named by its URL's tail, made and reported once;
        its own sync names it, if it ever comes."""
        row = self._orgs.get(url) or by_oparl_id(self.session, Organization, url)
        if row is None:
            name = oparl_bodies.placeholder_name(self.session, self.body_id, url)
            row = self.organization(OrganizationIn(id=url, name=name))
            assert row is not None
            self.report.warnings.append(
                f"Gremium {url}: in keiner Liste, als Platzhalter '{name}' angelegt"
            )
        self._orgs[url] = row
        return row

    # --- meetings ------------------------------------------------------------------------------

    def meeting(self, obj: MeetingIn) -> Meeting | None:
        row = by_oparl_id(self.session, Meeting, obj.id)
        if obj.deleted:
            cancelling = row is not None and not row.cancelled
            if row is not None and cancelling:
                row.cancelled, row.updated_at = True, self.now
                self.session.add(row)
                self.report.deleted.append(f"Sitzung {row.name} (als abgesagt geführt)")
                self._replanned(row)
            self._count("Meeting", False, cancelling)
            return row
        if not obj.organizations:
            self.report.warnings.append(f"Sitzung {obj.id}: kein Gremium angegeben, übergangen")
            return None
        assert obj.start is not None
        orgs = [self._organization_by_url(url) for url in dict.fromkeys(obj.organizations)]
        org = orgs[0]
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
        changed = set_changed(
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
        changed |= oparl_bodies.link_organizations(self.session, row, orgs)
        when = f"{org.name} {to_local(row.start):%d.%m.%Y %H:%M}"
        if moved:
            self.report.moved.append(when)
        if cancel_changed and obj.cancelled:
            self.report.cancelled.append(when)
        if created or moved or cancel_changed:
            # as `meetings add|move|cancel`: a new meeting may be the one a deadline counted
            # in meetings ("übernächste Sitzung") waited for
            self._replanned(row, new=created)
        touched, agenda_changed = self._agenda(row, obj, created)
        self._count("Meeting", created, changed or agenda_changed)
        for paper in touched:
            self._catch_up(paper)
        if obj.minutes_published and meet_minutes(
            self.session, row, now=self.now, rules=self.rules
        ):
            self.report.steps.append(f"Niederschrift {when} veröffentlicht")
        return row

    def _replanned(self, meeting: Meeting, *, new: bool = False) -> None:
        change = replan_meeting(self.session, meeting, now=self.now, rules=self.rules, new=new)
        for reference in change.needs_new_meeting:
            self.report.warnings.append(f"{reference}: Sitzung abgesagt, neuer Termin nötig")

    def _agenda(self, meeting: Meeting, obj: MeetingIn, created: bool) -> tuple[list[Paper], bool]:
        """Upsert the embedded agenda items; the papers they link to are caught up after.
        The items and consultations named are read in one query each, and the new items
        written in one flush: a meeting has dozens of items, a town hundreds of meetings."""
        assert meeting.id is not None
        changed = False
        urls = {item.id for item in obj.agenda_items}
        known = _by_oparl_ids(self.session, AgendaItem, urls)
        if created and not known and len(urls) == len(obj.agenda_items):
            # All new: the rows the loop below would make, in one INSERT (models.store.bulk).
            new = [_new_item(meeting.id, item) for item in obj.agenda_items]
            insert_rows(self.session.connection(), AgendaItem, new)
            linked = [row["consultation_oparl_id"] for row in new if row["consultation_oparl_id"]]
            return self._caught_up(meeting, linked), bool(new)
        rows: list[AgendaItem] = []
        for item in obj.agenda_items:
            row = known.get(item.id)
            if row is None and not created:  # a new meeting has no items typed in by hand
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
            changed |= set_changed(
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
                changed |= set_changed(row, result=item.result)
            self.session.add(row)
            known[item.id] = row
            rows.append(row)
        self.session.flush()
        linked = [row.consultation_oparl_id for row in rows if row.consultation_oparl_id]
        return self._caught_up(meeting, linked), changed

    def _caught_up(self, meeting: Meeting, linked: list[str]) -> list[Paper]:
        """The papers of the consultations the meeting's items name, pointed to it."""
        papers: dict[int, Paper] = {}
        consultations = _by_oparl_ids(self.session, Consultation, set(linked))
        for url in linked:
            consultation = consultations.get(url)
            if consultation is None:
                continue
            self._point_to(consultation, meeting)
            paper = self.session.get(Paper, consultation.paper_id)
            assert paper is not None and paper.id is not None
            papers[paper.id] = paper
        return list(papers.values())

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
        reference = obj.reference or f"OParl {tail(obj.id)}"
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
        changed = set_changed(
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

    def new_paper_values(self, obj: PaperIn, reference: str) -> dict[str, Any]:
        """A new paper's columns before its first step (the bulk path's too)."""
        day = obj.date or to_local(self.now).date()
        return {
            "body_id": self.body_id,
            "reference": reference[:100],
            "paper_type": (obj.paper_type or "Vorlage")[:100],
            "name": obj.name or reference,
            "date": day,
            "public": True,  # what a public OParl API publishes is public
            "state": "",
            "received_at": local_datetime(day, time(0, 0)),
            "source": (obj.web or obj.id)[:500],
            "oparl_id": obj.id,
            "created_at": self.now,
            "updated_at": self.now,
        }

    def _new_paper(self, obj: PaperIn, reference: str) -> Paper:
        paper = Paper(**self.new_paper_values(obj, reference))
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
        # A source silent on roles (SD.NET) gets them inferred below; its silence must not
        # overwrite what was inferred before, or every re-delivery would change the paper.
        silent = bool(wanted) and all(o.role is None and not o.authoritative for o in wanted)
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
            elif not silent:
                changed |= set_changed(
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
        if silent:
            synced = {o.id for o in wanted}
            changed |= self._infer_roles([c for c in existing if c.oparl_id in synced])
        return changed

    def _deleted(self, obj: PaperIn, row: Paper | None, reference: str) -> None:
        if row is None:  # never stored: nothing to delete, and nothing to say every sync
            self._count("Paper", False, False)
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


def _by_oparl_ids(session: Session, model: type[Row], urls: set[str]) -> dict[str, Row]:
    """The rows the source knows by these ids, in one query per 500 of them."""
    ordered = sorted(urls)
    found: dict[str, Row] = {}
    for start in range(0, len(ordered), 500):
        query = select(model).where(col(model.oparl_id).in_(ordered[start : start + 500]))
        for row in session.exec(query).all():
            assert row.oparl_id is not None
            found[row.oparl_id] = row
    return found


def _new_item(meeting_id: int, item: AgendaItemIn) -> dict[str, Any]:
    """A synced agenda item's columns when it is new (as _agenda's loop sets them)."""
    return {
        "meeting_id": meeting_id,
        "number": item.number,
        "oparl_id": item.id,
        "name": item.name,
        "public": item.public,
        "resolution_text": item.resolution_text or None,
        "consultation_oparl_id": item.consultation or None,
        "result": item.result or None,
    }
