"""Adopting a new version of a body's Geschäftsordnung (models.services.rule_versions) on
SQLite and PostgreSQL: only the open deadlines whose anchor lies in the new version's period
are planned anew; met and missed ones, and those anchored before, stay as they were; a second
run changes nothing.

The body's profile is Leverkusen's (models/profiles/leverkusen.toml) with versions added here.
Before: one version "GO 2014" from 01.06.2014. Adopted: "GO 2020" from 01.11.2020 with the
Stellungnahme "4 Arbeitstage vor der Sitzung, 12 Uhr" instead of 3 and the Antragsfrist on the
10th day instead of the 6th (made up for the test). Hand-worked Stellungnahme dates (NRW, no
holidays in the weeks concerned; Allerheiligen 01.11.2020 is a Sunday):
  P1 Di 27.10.2020 (GO 2014): Mo 26., Fr 23., Do 22.10. → Do 22.10. 12:00, stays
  P2 Di 10.11.2020: 3 AT Mo 09., Fr 06., Do 05.11. → Do 05.11.; 4 AT → Mi 04.11. 12:00
  P3 Do 12.11.2020: Mo 09.11. 12:00, met before the adoption: stays
  P4 Mi 04.11.2020: Fr 30.10. 12:00, missed before the adoption: stays
  P5 Mo 02.11.2020 (the day after valid_from): 3 AT Fr 30., Do 29., Mi 28.10. → Mi 28.10.;
     4 AT → Di 27.10. 12:00
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from flows.app import rulebook_for, submit_document
from flows.settings import load_settings
from models.domain.errors import InvalidInput
from models.domain.timeutil import BERLIN, to_local
from models.domain.vocab import DeadlineStatus
from models.services.bodies import add_body, body_ruleset, find_body
from models.services.deadlines import replan
from models.services.meetings import move_meeting
from models.services.rule_versions import adopt_version
from models.store import profiles
from models.store.db import session_scope
from models.store.profiles import PROFILES
from models.store.tables import Deadline, Paper
from tests.conftest import EXAMPLE

BODY = "Stadt Leverkusen"
PAPERS = {
    "P1": ("A 20/0001-01", "27.10.2020"),
    "P2": ("A 20/0002-01", "10.11.2020"),
    "P3": ("A 20/0003-01", "12.11.2020"),
    "P4": ("A 20/0004-01", "04.11.2020"),
    "P5": ("A 20/0005-01", "02.11.2020"),
}
OLD = """
[[versions]]
version = "GO 2014"
valid_from = 2014-06-01
"""
NEW = """
[[versions]]
version = "GO 2014"
valid_from = 2014-06-01
valid_until = 2020-10-31

[[versions]]
version = "GO 2020"
valid_from = 2020-11-01
adopted = "Ratsbeschluss (Test)"

[versions.deadlines.stellungnahme]
offset = -4
source = "GO 2020 (Test): 4 Arbeitstage vor der Sitzung, 12 Uhr"

