"""Escalations of missed deadlines to the managers: once a working day per committee, read
when sent (a deadline met in between is left out), long lists cut with a count."""

from __future__ import annotations

from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy.engine import Engine

from models.services import steps as services
from models.store.db import session_scope
from models.store.profiles import default_rules
from notifications.dispatch import dispatch
from tests.conftest import EXAMPLE
from tests.notifications.support import REF, at, dispatch_at, import_at
from tests.smtp import SmtpSink


def test_overdue_deadlines_escalate_to_the_managers_once_a_working_day_per_committee(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    dispatch_at(engine, routes_file, "2021-06-07T07:30")
    sink.clear()
    fri = dispatch_at(engine, routes_file, "2021-06-11T07:05")  # report missed since Thu 12:00
    assert fri.marked_missed == 2  # invitation (07.06.) and report (10.06.)
    assert fri.escalations_planned == 1  # both are the Sozialausschuss's
    (mail,) = [m for m in sink.mails if m.to == ["leitung@example.org"]]
    assert mail.subject == "ÜBERFÄLLIG: 2 Fristen – Sozialausschuss"
    assert "ÜBERFÄLLIG seit 4 Tagen: Ladung mit Tagesordnung" in mail.text
    assert "ÜBERFÄLLIG seit 1 Tag: Stellungnahme der Verwaltung" in mail.text
    assert len(list(Calendar.from_ical(mail.part("text/calendar")).walk("VEVENT"))) == 2
    again = dispatch_at(engine, routes_file, "2021-06-11T09:00")  # same day: nothing more
    assert (again.escalations_planned, len(sink.mails)) == (0, 1)
    sink.clear()
    dispatch_at(engine, routes_file, "2021-06-12T09:00")  # Saturday: no escalation
    assert sink.mails == []
    dispatch_at(engine, routes_file, "2021-06-14T07:10")  # Monday: again
    assert [m.subject for m in sink.mails] == ["ÜBERFÄLLIG: 2 Fristen – Sozialausschuss"]
    sink.clear()
    with session_scope(engine) as session:  # both arrive late: the escalation stops
        services.place_on_agenda(
            session, REF, item_number="5", now=at("2021-06-14T08:00"), actor="t"
        )
        services.request_report(
            session, REF, office="Amt 50", now=at("2021-06-14T08:01"), actor="t"
        )
        services.deliver_report(session, REF, now=at("2021-06-14T09:00"), actor="t")
    dispatch_at(engine, routes_file, "2021-06-15T07:10")
    assert [m for m in sink.mails if m.to == ["leitung@example.org"]] == []


def test_an_escalation_planned_before_the_deadline_is_met_is_not_sent(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    """What an escalation lists is read when it goes out, not when the sweep planned it."""
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    dispatch_at(engine, routes_file, "2021-06-07T07:30")
    sink.clear()
    summary = dispatch(  # marked and planned, no routes yet: nothing sent
        engine, now=at("2021-06-11T07:01"), rules=default_rules(), routes=None
    )
    assert (summary.marked_missed, summary.escalations_planned) == (2, 1)
    with session_scope(engine) as session:
        services.place_on_agenda(
            session, REF, item_number="5", now=at("2021-06-11T07:02"), actor="t"
        )
    fri = dispatch_at(engine, routes_file, "2021-06-11T07:05")
    (mail,) = [m for m in sink.mails if m.to == ["leitung@example.org"]]
    assert "Stellungnahme" in mail.text and "Ladung" not in mail.text
    assert mail.subject.startswith("ÜBERFÄLLIG: Stellungnahme der Verwaltung A 21/0500-01")
    assert fri.escalations_planned == 0


def test_a_long_escalation_lists_the_oldest_and_counts_the_rest(
    engine: Engine, sink: SmtpSink, routes_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import notifications.content

    monkeypatch.setattr(notifications.content, "ESCALATION_LIST_LIMIT", 1)
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    dispatch_at(engine, routes_file, "2021-06-11T07:05")
    (mail,) = [m for m in sink.mails if m.to == ["leitung@example.org"]]
    assert mail.subject == "ÜBERFÄLLIG: 2 Fristen – Sozialausschuss"
    assert "Ladung mit Tagesordnung" in mail.text  # the older one
    assert "Stellungnahme der Verwaltung" not in mail.text
    assert "… und 1 weitere überfällige Frist (siehe Fristenübersicht)" in mail.text
