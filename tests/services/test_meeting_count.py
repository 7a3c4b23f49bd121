"""Deadlines counted in meetings on a real database: the committee's meetings are read once
per re-plan, however many rules count them, and a meeting added re-plans only the papers
that count them (the CLI over them, with dates worked out by hand:
tests/flows/test_cli_meeting_count.py).

The profile is the Saxon example (models/profiles/sachsen.toml) with a second rule counted
in meetings, "in der nächsten Sitzung" (offset 1), so that a re-plan has two such deadlines.
The example motion as an Antrag, received Mo 07.06.2021 10:15, reaches the Ladung (Di
08.06.) of the Sozialausschuss of Di 15.06.2021 17:00: that is the next meeting; with Di
13.07.2021 added it is the one after next.
"""

from __future__ import annotations

import tomllib
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import select

from models.domain.intake import parse_document
from models.domain.rules import RuleSet, ruleset_from
from models.domain.timeutil import BERLIN, to_local, to_utc
from models.services import intake
from models.services.deadlines import not_yet_computable, replan
from models.services.meetings import add_meeting
from models.services.oparl_client import OParlClient
from models.services.oparl_sync import sync_endpoint
from models.store.db import session_scope
from models.store.profiles import load_profile, resolve_profile_path
from models.store.repo import find_paper
from models.store.tables import Deadline, Paper
from tests.conftest import EXAMPLE
from tests.oparl_server import OParlServer, meeting, org, paper
from tests.sql_statements import statements

BODY = "Stadt Zittau"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def _rules() -> RuleSet:
    data = tomllib.loads(resolve_profile_path("sachsen").read_text(encoding="utf-8"))
    data["deadlines"]["naechste_sitzung"] = {
        **data["deadlines"]["tagesordnung_fraktion"],
        "offset": 1,
        "label": "In der nächsten Sitzung",
    }
    return ruleset_from(data, "sachsen.toml", "test")


def _import(engine: Engine, rules: RuleSet, reference: str, paper_type: str) -> None:
    text = EXAMPLE.read_text(encoding="utf-8").replace(" Vorschlag\n", f" {paper_type}\n", 1)
    text = text.replace("A 21/0500-01", reference)
    with session_scope(engine) as session:
        intake.import_paper(
            session,
            parse_document(text.encode("utf-8"), f"{reference}.txt"),
            body_name=BODY,
            now=at("2021-06-07T10:15"),
            actor="t",
            received_at=at("2021-06-07T10:15"),
            rules=rules,
        )


def _dues(engine: Engine, reference: str) -> dict[str, str]:
    with session_scope(engine) as session:
        paper = find_paper(session, reference)
        rows = session.exec(select(Deadline).where(Deadline.paper_id == paper.id)).all()
        return {
            d.rule: f"{to_local(d.due):%d.%m.%Y %H:%M} {d.status}"
            for d in rows
            if d.rule in ("tagesordnung_fraktion", "naechste_sitzung")
        }


def test_the_meetings_are_read_once_per_replan_and_only_counting_papers_are_replanned(
    engine: Engine,
) -> None:
    rules = _rules()
    _import(engine, rules, "A 21/0500-01", "Antrag")
    _import(engine, rules, "A 21/0501-01", "Vorschlag")  # the rules count only for Anträge
    assert _dues(engine, "A 21/0500-01") == {"naechste_sitzung": "15.06.2021 17:00 open"}
    assert _dues(engine, "A 21/0501-01") == {}

    with statements(engine) as seen, session_scope(engine) as session:
        add_meeting(
            session,
            body_name=BODY,
            committee="Sozialausschuss",
            day=date(2021, 7, 13),
            now=at("2021-06-08T09:00"),
            rules=rules,
        )
    assert _dues(engine, "A 21/0500-01") == {
        "naechste_sitzung": "15.06.2021 17:00 open",
        "tagesordnung_fraktion": "13.07.2021 17:00 open",
    }
    # one re-plan (the Antrag's; the Vorschlag counts no meetings) and in it one read of
    # the committee's meetings for both rules
    replans = [s for s in seen if "FROM lifecycle_event" in s]  # gather_facts reads the log
    calendars = [
        s
        for s in seen
        if s.lstrip().startswith("SELECT meeting.start") and "meeting.cancelled" in s
    ]
    assert len(replans) == 1 and len(calendars) == 1, calendars

    # replan without a change reads them once more, and changes nothing
    with session_scope(engine) as session:
        paper = session.exec(select(Paper).where(Paper.reference == "A 21/0500-01")).one()
        assert not replan(session, paper, rules, at("2021-06-08T10:00"))