[versions.deadlines.antragsfrist]
offset = -10
"""


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def write_profile(path: Path, versions: str) -> None:
    """The profile file as the body's administrator edits it; the caches of loaded profiles
    are cleared as a new process would start without them."""
    base = (PROFILES / "leverkusen.toml").read_text(encoding="utf-8")
    path.write_text(base + versions, encoding="utf-8")
    profiles._load.cache_clear()
    profiles.load_profile_for.cache_clear()
    body_ruleset.cache_clear()


def import_papers(engine: Engine, tmp_path: Path) -> None:
    with session_scope(engine) as session:
        add_body(session, name=BODY, profile=str(tmp_path / "leverkusen.toml"), state="NW")
    text = EXAMPLE.read_text(encoding="utf-8")
    received = at("2020-10-12T09:00")
    for reference, meeting in PAPERS.values():
        doc = tmp_path / f"{reference.replace('/', '-')}.txt"
        doc.write_text(
            text.replace("A 21/0500-01", reference)
            .replace("Sozialausschuss 15.06.2021", f"Sozialausschuss {meeting}")
            .replace("Datum: 07.06.2021", "Datum: 12.10.2020"),
            encoding="utf-8",
        )
        assert submit_document(doc, now=received, actor="t", received_at=received, body=BODY)[
            "created"
        ]


def rows(engine: Engine) -> dict[tuple[str, str], tuple[str, str, Any]]:
    """(paper, rule) → (due in Berlin, status, version named by the explanation)."""
    names = {ref: name for name, (ref, _) in PAPERS.items()}
    with Session(engine) as session:
        found = session.exec(
            select(Paper.reference, Deadline).join(Paper, col(Paper.id) == Deadline.paper_id)
        ).all()
    return {
        (names[ref], d.rule): (
            f"{to_local(d.due):%d.%m.%Y %H:%M}",
            d.status,
            (d.explanation or {}).get("version"),
        )
        for ref, d in found
    }


def set_status(engine: Engine, paper: str, rule: str, status: DeadlineStatus) -> None:
    with session_scope(engine) as session:
        row = session.exec(
            select(Deadline)
            .join(Paper, col(Paper.id) == Deadline.paper_id)
            .where(Paper.reference == PAPERS[paper][0], Deadline.rule == rule)
        ).one()
        row.status = status.value
        session.add(row)


def adopt(engine: Engine, version: str | None = None) -> Any:
    with session_scope(engine) as session:
        body = find_body(session, BODY)
        return adopt_version(
            session, body, rulebook_for(load_settings()), at("2020-10-20T08:00"), version=version
        )


def test_adopting_a_version_replans_only_open_deadlines_anchored_in_its_period(
    engine: Engine, tmp_path: Path
) -> None:
    write_profile(tmp_path / "leverkusen.toml", OLD)
    import_papers(engine, tmp_path)
    before = rows(engine)
    assert before[("P2", "stellungnahme")] == ("05.11.2020 12:00", "open", "GO 2014")
    assert before[("P5", "stellungnahme")] == ("28.10.2020 12:00", "open", "GO 2014")
    set_status(engine, "P3", "stellungnahme", DeadlineStatus.met)
    set_status(engine, "P4", "stellungnahme", DeadlineStatus.missed)
    before = rows(engine)

    write_profile(tmp_path / "leverkusen.toml", NEW)
    adoption = adopt(engine)
    after = rows(engine)

    assert (adoption.version, adoption.period, adoption.papers) == ("GO 2020", "ab 01.11.2020", 5)
    assert (len(adoption.change.moved), len(adoption.change.added)) == (2, 0)
    assert adoption.line() == (
        "Stadt Leverkusen: Fassung „GO 2020“ (ab 01.11.2020) von Leverkusen (Beispiel) "
        "übernommen; 5 Vorlagen mit offenen Fristen geprüft, 2 Fristen neu berechnet, 0 neu"
    )
    assert after[("P2", "stellungnahme")] == ("04.11.2020 12:00", "open", "GO 2020")
    assert after[("P5", "stellungnahme")] == ("27.10.2020 12:00", "open", "GO 2020")
    # met, missed, the Antragsfrist verdicts and everything anchored before 01.11.2020 stay
    assert after[("P3", "stellungnahme")] == ("09.11.2020 12:00", "met", "GO 2014")
    assert after[("P4", "stellungnahme")] == ("30.10.2020 12:00", "missed", "GO 2014")
    assert after[("P2", "antragsfrist")] == before[("P2", "antragsfrist")]
    assert after[("P2", "antragsfrist")][0] == "04.11.2020 23:59"
    assert {k: v for k, v in after.items() if k[0] == "P1"} == {
        k: v for k, v in before.items() if k[0] == "P1"
    }
    assert after[("P1", "stellungnahme")] == ("22.10.2020 12:00", "open", "GO 2014")
    changed = {k for k in after if after[k] != before[k]}
    assert changed == {
        (paper, rule)
        for paper in ("P2", "P3", "P4", "P5")
        for rule in ("ladung", "sitzung", "stellungnahme")
        if (paper, rule) not in {("P3", "stellungnahme"), ("P4", "stellungnahme")}
    }  # the open ones of the new period, if only their explanation's version

    again = adopt(engine)
    assert (len(again.change.moved), len(again.change.added)) == (0, 0)
    assert rows(engine) == after


def replan_all(engine: Engine, now: datetime) -> None:
    """An ordinary re-plan of every paper, as any later step of it runs one."""
    rules = rulebook_for(load_settings())
    with session_scope(engine) as session:
        for paper in session.exec(select(Paper).order_by(col(Paper.id))).all():
            replan(session, paper, rules, now)


@pytest.mark.parametrize(
    ("before", "named"), [(OLD, "GO 2014"), ("", None)], ids=["one-version", "no-versions"]
)
def test_a_later_ordinary_replan_keeps_what_was_missed_by_its_version(
    engine: Engine, tmp_path: Path, before: str, named: str | None
) -> None:
    """Met and missed are history: a re-plan after the adoption (any step of the paper)
    must not move a missed Stellungnahme, nor an Antragsfrist's verdict, to the version
    adopted since; also when they were planned before the profile had versions (their
    explanation names none: held to the version that gives their date, GO 2014). A moved
    meeting is a new fact: the missed deadline follows it, by the version valid on the new
    day (Mi 18.11.2020, GO 2020: 4 AT → Do 12.11. 12:00)."""
    write_profile(tmp_path / "leverkusen.toml", before)
    import_papers(engine, tmp_path)
    set_status(engine, "P3", "stellungnahme", DeadlineStatus.met)
    set_status(engine, "P4", "stellungnahme", DeadlineStatus.missed)
    write_profile(tmp_path / "leverkusen.toml", NEW)
    adopt(engine)
    adopted = rows(engine)
    assert adopted[("P4", "stellungnahme")] == ("30.10.2020 12:00", "missed", named)
    assert adopted[("P2", "antragsfrist")] == ("04.11.2020 23:59", "met", named)

    replan_all(engine, at("2020-11-05T08:00"))
    again = rows(engine)
    settled = {k for k, v in adopted.items() if v[1] != "open"}
    assert {k: again[k] for k in settled} == {k: adopted[k] for k in settled}
    assert {k: v[:2] for k, v in again.items()} == {k: v[:2] for k, v in adopted.items()}
    # open ones say which version computes them now (those of the old period: GO 2014)
    assert again[("P1", "stellungnahme")] == ("22.10.2020 12:00", "open", "GO 2014")

    with session_scope(engine) as session:
        move_meeting(
            session,
            body_name=BODY,
            committee="Sozialausschuss",
            day=date(2020, 11, 4),
            new_day=date(2020, 11, 18),
            now=at("2020-11-05T09:00"),
            rules=rulebook_for(load_settings()),
        )
    moved = rows(engine)
    assert moved[("P4", "stellungnahme")] == ("12.11.2020 12:00", "open", "GO 2020")
    assert {k: v for k, v in moved.items() if k[0] != "P4"} == {
        k: v for k, v in again.items() if k[0] != "P4"
    }


def test_adopting_an_unknown_version_or_a_profile_without_versions_is_bad_input(
    engine: Engine, tmp_path: Path
) -> None:
    write_profile(tmp_path / "leverkusen.toml", NEW)
    import_papers(engine, tmp_path)
    with pytest.raises(InvalidInput, match=r"--fassung 'GO 2030': unbekannt .*'GO 2020'"):
        adopt(engine, "GO 2030")
    write_profile(tmp_path / "leverkusen.toml", "")
    with pytest.raises(InvalidInput, match="ohne Fassungen"):
        adopt(engine)
