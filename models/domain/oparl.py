"""OParl 1.1 objects as ratsfrist reads them. Pure: JSON in, plain data out, no database.

Real council information systems differ in what they fill in, so only what ratsfrist cannot
do without is required (an object's `id` and `type`, a meeting's `start`); everything else is
optional and kept as the source spells it (an unknown paperType stays what it is). A result
text on an agenda item is translated into the lifecycle's vocabulary by
models.domain.oparl_results.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from models.domain.errors import RatsfristError
from models.domain.timeutil import BERLIN

#: OParl 1.0 servers are still common; their objects have the same shape for what we read.
TYPE_PATTERN = re.compile(r"^https://schema\.oparl\.org/1\.[01]/(\w+)$")
TYPE_PREFIX = "https://schema.oparl.org/1.1/"


class OParlError(RatsfristError):
    """Input that is not usable OParl; the message names the source and the field."""


@dataclass(frozen=True, slots=True)
class OrganizationIn:
    id: str
    name: str | None
    short_name: str | None = None
    classification: str | None = None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class AgendaItemIn:
    id: str
    number: str
    name: str | None = None
    public: bool = True
    result: str | None = None
    resolution_text: str | None = None
    consultation: str | None = None


@dataclass(frozen=True, slots=True)
class MeetingIn:
    id: str
    start: datetime | None
    end: datetime | None = None
    name: str | None = None
    cancelled: bool = False
    meeting_state: str | None = None
    organizations: tuple[str, ...] = ()
    location: str | None = None
    agenda_items: tuple[AgendaItemIn, ...] = ()
    minutes_published: bool = False
    """A results protocol is published: the minutes deadline is met."""
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class ConsultationIn:
    id: str
    organizations: tuple[str, ...] = ()
    meeting: str | None = None
    agenda_item: str | None = None
    role: str | None = None
    authoritative: bool = False


@dataclass(frozen=True, slots=True)
class PaperIn:
    id: str
    reference: str | None
    name: str | None = None
    paper_type: str | None = None
    date: date | None = None
    originators: tuple[str, ...] = ()
    consultations: tuple[ConsultationIn, ...] = ()
    web: str | None = None
    deleted: bool = False
    modified: datetime | None = None


@dataclass(frozen=True, slots=True)
class BodyIn:
    id: str
    name: str | None
    short_name: str | None = None
    organization_list: str | None = None
    meeting_list: str | None = None
    paper_list: str | None = None
    deleted: bool = False


@dataclass(frozen=True, slots=True)
class SystemIn:
    id: str
    body_list: str


OParlObject = OrganizationIn | MeetingIn | PaperIn | BodyIn | SystemIn


@dataclass(frozen=True, slots=True)
class Page:
    """One response: the objects it holds and the next page's URL, if any."""

    objects: list[OParlObject] = field(default_factory=list)
    next_url: str | None = None
    skipped: list[str] = field(default_factory=list)
    """Objects of types ratsfrist does not keep (Person, File, …), by id."""
    failed: list[str] = field(default_factory=list)
    """Objects that cannot be read, one line each: they never keep the rest of a page out."""


# --- reading -----------------------------------------------------------------------------------


def type_name(obj: dict[str, Any]) -> str | None:
    return match.group(1) if (match := TYPE_PATTERN.match(str(obj.get("type", "")))) else None


def parse_page(document: Any, where: str) -> Page:
    """A list page ({data, links}), a single object, or a JSON array of objects (else an
    error); an object in it that cannot be read goes to `failed`, the others are read."""
    if isinstance(document, list):
        items, next_url = document, None
    elif isinstance(document, dict) and isinstance(document.get("data"), list):
        items = document["data"]
        links = document.get("links") or {}
        next_url = links.get("next") if isinstance(links, dict) else None
    elif isinstance(document, dict) and type_name(document):
        items, next_url = [document], None
    else:
        shown = type(document).__name__
        if isinstance(document, dict):
            shown = "Objekt ohne OParl-'type' und ohne 'data'"
        raise OParlError(f"{where}: keine OParl-Antwort ({shown})")
    page = Page(next_url=next_url if isinstance(next_url, str) and next_url else None)
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            page.failed.append(f"{where}: data[{index}]: Objekt erwartet")
            continue
        try:
            parsed = parse_object(item, f"{where}: data[{index}]")
        except OParlError as error:
            page.failed.append(str(error))
            continue
        if parsed is None:
            page.skipped.append(str(item.get("id")))
        else:
            page.objects.append(parsed)
    return page


def parse_object(obj: dict[str, Any], where: str) -> OParlObject | None:
    """The object as plain data, or None for types ratsfrist does not keep."""
    ident = obj.get("id")
    if not isinstance(ident, str) or not ident:
        raise OParlError(f"{where}: Feld 'id' fehlt")
    where = f"{where} ({ident})"
    kind = type_name(obj)
    if kind is None:
        raise OParlError(f"{where}: Feld 'type' ist kein OParl-Typ: {obj.get('type')!r}")
    deleted = obj.get("deleted") is True
    if kind == "System":
        return SystemIn(ident, _url(obj, "body", where) or "")
    if kind == "Body":
        return BodyIn(
            ident,
            _text(obj, "name", where),
            _text(obj, "shortName", where),
            _url(obj, "organization", where),
            _url(obj, "meeting", where),
            _url(obj, "paper", where),
            deleted,
        )
    if kind == "Organization":
        return OrganizationIn(
            ident,
            _text(obj, "name", where),
            _text(obj, "shortName", where),
            _text(obj, "classification", where) or _text(obj, "organizationType", where),
            deleted,
        )
    if kind == "Meeting":
        return _meeting(obj, ident, where, deleted)
    if kind == "Paper":
        return _paper(obj, ident, where, deleted)
    return None


