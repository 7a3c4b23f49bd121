"""ratsfrist's data as OParl 1.1 objects, and their check against the official schemas.

An export is a publication: non-public papers stay out unless asked for, and a non-public
agenda item keeps its number and place but not its title or resolution text. Ids are URLs
under a base the operator chooses (where the files will be served).
"""

from __future__ import annotations

import json
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

from sqlmodel import Session, col, func, select

from models.domain.errors import InvalidInput
from models.domain.oparl import TYPE_PREFIX, OParlError
from models.domain.timeutil import to_local
from models.domain.vocab import DeadlineStatus
from models.store.tables import (
    AgendaItem,
    Body,
    Consultation,
    Deadline,
    Meeting,
    MeetingOrganization,
    Organization,
    Paper,
)

SCHEMAS = Path(__file__).parent.parent / "oparl_schema"
#: Objects that OParl embeds in another, checked against their own schema.
EMBEDDED = {("Paper", "consultation"): "Consultation", ("Meeting", "agendaItem"): "AgendaItem"}
#: The extension field (OParl 1.1 allows vendor-prefixed properties; the official schemas do
#: not forbid them) with each deadline of a paper and how it was computed.
EXPLANATION_FIELD = "ratsfrist:fristBerechnung"


def _stamp(moment: datetime | None) -> str | None:
    return to_local(moment).isoformat() if moment else None


def _clean(obj: dict[str, Any]) -> dict[str, Any]:
    """OParl leaves out what is unknown rather than writing null."""
    return {k: v for k, v in obj.items() if v is not None and v != []}


