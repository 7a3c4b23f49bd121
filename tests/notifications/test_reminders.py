"""Reminders against a real SMTP server on loopback: exactly the due mails to exactly their
recipients, once, through outages, without routes, and from the command line."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy.engine import Engine

from flows.cli import run
from models.store.profiles import default_rules
from notifications.dispatch import dispatch
from tests.conftest import EXAMPLE
from tests.notifications.support import at, dispatch_at, import_at, reminder_rows
from tests.smtp import SmtpSink, apprise_config


def test_exactly_the_due_reminders_reach_exactly_their_recipients(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    summary = dispatch_at(engine, routes_file, "2021-06-07T07:30")
    got = sorted((m.to[0], m.subject) for m in sink.mails)
    report = (
        "Stellungnahme der Verwaltung A 21/0500-01, fällig 10.06.2021, 12:00 Uhr"
        " – Kommunales Integrationsmanagement"
    )
    invitation = (
        "Ladung mit Tagesordnung A 21/0500-01, fällig 07.06.2021 (Ende des Tages)"
        " – Kommunales Integrationsmanagement"
    )
    # report: 'neu' (planned after its 7-day step had passed) and 3 working days before;
    # invitation: 'neu' and on the day. Both due at 07:30: only the later step goes, one
    # notice per deadline. fachamt-rat@ is narrowed to another committee.
    assert got == sorted(
        [
            ("fachamt@example.org", f"Erinnerung: {report}"),
            ("fachamt-soz@example.org", f"Erinnerung: {report}"),
            ("sitzungsdienst@example.org", f"Erinnerung: {invitation}"),
        ]
    )
    assert (summary.sent_rows, summary.mails, summary.retry_later) == (2, 3, 0)
    assert summary.superseded == 2
    mail = next(m for m in sink.mails if m.to == ["fachamt@example.org"])
    text = mail.text
    assert "Fällig: 10.06.2021, 12:00 Uhr" in text
    assert "Sozialausschuss, Sitzung am 15.06.2021, 17:00 Uhr" in text
    assert "Stellungnahme/Bericht der Verwaltung vorlegen" in text
    assert "Offene Fragen" in text and "Wie sollen die zu beratenden Personen" in text
    calendar = Calendar.from_ical(mail.part("text/calendar"))
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    assert events[0].decoded("DTSTART") == at("2021-06-10T12:00")
    assert "A 21/0500-01" in str(events[0]["SUMMARY"])
    html = mail.part("text/html")
    assert html and '<li value="1">Welche Institutionen' in html


def test_dispatching_twice_for_the_same_instant_sends_nothing_more(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    dispatch_at(engine, routes_file, "2021-06-07T07:30")
    first = len(sink.mails)
    again = dispatch_at(engine, routes_file, "2021-06-07T07:30")
    assert first == 3 and len(sink.mails) == first
    assert (again.due, again.mails, again.marked_missed, again.escalations_planned) == (0, 0, 0, 0)


def test_digest_sends_one_mail_per_recipient(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    second = EXAMPLE.read_text(encoding="utf-8").replace("Nr.: A 21/0500-01", "Nr.: A 21/0500-02")
    import_at(engine, second.encode(), "2021-06-07T06:00", source="w.txt")
    summary = dispatch_at(engine, routes_file, "2021-06-07T07:30", digest=True)
    assert Counter(m.to[0] for m in sink.mails) == {
        "fachamt@example.org": 1,
        "fachamt-soz@example.org": 1,
        "sitzungsdienst@example.org": 1,
    }
    assert summary.sent_rows == 4  # two papers, one row per deadline
    digest = next(m for m in sink.mails if m.to == ["fachamt@example.org"])
    assert digest.subject == "ratsfrist: 2 Fristen"
    assert len(digest.reminder_ids) == 2
    assert len(list(Calendar.from_ical(digest.part("text/calendar")).walk("VEVENT"))) == 2


@pytest.mark.parametrize("outage", ["down", "hang", "4xx"])
def test_smtp_outage_keeps_rows_pending_and_they_go_out_once_when_it_is_back(
    engine: Engine, sink: SmtpSink, routes_file: Path, outage: str
) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    sink.refuse(outage)
    # a server that never answers proves as much after 1 s as after 5: the outage phase
    # uses short timeouts, the recovery below the usual routes
    during = apprise_config(
        routes_file.with_name("outage.yml"), sink.port, password="S3cr3t-Pw!x", timeout=1
    )
    summary = dispatch_at(engine, during, "2021-06-07T07:30")  # must not raise
    assert summary.sent_rows == 0 and summary.retry_later == 2
    rows = reminder_rows(engine)
    due = [r for r in rows if r.send_at <= at("2021-06-07T07:30") and r.status != "superseded"]
    assert {r.status for r in due} == {"pending"}
    assert all(r.attempts == 1 and r.last_error and r.next_attempt_at for r in due)
    assert all("S3cr3t" not in (r.last_error or "") for r in rows)
    sink.recover()
    sink.clear()
    early = dispatch_at(engine, routes_file, "2021-06-07T07:31")  # backoff not yet over
    assert early.due == 0
    later = dispatch_at(engine, routes_file, "2021-06-07T08:00")
    assert later.sent_rows == 2
    assert Counter((m.to[0], tuple(m.reminder_ids)) for m in sink.mails).most_common(1)[0][1] == 1
    assert len(sink.mails) == 3
    dispatch_at(engine, routes_file, "2021-06-07T09:00")
    assert len(sink.mails) == 3


def test_without_a_route_configuration_nothing_is_lost(
    engine: Engine, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    summary = dispatch(engine, now=at("2021-06-07T07:30"), rules=default_rules(), routes=None)
    assert summary.waiting_without_routes == 2
    assert {r.status for r in reminder_rows(engine)} == {"pending", "superseded"}


def test_cli_reminders_and_dry_run(
    db_url: str, sink: SmtpSink, routes_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(["import", str(EXAMPLE), "--now", "2021-06-07T06:00", "--received", "2021-06-07T06:00"])
        == 0
    )
    capsys.readouterr()
    assert run(["dispatch", "--dry-run", "--now", "2021-06-07T07:30"]) == 0
    out = capsys.readouterr().out
    assert "Probelauf" in out and "fällige Erinnerungen:           2" in out
    assert sink.mails == []
    assert run(["dispatch", "--send", "--now", "2021-06-07T07:30"]) == 0
    assert "gesendet:                       2 (3 Mails)" in capsys.readouterr().out
    assert run(["reminders", "--sent", "--json"]) == 0
    sent = json.loads(capsys.readouterr().out)
    assert len(sent) == 2 and {r["status"] for r in sent} == {"sent"}
    assert {r["delivered"] for r in sent} == {1, 2}
    assert run(["notify-test", "leitung"]) == 0
    assert sink.mails[-1].to == ["leitung@example.org"]
    assert run(["notify-test", "niemand"]) == 2
