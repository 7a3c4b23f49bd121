"""What an OParl sync reports, and the small helpers every upsert of it uses: the row by
OParl id and setting only what changed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from models.store.db import reason as db_reason
from models.store.tables import AgendaItem, Body, Consultation, Meeting, Organization, Paper

LISTED = (
    "moved",
    "cancelled",
    "steps",
    "deleted",
    "review",
    "warnings",
    "skipped",
    "skipped_pages",
)
SHOWN = 20
"""Lines of a long list the report shows (a first sync of an archive takes thousands of
steps); `as_dict` (--json, the flow's result) keeps them all."""


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
    review: list[str] = field(default_factory=list)
    """Results nobody can read without a person ("Ergebnis prüfen"): never assumed."""
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    """Objects not taken over, each "OParl id: reason": one bad object never blocks a town."""
    skipped_pages: list[str] = field(default_factory=list)
    """List pages given up after the client's retries, each "URL: reason"."""
    pages: int = 0
    """List pages read and stored."""
    vendor: str = ""
    """The adapter the server was read with (models.domain.oparl_vendors)."""

    def merge(self, other: SyncReport) -> None:
        self.created.update(other.created)
        self.updated.update(other.updated)
        self.unchanged.update(other.unchanged)
        for name in LISTED:
            getattr(self, name).extend(getattr(other, name))
        self.pages += other.pages
        self.vendor = self.vendor or other.vendor

    def as_dict(self) -> dict[str, Any]:
        """For --json and the flow's result."""
        return {
            "created": dict(self.created),
            "updated": dict(self.updated),
            "unchanged": dict(self.unchanged),
            **{name: list(getattr(self, name)) for name in LISTED},
            "pages": self.pages,
            "vendor": self.vendor,
        }

    def lines(self, shown: int | None = SHOWN) -> list[str]:
        """What staff read: counts first, then each kind of event, a long list cut after
        `shown` lines with how many more there are (None: all)."""
        kinds = sorted(set(self.created) | set(self.updated) | set(self.unchanged))
        out = [
            f"{kind}: {self.created[kind]} neu, {self.updated[kind]} geändert, "
            f"{self.unchanged[kind]} unverändert"
            for kind in kinds
        ]
        counted = (
            ("Schritte", self.steps),
            ("Ergebnis prüfen", self.review),
            ("übersprungen", self.skipped),
            ("Seiten übersprungen", self.skipped_pages),
        )
        out += [f"{label}: {len(items)}" for label, items in counted if items]
        for label, items in (
            ("Sitzung verlegt", self.moved),
            ("Sitzung abgesagt", self.cancelled),
            ("Schritt", self.steps),
            ("in der Quelle gelöscht", self.deleted),
            ("", self.review),  # each reads "Ergebnis prüfen: why – which"
            ("Hinweis", self.warnings),
            ("übersprungen", self.skipped),
            ("Seite übersprungen", self.skipped_pages),
        ):
            out += [f"{label}: {item}" if label else item for item in items[:shown]]
            if shown is not None and len(items) > shown:
                more = f"… und {len(items) - shown} weitere (--json zeigt alle)"
                out.append(f"{label or 'Ergebnis prüfen'}: {more}")
        return out


def reason(error: Exception) -> str:
    """An exception as one line: a database error by its driver's first line."""
    if isinstance(error, DBAPIError):
        return f"Datenbankfehler ({type(error.orig).__name__}): {db_reason(error)}"[:300]
    text = str(error).strip().splitlines()[0] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}"[:300] if text else type(error).__name__


Row = TypeVar("Row", Body, Organization, Meeting, Paper, Consultation, AgendaItem)


def by_oparl_id(session: Session, model: type[Row], url: str | None) -> Row | None:
    """The row the source knows as `url` (every synced table has a unique oparl_id)."""
    if not url:
        return None
    return session.exec(select(model).where(model.oparl_id == url)).first()


def tail(url: str) -> str:
    """The last path segment of an OParl URL: a name for an object that has none."""
    return url.rstrip("/").rsplit("/", 1)[-1][:60]


def set_changed(row: object, **values: object) -> bool:
    """Set the attributes that differ; True if any did."""
    changed = False
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed = True
    return changed