class Exporter:
    def __init__(
        self, session: Session, base_url: str, *, include_confidential: bool = False
    ) -> None:
        self.session = session
        self.base = base_url.rstrip("/")
        self.include_confidential = include_confidential

    def url(self, kind: str, ident: int | None) -> str:
        return f"{self.base}/{kind}/{ident}"

    def export(self, body: Body) -> dict[str, Any]:
        """{'Body': object, 'Organization': [...], 'Meeting': [...], 'Paper': [...]}"""
        orgs = self.session.exec(
            select(Organization)
            .where(Organization.body_id == body.id)
            .order_by(col(Organization.id))
        ).all()
        org_ids = [o.id for o in orgs]
        meetings = self.session.exec(
            select(Meeting)
            .where(col(Meeting.organization_id).in_(org_ids))
            .order_by(col(Meeting.start), col(Meeting.id))
        ).all()
        query = select(Paper).where(Paper.body_id == body.id).order_by(col(Paper.id))
        if not self.include_confidential:
            query = query.where(col(Paper.public).is_(True))
        papers = self.session.exec(query).all()
        return {
            "Body": self.body(body),
            "Organization": [self.organization(o) for o in orgs],
            "Meeting": [self.meeting(m) for m in meetings],
            "Paper": [self.paper(p) for p in papers],
        }

    def body(self, body: Body) -> dict[str, Any]:
        return _clean(
            {
                "id": self.url("body", body.id),
                "type": TYPE_PREFIX + "Body",
                "name": body.name,
                "shortName": body.short_name,
                "organization": f"{self.base}/organization.json",
                "person": f"{self.base}/person.json",
                "meeting": f"{self.base}/meeting.json",
                "paper": f"{self.base}/paper.json",
            }
        ) | {"legislativeTerm": []}  # required, even empty

    def organization(self, org: Organization) -> dict[str, Any]:
        return _clean(
            {
                "id": self.url("organization", org.id),
                "type": TYPE_PREFIX + "Organization",
                "body": self.url("body", org.body_id),
                "name": org.name,
                "shortName": org.short_name,
                "classification": org.classification,
            }
        )

    def meeting(self, meeting: Meeting) -> dict[str, Any]:
        items = self.session.exec(
            select(AgendaItem)
            .where(AgendaItem.meeting_id == meeting.id)
            .order_by(col(AgendaItem.id))
        ).all()
        confidential = self._confidential_consultations([i.consultation_id for i in items])
        return _clean(
            {
                "id": self.url("meeting", meeting.id),
                "type": TYPE_PREFIX + "Meeting",
                "name": meeting.name,
                "meetingState": meeting.meeting_state,
                "cancelled": meeting.cancelled,
                "start": _stamp(meeting.start),
                "end": _stamp(meeting.end),
                "organization": [self.url("organization", o) for o in self._organizations(meeting)],
                "agendaItem": [
                    self.agenda_item(item, order, confidential)
                    for order, item in enumerate(items, start=1)
                ],
                "modified": _stamp(meeting.updated_at),
            }
        )

    def _organizations(self, meeting: Meeting) -> list[int]:
        """All organizations of a joint session, the first (Meeting.organization_id) first."""
        linked = self.session.exec(
            select(MeetingOrganization.organization_id)
            .where(MeetingOrganization.meeting_id == meeting.id)
            .order_by(col(MeetingOrganization.position))
        ).all()
        return list(dict.fromkeys([meeting.organization_id, *linked]))

    def _confidential_consultations(self, ids: list[int | None]) -> set[int]:
        wanted = [i for i in ids if i is not None]
        if not wanted or self.include_confidential:
            return set()
        rows = self.session.exec(
            select(Consultation.id)
            .join(Paper, col(Paper.id) == Consultation.paper_id)
            .where(col(Consultation.id).in_(wanted), col(Paper.public).is_(False))
        ).all()
        return {r for r in rows if r is not None}

    def agenda_item(self, item: AgendaItem, order: int, confidential: set[int]) -> dict[str, Any]:
        hidden = (not item.public and not self.include_confidential) or (
            item.consultation_id in confidential
        )
        return _clean(
            {
                "id": self.url("agendaItem", item.id),
                "type": TYPE_PREFIX + "AgendaItem",
                "meeting": self.url("meeting", item.meeting_id),
                "number": item.number,
                "order": order,
                "name": None if hidden else item.name,
                "public": item.public,
                "consultation": None
                if item.consultation_id is None or item.consultation_id in confidential
                else self.url("consultation", item.consultation_id),
                "result": item.result,
                "resolutionText": None if hidden else item.resolution_text,
            }
        )

    def paper(self, paper: Paper) -> dict[str, Any]:
        consultations = self.session.exec(
            select(Consultation)
            .where(Consultation.paper_id == paper.id)
            .order_by(col(Consultation.position), col(Consultation.id))
        ).all()
        return _clean(
            {
                "id": self.url("paper", paper.id),
                "type": TYPE_PREFIX + "Paper",
                "body": self.url("body", paper.body_id),
                "name": paper.name,
                "reference": paper.reference,
                "date": paper.date.isoformat(),
                "paperType": paper.paper_type,
                "consultation": [self.consultation(paper, c) for c in consultations],
                EXPLANATION_FIELD: self.explanations(paper),
                "created": _stamp(paper.created_at),
                "modified": _stamp(paper.updated_at),
                "deleted": True if paper.upstream_deleted_at else None,
            }
        )

    def explanations(self, paper: Paper) -> list[dict[str, Any]]:
        """The paper's deadlines (cancelled ones left out) with their stored explanation:
        which profile, version, paragraph and wording produced each, and its steps."""
        rows = self.session.exec(
            select(Deadline)
            .where(
                Deadline.paper_id == paper.id,
                col(Deadline.status) != DeadlineStatus.cancelled.value,
                col(Deadline.explanation).is_not(None),
            )
            .order_by(col(Deadline.due), col(Deadline.id))
        ).all()
        return [
            {
                "frist": row.label,
                "art": row.kind,
                "faellig": _stamp(row.due),
                "status": row.status,
                **(row.explanation or {}),
            }
            for row in rows
        ]

    def consultation(self, paper: Paper, c: Consultation) -> dict[str, Any]:
        item = self.session.exec(
            select(AgendaItem.id)
            .where(AgendaItem.consultation_id == c.id)
            .order_by(col(AgendaItem.id).desc())
        ).first()
        meeting = c.meeting_id or c.source_meeting_id
        return _clean(
            {
                "id": self.url("consultation", c.id),
                "type": TYPE_PREFIX + "Consultation",
                "paper": self.url("paper", paper.id),
                "agendaItem": self.url("agendaItem", item) if item else None,
                "meeting": self.url("meeting", meeting) if meeting else None,
                "organization": [self.url("organization", c.organization_id)],
                "authoritative": c.authoritative,
                "role": c.role,
            }
        )


