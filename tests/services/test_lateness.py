"""A deadline met late stays late: 'verspätet erfüllt (7 Tage)' in show, show --json, the
CLI table and the Verlauf, never plain 'erfüllt'."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from sqlalchemy.engine import Engine

from flows.render import render_deadlines
from models.domain import timeline
from models.domain.deadlines import late_days, status_label
from models.domain.intake import parse_document
from models.domain.timeutil import BERLIN
from models.services import intake, views
from models.store.db import session_scope
from models.store.repo import find_paper
from tests.conftest import EXAMPLE

REF = "A 21/0500-01"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def _step(engine: Engine, name: str, when: str, **kwargs: object) -> None:
    from flows.app import STEPS

    with session_scope(engine) as session:
        STEPS[name](session, REF, now=at(when), actor="t", **kwargs)


def test_status_label_counts_calendar_days_and_hours_on_the_due_day() -> None:
    due = at("2021-06-10T12:00")
    assert status_label("met", due, at("2021-06-17T10:00")) == "verspätet erfüllt (7 Tage)"
    assert late_days(due, at("2021-06-17T10:00")) == 7
    assert status_label("met", due, at("2021-06-11T08:00")) == "verspätet erfüllt (1 Tag)"
    assert status_label("met", due, at("2021-06-10T15:30")) == "verspätet erfüllt (3 Std.)"
    assert status_label("met", due, at("2021-06-10T11:00")) == "erfüllt"
    assert late_days(due, at("2021-06-10T11:00")) is None
    assert status_label("missed", due, None) == "versäumt"


def test_a_report_delivered_seven_days_late_reads_late_everywhere(engine: Engine) -> None:
    with session_scope(engine) as session:
        intake.import_paper(
            session,
            parse_document(EXAMPLE.read_bytes(), "v.txt"),
            body_name="Kommune",
            now=at("2021-06-07T10:15"),
            actor="t",
        )
    _step(engine, "place_on_agenda", "2021-06-07T14:00", item_number="5")  # in time (23:59)
    _step(engine, "request_report", "2021-06-07T14:30", office="Amt 50")
    _step(engine, "deliver_report", "2021-06-17T10:00")  # due 10.06. 12:00
    with session_scope(engine) as session:
        view = views.paper_view(session, find_paper(session, REF), at("2021-06-14T08:00"))
    report = next(d for d in view["deadlines"] if d["kind"] == "report")
    assert report["status"] == "met"
    assert report["late_by_days"] == 7
    assert report["status_label"] == "verspätet erfüllt (7 Tage)"
    invitation = next(d for d in view["deadlines"] if d["kind"] == "invitation")
    assert (invitation["status_label"], invitation["late_by_days"]) == ("erfüllt", None)
    session_deadline = next(d for d in view["deadlines"] if d["kind"] == "session")
    assert session_deadline["late_by_days"] is None and session_deadline["status_label"] == "offen"

    console = Console(record=True, width=200)
    render_deadlines(view["deadlines"], title="Fristen", console=console)
    table = console.export_text()
    report_line = next(line for line in table.splitlines() if "Stellungnahme" in line)
    assert "verspätet erfüllt (7 Tage)" in report_line

    delivered = next(e for e in view["history"] if e["event"] == "deliver_report")
    assert delivered["late"] == ["Stellungnahme der Verwaltung: verspätet erfüllt (7 Tage)"]
    verlauf = timeline.markdown(view)
    line = next(x for x in verlauf.splitlines() if "Stellungnahme der Verwaltung:" in x)
    assert "verspätet erfüllt (7 Tage)" in line
