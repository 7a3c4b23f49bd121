"""What each vendor's OParl server really sends, repaired in one place before the mapping.

The OParl mapping (models.domain.oparl) reads the standard. Real council information systems
deviate from it, each in its own way, and the deviations were recorded from live endpoints
(tests/data/oparl-real/): SD.NET serves every deletion as `{id, created, modified, deleted}`
without `type` and answers an empty filtered list with 404 + `{"code": 802}`; ALLRIS writes
offsets as `+01::00`, date-times where dates are due, "N/A" for missing values and raw control
characters inside strings; a single File object where a list is due. Each adapter turns the
raw JSON into what the standard says, so the mapping stays one and strict. Pure: dicts in,
dicts out.

The adapter is chosen from the System (`vendor`, `product`, `name`, vendor-specific keys) or,
failing that, the URL; the setting `oparl_vendor` overrides the choice.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, ClassVar

from models.domain.oparl import TYPE_PREFIX, OParlError

#: The type an embedded object has by the key it sits under (used for deletions without one).
EMBEDDED_TYPES = {
    "agendaItem": "AgendaItem",
    "consultation": "Consultation",
    "auxiliaryFile": "File",
    "mainFile": "File",
    "invitation": "File",
    "resultsProtocol": "File",
    "verbatimProtocol": "File",
    "derivativeFile": "File",
    "location": "Location",
    "legislativeTerm": "LegislativeTerm",
    "membership": "Membership",
}
#: Keys the standard defines as arrays, which some servers fill with a single object.
LIST_KEYS = frozenset(
    {
        "auxiliaryFile",
        "agendaItem",
        "consultation",
        "legislativeTerm",
        "membership",
        "participant",
        "derivativeFile",
    }
)
#: Keys whose format is `date`; vendors write date-times there.
DATE_KEYS = frozenset({"date", "startDate", "endDate"})
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DOUBLE_COLON_OFFSET = re.compile(r"^(\d{4}-\d\d-\d\dT[\d:.]+[+-]\d\d)::(\d\d)$")
_DATE_TIME = re.compile(r"^(\d{4}-\d\d-\d\d)T")


class Vendor:
    """The plain standard, with the repairs that cannot misread anything: a deletion's type
    from its list, empty strings as missing, control characters dropped, a single object
    where a list is due, a date-time where a date is due read as its date."""

    key: ClassVar[str] = "standard"
    label: ClassVar[str] = "OParl-Standard"

    # --- answers -------------------------------------------------------------------------------

    def empty_list(self, status: int, payload: Any) -> bool:
        """Whether an HTTP error answer means "this list is empty"."""
        return False

    def page(self, document: Any, list_type: str | None) -> Any:
        """The answer with every object normalised; `list_type` is the type the list holds
        ("Meeting", …), or None where an answer may hold anything."""
        if isinstance(document, list):
            return [self.object(o, list_type) if isinstance(o, dict) else o for o in document]
        if isinstance(document, dict) and isinstance(document.get("data"), list):
            data = [
                self.object(o, list_type) if isinstance(o, dict) else o for o in document["data"]
            ]
            return {**document, "data": data}
        if isinstance(document, dict):
            return self.object(document, None)
        return document

    def object(self, raw: Mapping[str, Any], implied_type: str | None) -> dict[str, Any]:
        """One object and its embedded objects, as the standard says they are."""
        obj: dict[str, Any] = {}
        for key, value in raw.items():
            fixed = self.value(key, value)
            if fixed is not None:
                obj[key] = fixed
        # SD.NET's deletions carry nothing but their id: the list says what they are.
        if implied_type and "type" not in obj and obj.get("deleted") is True:
            obj["type"] = TYPE_PREFIX + implied_type
        return obj

    def value(self, key: str, value: Any) -> Any:
        """A field's value as the standard wants it; None for a value that is no value."""
        if isinstance(value, str):
            return self.text(key, value)
        if isinstance(value, dict):
            embedded = self.object(value, EMBEDDED_TYPES.get(key))
            return [embedded] if key in LIST_KEYS else embedded
        if isinstance(value, list):
            items = [
                self.object(item, EMBEDDED_TYPES.get(key))
                if isinstance(item, dict)
                else self.value(key, item)
                for item in value
            ]
            return [item for item in items if item is not None]
        return value

    def text(self, key: str, value: str) -> str | None:
        value = _CONTROL.sub("", value)
        if not value.strip():
            return None
        if key in DATE_KEYS:
            found = _DATE_TIME.match(value)
            if found:
                return found.group(1)
        return value


