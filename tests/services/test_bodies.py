"""Bodies of three states in one database, each with its own profile and calendar: a paper's
deadlines are computed by its body's rules, never by the installation's.

The dates below are worked out by hand from the test profiles' wording
(tests/data/profiles/*.toml): the Antragsfrist is "spätestens am N. Tag vor der Sitzung"
(NW 7, BY 10, SN 14; a closed day moves it to the working day before), the Stellungnahme
"3 Arbeitstage vor der Sitzung, 12 Uhr" in every profile, so it differs only by the
calendar: Reformationstag (31.10.) counts in SN only, Fronleichnam in NW and BY but not in
SN, Mariä Himmelfahrt (15.08.) only in a catholic Bavarian municipality, the Augsburger
Friedensfest (08.08.) only in Augsburg.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from flows.app import rulebook_for, submit_document
from flows.settings import load_settings
from models.domain.timeutil import BERLIN, to_local
from models.services.bodies import add_body, find_body, replan_body, update_body
from models.store.db import session_scope
from models.store.tables import Body, Deadline, Paper
from tests.conftest import DATA, EXAMPLE

PROFILES = DATA / "profiles"

BODIES = {
    # name: (profile, Land, categories)
    "Stadt Nordheim": ("nrw-stadt", "NW", []),
    "Gemeinde Oberau": ("bayern-gemeinde", "BY", ["catholic"]),
    "Markt Unterau": ("bayern-gemeinde", "BY", []),
    "Stadt Augsburg": ("bayern-gemeinde", "BY", ["augsburg"]),
    "Stadt Kamenz": ("sachsen-stadt", "SN", []),
}


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def add_bodies(engine: Engine) -> None:
    with session_scope(engine) as session:
        for name, (profile, land, categories) in BODIES.items():
            add_body(
                session,
                name=name,
                profile=str(PROFILES / f"{profile}.toml"),
                state=land,
                categories=categories,
            )


def document(tmp_path: Path, meeting: str, dated: str) -> Path:
    """The example motion (A 21/0500-01, with questions: a Stellungnahme is due) for a
    meeting of its Sozialausschuss on `meeting` (DD.MM.YYYY)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    text = text.replace("Sozialausschuss 15.06.2021", f"Sozialausschuss {meeting}")
    text = text.replace("Datum: 07.06.2021", f"Datum: {dated}")
    path = tmp_path / f"vorschlag-{meeting}.txt"
    path.write_text(text, encoding="utf-8")
    return path


def dues(engine: Engine) -> dict[tuple[str, str], str]:
    with Session(engine) as session:
        rows = session.exec(
            select(Body.name, Deadline.rule, Deadline.due)
            .join(Paper, col(Paper.id) == Deadline.paper_id)
            .join(Body, col(Body.id) == Paper.body_id)
        ).all()
    return {(body, rule): f"{to_local(due):%a %d.%m.%Y %H:%M}" for body, rule, due in rows}


