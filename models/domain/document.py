"""What a parsed council document is: its types, roles and the ParsedPaper the parser
(models.domain.intake) returns. Pure.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from typing import Any

from models.domain.errors import RatsfristError

#: Paper types as council information systems name them (OParl Paper.paperType).
PAPER_TYPES: tuple[str, ...] = (
    "Antrag",
    "Änderungsantrag",
    "Ergänzungsantrag",
    "Dringlichkeitsantrag",
    "Vorschlag",
    "Anfrage",
    "Große Anfrage",
    "Kleine Anfrage",
    "Resolution",
    "Anregung",
    "Beschlussvorlage",
    "Vorlage",
    "Mitteilung",
    "Mitteilungsvorlage",
)
QUESTION_TYPES = frozenset({"Anfrage", "Große Anfrage", "Kleine Anfrage"})

#: Zuständigkeit in the Beratungsfolge → OParl Consultation.role; Entscheidung is authoritative.
ROLES: tuple[str, ...] = ("Entscheidung", "Vorberatung", "Kenntnisnahme", "Beratung", "Anhörung")
AUTHORITATIVE_ROLE = "Entscheidung"

MAX_BYTES = 2_000_000

# Column lengths of models.store.tables (tests/flows/test_documents_cli.py keeps them equal):
# checked by the parser, so PostgreSQL never sees a value it would refuse with a DataError.
MAX_REFERENCE = 100
MAX_LEGAL_BASIS = 300
MAX_ORGANIZATION = 200


class IntakeError(RatsfristError):
    """A document that cannot be taken in; the message is `FILE:LINE: reason`."""

    def __init__(self, source: str, line: int, reason: str) -> None:
        self.source = source
        self.line = line
        self.reason = reason
        super().__init__(f"{source}:{line}: {reason}")


@dataclass(frozen=True, slots=True)
class ParsedSignatory:
    name: str
    function: str | None = None
    faction: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedConsultation:
    organization: str
    meeting_date: date | None
    public: bool
    role: str
    authoritative: bool
    position: int


@dataclass(frozen=True, slots=True)
class Uncertainty:
    """A field the reader is not sure of, and why (German, for staff): the paper goes to
    review instead of being taken in silently wrong."""

    field: str
    reason: str


@dataclass(frozen=True, slots=True)
class ParsedPaper:
    paper_type: str
    reference: str
    date: date
    public: bool
    name: str
    legal_basis: str | None = None
    subtitle: str | None = None
    submitters: tuple[str, ...] = ()
    consultations: tuple[ParsedConsultation, ...] = ()
    resolution_proposal: str | None = None
    questions: tuple[str, ...] = ()
    reasoning: str | None = None
    signatories: tuple[ParsedSignatory, ...] = ()
    attachments: tuple[str, ...] = ()
    uncertain: tuple[Uncertainty, ...] = ()
    source: str = field(default="", compare=False)

    @property
    def content_hash(self) -> str:
        """Identity of the content, so re-importing the same document (even with other line
        endings or page breaks) is recognised as unchanged."""
        data = _plain(self)
        data.pop("source")
        data.pop("uncertain")  # what the reader doubts is not content: the hash stays stable
        blob = json.dumps(data, default=str, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()


def _plain(value: Any) -> Any:
    """What dataclasses.asdict makes of a parsed document, for the hash, without its deep
    copies (a third of the time of storing a document in a batch)."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value
