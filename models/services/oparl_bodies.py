"""Which Body row an OParl Body is (identified by its OParl id, whatever it is named), and
which organizations an OParl Meeting belongs to.

The rule, in order (the first that applies):

1. The row with the Body's OParl id: a body once synced is that body for good, even if the
   source renames it.
2. A body not linked to any source yet, named as the source names it (`name` or `shortName`,
   ignoring case): a town that typed in papers before connecting gets them linked.
3. The default body (`RATSFRIST_BODY`, the name commands use for documents without a
   source), if it is not linked to a source yet and the source's name says nothing else:
   either it names no place at all (SessionNet's "Instance 0001", ALLRIS's "N/A", empty), or
   it contains the default's distinctive words ("Rat der Stadt Erkelenz" for "Erkelenz" or
   "Stadt Erkelenz", "Gemeinde Hürtgenwald" for "Hürtgenwald"). So one town with
   `RATSFRIST_BODY` set gets one body, and another town's system is never folded into it.
4. Otherwise a new body, named as the source names it; a name that names no place becomes
   the default body's name. A name another synced body already has (two SessionNet systems
   both say "Instance 0001") gets the source's host appended: "Instance 0001
   (oparl.wuppertal.de)". The OParl id's host stands in for the Body's `website`, which
   SessionNet sets to the same host.

The source's own name is kept in `Body.oparl_name`; `Body.name` (what ratsfrist shows,
`--body` and `export-oparl` find) is not changed by later syncs, so a name once in use stays.

A meeting names a list of organizations (a joint session of two committees): all of them are
linked (MeetingOrganization, in the source's order), the first is `Meeting.organization_id`.
"""

from __future__ import annotations

import re
from urllib.parse import urlparse

from sqlmodel import Session, col, func, select

from models.domain.oparl import BodyIn
from models.store.repo import get_or_create_body
from models.store.tables import Body, Meeting, MeetingOrganization, Organization

#: A body name that names no place: "Instance 0001", "Mandant 1", "N/A", "-", "".
PLACEHOLDER = re.compile(
    r"^\s*(?:(?:instance|instanz|mandant|body|kommune|gebietskörperschaft)[\s_-]*\d*|n/?a|-+)?\s*$",
    re.IGNORECASE,
)
#: Words of a body name that do not tell one town from another.
_GENERIC_WORDS = (
    "rat der die des stadt gemeinde kreis landkreis markt amt verbandsgemeinde samtgemeinde "
    "hansestadt bundesstadt kreisstadt kreistag stadtrat gemeinderat städteregion region "
    "kommune von am an im in und"
)
GENERIC = frozenset(_GENERIC_WORDS.split())


def names_no_place(name: str | None) -> bool:
    return name is None or PLACEHOLDER.match(name) is not None


def _words(name: str) -> set[str]:
    return {w for w in re.findall(r"\w+", name.casefold()) if w not in GENERIC}


def body_for(session: Session, obj: BodyIn | None, default_name: str) -> Body:
    """The Body row for the source's Body (module docstring), linked to its OParl id;
    without a Body object (files of papers alone) the default body."""
    if obj is None:
        return get_or_create_body(session, default_name)
    row = session.exec(select(Body).where(Body.oparl_id == obj.id)).first()
    if row is None:
        row = _unlinked(session, obj, default_name)
    if row is None:
        own = (obj.name or "").strip() or default_name
        wanted = default_name if names_no_place(obj.name) else own
        row = Body(name=_free_name(session, obj.id, wanted, own))
    row.oparl_id = obj.id
    row.oparl_name = obj.name[:200] if obj.name else None
    if obj.short_name:
        row.short_name = obj.short_name[:50]
    session.add(row)
    session.flush()
    return row


def _unlinked(session: Session, obj: BodyIn, default_name: str) -> Body | None:
    """A body set up before the source was connected that this source's Body is (rules 2, 3)."""
    names = [n.casefold() for n in (obj.name, obj.short_name) if n and not names_no_place(n)]
    free = select(Body).where(col(Body.oparl_id).is_(None))
    if names:
        row = session.exec(free.where(func.lower(Body.name).in_(names))).first()
        if row is not None:
            return row
    default = session.exec(free.where(Body.name == default_name)).first()
    if default is None:
        return None
    distinctive = _words(default_name)
    if names_no_place(obj.name) or (distinctive and distinctive <= _words(obj.name or "")):
        return default
    return None


def _free_name(session: Session, oparl_id: str, wanted: str, own: str) -> str:
    """`wanted`, else the source's own name with its host (then its id) appended."""
    host = urlparse(oparl_id).hostname or ""
    for name in (wanted, f"{own} ({host})", f"{own} ({oparl_id})"):
        name = name[:200]
        if session.exec(select(Body.id).where(Body.name == name)).first() is None:
            return name
    raise ValueError(f"{oparl_id}: kein freier Name für die Kommune")


def placeholder_name(session: Session, body_id: int, url: str) -> str:
    """ "Gremium 230" for …/gr/230; with more of the URL where that is taken in the body."""
    parts = [p for p in url.rstrip("/").split("/") if p]
    for size in range(1, len(parts) + 1):
        name = f"Gremium {'/'.join(parts[-size:])}"[:200]
        taken = select(Organization.id).where(
            Organization.body_id == body_id, Organization.name == name
        )
        if session.exec(taken).first() is None:
            return name
    return f"Gremium {url}"[:200]


def link_organizations(session: Session, meeting: Meeting, orgs: list[Organization]) -> bool:
    """The meeting's organizations are exactly `orgs`, in this order; True if that changed.
    (Every new meeting has its first link already: models.store.tables.)"""
    wanted = {org.id: position for position, org in enumerate(orgs)}
    links = session.exec(
        select(MeetingOrganization).where(MeetingOrganization.meeting_id == meeting.id)
    ).all()
    changed = False
    for link in links:
        position = wanted.pop(link.organization_id, None)
        if position is None:
            session.delete(link)
            changed = True
        elif link.position != position:
            link.position = position
            session.add(link)
            changed = True
    for organization_id, position in wanted.items():
        assert meeting.id is not None and organization_id is not None
        session.add(
            MeetingOrganization(
                meeting_id=meeting.id, organization_id=organization_id, position=position
            )
        )
        changed = True
    if changed:
        session.flush()
    return changed
