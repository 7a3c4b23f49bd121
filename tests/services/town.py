"""A small town's year of motions, made through the real use cases (intake and lifecycle
steps), for the watch lists and the Beschlusskontrolle: one motion referred and never
scheduled, one untouched since its receipt, one in implementation past its Wiedervorlage,
one rejected, one closed a week after its Wiedervorlage, one with a result to review, and
two non-public ones (one decided and never passed on, one untouched)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.engine import Engine
from sqlmodel import select

from models.domain.intake import parse_document
from models.domain.timeutil import BERLIN
from models.services import intake
from models.store.db import session_scope
from models.store.repo import find_paper
from models.store.tables import AgendaItem, Consultation
from tests.conftest import DATA, EXAMPLE

REFERRED = "A 21/0500-01"
UNTOUCHED = "A 21/0501-01"
IMPLEMENTING = "A 21/0502-01"
REJECTED = "A 21/0503-01"
CLOSED_LATE = "A 21/0504-01"
TO_REVIEW = "A 21/0505-01"
SECRET = "A 21/0506-01"
"""Non-public, decided and never passed on for implementation."""
CONFIDENTIAL = "A 22/0117-01"
NOW = datetime(2021, 10, 1, 7, 0, tzinfo=BERLIN)
"""The day the lists are read: 15.09.2021 was the Wiedervorlage of the 15.06. decisions."""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def _import(engine: Engine, data: bytes, name: str) -> None:
    with session_scope(engine) as session:
        intake.import_paper(
            session,
            parse_document(data, name),
            body_name="Stadt",
            now=at("2021-06-07T10:15"),
            actor="t",
        )


def _copy(reference: str, title: str, public: bool = True) -> bytes:
    text = EXAMPLE.read_text(encoding="utf-8")
    if not public:
        text = text.replace("Status: öffentlich", "Status: nichtöffentlich")
    return (
        text.replace(REFERRED, reference)
        .replace("Kommunales Integrationsmanagement", title)
        .encode("utf-8")
    )


def _step(engine: Engine, reference: str, name: str, when: str, **kwargs: object) -> None:
    from flows.app import STEPS

    with session_scope(engine) as session:
        STEPS[name](session, reference, now=at(when), actor="t", **kwargs)


def build_town(engine: Engine) -> None:
    _import(engine, EXAMPLE.read_bytes(), "a.txt")
    _import(engine, (DATA / "antrag-nichtoeffentlich.txt").read_bytes(), "n.txt")  # Rat der Stadt
    # Its committees are new to the town: proposed for review, created once confirmed.
    _step(engine, CONFIDENTIAL, "review", "2021-06-07T10:20", confirm=True)
    for reference, title in (
        (UNTOUCHED, "Radweg an der Kölner Straße"),
        (IMPLEMENTING, "Spielplatz Am Mühlenbach erneuern"),
        (REJECTED, "Parkgebühren senken"),
        (CLOSED_LATE, "Sitzbänke für den Stadtpark"),
        (TO_REVIEW, "Beleuchtung im Schulzentrum"),
    ):
        _import(engine, _copy(reference, title), f"{reference}.txt")
    _import(engine, _copy(SECRET, "Grundstücksverkauf an Müller & Söhne", False), "s.txt")
    for number, reference in enumerate((REFERRED, IMPLEMENTING, CLOSED_LATE, TO_REVIEW, SECRET), 5):
        _step(engine, reference, "place_on_agenda", "2021-06-08T09:00", item_number=str(number))
    _step(
        engine,
        REFERRED,
        "decide",
        "2021-06-15T19:00",
        result="verwiesen",
        referred_to="Rat der Stadt",
    )
    for reference in (IMPLEMENTING, CLOSED_LATE, SECRET):
        _step(engine, reference, "decide", "2021-06-15T19:00", result="beschlossen")
    for reference in (IMPLEMENTING, CLOSED_LATE):
        _step(
            engine,
            reference,
            "start_implementation",
            "2021-06-21T09:00",
            office="Amt 50 (Soziales)",
        )
    _step(engine, CLOSED_LATE, "close", "2021-09-22T10:00")
    _step(
        engine,
        REJECTED,
        "place_on_agenda",
        "2021-06-08T09:00",
        item_number="3",
        meeting_day=date(2021, 7, 6),
    )
    _step(engine, REJECTED, "decide", "2021-07-06T19:00", result="abgelehnt")
    with session_scope(engine) as session:  # what an OParl sync flags on an unreadable result
        paper = find_paper(session, TO_REVIEW)
        item = session.exec(
            select(AgendaItem)
            .join(Consultation, Consultation.id == AgendaItem.consultation_id)  # type: ignore[arg-type]
            .where(Consultation.paper_id == paper.id)
        ).one()
        item.result = "siehe Niederschrift"
        item.result_review = "Ergebnis prüfen: kein Ergebnis erkannt"
        session.add(item)
