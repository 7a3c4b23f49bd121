"""Reminders against a real SMTP server on loopback: the exact mails, exactly once, through
outages, confidentiality and secrets."""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from icalendar import Calendar
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from flows.cli import run
from models.domain.intake import parse_document
from models.domain.timeutil import BERLIN
from models.services import lifecycle as services
from models.store.db import session_scope
from models.store.profiles import default_rules
from models.store.tables import Reminder
from notifications.dispatch import Summary, dispatch
from notifications.routes import RouteError, load_routes
from tests.conftest import DATA, EXAMPLE, REPO
from tests.smtp import SmtpSink, apprise_config

REF = "A 21/0500-01"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


@pytest.fixture
def sink() -> Iterator[SmtpSink]:
    server = SmtpSink()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def routes_file(sink: SmtpSink, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = apprise_config(tmp_path / "apprise.yml", sink.port, password="S3cr3t-Pw!x")
    monkeypatch.setenv("RATSFRIST_APPRISE_CONFIG", str(path))
    return path


def _import(engine: Engine, data: bytes, now: str, source: str = "v.txt") -> None:
    with session_scope(engine) as session:
        services.import_paper(
            session,
            parse_document(data, source),
            body_name="Kommune",
            now=at(now),
            actor="t",
            received_at=at(now),
        )


def _dispatch(engine: Engine, routes_file: Path, now: str, **kwargs: object) -> Summary:
    return dispatch(
        engine,
        now=at(now),
        rules=default_rules(),
        routes=load_routes(routes_file),
        **kwargs,  # type: ignore[arg-type]
    )


def _rows(engine: Engine) -> list[Reminder]:
    with Session(engine) as session:
        return list(session.exec(select(Reminder).order_by(Reminder.id)).all())


def test_exactly_the_due_reminders_reach_exactly_their_recipients(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    _import(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    summary = _dispatch(engine, routes_file, "2021-06-07T07:30")
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
    # invitation: 'neu' and on the day. fachamt-rat@ is narrowed to another committee.
    assert got == sorted(
        [
            ("fachamt@example.org", f"Erinnerung: {report}"),
            ("fachamt@example.org", f"Erinnerung: {report}"),
            ("fachamt-soz@example.org", f"Erinnerung: {report}"),
            ("fachamt-soz@example.org", f"Erinnerung: {report}"),
            ("sitzungsdienst@example.org", f"Erinnerung: {invitation}"),
            ("sitzungsdienst@example.org", f"Erinnerung: {invitation}"),
        ]
    )
    assert (summary.sent_rows, summary.mails, summary.retry_later) == (4, 6, 0)
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
    _import(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    _dispatch(engine, routes_file, "2021-06-07T07:30")
    first = len(sink.mails)
    again = _dispatch(engine, routes_file, "2021-06-07T07:30")
    assert first == 6 and len(sink.mails) == first
    assert (again.due, again.mails, again.marked_missed, again.escalations_planned) == (0, 0, 0, 0)


def test_digest_sends_one_mail_per_recipient(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    _import(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    summary = _dispatch(engine, routes_file, "2021-06-07T07:30", digest=True)
    assert Counter(m.to[0] for m in sink.mails) == {
        "fachamt@example.org": 1,
        "fachamt-soz@example.org": 1,
        "sitzungsdienst@example.org": 1,
    }
    assert summary.sent_rows == 4
    digest = next(m for m in sink.mails if m.to == ["fachamt@example.org"])
    assert digest.subject == "ratsfrist: 2 Fristen"
    assert len(digest.reminder_ids) == 2
    assert len(list(Calendar.from_ical(digest.part("text/calendar")).walk("VEVENT"))) == 2


def test_overdue_deadlines_escalate_to_the_managers_once_a_working_day_per_committee(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    _import(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    _dispatch(engine, routes_file, "2021-06-07T07:30")
    sink.clear()
    fri = _dispatch(engine, routes_file, "2021-06-11T07:05")  # report missed since Thu 12:00
    assert fri.marked_missed == 2  # invitation (07.06.) and report (10.06.)
    assert fri.escalations_planned == 1  # both are the Sozialausschuss's
    (mail,) = [m for m in sink.mails if m.to == ["leitung@example.org"]]
    assert mail.subject == "ÜBERFÄLLIG: 2 Fristen – Sozialausschuss"
    assert "ÜBERFÄLLIG seit 4 Tagen: Ladung mit Tagesordnung" in mail.text
    assert "ÜBERFÄLLIG seit 1 Tag: Stellungnahme der Verwaltung" in mail.text
    assert len(list(Calendar.from_ical(mail.part("text/calendar")).walk("VEVENT"))) == 2
    again = _dispatch(engine, routes_file, "2021-06-11T09:00")  # same day: nothing more
    assert (again.escalations_planned, len(sink.mails)) == (0, 1)
    sink.clear()
    _dispatch(engine, routes_file, "2021-06-12T09:00")  # Saturday: no escalation
    assert sink.mails == []
    _dispatch(engine, routes_file, "2021-06-14T07:10")  # Monday: again
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
    _dispatch(engine, routes_file, "2021-06-15T07:10")
    assert [m for m in sink.mails if m.to == ["leitung@example.org"]] == []


def test_an_escalation_planned_before_the_deadline_is_met_is_not_sent(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    """What an escalation lists is read when it goes out, not when the sweep planned it."""
    _import(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    _dispatch(engine, routes_file, "2021-06-07T07:30")
    sink.clear()
    summary = dispatch(  # marked and planned, no routes yet: nothing sent
        engine, now=at("2021-06-11T07:01"), rules=default_rules(), routes=None
    )
    assert (summary.marked_missed, summary.escalations_planned) == (2, 1)
    with session_scope(engine) as session:
        services.place_on_agenda(
            session, REF, item_number="5", now=at("2021-06-11T07:02"), actor="t"
        )
    fri = _dispatch(engine, routes_file, "2021-06-11T07:05")
    (mail,) = [m for m in sink.mails if m.to == ["leitung@example.org"]]
    assert "Stellungnahme" in mail.text and "Ladung" not in mail.text
    assert mail.subject.startswith("ÜBERFÄLLIG: Stellungnahme der Verwaltung A 21/0500-01")
    assert fri.escalations_planned == 0


@pytest.mark.parametrize("outage", ["down", "hang", "4xx", "5xx"])
def test_smtp_outage_keeps_rows_pending_and_they_go_out_once_when_it_is_back(
    engine: Engine, sink: SmtpSink, routes_file: Path, outage: str
) -> None:
    _import(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    sink.refuse(outage)
    # a server that never answers proves as much after 1 s as after 5: the outage phase
    # uses short timeouts, the recovery below the usual routes
    during = apprise_config(
        routes_file.with_name("outage.yml"), sink.port, password="S3cr3t-Pw!x", timeout=1
    )
    summary = _dispatch(engine, during, "2021-06-07T07:30")  # must not raise
    assert summary.sent_rows == 0 and summary.retry_later == 4
    rows = _rows(engine)
    due = [r for r in rows if r.send_at <= at("2021-06-07T07:30")]
    assert {r.status for r in due} == {"pending"}
    assert all(r.attempts == 1 and r.last_error and r.next_attempt_at for r in due)
    assert all("S3cr3t" not in (r.last_error or "") for r in rows)
    sink.recover()
    sink.clear()
    early = _dispatch(engine, routes_file, "2021-06-07T07:31")  # backoff not yet over
    assert early.due == 0
    later = _dispatch(engine, routes_file, "2021-06-07T08:00")
    assert later.sent_rows == 4
    assert Counter((m.to[0], tuple(m.reminder_ids)) for m in sink.mails).most_common(1)[0][1] == 1
    assert len(sink.mails) == 6
    _dispatch(engine, routes_file, "2021-06-07T09:00")
    assert len(sink.mails) == 6


def test_a_non_public_paper_tells_uncleared_recipients_only_reference_kind_and_date(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    secret = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace("Status: öffentlich", "Status: nichtöffentlich")
        .replace("Nr.: A 21/0500-01", "Nr.: A 21/0500-02")
    )
    _import(engine, secret.encode(), "2021-06-07T06:00")
    _dispatch(engine, routes_file, "2021-06-07T07:30")
    uncleared = [m for m in sink.mails if m.to[0] != "leitung@example.org"]
    assert len(uncleared) == 6
    for mail in uncleared:
        content = mail.subject + mail.text + mail.part("text/calendar").decode()
        assert "A 21/0500-02" in content
        assert "Fällig:" in content
        for leak in (
            "Integrationsmanagement",
            "Steuerungsgremium",
            "Sozialausschuss",
            "Welche Institutionen",
            "Fördermittel",
        ):
            assert leak not in content, (mail.to, leak)
    sink.clear()
    _dispatch(engine, routes_file, "2021-06-11T07:05")  # escalation to the cleared managers
    cleared = [m for m in sink.mails if m.to == ["leitung@example.org"]]
    assert cleared and all("Kommunales Integrationsmanagement" in m.text for m in cleared)


def test_the_smtp_password_appears_nowhere(
    db_url: str,
    engine: Engine,
    sink: SmtpSink,
    routes_file: Path,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    password = "S3cr3t-Pw!x"
    _import(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    with Session(engine) as session:  # route the invitation to the password-protected URL
        for row in session.exec(select(Reminder)).all():
            row.tag = "geschuetzt"
            session.add(row)
        session.commit()
    outputs = []
    for args in (
        ["dispatch", "--now", "2021-06-07T07:30"],
        ["reminders", "--json"],
        ["reminders"],
        ["config"],
        ["notify-test", "geschuetzt"],
    ):
        run(args)
        captured = capsys.readouterr()
        outputs.append(captured.out + captured.err)
    text = "\n".join(outputs)
    assert "ratsfrist:****@" in text  # the failure is reported, masked
    assert password not in text
    assert password not in caplog.text
    with engine.connect() as connection:
        for table in ("reminder", "deadline", "lifecycle_event", "paper"):
            dump = json.dumps(
                [
                    list(map(str, row))
                    for row in connection.exec_driver_sql(f"SELECT * FROM {table}")
                ]
            )
            assert password not in dump, table


def test_without_a_route_configuration_nothing_is_lost(
    engine: Engine, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    _import(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    summary = dispatch(engine, now=at("2021-06-07T07:30"), rules=default_rules(), routes=None)
    assert summary.waiting_without_routes == 4
    assert {r.status for r in _rows(engine)} == {"pending"}


def test_met_and_cancelled_deadlines_stop_their_pending_reminders(engine: Engine) -> None:
    _import(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    with session_scope(engine) as session:
        services.place_on_agenda(
            session, REF, item_number="5", now=at("2021-06-07T09:00"), actor="t"
        )
    rows = {(r.step.split("@")[0], r.tag): r.status for r in _rows(engine)}
    assert rows[("am-tag", "sitzungsdienst")] == "cancelled"  # invitation met
    assert rows[("vorher-3", "fachamt")] == "pending"
    with session_scope(engine) as session:
        services.withdraw(session, REF, now=at("2021-06-07T10:00"), actor="t")
    assert {r.status for r in _rows(engine)} == {"cancelled"}


def test_moving_the_meeting_replans_the_reminders_for_the_new_date(engine: Engine) -> None:
    from datetime import date

    from models.services.meetings import move_meeting

    _import(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    with session_scope(engine) as session:
        move_meeting(
            session,
            body_name="Kommune",
            committee="Sozialausschuss",
            day=date(2021, 6, 15),
            new_day=date(2021, 6, 22),
            now=at("2021-06-08T09:00"),
        )
    pending = sorted(r.step for r in _rows(engine) if r.status == "pending" and r.tag == "fachamt")
    # a moved deadline is announced anew ('neu': its 7-day step had passed), then reminded
    assert pending == [
        "am-tag@2021-06-17",
        "neu@2021-06-17",
        "vorher-1@2021-06-17",
        "vorher-3@2021-06-17",
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "version: 1\nurls:\n  - mailto://127.0.0.1?from=a@b.de&to=c@d.de:\n      - tag: a\n  - nichts://y\n",
            ":5: ungültige oder unbekannte Apprise-URL 'nichts://y'",
        ),
        ("version: 1\nurls:\n  - mailto://u:Geheim99@host:\n  tag: [\n", ":4: YAML-Fehler"),
        (
            "fachamt=mailto://127.0.0.1?from=a@b.de&to=c@d.de\nleitung=foo://u:Geheim99@x\n",
            ":2: ungültige oder unbekannte Apprise-URL 'foo://u:****@x'",
        ),
        (
            "version: 1\nurls:\n  - mailto://u:${RATSFRIST_TEST_UNSET_PW}@h?to=a@b.de\n",
            ":3: Umgebungsvariable RATSFRIST_TEST_UNSET_PW",
        ),
        ("version: 1\n", ":1: Schlüssel 'urls' (Liste) fehlt"),
    ],
)
def test_broken_route_configs_name_file_and_line_and_no_password(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / ("routes.txt" if content.startswith("fachamt=") else "routes.yml")
    path.write_text(content)
    with pytest.raises(RouteError) as info:
        load_routes(path)
    assert str(info.value).startswith(str(path) + message.split(" ")[0]), str(info.value)
    assert message.split(":", 2)[2].strip() in str(info.value)
    assert "Geheim99" not in str(info.value)


def test_secrets_can_come_from_the_environment(
    tmp_path: Path, sink: SmtpSink, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RATSFRIST_TEST_SMTP_PW", "AusDerUmgebung1")
    path = tmp_path / "r.yml"
    path.write_text(
        "version: 1\nurls:\n"
        f"  - mailto://u:${{RATSFRIST_TEST_SMTP_PW}}@127.0.0.1:{sink.port}"
        "?from=frist@example.org&to=a@example.org:\n"
        "      - tag: fachamt\n"
    )
    routes = load_routes(path)
    assert [r.label.split("@")[0] for r in routes.for_tag("fachamt")] == ["mailto://u:****"]
    assert routes.scrub("fehler mit AusDerUmgebung1") == "fehler mit ****"


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
    assert "Probelauf" in out and "fällige Erinnerungen:           4" in out
    assert sink.mails == []
    assert run(["dispatch", "--now", "2021-06-07T07:30"]) == 0
    assert "gesendet:                       4 (6 Mails)" in capsys.readouterr().out
    assert run(["reminders", "--sent", "--json"]) == 0
    sent = json.loads(capsys.readouterr().out)
    assert len(sent) == 4 and {r["status"] for r in sent} == {"sent"}
    assert {r["delivered"] for r in sent} == {1, 2}
    assert run(["notify-test", "leitung"]) == 0
    assert sink.mails[-1].to == ["leitung@example.org"]
    assert run(["notify-test", "niemand"]) == 2


def test_anfrage_answer_reminder_goes_to_the_office(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    anfrage = (
        (DATA / "anfrage-nummeriert.txt")
        .read_text()
        .replace("Bezirksvertretung 1 26.01.2023", "Sozialausschuss 26.01.2023")
    )
    _import(engine, anfrage.encode(), "2023-01-13T09:00", "anfrage.txt")
    _dispatch(engine, routes_file, "2023-01-25T07:10")  # 1 working day before the session
    answers = [m for m in sink.mails if "Beantwortung der Anfrage" in m.subject]
    assert {m.to[0] for m in answers} == {"fachamt@example.org", "fachamt-soz@example.org"}
    assert "Wie viele Unfälle" in answers[0].text


def test_rows_are_unique_per_deadline_step_and_tag(engine: Engine) -> None:
    _import(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    rows = _rows(engine)
    keys = [(r.deadline_id, r.step, r.tag) for r in rows]
    assert len(keys) == len(set(keys))
    with pytest.raises(Exception), Session(engine) as session:  # noqa: B017
        first = rows[0]
        session.add(
            Reminder(
                deadline_id=first.deadline_id,
                paper_id=first.paper_id,
                step=first.step,
                tag=first.tag,
                send_at=first.send_at,
                status="pending",
                created_at=first.created_at,
                updated_at=first.updated_at,
            )
        )
        session.commit()


def test_backoff_grows_and_is_capped() -> None:
    from models.domain.reminders import backoff

    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (2, 4, 8)]
    assert backoff(30) == timedelta(hours=6)


def test_recording_minutes_plans_reminders_by_the_configured_profile(
    engine: Engine, tmp_path: Path
) -> None:
    from datetime import date

    from models.services.meetings import record_minutes
    from models.store.profiles import load_profile

    default = (REPO / "models/profiles/default.toml").read_text()
    custom = tmp_path / "go.toml"
    custom.write_text(
        default.replace("before_working_days = [7, 3, 1, 0]", "before_working_days = [2]"),
        encoding="utf-8",
    )
    rules = load_profile(str(custom))
    with session_scope(engine) as session:
        services.import_paper(
            session,
            parse_document(EXAMPLE.read_bytes(), "v.txt"),
            body_name="Kommune",
            now=at("2021-06-01T06:00"),
            actor="t",
            received_at=at("2021-06-01T06:00"),
            rules=rules,
        )
        services.place_on_agenda(
            session, REF, item_number="5", now=at("2021-06-01T07:00"), actor="t", rules=rules
        )
        services.decide(
            session, REF, result="vertagt", now=at("2021-06-01T08:00"), actor="t", rules=rules
        )
        services.place_on_agenda(
            session,
            REF,
            item_number="2",
            meeting_day=date(2021, 7, 13),
            now=at("2021-06-01T09:00"),
            actor="t",
            rules=rules,
        )
        record_minutes(
            session,
            body_name="Kommune",
            committee="Sozialausschuss",
            day=date(2021, 6, 15),
            now=at("2021-06-02T09:00"),
            rules=rules,
        )
    steps = {r.step.split("@")[0] for r in _rows(engine) if r.status == "pending"}
    assert steps == {"vorher-2"}  # the profile's one step, not the default 7/3/1/0


def test_a_long_escalation_lists_the_oldest_and_counts_the_rest(
    engine: Engine, sink: SmtpSink, routes_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import notifications.dispatch

    monkeypatch.setattr(notifications.dispatch, "ESCALATION_LIST_LIMIT", 1)
    _import(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    _dispatch(engine, routes_file, "2021-06-11T07:05")
    (mail,) = [m for m in sink.mails if m.to == ["leitung@example.org"]]
    assert mail.subject == "ÜBERFÄLLIG: 2 Fristen – Sozialausschuss"
    assert "Ladung mit Tagesordnung" in mail.text  # the older one
    assert "Stellungnahme der Verwaltung" not in mail.text
    assert "… und 1 weitere überfällige Frist (siehe Fristenübersicht)" in mail.text
