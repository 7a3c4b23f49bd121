"""Motions the intake was unsure of wait "zu prüfen", motions without a number or a
Beratungsfolge wait "Beratung zuzuweisen" (issue 15, 3 and 4): no deadlines, no reminders,
until a person settles them; then their deadlines start. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.domain.document import Uncertainty
from models.domain.errors import InvalidInput, NotFound
from models.domain.intake import ParsedPaper, parse_document
from models.domain.states import IllegalTransition
from models.domain.steps import FieldError
from models.services import intake, steps, views
from models.store.db import session_scope
from models.store.repo import find_paper, next_intake_number
from models.store.tables import Body, Consultation, Deadline, Organization, Paper, Reminder
from tests.conftest import DATA, EXAMPLE, snapshot

T0 = datetime(2021, 6, 7, 8, 15, tzinfo=UTC)
T1 = datetime(2021, 6, 8, 9, 0, tzinfo=UTC)
REF = "A 21/0500-01"
DOUBT = Uncertainty("questions", "Aufzählungszeichen '' unbekannt (Zeile 24)")


def _seed() -> ParsedPaper:
    return parse_document(EXAMPLE.read_bytes(), "vorschlag.txt")


def _letter() -> ParsedPaper:
    """A faction's motion before the Sitzungsdienst saw it: no number, no Beratungsfolge."""
    return replace(_seed(), reference="", consultations=(), source="brief.txt")


def _import(engine: Engine, parsed: ParsedPaper, now: datetime = T0) -> Paper:
    with session_scope(engine) as session:
        return intake.import_paper(session, parsed, body_name="Stadt", now=now, actor="t").paper


def _owed(engine: Engine, reference: str) -> tuple[int, int, int]:
    """(consultations, deadlines, reminders) of the motion."""
    with session_scope(engine) as session:
        paper = find_paper(session, reference)
        counts = []
        for model in (Consultation, Deadline, Reminder):
            rows = session.exec(select(model).where(model.paper_id == paper.id)).all()
            counts.append(len(rows))
        return counts[0], counts[1], counts[2]


def _step(engine: Engine, name: str, reference: str, **params: object) -> str:
    with session_scope(engine) as session:
        return steps.perform(
            name, session, reference, now=T1, actor="frau.meier", **params
        ).paper.state


def test_a_doubtful_document_waits_in_review_without_deadlines_or_reminders(
    engine: Engine,
) -> None:
    paper = _import(engine, replace(_seed(), uncertain=(DOUBT,)))
    assert paper.state == "in_review"
    assert paper.uncertain == [{"field": "questions", "reason": DOUBT.reason}]
    assert [c["organization"] for c in paper.proposed_consultations] == ["Sozialausschuss"]
    assert _owed(engine, REF) == (0, 0, 0)
    with session_scope(engine) as session:
        view = views.paper_view(session, find_paper(session, REF), T0)
        # no committee was created for a Beratungsfolge nobody has checked
        assert session.exec(select(Organization)).all() == []
    assert view["uncertain"] == paper.uncertain and view["deadlines"] == []
    assert view["history"][0]["to_state"] == "in_review"


def test_review_needs_every_doubt_settled_and_changes_nothing_otherwise(engine: Engine) -> None:
    _import(
        engine, replace(_seed(), uncertain=(DOUBT, Uncertainty("name", "sieht aus wie ein Feld")))
    )
    before = snapshot(engine)
    with pytest.raises(InvalidInput, match="noch ungeprüft: fragen, titel"):
        _step(engine, "review", REF)
    with pytest.raises(InvalidInput, match="noch ungeprüft: titel"):
        _step(engine, "review", REF, corrections={"fragen": "Wer? | Wann?"})
    with pytest.raises(FieldError, match="Titel darf nicht leer"):
        _step(engine, "review", REF, corrections={"titel": " "}, confirm=True)
    # longer than its column: a clear error, never PostgreSQL's DataError
    with pytest.raises(FieldError, match=r"Gremium zu lang \(201 Zeichen, höchstens 200\)"):
        _step(engine, "review", REF, corrections={"gremium.1": "x" * 201}, confirm=True)
    with pytest.raises((IllegalTransition, InvalidInput)):
        _step(engine, "place_on_agenda", REF, item_number="5")
    assert snapshot(engine) == before


