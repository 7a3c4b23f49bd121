"""The dispatcher commits each delivery on a thread of its own while it builds the next mail
(notifications/batch.py, `_Recorder`); the promise must not move: a mail reaches the server
only once every delivery before it is committed, and a commit that fails stops the sending
(the rows stay claimed, the next dispatch after the lease sends them: nothing lost, at most
the one mail in the window twice)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from notifications import outbox, smtp_hooks
from notifications.messages import Message
from notifications.routes import Recipient, load_routes
from notifications.send import deliver
from tests.conftest import EXAMPLE
from tests.notifications.support import at, dispatch_at, import_at, reminder_rows
from tests.smtp import SmtpSink, _Handler

MESSAGE = Message(subject="Test", text="Test", html="<p>Test</p>", ics=b"", ics_name="")


@dataclass
class _Committed(_Handler):
    """Before answering each DATA: how many deliveries the database holds as committed."""

    engine: Engine | None = None
    committed_before: list[int] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        assert self.engine is not None
        with self.engine.connect() as connection:
            rows = connection.execute(sa.select(outbox.R.c.delivered_to)).scalars()
            self.committed_before.append(sum(len(delivered) for delivered in rows))
        return await super().handle_DATA(server, session, envelope)


def test_each_mail_reaches_the_server_after_every_delivery_before_it_is_committed(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    sink.handler = handler = _Committed(engine=engine)
    sink.start()
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    summary = dispatch_at(engine, routes_file, "2021-06-07T07:30")
    assert summary.mails == len(sink.mails) == 3
    # one row, one recipient per mail: the k-th mail finds k-1 deliveries committed
    assert handler.committed_before == [0, 1, 2]


def test_a_failed_commit_stops_the_sending_and_the_next_dispatch_sends_the_rest(
    engine: Engine, sink: SmtpSink, routes_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    calls: list[int] = []
    record = outbox.record_delivery

    def failing(*args: Any, **kwargs: Any) -> bool:
        calls.append(1)
        if len(calls) == 2:
            raise sa.exc.OperationalError("UPDATE reminder", {}, Exception("disk I/O error"))
        return record(*args, **kwargs)

    monkeypatch.setattr(outbox, "record_delivery", failing)
    with pytest.raises(sa.exc.OperationalError):
        dispatch_at(engine, routes_file, "2021-06-07T07:30")
    # the second mail was accepted and its commit failed: the third was not sent
    assert len(sink.mails) == 2
    assert Counter(r.status for r in reminder_rows(engine))["sending"] == 1
    monkeypatch.setattr(outbox, "record_delivery", record)
    later = datetime.now(UTC) + timedelta(minutes=11)  # the lease has run out
    summary = dispatch_at(engine, routes_file, "2021-06-07T07:41", clock=lambda: later)
    assert summary.mails == 2  # the row of the failed commit: both its recipients
    received = Counter((tuple(m.reminder_ids), m.to[0]) for m in sink.mails)
    assert len(received) == 3  # every (reminder, recipient) arrived
    assert sum(received.values()) == 4  # the mail whose commit failed, twice
    assert {r.status for r in reminder_rows(engine) if r.send_at <= at("2021-06-07T07:30")} == {
        "sent",
        "superseded",
    }


class _Counting:
    """A non-e-mail Apprise service that only counts its sends."""

    def __init__(self) -> None:
        self.sent = 0
        self.notify_format = "text"

    def notify(self, **_kwargs: Any) -> bool:
        self.sent += 1
        return True


def test_a_closed_gate_holds_every_kind_of_mail_back(sink: SmtpSink, routes_file: Path) -> None:
    """E-mail is held in Apprise's controller, after the mail was built; any other service
    before `notify`. Held back, nothing is sent and the outcome is a failure that says why."""
    routes = load_routes(routes_file)
    (mail,) = routes.for_tag("sitzungsdienst")
    other = Recipient("k", "json://example.org", frozenset({"sitzungsdienst"}), _Counting())
    assert smtp_hooks.passes_gate(mail.server) and not smtp_hooks.passes_gate(other.server)
    for recipient in (mail, other):
        held = deliver(recipient, MESSAGE, routes, gate=lambda: False)
        assert not held.ok and smtp_hooks.HELD_BACK in (held.error or "")
        assert deliver(recipient, MESSAGE, routes, gate=lambda: True).ok
    assert len(sink.mails) == 1 and other.server.sent == 1


def test_the_mails_of_a_batch_go_out_in_the_order_their_reminders_fell_due(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    # the due rows' send_at in the reverse order of their ids: read by id (or, on
    # PostgreSQL, in whatever order an UPDATE left them) the mails went out the other way
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    due = [r for r in reminder_rows(engine) if r.send_at <= at("2021-06-07T07:30")]
    assert len(due) >= 3
    with engine.begin() as connection:
        for k, row in enumerate(sorted(due, key=lambda r: -(r.id or 0))):
            connection.execute(
                sa.update(outbox.R)
                .where(outbox.R.c.id == row.id)
                .values(send_at=at("2021-06-07T06:30") + timedelta(minutes=k))
            )
    dispatch_at(engine, routes_file, "2021-06-07T07:30")
    sent = [r for r in reminder_rows(engine) if r.status == "sent"]
    expected = [r.id for r in sorted(sent, key=lambda r: (r.send_at, r.id))]
    received = list(dict.fromkeys(i for mail in sink.mails for i in mail.reminder_ids))
    assert len(expected) >= 2 and received == expected