def test_the_lists_ask_only_the_motions_that_wait_for_meetings(engine: Engine) -> None:
    """`waiting_deadlines` (what `deadlines` and the overview list as not computable yet)
    finds the Anträge whose "übernächste Sitzung" is not in the calendar, reading their facts
    together, and plans nothing for the others: the Vorschlag (the rules count only for
    Anträge) is never read, and once the calendar has the meeting after next, no motion is
    (two statements, however many motions there are)."""
    from models.services.deadlines import waiting_deadlines

    rules = _rules()
    _import(engine, rules, "A 21/0500-01", "Antrag")
    _import(engine, rules, "A 21/0502-01", "Antrag")
    _import(engine, rules, "A 21/0501-01", "Vorschlag")

    def waiting() -> tuple[list[tuple[str, str, str, str]], list[str]]:
        with statements(engine) as seen, session_scope(engine) as session:
            found = waiting_deadlines(session, rules)
        assert found.unchecked == []
        rows = [(w.reference, w.committee, w.rule, w.reason) for w in found.items]
        return rows, seen

    rows, seen = waiting()
    reason = "noch keine übernächste Sitzung terminiert (Sozialausschuss)"
    assert rows == [
        ("A 21/0500-01", "Sozialausschuss", "tagesordnung_fraktion", reason),
        ("A 21/0502-01", "Sozialausschuss", "tagesordnung_fraktion", reason),
    ]
    # the two Anträge planned again together: their facts read once for both (consultations,
    # sessions held, log, questions, the committee's meetings), not per motion, and their
    # computed or met rows of the waiting rules once (what `show` leaves out too)
    assert len([s for s in seen if "FROM lifecycle_event" in s]) == 1
    assert len(seen) == 2 + 5 + 1, seen

    with session_scope(engine) as session:
        add_meeting(
            session,
            body_name=BODY,
            committee="Sozialausschuss",
            day=date(2021, 7, 13),
            now=at("2021-06-08T09:00"),
            rules=rules,
        )
    rows, seen = waiting()
    assert rows == []
    assert len(seen) == 2, seen  # the bodies, then the motions that could wait


def test_a_body_whose_rules_cannot_be_loaded_is_named_not_skipped(
    engine: Engine, tmp_path: Path
) -> None:
    """A body's profile file gone from disk: its motions cannot be looked at, and the
    overview of all bodies and its own say so, while another body's overview does not."""
    from models.services.bodies import add_body, rulebook
    from models.services.deadlines import waiting_deadlines
    from models.services.overview import overview_markdown

    profile = tmp_path / "go-oberau.toml"
    profile.write_text(resolve_profile_path("default").read_text(encoding="utf-8"))
    with session_scope(engine) as session:
        oberau = add_body(session, name="Gemeinde Oberau", profile=str(profile), state="BY").id
        other = add_body(session, name="Stadt Nordheim", profile="default", state="NW").id
    profile.unlink()
    now = at("2021-06-08T12:00")
    with session_scope(engine) as session:
        found = waiting_deadlines(session, rulebook(engine, "default", every_body=True))
        assert found.items == []
        (why,) = found.unchecked
        assert why.startswith(f"Gemeinde Oberau: {profile}")
        for body_id in (None, oberau):
            text = overview_markdown(session, now, body_id, waiting=found)
            assert f"Nicht auf noch nicht berechenbare Fristen geprüft: {why}" in text
        assert "geprüft" not in overview_markdown(session, now, other, waiting=found)


def _sync(engine: Engine, server: OParlServer, now: datetime, rules: RuleSet) -> None:
    with OParlClient(timeout=5, retries=1, backoff=0, sleep=lambda _: None) as client:
        report = sync_endpoint(engine, server.url("system"), now=now, rules=rules, client=client)
    assert not report.skipped and not report.warnings, (report.skipped, report.warnings)