def export_body(session: Session, wanted: str | None, default: str) -> Body:
    """The body to export: `wanted` (--body), else the default body (RATSFRIST_BODY), found by
    name, short name, the source's name or OParl id; the only body if the default is none.
    A synced body is the default body (models.services.oparl_bodies), so the configured
    name finds the papers the sync brought, not an empty namesake."""
    name = wanted or default
    key = name.casefold()
    row = session.exec(
        select(Body)
        .where(
            (func.lower(Body.name) == key)
            | (func.lower(Body.short_name) == key)
            | (func.lower(Body.oparl_name) == key)
            | (Body.oparl_id == name)
        )
        .order_by(func.lower(Body.name) != key, col(Body.id))
    ).first()
    if row is not None:
        return row
    bodies = session.exec(select(Body).order_by(col(Body.id))).all()
    if wanted is None and len(bodies) == 1:
        return bodies[0]
    known = ", ".join(b.name for b in bodies) or "keine"
    raise InvalidInput(f"--body {name!r}: unbekannte Kommune (erfasst: {known})")


def list_page(objects: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "data": objects,
        "pagination": {"totalElements": len(objects), "elementsPerPage": len(objects)},
        "links": {},
    }


def write_export(
    session: Session,
    body: Body,
    directory: Path,
    *,
    base_url: str,
    include_confidential: bool = False,
) -> dict[str, int]:
    """body.json and one list page per type; validated before anything is written."""
    exported = Exporter(session, base_url, include_confidential=include_confidential).export(body)
    for kind in ("Organization", "Meeting", "Paper"):
        for obj in exported[kind]:
            validate(obj)
    validate(exported["Body"])
    directory.mkdir(parents=True, exist_ok=True)
    files = {
        "body.json": exported["Body"],
        "organization.json": list_page(exported["Organization"]),
        "meeting.json": list_page(exported["Meeting"]),
        "paper.json": list_page(exported["Paper"]),
    }
    for name, document in files.items():
        target = directory / name
        partial = target.with_suffix(".json.tmp")
        partial.write_text(json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8")
        partial.replace(target)
    return {kind: len(exported[kind]) for kind in ("Organization", "Meeting", "Paper")}


# --- validation --------------------------------------------------------------------------------


@cache
def _validator(kind: str) -> Any:
    import jsonschema

    schema = json.loads((SCHEMAS / f"{kind}.json").read_text(encoding="utf-8"))
    checker = jsonschema.FormatChecker()

    @checker.checks("url")
    def _is_url(value: object) -> bool:
        return isinstance(value, str) and value.startswith(("http://", "https://"))

    # jsonschema checks "date" itself; "date-time" it checks only with an optional package.
    @checker.checks("date-time")
    def _is_datetime(value: object) -> bool:
        try:
            return datetime.fromisoformat(str(value)).tzinfo is not None
        except ValueError:
            return False

    return jsonschema.Draft7Validator(schema, format_checker=checker)


def validate(obj: dict[str, Any]) -> None:
    """Check one object, and the objects it embeds, against the OParl 1.1 schemas."""
    kind = str(obj.get("type", "")).removeprefix(TYPE_PREFIX)
    if not (SCHEMAS / f"{kind}.json").is_file():
        raise OParlError(f"{obj.get('id')}: unbekannter OParl-Typ {obj.get('type')!r}")
    errors = sorted(_validator(kind).iter_errors(obj), key=lambda e: list(e.path))
    if errors:
        first = errors[0]
        where = "/".join(str(p) for p in first.path) or "(Objekt)"
        raise OParlError(f"{obj.get('id')}: {where}: {first.message} (OParl-Schema {kind})")
    for (outer, key), inner in EMBEDDED.items():
        if kind == outer:
            for child in obj.get(key, []):
                if str(child.get("type", "")).removeprefix(TYPE_PREFIX) != inner:
                    raise OParlError(f"{child.get('id')}: {key}: Typ {inner} erwartet")
                validate(child)