class SternbergSDNet(Vendor):
    """STERNBERG SD.NET RIM: deletions without `type` (the standard repair), and an empty
    filtered list answered with 404 and `{"code": 802}` ("Keine Daten gefunden")."""

    key = "sdnet"
    label = "STERNBERG SD.NET RIM"
    NO_TEXT = "(kein Text vorhanden)"
    """What SD.NET writes where a text is missing (21 agenda results of Hürtgenwald)."""

    def empty_list(self, status: int, payload: Any) -> bool:
        return status == 404 and isinstance(payload, dict) and payload.get("code") == 802

    def text(self, key: str, value: str) -> str | None:
        return None if value.strip() == self.NO_TEXT else super().text(key, value)


class SomacosSessionNet(Vendor):
    """SOMACOS SessionNet: 404 on a percent-encoded `:` in modified_since, which the client
    never sends; bodies named "Instance 0001"; meetings naming organizations that are in no
    list. Its objects themselves need only the standard repairs."""

    key = "sessionnet"
    label = "SOMACOS SessionNet"


class CCeGovAllris(Vendor):
    """CC e-gov ALLRIS: offsets written `+01::00`, "N/A" for missing values and as the start
    of broken relative URLs (`"N/Avo020.asp?…"`), date-times where dates are due."""

    key = "allris"
    label = "CC e-gov ALLRIS"
    URL_KEYS: ClassVar[frozenset[str]] = frozenset({"web", "accessUrl", "downloadUrl", "website"})

    def text(self, key: str, value: str) -> str | None:
        if value.strip() == "N/A":
            return None
        if key in self.URL_KEYS and not value.startswith(("http://", "https://")):
            return None
        value = _DOUBLE_COLON_OFFSET.sub(r"\1:\2", value)
        return super().text(key, value)


class MoreRubin(Vendor):
    """More! Rubin: agenda numbers repeat between the public and the non-public part (the
    store keys agenda items by OParl id); the objects need only the standard repairs."""

    key = "morerubin"
    label = "More! Rubin"


VENDORS: dict[str, type[Vendor]] = {
    v.key: v for v in (Vendor, SternbergSDNet, SomacosSessionNet, CCeGovAllris, MoreRubin)
}

#: (vendor class, words in the System's vendor/product/name or vendor-specific keys)
_SIGNS: tuple[tuple[type[Vendor], tuple[str, ...]], ...] = (
    (SternbergSDNet, ("sitzungsdienst.net", "sternberg", "sd.net")),
    (SomacosSessionNet, ("somacos", "sessionnet")),
    (CCeGovAllris, ("cc-egov", "allris")),
    (MoreRubin, ("more-rubin", "morerubin", "more! rubin", "more!rubin")),
)
#: URL patterns of installations whose System does not say who made it.
_URL_SIGNS: tuple[tuple[type[Vendor], re.Pattern[str]], ...] = (
    (SternbergSDNet, re.compile(r"/webservice/oparl/v1\.\d/|sdnetrim", re.I)),
    (SomacosSessionNet, re.compile(r"sessionnet", re.I)),
    (CCeGovAllris, re.compile(r"/bi/oparl/|\.asp\b|sitzung-online\.de", re.I)),
    (MoreRubin, re.compile(r"more-?rubin", re.I)),
)


def vendor_named(key: str) -> Vendor:
    """The adapter a setting names; an unknown name is an error listing the known ones."""
    found = VENDORS.get(key.strip().lower())
    if found is None:
        raise OParlError(
            f"RATSFRIST_OPARL_VENDOR {key!r}: unbekannter Hersteller "
            f"(bekannt: {', '.join(VENDORS)})"
        )
    return found()


def detect(system: Mapping[str, Any] | None, url: str, override: str | None = None) -> Vendor:
    """The adapter for a server: the setting if given, else what the System (or Body) says
    about its maker, else the URL's shape, else the plain standard."""
    if override:
        return vendor_named(override)
    if system:
        signs = " ".join(
            str(system.get(key, "")) for key in ("vendor", "product", "name", "id")
        ).lower()
        signs += " " + " ".join(k.lower() for k in system if ":" in k)  # "STERNBERG:RIMVersion"
        for vendor, words in _SIGNS:
            if any(word in signs for word in words):
                return vendor()
    for vendor, pattern in _URL_SIGNS:
        if pattern.search(url):
            return vendor()
    return Vendor()