def _counted(
    engine: Engine, rules: RuleSet, reference: str = "A 26/0102"
) -> tuple[dict[str, str], list[str]]:
    """A paper's deadline counted in meetings, and what `show` calls not yet computable."""
    with session_scope(engine) as session:
        paper = find_paper(session, reference)
        rows = session.exec(select(Deadline).where(Deadline.paper_id == paper.id)).all()
        unplanned = [u["reason"] for u in not_yet_computable(session, paper, rules)]
        return {
            d.rule: f"{to_local(d.due):%d.%m.%Y %H:%M} {d.status}"
            for d in rows
            if d.rule == "tagesordnung_fraktion"
        }, unplanned


def test_a_meeting_new_in_the_council_system_plans_what_waited_for_it(engine: Engine) -> None:
    """Saxony (sachsen.toml): an Antrag goes on the agenda "spätestens der übernächsten
    Sitzung". A 26/0102, dated Mo 02.11.2026, is before the Hauptausschuss, whose calendar
    in the council system has one meeting (Do 10.12.2026): not computable yet. The next
    sync brings a second one (Do 14.01.2027 17:00, the one after next): that is the
    deadline, as `meetings add` would have planned it. A 26/0100, already on the agenda of
    10.12., owes nothing of the kind, before or after (it is where the rule wants it)."""
    rules = load_profile("sachsen")
    server = OParlServer(page_size=2)
    s = server
    s.lists["organizations"] = [org(s, "ha", "Hauptausschuss")]
    s.lists["meetings"] = [
        meeting(s, "ha-dez", "ha", "2026-12-10T17:00:00+01:00", [("i1", "Ö 3", "c1", None)])
    ]
    s.lists["papers"] = [
        paper(s, "p1", "A 26/0100", [("c1", "ha", "ha-dez", "i1", True)]),
        paper(s, "p4", "A 26/0102", [("c5", "ha", "ha-dez", "i5", True)]),
    ]
    try:
        _sync(engine, server, at("2026-11-25T10:00"), rules)
        assert _counted(engine, rules) == (
            {},
            ["noch keine übernächste Sitzung terminiert (Hauptausschuss)"],
        )
        assert _counted(engine, rules, "A 26/0100") == ({}, [])
        january = meeting(s, "ha-jan", "ha", "2027-01-14T17:00:00+01:00", [])
        s.lists["meetings"].append({**january, "modified": "2026-11-26T09:00:00+01:00"})
        _sync(engine, server, at("2026-11-26T10:00"), rules)
    finally:
        server.close()
    assert _counted(engine, rules) == ({"tagesordnung_fraktion": "14.01.2027 17:00 open"}, [])
    assert _counted(engine, rules, "A 26/0100") == ({}, [])
    with session_scope(engine) as session:  # what the manual path plans from the same facts
        paper_row = find_paper(session, "A 26/0102")
        assert not replan(session, paper_row, rules, to_utc(at("2026-11-26T10:00")))


def test_a_motion_on_the_agenda_gets_no_deadline_for_a_place_when_meetings_are_added(
    engine: Engine,
) -> None:
    """The Saxon profile as shipped (the one rule counted in meetings): placed on the agenda
    of 15.06. while the calendar has no meeting after it, the Antrag owes the rule nothing
    any more. Adding 13.07. re-plans it and plans no deadline for a place on the agenda,
    and nothing waits, in `show` or the lists."""
    from models.services import steps as services
    from models.services.deadlines import waiting_deadlines

    rules = load_profile("sachsen")
    _import(engine, rules, "A 21/0500-01", "Antrag")
    with session_scope(engine) as session:
        paper = find_paper(session, "A 21/0500-01")
        assert [w["rule"] for w in not_yet_computable(session, paper, rules)] == [
            "tagesordnung_fraktion"
        ]
        services.place_on_agenda(
            session,
            "A 21/0500-01",
            item_number="5",
            meeting_day=date(2021, 6, 15),
            now=at("2021-06-09T10:00"),
            actor="t",
            body=BODY,
            rules=rules,
        )
        assert not_yet_computable(session, paper, rules) == []
    with session_scope(engine) as session:
        change = add_meeting(
            session,
            body_name=BODY,
            committee="Sozialausschuss",
            day=date(2021, 7, 13),
            now=at("2021-06-10T09:00"),
            rules=rules,
        )
        assert (change.deadlines.added, change.deadlines.uncomputable) == ([], [])
        assert not_yet_computable(session, find_paper(session, "A 21/0500-01"), rules) == []
        assert waiting_deadlines(session, rules).items == []
    assert _dues(engine, "A 21/0500-01") == {}
