"""Bodies as configuration: each Kommune or Kreis with its own rules profile, state and
holiday categories, and the lookup body → rules that planning uses. Pure: no database.

One installation may run many councils (a Kreis with its towns, a county's IT service): a
paper's deadlines are computed by its body's Geschäftsordnung and calendar, never by one
installation-wide profile. `Rulebook` answers "which rules for this body" once per body and
keeps the answer, so a batch or a sweep over a million rows asks the database and loads a
profile once per body, never per row.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from models.domain.calendar import CATEGORIES as CATEGORY_STATES
from models.domain.errors import InvalidInput
from models.domain.rules import RuleSet

STATES: dict[str, str] = {
    "BB": "Brandenburg",
    "BE": "Berlin",
    "BW": "Baden-Württemberg",
    "BY": "Bayern",
    "HB": "Bremen",
    "HE": "Hessen",
    "HH": "Hamburg",
    "MV": "Mecklenburg-Vorpommern",
    "NI": "Niedersachsen",
    "NW": "Nordrhein-Westfalen",
    "RP": "Rheinland-Pfalz",
    "SH": "Schleswig-Holstein",
    "SL": "Saarland",
    "SN": "Sachsen",
    "ST": "Sachsen-Anhalt",
    "TH": "Thüringen",
}
"""Bundesland codes (ISO 3166-2:DE without the prefix, as the `holidays` package has them)."""

CATEGORIES: dict[str, str] = {  # the states each holds in: models.domain.calendar
    "catholic": "überwiegend katholisch (BY: Mariä Himmelfahrt; SN, TH: Fronleichnam)",
    "augsburg": "Stadt Augsburg (Augsburger Hohes Friedensfest, 8.8.)",
}
"""Holiday categories a municipality may have beyond its state's."""

SLUG_PREFIX = "koerperschaft-"
"""Reminders of a body carry the Apprise tag SLUG_PREFIX + its slug."""


def slugify(name: str) -> str:
    """A name as a routing tag: lowercase ASCII, umlauts spelled out, dashes ("Stadt
    Köln" → "stadt-koeln"). The migration 0008 spells the same rule for existing rows."""
    text = name.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        text = text.replace(umlaut, spelled)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:90] or "koerperschaft"


def check_state(code: str, what: str = "--land") -> str:
    """A Bundesland code, upper-cased; anything else is bad input naming the known ones."""
    wanted = code.strip().upper()
    if wanted not in STATES:
        raise InvalidInput(
            f"{what} {code!r}: unbekanntes Bundesland (bekannt: {', '.join(STATES)})"
        )
    return wanted


def check_categories(
    categories: Iterable[str], state: str, what: str = "--kategorie"
) -> tuple[str, ...]:
    """The municipality's holiday categories, known ones only, sorted; `augsburg` only in BY."""
    result = set()
    for entry in categories:
        for part in entry.split(","):
            name = part.strip().lower()
            if not name:
                continue
            if name not in CATEGORIES:
                raise InvalidInput(
                    f"{what} {part.strip()!r}: unbekannte Feiertagskategorie "
                    f"(bekannt: {', '.join(CATEGORIES)})"
                )
            if state not in CATEGORY_STATES[name]:
                where = ", ".join(sorted(CATEGORY_STATES[name]))
                raise InvalidInput(f"{what} {name}: gilt nur in {where}, nicht in {state}")
            result.add(name)
    return tuple(sorted(result))


def check_slug(slug: str, what: str = "--slug") -> str:
    """A slug as given must already be one (what slugify makes of it)."""
    if not slug or slugify(slug) != slug:
        raise InvalidInput(
            f"{what} {slug!r}: nur Kleinbuchstaben a-z, Ziffern und Bindestriche "
            f"(z. B. {slugify(slug or 'Stadt Köln')!r})"
        )
    return slug


def split_categories(text: str | None) -> tuple[str, ...]:
    """The stored comma-separated categories as a tuple."""
    return tuple(p for p in (text or "").split(",") if p)


@dataclass(frozen=True, slots=True)
class BodyRules:
    """What decides a body's deadlines: its profile and its calendar's state and categories.
    None means "as the settings say" (RATSFRIST_RULES; the profile's own state)."""

    profile: str | None = None
    state: str | None = None
    categories: tuple[str, ...] = ()


def with_calendar(rules: RuleSet, state: str | None, categories: Iterable[str]) -> RuleSet:
    """The profile with the body's calendar: its state's holidays and its municipality's
    categories; the profile's closed days (24.12., Rosenmontag) and recess kept. The profile's
    own categories hold only in its own state (a Saxon `catholic` means nothing in NW)."""
    head = rules.profile.profile
    wanted = state or head.state
    chosen = tuple(sorted(categories)) or (head.categories if wanted == head.state else ())
    return rules.for_municipality(wanted, chosen)


class Rulebook:
    """Body id → its RuleSet, each body resolved once (by `resolve`, which reads the body and
    loads its profile) and then kept: built once per batch, step or sweep. A sweep, which
    touches every body, starts with `known` (all bodies read in one statement) instead of
    asking `resolve` body by body."""

    __slots__ = ("_by_body", "_resolve", "default", "lookups")

    def __init__(
        self,
        default: RuleSet,
        resolve: Callable[[int], RuleSet],
        known: dict[int, RuleSet] | None = None,
    ) -> None:
        self.default = default
        self._resolve = resolve
        self._by_body: dict[int, RuleSet] = dict(known or {})
        self.lookups = 0
        """How often `resolve` was asked (a body not in `known`): tests check it."""

    def for_body(self, body_id: int | None) -> RuleSet:
        if body_id is None:
            return self.default
        found = self._by_body.get(body_id)
        if found is None:
            self.lookups += 1
            found = self._by_body[body_id] = self._resolve(body_id)
        return found

    @property
    def resolved(self) -> int:
        """How many bodies are known (tests check: once per body, never per row)."""
        return len(self._by_body)


Rules = RuleSet | Rulebook
"""What the services take: one RuleSet for every body (tests, the benchmark) or a Rulebook."""


def rules_of(rules: Rules, body_id: int | None) -> RuleSet:
    """The RuleSet that plans a paper of `body_id`."""
    return rules.for_body(body_id) if isinstance(rules, Rulebook) else rules
