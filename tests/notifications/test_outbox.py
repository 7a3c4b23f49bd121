"""`dispatch --retry-failed`: rows that failed for good go back to pending and are sent, once;
rows of a deadline no longer owed (met) stay failed."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

import notifications.outbox
from flows.cli import run
from models.services import steps as services
from models.store.db import session_scope
from notifications.outbox import retry_failed
from tests.conftest import EXAMPLE
from tests.notifications.support import REF, at, dispatch_at, import_at, reminder_rows
from tests.smtp import SmtpSink


def test_failed_rows_go_back_to_pending_and_are_sent(
    db_url: str,
    engine: Engine,
    sink: SmtpSink,
    routes_file: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # a row fails for good after MAX_ATTEMPTS refusals (about two days of backoff); one
    # attempt is enough to get there within the morning of the example
    monkeypatch.setattr(notifications.outbox, "MAX_ATTEMPTS", 1)
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    sink.refuse("5xx")
    refused = dispatch_at(engine, routes_file, "2021-06-07T07:30")
    assert refused.sent_rows == 0
    failed = {r.id: r for r in reminder_rows(engine) if r.status == "failed"}
    assert len(failed) == 2 and all(r.attempts == 1 for r in failed.values())
    sink.recover()
    assert dispatch_at(engine, routes_file, "2021-06-07T07:40").due == 0  # failed stay failed
    assert sink.mails == []

    # the motion is put on the agenda: the invitation deadline is met, its failed rows are
    # owed to no one any more; the report is still owed
    with session_scope(engine) as session:
        services.place_on_agenda(
            session, REF, item_number="5", now=at("2021-06-07T07:41"), actor="t"
        )
    met = {r.id for r in reminder_rows(engine) if r.id in failed and r.tag == "sitzungsdienst"}
    assert len(met) == 1

    assert retry_failed(engine, at("2021-06-07T07:44")) == 1
    revived = {r.id: r for r in reminder_rows(engine) if r.id in failed and r.id not in met}
    assert {r.status for r in revived.values()} == {"pending"}
    assert all(r.attempts == 0 and r.next_attempt_at is None for r in revived.values())

    # the command line's flag revives (nothing more here) and sends in one go
    assert run(["dispatch", "--retry-failed", "--send", "--now", "2021-06-07T07:45"]) == 0
    assert "gesendet:                       1 (2 Mails)" in capsys.readouterr().out
    after = {r.id: r.status for r in reminder_rows(engine) if r.id in failed}
    assert after == {i: "failed" if i in met else "sent" for i in failed}
    got = Counter((m.to[0], tuple(m.reminder_ids)) for m in sink.mails)
    assert set(got.values()) == {1}  # each revived row's mail exactly once
    assert {to for to, _ in got} == {"fachamt@example.org", "fachamt-soz@example.org"}
    assert {i for _, ids in got for i in ids} == set(revived)  # to both fachamt addresses
    assert run(["dispatch", "--send", "--now", "2021-06-07T09:00"]) == 0
    assert len(sink.mails) == 2