def test_corrected_fields_are_stored_and_the_deadlines_start_with_the_review(
    engine: Engine,
) -> None:
    _import(engine, replace(_seed(), uncertain=(DOUBT,)))
    state = _step(
        engine,
        "review",
        REF,
        corrections={
            "fragen": "Wer führt das Steuerungsgremium? | Wann beginnt es?",
            "titel": "KIM",
        },
    )
    assert state == "submitted"
    consultations, deadlines, reminders = _owed(engine, REF)
    assert consultations == 1 and deadlines > 0 and reminders > 0
    with session_scope(engine) as session:
        paper = find_paper(session, REF)
        view = views.paper_view(session, paper, T1)
        created = session.exec(select(Deadline.created_at)).all()
    assert view["name"] == "KIM" and view["uncertain"] == []
    assert view["questions"] == ["Wer führt das Steuerungsgremium?", "Wann beginnt es?"]
    assert [c["organization"] for c in view["consultations"]] == ["Sozialausschuss"]
    assert set(created) == {T1}  # planned by the review, not at intake
    # The Antragsfrist still asks whether the motion arrived in time: the original receipt.
    proposal = next(d for d in view["deadlines"] if d["kind"] == "proposal")
    assert proposal["status"] == "met"
    review = view["history"][-1]
    assert review["event"] == "review" and review["actor"] == "frau.meier"
    assert review["details"]["checked"] == [{"field": "questions", "reason": DOUBT.reason}]
    assert set(review["details"]["corrected"]) == {"fragen", "titel"}


def test_an_unknown_committee_is_proposed_and_created_only_by_the_review(engine: Engine) -> None:
    _import(engine, _seed())  # a body without committees learns them from its first document
    other = _import(
        engine, parse_document((DATA / "antrag-nichtoeffentlich.txt").read_bytes(), "a.txt")
    )
    assert other.state == "in_review"
    reasons = [d["reason"] for d in other.uncertain]
    assert len(reasons) == 3 and all(r.startswith("Gremium unbekannt: ") for r in reasons)
    assert "'Rat der Stadt' (Zeile 3 der Beratungsfolge)" in reasons[2]
    with session_scope(engine) as session:
        names = set(session.exec(select(Organization.name)).all())
    assert names == {"Sozialausschuss"}
    assert _step(engine, "review", other.reference, confirm=True) == "submitted"
    with session_scope(engine) as session:
        names = set(session.exec(select(Organization.name)).all())
        view = views.paper_view(session, find_paper(session, other.reference), T1)
    assert "Rat der Stadt" in names and len(names) == 4
    assert view["history"][-1]["details"]["created_committees"][-1] == "Rat der Stadt"


def test_a_committee_can_be_corrected_to_a_known_one_in_review(engine: Engine) -> None:
    _import(engine, replace(_seed(), reference="A 21/0499-01"))
    typo = replace(
        _seed(),
        consultations=(replace(_seed().consultations[0], organization="Sozialauschuss"),),
    )
    assert _import(engine, typo).state == "in_review"
    _step(engine, "review", REF, corrections={"gremium.1": "sozialausschuss"})
    with session_scope(engine) as session:
        assert len(session.exec(select(Organization)).all()) == 1
        paper = find_paper(session, REF)
        consultation = session.exec(
            select(Consultation).where(Consultation.paper_id == paper.id)
        ).one()
        meeting_org = consultation.organization_id
    assert meeting_org == 1


def test_a_letter_gets_an_intake_number_and_waits_for_its_consultation(engine: Engine) -> None:
    paper = _import(engine, _letter())
    assert (paper.reference, paper.intake_number, paper.state) == (
        "E 2021/0001",
        "E 2021/0001",
        "awaiting_assignment",
    )
    assert _owed(engine, "E 2021/0001") == (0, 0, 0)
    # The same letter again is the same motion; another one takes the next number.
    assert _import(engine, _letter()).id == paper.id
    second = _import(engine, replace(_letter(), name="Noch ein Antrag"))
    assert second.reference == "E 2021/0002"
    with pytest.raises(InvalidInput, match="ergibt 123 Zeichen"), session_scope(engine) as session:
        intake.import_paper(
            session,
            replace(_letter(), name="Zu lang"),
            body_name="Stadt",
            now=T0,
            actor="t",
            intake_number="E " + "9" * 120 + "{seq}",
        )
    # A new year starts again at 1.
    third = _import(
        engine, replace(_letter(), name="Neujahr"), now=datetime(2022, 1, 1, 9, tzinfo=UTC)
    )
    assert third.reference == "E 2022/0001"


