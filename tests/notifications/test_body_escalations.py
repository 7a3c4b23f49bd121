"""Escalations go out on the working days of the deadline's body, not of the installation:
Heilige Drei Könige (06.01.) is a public holiday in Bavaria and a working day in NRW, so on
Tue 06.01.2026 the NRW town's managers are told of its overdue deadlines and the Bavarian
town's are not (on Mon 05.01. and Wed 07.01. both are). And the sweep reads the bodies'
rules once per run, in one statement, however many deadlines and bodies there are."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.domain.intake import parse_document
from models.domain.timeutil import BERLIN
from models.services import intake
from models.services.bodies import add_body, rulebook
from models.store.db import session_scope
from models.store.tables import Body, Reminder
from notifications.dispatch import dispatch
from tests.conftest import EXAMPLE
from tests.sql_statements import statements

BODIES = {"Stadt Nordheim": "NW", "Markt Oberau": "BY", "Stadt Kamenz": "SN"}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def papers_of_bodies(engine: Engine, bodies: dict[str, str], papers: int = 1) -> None:
    """Each body with the shipped default profile and its own state (so that only the
    calendar differs), and `papers` copies of the example motion for its Sozialausschuss of
    Tue 16.12.2025, received 01.12.2025: its invitation and Stellungnahme are missed long
    before January."""
    with session_scope(engine) as session:
        for name, state in bodies.items():
            add_body(session, name=name, profile="default", state=state)
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("Sozialausschuss 15.06.2021", "Sozialausschuss 16.12.2025")
    text = text.replace("Datum: 07.06.2021", "Datum: 01.12.2025")
    received = at("2025-12-01T09:00")
    book = rulebook(engine, "default")
    for name in bodies:
        for n in range(papers):
            copy = text.replace("A 21/0500-01", f"A 25/{n + 1:04d}-01")
            with session_scope(engine) as session:
                intake.import_paper(
                    session,
                    parse_document(copy.encode(), f"v{n}.txt"),
                    body_name=name,
                    now=received,
                    actor="t",
                    received_at=received,
                    rules=book,
                )


def escalated(engine: Engine, day: str) -> list[str]:
    """The bodies whose managers get an escalation on `day` (YYYY-MM-DD)."""
    with Session(engine) as session:
        rows = session.exec(
            select(Body.name)
            .join(Reminder, Reminder.body_id == Body.id)  # type: ignore[arg-type]
            .where(Reminder.escalation, Reminder.step == f"eskalation@{day}")
            .distinct()
        ).all()
    return sorted(rows)


def test_an_escalation_goes_out_on_the_working_days_of_the_deadlines_body(
    engine: Engine,
) -> None:
    bodies = {k: v for k, v in BODIES.items() if v in ("NW", "BY")}
    papers_of_bodies(engine, bodies)
    book = rulebook(engine, "default", every_body=True)
    monday = dispatch(engine, now=at("2026-01-05T07:05"), rules=book, routes=None)
    assert monday.escalations_planned == 2
    assert escalated(engine, "2026-01-05") == ["Markt Oberau", "Stadt Nordheim"]
    tuesday = dispatch(engine, now=at("2026-01-06T07:05"), rules=book, routes=None)
    assert tuesday.escalations_planned == 1  # Heilige Drei Könige: a holiday in BY only
    assert escalated(engine, "2026-01-06") == ["Stadt Nordheim"]
    wednesday = dispatch(engine, now=at("2026-01-07T07:05"), rules=book, routes=None)
    assert wednesday.escalations_planned == 2
    assert escalated(engine, "2026-01-07") == ["Markt Oberau", "Stadt Nordheim"]


def reads_of_bodies(seen: list[str]) -> int:
    return sum(1 for s in seen if s.lstrip().upper().startswith("SELECT") and "FROM body" in s)


def test_a_dispatch_reads_the_bodies_rules_once_per_run_not_per_body_or_row(
    engine: Engine,
) -> None:
    """Three bodies of three states, four motions each (a dozen missed deadlines per body):
    the sweep's Rulebook reads all bodies in one statement and is never asked again; a
    Rulebook that resolves on demand reads each body once, never once per deadline."""
    papers_of_bodies(engine, BODIES, papers=4)
    with statements(engine) as seen:
        book = rulebook(engine, "default", every_body=True)
        summary = dispatch(engine, now=at("2026-01-05T07:05"), rules=book, routes=None)
    assert summary.marked_missed >= 3 * 4 * 2
    assert summary.escalations_planned == 3
    assert reads_of_bodies(seen) == 1
    assert (book.resolved, book.lookups) == (3, 0)
    kamenz = book.for_body(_id(engine, "Stadt Kamenz"))
    assert (kamenz.calendar.state, book.lookups) == ("SN", 0)

    with statements(engine) as seen:  # on demand: once per body
        lazy = rulebook(engine, "default")
        later = dispatch(engine, now=at("2026-01-07T07:05"), rules=lazy, routes=None)
    assert later.escalations_planned == 3
    assert (lazy.lookups, reads_of_bodies(seen)) == (3, 3)


def _id(engine: Engine, name: str) -> int:
    with Session(engine) as session:
        found = session.exec(select(Body.id).where(Body.name == name)).one()
    assert found is not None
    return found
