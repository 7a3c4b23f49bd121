"""Failures people see (issue 17): a reminder that failed for good is told once to the
operators (Apprise tag `betrieb`) through the outbox, naming the reference, the route
(masked) and the mail server's code, and is listed beside the overdue deadlines."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from flows.cli import run
from flows.cli.reminders import DELIVERY_FAILED
from models.services.failed_reminders import failed_count, failed_reminders, failed_section
from models.store.db import make_engine
from tests.conftest import EXAMPLE
from tests.notifications.support import REF, dispatch_at, import_at, reminder_rows
from tests.smtp import SmtpSink

NOW = "2021-06-07T07:30"
TITLE_WORD = "Integrationsmanagement"  # the example paper's title: content, not for them


def _routes(path: Path, port: int, operators: bool = True) -> Path:
    def url(to: str) -> str:
        return f"mailto://127.0.0.1:{port}?from=frist@example.org&to={to}&cto=5&rto=5"

    lines = ["version: 1", "urls:"]
    for to, tag in [("fachamt@example.org", "fachamt"), ("sitzung@example.org", "sitzungsdienst")]:
        lines += [f"  - {url(to)}:", f"      - tag: {tag}"]
    if operators:
        lines += [f"  - {url('betrieb@example.org')}:", "      - tag: betrieb"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _to(sink: SmtpSink, address: str) -> list[object]:
    return [m for m in sink.mails if m.to == [address]]


def test_a_550_fails_at_once_is_told_to_the_operators_once_and_exits_3(
    db_url: str,
    sink: SmtpSink,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("RATSFRIST_APPRISE_CONFIG", str(_routes(tmp_path / "a.yml", sink.port)))
    args = ["--now", "2021-06-07T06:00", "--received", "2021-06-07T06:00"]
    assert run(["import", str(EXAMPLE), *args]) == 0
    sink.handler.unknown = {"fachamt@example.org"}
    assert run(["dispatch", "--send", "--now", NOW]) == DELIVERY_FAILED
    assert "Betriebsmeldungen (Tag betrieb) geplant: 1" in capsys.readouterr().out
    engine = make_engine(db_url)
    failed = [r for r in reminder_rows(engine) if r.status == "failed"]
    assert [(r.tag, r.attempts) for r in failed] == [("fachamt", 1)]
    assert "SMTP 550 5.1.1 Postfach unbekannt" in (failed[0].last_error or "")
    notices = _to(sink, "betrieb@example.org")
    assert len(notices) == 1
    notice = notices[0]
    assert notice.subject == (  # type: ignore[attr-defined]
        f"Zustellung fehlgeschlagen: Erinnerung #{failed[0].id}, Vorlage {REF} (SMTP 550)"
    )
    text = notice.text  # type: ignore[attr-defined]
    assert "Antwort: SMTP 550 5.1.1 Postfach unbekannt" in text
    assert "Empfänger: mailto://127.0.0.1" in text and "fachamt@example.org" in text
    assert "Empfänger-Tag: fachamt" in text
    assert TITLE_WORD not in text
    assert _to(sink, "sitzung@example.org")  # the other role got its reminder

    # the same instant again, then the failed row revived and failing again: no second notice
    assert run(["dispatch", "--send", "--now", NOW]) == 0
    assert run(["dispatch", "--send", "--retry-failed", "--now", NOW]) == DELIVERY_FAILED
    assert len(_to(sink, "betrieb@example.org")) == 1
    notice_rows = [r for r in reminder_rows(engine) if r.tag == "betrieb"]
    assert [(r.scope, r.status) for r in notice_rows] == [(f"fehler/{failed[0].id}", "sent")]
    engine.dispose()
    capsys.readouterr()
    assert run(["reminders", "--json"]) == 0
    listed = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert listed[notice_rows[0].id]["kind"] == "notice"
    assert listed[notice_rows[0].id]["label"] == f"Zustellfehler #{failed[0].id} an Betrieb"


def test_without_an_operations_route_the_notice_is_cancelled_with_the_reason(
    engine: Engine, sink: SmtpSink, tmp_path: Path
) -> None:
    routes = _routes(tmp_path / "b.yml", sink.port, operators=False)
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    sink.handler.unknown = {"fachamt@example.org"}
    summary = dispatch_at(engine, routes, NOW)
    assert (summary.failed, summary.notices_planned) == (1, 1)
    notice = [r for r in reminder_rows(engine) if r.tag == "betrieb"]
    assert [r.status for r in notice] == ["cancelled"]
    assert "kein Empfänger mit Tag 'betrieb'" in (notice[0].last_error or "")
    assert dispatch_at(engine, routes, NOW).notices_planned == 0  # planned once


def test_failed_reminders_are_listed_for_managers_with_the_code_and_without_content(
    engine: Engine, sink: SmtpSink, tmp_path: Path
) -> None:
    routes = _routes(tmp_path / "c.yml", sink.port)
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    with Session(engine) as session:
        assert failed_section(failed_reminders(session), failed_count(session)) == ""
    sink.handler.unknown = {"fachamt@example.org"}
    dispatch_at(engine, routes, NOW)
    with Session(engine) as session:
        items = failed_reminders(session)
        section = failed_section(items, failed_count(session))
    assert [(i.reference, i.tag, i.attempts) for i in items] == [(REF, "fachamt", 1)]
    assert section.startswith("## Nicht zugestellte Erinnerungen: 1")
    mark = f"| #{items[0].reminder_id} "
    row = next(line for line in section.splitlines() if line.startswith(mark))
    assert REF in row and "SMTP 550 5.1.1 Postfach unbekannt" in row and "| fachamt |" in row
    assert TITLE_WORD not in section and "example.org" not in section  # no content, no address


def test_several_failures_reach_the_operators_in_one_mail(
    engine: Engine, sink: SmtpSink, tmp_path: Path
) -> None:
    """After an outage, or on the first run with notices, there may be hundreds: one mail
    per run and operator lists them, each still planned and recorded as its own row."""
    routes = _routes(tmp_path / "d.yml", sink.port)
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    sink.handler.unknown = {"fachamt@example.org", "sitzung@example.org"}
    summary = dispatch_at(engine, routes, NOW)
    assert (summary.failed, summary.notices_planned) == (2, 2)
    failed = sorted(r.id for r in reminder_rows(engine) if r.status == "failed")
    (notice,) = _to(sink, "betrieb@example.org")
    assert notice.subject == "Zustellung fehlgeschlagen: 2 Erinnerungen (SMTP 550)"  # type: ignore[attr-defined]
    text = notice.text  # type: ignore[attr-defined]
    assert all(re.search(rf"Erinnerung #{i}\b", text) for i in failed), text
    notices = [r for r in reminder_rows(engine) if r.tag == "betrieb"]
    assert sorted((r.scope, r.status) for r in notices) == [(f"fehler/{i}", "sent") for i in failed]
