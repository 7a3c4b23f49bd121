"""The `review` step: staff confirm or correct the fields the intake was unsure of, and the
motion goes on to where a sure intake would have put it (eingereicht, or Beratung
zuzuweisen without a Beratungsfolge); its deadlines start with this step.

The Beratungsfolge of a motion in review waits on the paper (`proposed_consultations`) and is
stored here: a committee nobody knew is created now, by a person's confirmation, and the
review's event names it.
"""

from __future__ import annotations

from datetime import time
from typing import Any

from sqlmodel import col, delete, select

from models.domain.document import AUTHORITATIVE_ROLE, MAX_LEGAL_BASIS, MAX_ORGANIZATION
from models.domain.errors import InvalidInput
from models.domain.intake_text import PAPER_TYPE_LOOKUP
from models.domain.review import field_of, row_key, split_list, word_of
from models.domain.states import Entry, Event, State, transition
from models.domain.steps import FieldError, parse_role
from models.domain.text import fold
from models.domain.timeutil import local_datetime, parse_day
from models.services.assignment import set_number, store_consultations
from models.services.step_call import Change, StepCall, performs
from models.store.tables import Paper, Question


@performs("review")
def _review(
    call: StepCall, *, corrections: dict[str, str] | None = None, confirm: bool = False
) -> Change:
    """Apply the corrections; every doubt must be corrected or (with `confirm`) confirmed
    as read, else nothing changes and the error names the fields still open."""
    session, paper = call.session, call.paper
    transition(State(paper.state), Event.review)  # only a motion in review
    corrections = corrections or {}
    doubts = list(paper.uncertain)
    rows = [dict(row) for row in paper.proposed_consultations]
    corrected = {_correct(call, paper, rows, key, value) for key, value in corrections.items()}
    still_open = [d for d in doubts if field_of(d["field"]) not in corrected]
    if still_open and not confirm:
        words = ", ".join(dict.fromkeys(word_of(d["field"]) for d in still_open))
        raise InvalidInput(
            f"{paper.reference}: noch ungeprüft: {words}; mit --set feld=wert berichtigen "
            "oder mit --confirm wie gelesen bestätigen"
        )
    created = store_consultations(
        session, paper, rows, meeting_time=call.meeting_time, create_committees=True
    )
    paper.uncertain = []
    paper.proposed_consultations = []
    details: dict[str, Any] = {"checked": doubts}
    if corrections:
        details["corrected"] = corrections
    if still_open:
        details["confirmed"] = sorted({word_of(d["field"]) for d in still_open})
    if created:
        details["created_committees"] = created
    return Change(Event.review, details, entry=Entry(uncertain=False, assigned=bool(rows)))


def _correct(call: StepCall, paper: Paper, rows: list[dict[str, Any]], key: str, value: str) -> str:
    """Apply one correction to the paper (or to the proposed Beratungsfolge `rows`); returns
    the ParsedPaper field it settles."""
    row = row_key(key)
    if row is not None:
        return _correct_row(rows, row[0], row[1], value, key)
    field = field_of(key)
    text = " ".join(value.split())
    if field == "name":
        if not text:
            raise FieldError("corrections", f"{{field}} {key}: Titel darf nicht leer sein")
        paper.name = text
    elif field == "subtitle":
        paper.subtitle = value.strip() or None
    elif field == "reference":
        set_number(call.session, paper, text, "corrections")
    elif field == "date":
        day = parse_day(text, key)
        if paper.received_at == local_datetime(paper.date, time(0, 0)):
            paper.received_at = local_datetime(day, time(0, 0))  # it came from the date
        paper.date = day
    elif field == "public":
        folded = text.lower().replace(" ", "").replace("-", "")
        if folded not in ("öffentlich", "nichtöffentlich"):
            raise FieldError("corrections", f"{{field}} {key}: öffentlich oder nichtöffentlich")
        paper.public = folded == "öffentlich"
    elif field == "paper_type":
        kind = PAPER_TYPE_LOOKUP.get(fold(text))
        if kind is None:
            raise FieldError("corrections", f"{{field}} {key}: unbekannte Dokumentart {text!r}")
        paper.paper_type = kind
    elif field == "legal_basis" and len(text) > MAX_LEGAL_BASIS:
        raise FieldError(
            "corrections",
            f"{{field}} {key}: zu lang ({len(text)} Zeichen, höchstens {MAX_LEGAL_BASIS})",
        )
    elif field in ("legal_basis", "resolution_proposal", "reasoning"):
        setattr(paper, field, value.strip() or None)
    elif field in ("submitters", "attachments"):
        setattr(paper, field, [p.strip() for p in value.split(";") if p.strip()])
    elif field == "signatories":
        paper.signatories = [{"name": n.strip()} for n in value.split(";") if n.strip()]
    elif field == "questions":
        _replace_questions(call, paper, split_list(value))
    elif field == "consultations":
        if text:
            raise FieldError(
                "corrections",
                f"{{field}} {key}: nur leer (keine Beratungsfolge: dann weist der "
                "Sitzungsdienst sie zu); einzelne Zeilen mit gremium.N=… / sitzung.N=…",
            )
        rows.clear()
    call.session.add(paper)
    return field


def _correct_row(rows: list[dict[str, Any]], what: str, number: int, value: str, key: str) -> str:
    if not 1 <= number <= len(rows):
        raise FieldError(
            "corrections", f"{{field}} {key}: die Beratungsfolge hat {len(rows)} Zeile(n)"
        )
    row = rows[number - 1]
    text = " ".join(value.split())
    if what == "gremium":
        if not text:
            raise FieldError("corrections", f"{{field}} {key}: Gremium darf nicht leer sein")
        if len(text) > MAX_ORGANIZATION:
            raise FieldError(
                "corrections",
                f"{{field}} {key}: Gremium zu lang ({len(text)} Zeichen, höchstens "
                f"{MAX_ORGANIZATION})",
            )
        row["organization"] = text
    elif what == "sitzung":
        row["meeting_date"] = parse_day(text, key).isoformat() if text else None
    else:
        row["role"] = parse_role(text, key)
        row["authoritative"] = row["role"] == AUTHORITATIVE_ROLE
    return "consultations"


def _replace_questions(call: StepCall, paper: Paper, questions: list[str]) -> None:
    """A motion in review has answered nothing yet: its questions are replaced whole."""
    session = call.session
    answered = session.exec(
        select(Question.id).where(
            Question.paper_id == paper.id, col(Question.answered_at).is_not(None)
        )
    ).first()
    if answered is not None:
        raise InvalidInput(f"{paper.reference}: Fragen sind schon beantwortet")
    session.exec(delete(Question).where(col(Question.paper_id) == paper.id))
    assert paper.id is not None
    for number, text in enumerate(questions, start=1):
        session.add(Question(paper_id=paper.id, number=number, text=text))
    session.flush()