def test_assign_starts_the_deadlines_and_keeps_the_external_number(engine: Engine) -> None:
    _import(engine, _seed())  # knows the Sozialausschuss and its meeting on 15.06.2021
    _import(engine, _letter())
    before = snapshot(engine)
    with pytest.raises(NotFound, match="unbekanntes Gremium 'Kulturausschuss'"):
        _step(engine, "assign", "E 2021/0001", organization="Kulturausschuss")
    with pytest.raises(FieldError, match="A 21/0500-01 ist schon eine andere Vorlage"):
        _step(engine, "assign", "E 2021/0001", organization="Sozialausschuss", number=REF)
    assert snapshot(engine) == before
    from datetime import date

    state = _step(
        engine,
        "assign",
        "E 2021/0001",
        organization="Sozialausschuss",
        meeting_day=date(2021, 6, 15),
        number="A 21/0600-01",
    )
    assert state == "submitted"
    with session_scope(engine) as session:
        by_number = find_paper(session, "A 21/0600-01")
        assert find_paper(session, "E 2021/0001").id == by_number.id
        view = views.paper_view(session, by_number, T1)
    assert view["intakeNumber"] == "E 2021/0001"
    assert [(c["organization"], c["meeting_date"]) for c in view["consultations"]] == [
        ("Sozialausschuss", "2021-06-15")
    ]
    kinds = {d["kind"] for d in view["deadlines"]}
    assert {"proposal", "session"} <= kinds
    assert view["history"][-1]["details"]["number"] == "A 21/0600-01"
    with pytest.raises(IllegalTransition):
        _step(engine, "assign", "A 21/0600-01", organization="Sozialausschuss")


def test_a_review_without_a_beratungsfolge_hands_the_motion_to_the_sitzungsdienst(
    engine: Engine,
) -> None:
    _import(
        engine, replace(_seed(), uncertain=(Uncertainty("consultations", "Zeile nicht lesbar"),))
    )
    assert _step(engine, "review", REF, corrections={"beratungsfolge": ""}) == "awaiting_assignment"
    assert _owed(engine, REF) == (0, 0, 0)


def test_intake_numbers_drawn_at_once_are_all_different(engine: Engine) -> None:
    """Eight intakes at once, each in its own transaction: the counter row is locked (on
    PostgreSQL; SQLite's write lock serialises), the first insert of the year races and the
    loser reads the winner's row."""
    with session_scope(engine) as session:
        session.add(Body(name="Stadt"))
    with session_scope(engine) as session:
        body_id = session.exec(select(Body.id)).one()
    numbers: list[int] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def draw() -> None:
        try:
            start.wait()
            with Session(engine) as session, session.begin():
                numbers.append(next_intake_number(session, body_id or 0, 2026))
        except BaseException as exc:  # reported below, with the numbers
            errors.append(exc)

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and sorted(numbers) == list(range(1, 9))
    with session_scope(engine) as session:
        assert session.exec(select(col(Paper.id))).all() == []


def test_the_letter_s_numbered_document_completes_it_instead_of_a_second_motion(
    engine: Engine,
) -> None:
    _import(engine, _seed())
    letter = replace(_letter(), name="Mehr Bänke")
    _import(engine, letter)
    numbered = replace(_seed(), reference="A 21/0600-01", name="Mehr Bänke", source="nr.txt")
    paper = _import(engine, numbered, now=T1)
    assert (paper.reference, paper.intake_number, paper.state) == (
        "A 21/0600-01",
        "E 2021/0001",
        "submitted",
    )
    consultations, deadlines, _ = _owed(engine, "E 2021/0001")
    assert consultations == 1 and deadlines > 0
    # both documents again are the one motion, unchanged
    before = snapshot(engine)
    assert _import(engine, letter).id == paper.id
    assert _import(engine, numbered).id == paper.id
    assert snapshot(engine) == before
    with session_scope(engine) as session:
        view = views.paper_view(session, find_paper(session, "A 21/0600-01"), T1)
        assert len(session.exec(select(Paper)).all()) == 2
    assert [e["event"] for e in view["history"]] == ["submit", "assign"]
    assert view["history"][-1]["details"]["source"] == "nr.txt"


def test_a_numbered_document_without_beratungsfolge_only_gives_the_number(engine: Engine) -> None:
    _import(engine, _letter())
    paper = _import(engine, replace(_seed(), reference="A 21/0600-01", consultations=()), now=T1)
    assert (paper.reference, paper.state) == ("A 21/0600-01", "awaiting_assignment")
    with session_scope(engine) as session:
        view = views.paper_view(session, find_paper(session, "E 2021/0001"), T1)
    assert [e["event"] for e in view["history"]] == ["submit", "renumber"]
    assert _owed(engine, "A 21/0600-01") == (0, 0, 0)
