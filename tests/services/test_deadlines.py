"""Deadline records on a real database: planned at intake, met by events, re-planned when a
meeting moves or is cancelled, listed and counted in the overview (the CLI over them:
tests/flows/test_cli_deadlines.py)."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy.engine import Engine

from models.domain.intake import parse_document
from models.domain.timeutil import BERLIN
from models.services import intake, views
from models.services.meetings import add_meeting, cancel_meeting, move_meeting, plan_meetings
from models.services.views import list_deadlines
from models.store.db import session_scope
from models.store.repo import find_paper
from tests.conftest import DATA, EXAMPLE

REF = "A 21/0500-01"
BODY = "Kommune"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def _confirm(engine: Engine, reference: str) -> None:
    from models.services.steps import perform

    with session_scope(engine) as session:
        perform("review", session, reference, now=at("2021-06-07T10:15"), actor="t", confirm=True)


def _import(engine: Engine, data: bytes, received: str | None = None, source: str = "v.txt"):
    with session_scope(engine) as session:
        outcome = intake.import_paper(
            session,
            parse_document(data, source),
            body_name=BODY,
            now=at("2021-06-07T10:15"),
            actor="t",
            received_at=at(received) if received else None,
        )
        return outcome.timeliness


def _deadlines(engine: Engine, now: str = "2021-06-09T08:00", ref: str = REF) -> dict[str, dict]:
    with session_scope(engine) as session:
        view = views.paper_view(session, find_paper(session, ref), at(now))
    return {d["kind"] + ("" if d["status"] != "cancelled" else ":x"): d for d in view["deadlines"]}


def _step(engine: Engine, name: str, when: str, **kwargs: object) -> None:
    from flows.app import STEPS

    with session_scope(engine) as session:
        STEPS[name](session, kwargs.pop("reference", REF), now=at(when), actor="t", **kwargs)


def test_intake_plans_the_deadlines_and_finds_the_motion_in_time(engine: Engine) -> None:
    verdict = _import(engine, EXAMPLE.read_bytes())
    assert verdict is not None and verdict.in_time
    assert verdict.sentence() == (
        "rechtzeitig für Sozialausschuss am 15.06.2021 (Frist bis 08.06.2021 23:59)"
    )
    d = _deadlines(engine)
    assert {k: (v["due"], v["status"], v["responsible"]) for k, v in d.items()} == {
        "proposal": ("2021-06-08T23:59:59+02:00", "met", "fraktion"),
        "invitation": ("2021-06-07T23:59:59+02:00", "missed", "sitzungsdienst"),
        "report": ("2021-06-10T12:00:00+02:00", "open", "fachamt"),
        "session": ("2021-06-15T17:00:00+02:00", "open", "gremium"),
    }


def test_a_late_motion_is_told_how_late_and_the_next_reachable_meeting(engine: Engine) -> None:
    with session_scope(engine) as session:
        from models.services.meetings import add_committee

        add_committee(session, body_name=BODY, name="Sozialausschuss")
        plan_meetings(
            session,
            body_name=BODY,
            committee="Sozialausschuss",
            rrule="FREQ=WEEKLY;INTERVAL=4;BYDAY=TU",
            start=date(2021, 6, 15),
            until=date(2021, 9, 30),
            now=at("2021-06-01T00:00"),
        )
    verdict = _import(engine, EXAMPLE.read_bytes(), received="2021-06-10T09:30")
    assert verdict is not None and not verdict.in_time
    assert verdict.late_by == timedelta(days=1, hours=9, minutes=30, seconds=1)
    assert verdict.next_meeting is not None
    assert verdict.next_meeting.astimezone(BERLIN).date() == date(2021, 7, 13)
    assert "verspätet um 1 Tag 9 Std." in verdict.sentence()
    assert "nächste erreichbare Sitzung: 13.07.2021" in verdict.sentence()
    assert _deadlines(engine)["proposal"]["status"] == "missed"


def test_lifecycle_events_meet_their_deadlines_and_plan_the_follow_ups(engine: Engine) -> None:
    _import(engine, EXAMPLE.read_bytes())
    _step(engine, "place_on_agenda", "2021-06-07T14:00", item_number="5")
    _step(engine, "request_report", "2021-06-07T14:30", office="Amt 50")
    assert _deadlines(engine)["report"]["office"] == "Amt 50"
    _step(engine, "deliver_report", "2021-06-10T10:00")
    _step(engine, "decide", "2021-06-15T18:40", result="beschlossen")
    d = _deadlines(engine, now="2021-06-16T08:00")
    assert d["invitation"]["status"] == "met"
    assert d["invitation"]["met_at"] == "2021-06-07T14:00:00+02:00"
    assert d["report"]["status"] == "met"
    assert d["session"]["status"] == "met"
    assert d["minutes"]["due"] == "2021-07-13T23:59:59+02:00"
    assert d["implementation"]["due"] == "2021-09-15T23:59:59+02:00"
    _step(engine, "start_implementation", "2021-06-16T10:00", office="KI")
    assert _deadlines(engine, "2021-06-17T08:00")["implementation"]["office"] == "KI"
    _step(engine, "close", "2021-09-01T12:00")
    d = _deadlines(engine, now="2021-09-02T08:00")
    assert d["implementation"]["status"] == "met"
    assert d["minutes"]["status"] == "missed"  # owed for the meeting, closed motion or not
    with session_scope(engine) as session:
        from models.services.meetings import record_minutes

        met = record_minutes(
            session,
            body_name=BODY,
            committee="Sozialausschuss",
            day=date(2021, 6, 15),
            now=at("2021-09-03T09:00"),
        )
    assert [row.kind for row in met] == ["minutes"]
    assert _deadlines(engine, now="2021-09-04T08:00")["minutes"]["status"] == "met"


def test_a_rejected_motion_gets_no_implementation_follow_up(engine: Engine) -> None:
    _import(engine, EXAMPLE.read_bytes())
    _step(engine, "place_on_agenda", "2021-06-07T14:00", item_number="5")
    _step(engine, "decide", "2021-06-15T18:40", result="abgelehnt")
    assert "implementation" not in _deadlines(engine, "2021-06-16T08:00")


def test_moving_a_meeting_moves_its_deadlines(engine: Engine) -> None:
    _import(engine, EXAMPLE.read_bytes())
    with session_scope(engine) as session:
        change = move_meeting(
            session,
            body_name=BODY,
            committee="Sozialausschuss",
            day=date(2021, 6, 15),
            new_day=date(2021, 6, 22),
            now=at("2021-06-08T09:00"),
        )
    assert {row.kind for row in change.deadlines.moved} == {
        "proposal",
        "invitation",
        "report",
        "session",
    }
    d = _deadlines(engine)
    assert d["session"]["due"] == "2021-06-22T17:00:00+02:00"
    assert d["report"]["due"] == "2021-06-17T12:00:00+02:00"
    assert d["invitation"]["due"] == "2021-06-14T23:59:59+02:00"
    assert d["invitation"]["status"] == "open"


def test_cancelling_a_meeting_cancels_its_deadlines_and_names_the_motions(
    engine: Engine,
) -> None:
    _import(engine, EXAMPLE.read_bytes())
    _step(engine, "place_on_agenda", "2021-06-07T14:00", item_number="5")
    with session_scope(engine) as session:
        add_meeting(
            session,
            body_name=BODY,
            committee="Sozialausschuss",
            day=date(2021, 7, 13),
            now=at("2021-06-01T00:00"),
        )
        change = cancel_meeting(
            session,
            body_name=BODY,
            committee="Sozialausschuss",
            day=date(2021, 6, 15),
            now=at("2021-06-09T09:00"),
        )
    assert change.needs_new_meeting == [REF]
    assert {row.kind for row in change.deadlines.cancelled} == {"report", "session"}
    d = _deadlines(engine)
    assert d["invitation"]["status"] == "met"  # history stays
    _step(
        engine,
        "place_on_agenda",
        "2021-06-10T09:00",
        item_number="2",
        meeting_day=date(2021, 7, 13),
    )
    d = _deadlines(engine, now="2021-06-10T10:00")
    assert d["session"]["due"] == "2021-07-13T17:00:00+02:00"
    assert d["report"]["due"] == "2021-07-08T12:00:00+02:00"
    with session_scope(engine) as session:
        view = views.paper_view(session, find_paper(session, REF))
    assert view["state"] == "scheduled"
    assert view["history"][-1]["event"] == "reschedule"


def test_withdrawal_cancels_every_open_deadline(engine: Engine) -> None:
    _import(engine, EXAMPLE.read_bytes())
    _step(engine, "withdraw", "2021-06-09T09:00")
    d = _deadlines(engine)
    assert {k for k in d if not k.endswith(":x")} == {"proposal"}
    assert {v["status"] for k, v in d.items() if k.endswith(":x")} == {"cancelled"}


def test_list_deadlines_filters(engine: Engine) -> None:
    _import(engine, EXAMPLE.read_bytes())
    _import(engine, (DATA / "antrag-nichtoeffentlich.txt").read_bytes(), source="a.txt")
    _confirm(engine, "A 22/0117-01")  # its committees were new: proposed, then confirmed
    now = at("2021-06-09T08:00")
    with session_scope(engine) as session:
        owed = list_deadlines(session, now=now)
        overdue = list_deadlines(session, now=now, overdue=True)
        soon = list_deadlines(session, now=now, due_within=timedelta(days=3))
        rat = list_deadlines(session, now=now, committee="Rat der Stadt")
    assert [(d["reference"], d["kind"]) for d in overdue] == [(REF, "invitation")]
    assert [(d["reference"], d["kind"]) for d in soon] == [(REF, "invitation"), (REF, "report")]
    assert {d["reference"] for d in owed} == {REF, "A 22/0117-01"}
    assert rat == []  # only the current (first) consultation has deadlines yet
    assert all(d["due"].endswith(("+02:00", "+01:00")) for d in owed)


def test_overview_counts_and_capped_overdue_table(engine: Engine) -> None:
    from models.services.deadlines import WaitingList
    from models.services.overview import overdue_count, overdue_rows, overview_markdown

    _import(engine, EXAMPLE.read_bytes())
    _import(engine, (DATA / "antrag-nichtoeffentlich.txt").read_bytes(), source="a.txt")
    _confirm(engine, "A 22/0117-01")  # its committees were new: proposed, then confirmed
    now = at("2021-06-10T13:00")  # invitation (07.06.) and report (10.06. 12:00) overdue
    with session_scope(engine) as session:
        rows = overdue_rows(session, now)
        assert [(r["Vorlage"], r["Frist"], r["Tage"]) for r in rows] == [
            (REF, "Ladung mit Tagesordnung", 3),
            (REF, "Stellungnahme der Verwaltung", 0),
        ]
        assert overdue_count(session, now) == 2
        assert len(overdue_rows(session, now, limit=1)) == 1
        text = overview_markdown(session, now, waiting=WaitingList([]))
    soz = next(line for line in text.splitlines() if line.startswith("| Sozialausschuss"))
    # submitted: 1; deadlines: upcoming 1 (session 15.06.), today 0, overdue 2
    assert soz.split("|")[2].strip() == "1"
    assert soz.rstrip(" |").endswith("| 1 | 0 | **2**")
    wirtschaft = next(line for line in text.splitlines() if line.startswith("| Ausschuss für W"))
    assert wirtschaft.rstrip(" |").endswith("| 0 | 0 | **0**")  # its two are months off
    with session_scope(engine) as session:  # a week before the invitation is due
        later = overview_markdown(session, at("2022-02-01T08:00"), waiting=WaitingList([]))
    wirtschaft = next(line for line in later.splitlines() if line.startswith("| Ausschuss für W"))
    assert wirtschaft.rstrip(" |").endswith("| 1 | 0 | **0**")  # the session (15.02.) not yet
    assert "Überfällige Fristen insgesamt: **2**" in text
