"""Failures people see (issue 17): the mail server's reply code in `last_error`, a 5xx
refusal failed at once (a 4xx keeps the backoff), `dispatch` ending with exit code 3 when a
reminder failed for good, and the rows in flight listed with their run and lease."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from flows.cli import run
from flows.cli.reminders import DELIVERY_FAILED
from models.store.db import make_engine
from notifications import outbox
from tests.conftest import EXAMPLE
from tests.notifications.support import at, dispatch_at, import_at, reminder_rows
from tests.smtp import SmtpSink

NOW = "2021-06-07T07:30"


def _due(engine: Engine) -> list[object]:
    """The reminders due at NOW (not the operators' notices planned for their failures)."""
    return [
        r
        for r in reminder_rows(engine)
        if r.send_at <= at(NOW) and r.status != "superseded" and r.tag != "betrieb"
    ]


def test_a_5xx_refusal_is_failed_after_one_attempt_with_its_reply_code(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    sink.refuse("5xx")
    summary = dispatch_at(engine, routes_file, NOW)
    assert (summary.failed, summary.retry_later, summary.sent_rows) == (2, 0, 0)
    rows = _due(engine)
    assert {(r.status, r.attempts) for r in rows} == {("failed", 1)}  # type: ignore[attr-defined]
    for row in rows:
        assert "SMTP 554 5.7.1 Nachricht abgelehnt" in row.last_error  # type: ignore[attr-defined]
        assert "S3cr3t" not in row.last_error  # type: ignore[attr-defined]


def test_a_4xx_refusal_keeps_the_backoff_and_says_its_code(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    sink.refuse("4xx")
    summary = dispatch_at(engine, routes_file, NOW)
    assert (summary.failed, summary.retry_later) == (0, 2)
    rows = _due(engine)
    assert {(r.status, r.attempts) for r in rows} == {("pending", 1)}  # type: ignore[attr-defined]
    assert all("SMTP 451 4.3.0" in r.last_error for r in rows)  # type: ignore[attr-defined]


def test_dispatch_exits_3_in_one_line_when_a_delivery_failed_for_good(
    db_url: str, sink: SmtpSink, routes_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--now", "2021-06-07T06:00", "--received", "2021-06-07T06:00"]
    assert run(["import", str(EXAMPLE), *args]) == 0
    sink.refuse("5xx")
    capsys.readouterr()
    assert run(["dispatch", "--send", "--now", NOW]) == DELIVERY_FAILED == 3
    captured = capsys.readouterr()
    assert "endgültig fehlgeschlagen:       2" in captured.out
    assert captured.err.strip().splitlines() == [
        "Zustellung endgültig fehlgeschlagen: 2 Erinnerung(en), siehe ratsfrist reminders --failed"
    ]
    sink.recover()
    assert run(["dispatch", "--send", "--now", NOW]) == 0  # nothing failed in this run


def test_rows_in_flight_are_listed_with_their_run_and_lease_and_counted(
    db_url: str,
    sink: SmtpSink,
    routes_file: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # the table whole, not cut to a terminal's width
    args = ["--now", "2021-06-07T06:00", "--received", "2021-06-07T06:00"]
    assert run(["import", str(EXAMPLE), *args]) == 0
    engine = make_engine(db_url)
    wall = datetime.now(UTC)
    claimed = outbox.claim(
        engine, worker="host:1~abc", now=at(NOW), lease=timedelta(minutes=10), wall=wall
    )
    engine.dispose()
    capsys.readouterr()
    assert run(["reminders", "--sending", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert sorted(r["id"] for r in rows) == claimed
    assert {r["claimed_by"] for r in rows} == {"host:1~abc"}
    until = {datetime.fromisoformat(r["claimed_until"]) for r in rows}
    assert until == {wall + timedelta(minutes=10)}
    assert run(["reminders", "--sending"]) == 0
    table = capsys.readouterr().out
    assert "host:1~abc" in table and "Lease bis" in table
    assert run(["dispatch", "--send", "--now", NOW]) == 0
    out = capsys.readouterr().out
    assert f"im Versand (anderer Lauf, reminders --sending): {len(claimed)}" in out
    assert sink.mails == []