CASES = {
    # Meeting Tue 04.11.2025. Stellungnahme: Mon 03.11 (1), Fri 31.10 (2), Thu 30.10 (3);
    # in SN Fri 31.10 is Reformationstag, so Thu 30.10 (2), Wed 29.10 (3).
    # Antragsfrist: NW 04.11 − 7 = Tue 28.10; BY − 10 = Sat 25.10 → Fri 24.10;
    # SN − 14 = Tue 21.10.
    "reformationstag": (
        "04.11.2025",
        "10.10.2025",
        {
            "Stadt Nordheim": ("Tue 28.10.2025 23:59", "Thu 30.10.2025 12:00"),
            "Gemeinde Oberau": ("Fri 24.10.2025 23:59", "Thu 30.10.2025 12:00"),
            "Markt Unterau": ("Fri 24.10.2025 23:59", "Thu 30.10.2025 12:00"),
            "Stadt Augsburg": ("Fri 24.10.2025 23:59", "Thu 30.10.2025 12:00"),
            "Stadt Kamenz": ("Tue 21.10.2025 23:59", "Wed 29.10.2025 12:00"),
        },
    ),
    # Meeting Tue 24.06.2025; Fronleichnam Thu 19.06.2025 (NW, BY; not SN).
    # Stellungnahme NW/BY: Mon 23.06 (1), Fri 20.06 (2), Thu 19.06 holiday, Wed 18.06 (3);
    # SN: Mon 23.06, Fri 20.06, Thu 19.06 (3).
    # Antragsfrist: NW Tue 17.06; BY − 10 = Sat 14.06 → Fri 13.06; SN − 14 = Tue 10.06.
    "fronleichnam": (
        "24.06.2025",
        "02.06.2025",
        {
            "Stadt Nordheim": ("Tue 17.06.2025 23:59", "Wed 18.06.2025 12:00"),
            "Gemeinde Oberau": ("Fri 13.06.2025 23:59", "Wed 18.06.2025 12:00"),
            "Markt Unterau": ("Fri 13.06.2025 23:59", "Wed 18.06.2025 12:00"),
            "Stadt Augsburg": ("Fri 13.06.2025 23:59", "Wed 18.06.2025 12:00"),
            "Stadt Kamenz": ("Tue 10.06.2025 23:59", "Thu 19.06.2025 12:00"),
        },
    ),
    # Meeting Tue 19.08.2025; Mariä Himmelfahrt Fri 15.08.2025 only in catholic BY
    # municipalities (and Augsburg); the Friedensfest Fri 08.08.2025 only in Augsburg.
    # Stellungnahme: Mon 18.08 (1), Fri 15.08 (2), Thu 14.08 (3); catholic: Fri 15.08 is a
    # holiday, so Thu 14.08 (2), Wed 13.08 (3).
    # Antragsfrist: NW Tue 12.08; BY − 10 = Sat 09.08 → Fri 08.08 (Augsburg: a holiday
    # there, so Thu 07.08); SN − 14 = Tue 05.08.
    "mariae-himmelfahrt": (
        "19.08.2025",
        "01.08.2025",
        {
            "Stadt Nordheim": ("Tue 12.08.2025 23:59", "Thu 14.08.2025 12:00"),
            "Gemeinde Oberau": ("Fri 08.08.2025 23:59", "Wed 13.08.2025 12:00"),
            "Markt Unterau": ("Fri 08.08.2025 23:59", "Thu 14.08.2025 12:00"),
            "Stadt Augsburg": ("Thu 07.08.2025 23:59", "Wed 13.08.2025 12:00"),
            "Stadt Kamenz": ("Tue 05.08.2025 23:59", "Thu 14.08.2025 12:00"),
        },
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_paper_gets_its_own_bodys_profile_and_calendar(
    engine: Engine, tmp_path: Path, case: str
) -> None:
    meeting, dated, expected = CASES[case]
    add_bodies(engine)
    path = document(tmp_path, meeting, dated)
    received = at(datetime.strptime(dated, "%d.%m.%Y").strftime("%Y-%m-%dT09:00"))
    for name in BODIES:
        outcome = submit_document(path, now=received, actor="t", received_at=received, body=name)
        assert outcome["created"]
    got = dues(engine)
    assert {
        name: (got[(name, "antragsfrist")], got[(name, "stellungnahme")]) for name in BODIES
    } == expected


def test_a_batch_of_documents_is_planned_by_its_bodys_rules(engine: Engine, tmp_path: Path) -> None:
    """Many files at once (models.services.batch_store) give the same dates as one by one."""
    from flows.app import submit_documents
    from models.domain.intake import parse_document

    add_bodies(engine)
    meeting, dated, expected = CASES["reformationstag"]
    path = document(tmp_path, meeting, dated)
    received = at("2025-10-10T09:00")
    parsed = parse_document(path.read_bytes(), str(path))
    for name in ("Stadt Kamenz", "Gemeinde Oberau"):
        [result] = submit_documents(
            [parsed], now=received, actor="t", received_at=received, body=name
        )
        assert isinstance(result, dict) and result["created"]
    got = dues(engine)
    assert got[("Stadt Kamenz", "stellungnahme")] == expected["Stadt Kamenz"][1]
    assert got[("Gemeinde Oberau", "antragsfrist")] == expected["Gemeinde Oberau"][0]


def test_a_body_without_rules_of_its_own_follows_the_settings(
    engine: Engine, tmp_path: Path
) -> None:
    """The default body (RATSFRIST_BODY, created by the first import) has NULL rules: the
    shipped default profile in NRW, as before bodies had rules. Its Stellungnahme ("3
    Arbeitstage vor der Sitzung, 12 Uhr") for Tue 04.11.2025 is Thu 30.10.2025, 12:00; the
    Antragsfrist (7th day before) Tue 28.10.2025."""
    path = document(tmp_path, "04.11.2025", "10.10.2025")
    received = at("2025-10-10T09:00")
    submit_document(path, now=received, actor="t", received_at=received)
    got = dues(engine)
    assert got[("Kommune", "stellungnahme")] == "Thu 30.10.2025 12:00"
    assert got[("Kommune", "antragsfrist")] == "Tue 28.10.2025 23:59"


def test_the_rulebook_reads_each_body_once_whatever_the_number_of_papers(
    engine: Engine, tmp_path: Path
) -> None:
    add_bodies(engine)
    rules = rulebook_for(load_settings())
    with Session(engine) as session:
        ids = {b.name: b.id for b in session.exec(select(Body)).all()}
    for _ in range(200):
        for name in BODIES:
            rules.for_body(ids[name])
    assert rules.resolved == len(BODIES)
    kamenz, oberau = rules.for_body(ids["Stadt Kamenz"]), rules.for_body(ids["Gemeinde Oberau"])
    assert (kamenz.calendar.state, oberau.calendar.categories) == ("SN", frozenset({"catholic"}))
    assert rules.for_body(ids["Markt Unterau"]).calendar.categories == frozenset()


def test_changing_a_bodys_state_replans_its_open_deadlines(engine: Engine, tmp_path: Path) -> None:
    """Stadt Nordheim moved to SN (by mistake entered as NW): its Stellungnahme for Tue
    04.11.2025 moves from Thu 30.10. to Wed 29.10.2025 (Reformationstag)."""
    add_bodies(engine)
    path = document(tmp_path, "04.11.2025", "10.10.2025")
    received = at("2025-10-10T09:00")
    submit_document(path, now=received, actor="t", received_at=received, body="Stadt Nordheim")
    with session_scope(engine) as session:
        body = find_body(session, "stadt-nordheim")  # by its slug
        update_body(session, body, state="SN")
        change = replan_body(session, body, "default", received)
        assert [d.rule for d in change.moved] == ["stellungnahme"]
    assert dues(engine)[("Stadt Nordheim", "stellungnahme")] == "Wed 29.10.2025 12:00"