def _meeting(obj: dict[str, Any], ident: str, where: str, deleted: bool) -> MeetingIn:
    start = _datetime(obj, "start", where)
    if start is None and not deleted:
        raise OParlError(f"{where}: Feld 'start' fehlt (Sitzung ohne Termin)")
    location = obj.get("location")
    items = []
    for index, raw in enumerate(_list(obj, "agendaItem", where)):
        if not isinstance(raw, dict):
            continue  # a bare URL: the item is not embedded, nothing to read here
        item_where = f"{where}: agendaItem[{index}]"
        item_id = raw.get("id")
        if not isinstance(item_id, str) or raw.get("deleted") is True:
            continue
        number = _text(raw, "number", item_where)
        order = raw.get("order")
        items.append(
            AgendaItemIn(
                id=item_id,
                number=(number or (str(order) if isinstance(order, int) else str(index + 1)))[:20],
                name=_text(raw, "name", item_where),
                public=raw.get("public") is not False,
                result=_text(raw, "result", item_where),
                resolution_text=_text(raw, "resolutionText", item_where),
                consultation=_url(raw, "consultation", item_where),
            )
        )
    return MeetingIn(
        id=ident,
        start=start,
        end=_datetime(obj, "end", where),
        name=_text(obj, "name", where),
        cancelled=obj.get("cancelled") is True,
        meeting_state=_text(obj, "meetingState", where),
        organizations=_urls(obj, "organization", where),
        location=_text(location, "description", where) if isinstance(location, dict) else None,
        agenda_items=tuple(items),
        minutes_published=isinstance(obj.get("resultsProtocol"), dict | str),
        deleted=deleted,
    )


def _paper(obj: dict[str, Any], ident: str, where: str, deleted: bool) -> PaperIn:
    consultations = []
    for index, raw in enumerate(_list(obj, "consultation", where)):
        if not isinstance(raw, dict) or raw.get("deleted") is True:
            continue
        c_where = f"{where}: consultation[{index}]"
        c_id = raw.get("id")
        if not isinstance(c_id, str) or not c_id:
            raise OParlError(f"{c_where}: Feld 'id' fehlt")
        consultations.append(
            ConsultationIn(
                id=c_id,
                organizations=_urls(raw, "organization", c_where),
                meeting=_url(raw, "meeting", c_where),
                agenda_item=_url(raw, "agendaItem", c_where),
                role=_text(raw, "role", c_where),
                authoritative=raw.get("authoritative") is True,
            )
        )
    return PaperIn(
        id=ident,
        reference=_text(obj, "reference", where),
        name=_text(obj, "name", where),
        paper_type=_text(obj, "paperType", where),
        date=_date(obj, "date", where),
        originators=_urls(obj, "originatorOrganization", where),
        consultations=tuple(consultations),
        web=_url(obj, "web", where),
        deleted=deleted,
        modified=_datetime(obj, "modified", where),
    )


def _text(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if value is None:
        return None
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        raise OParlError(f"{where}: Feld {key!r}: Text erwartet, nicht {type(value).__name__}")
    text = " ".join(str(value).split())
    return text or None


def _url(obj: dict[str, Any], key: str, where: str) -> str | None:
    value = obj.get(key)
    if isinstance(value, dict):  # embedded instead of linked
        value = value.get("id")
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise OParlError(f"{where}: Feld {key!r}: URL erwartet")
    return value


def _urls(obj: dict[str, Any], key: str, where: str) -> tuple[str, ...]:
    value = obj.get(key)
    if value is None:
        return ()
    if isinstance(value, str):  # a single URL where the spec says array: seen in the wild
        return (value,)
    if not isinstance(value, list):
        raise OParlError(f"{where}: Feld {key!r}: Liste von URLs erwartet")
    urls = []
    for item in value:
        url = item.get("id") if isinstance(item, dict) else item
        if not isinstance(url, str):
            raise OParlError(f"{where}: Feld {key!r}: Liste von URLs erwartet")
        urls.append(url)
    return tuple(urls)


def _list(obj: dict[str, Any], key: str, where: str) -> list[Any]:
    value = obj.get(key)
    if value is None:
        return []
    if not isinstance(value, list):
        raise OParlError(f"{where}: Feld {key!r}: Liste erwartet")
    return value


def _datetime(obj: dict[str, Any], key: str, where: str) -> datetime | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise OParlError(f"{where}: Feld {key!r}: kein Zeitpunkt: {value!r}") from None
    # Without an offset the source means local time, as every German council system does.
    return moment if moment.tzinfo else moment.replace(tzinfo=BERLIN)


def _date(obj: dict[str, Any], key: str, where: str) -> date | None:
    value = obj.get(key)
    if value is None or value == "":
        return None
    try:
        return date.fromisoformat(str(value)[:10])
    except ValueError:
        raise OParlError(f"{where}: Feld {key!r}: kein Datum: {value!r}") from None
