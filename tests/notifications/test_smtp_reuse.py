"""One SMTP connection for many mails within a dispatch (notifications/smtp_hooks.py, issue
17): mails to one server share a connection, a connection the server closed is replaced, a
failure reads as it did with a connection per mail, and a `mailtos` URL never gets a
connection another URL's settings made (`verify=no`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from notifications import smtp_hooks
from notifications.messages import Message
from notifications.routes import load_routes
from notifications.send import Outcome, deliver
from tests.conftest import EXAMPLE
from tests.notifications.support import dispatch_at, import_at, reminder_rows
from tests.notifications.test_tls import tls_sink  # noqa: F401  (fixture)
from tests.smtp import SmtpSink, _Handler

MESSAGE = Message(subject="Test", text="Test", html="<p>Test</p>", ics=b"", ics_name="")


@dataclass
class _Peers(_Handler):
    """Also keeps the client's address and port of each accepted mail: one per connection."""

    peers: list[Any] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        answer = await super().handle_DATA(server, session, envelope)
        if answer.startswith("250"):
            self.peers.append(session.peer)
        return answer


@pytest.fixture
def peers(sink: SmtpSink) -> _Peers:
    sink.handler = _Peers()
    sink.start()
    return sink.handler


def test_a_dispatch_sends_its_mails_over_one_connection_each_once(
    engine: Engine, sink: SmtpSink, routes_file: Path, peers: _Peers
) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    summary = dispatch_at(engine, routes_file, "2021-06-07T07:30")
    assert summary.mails >= 2
    assert len(sink.mails) == summary.mails == len(peers.peers)
    assert len(set(peers.peers)) == 1  # the same client port: one connection
    assert (summary.failed, summary.retry_later) == (0, 0)
    assert summary.sent_rows == sum(r.status == "sent" for r in reminder_rows(engine)) >= 2


def _send_twice(sink: SmtpSink, routes_file: Path, between: str) -> tuple[Outcome, Outcome]:
    """A mail, then the server changes (`between`), then a second mail; both in one pool."""
    routes = load_routes(routes_file)
    (recipient,) = routes.for_tag("sitzungsdienst")
    pool = smtp_hooks.Pool()
    with smtp_hooks.pooled(pool):
        first = deliver(recipient, MESSAGE, routes)
        if between == "restart":
            sink.stop()
            sink.start()
        else:
            sink.refuse(between)
        second = deliver(recipient, MESSAGE, routes)
    pool.close()
    return first, second


def test_a_connection_the_server_closed_is_replaced(
    sink: SmtpSink, routes_file: Path, peers: _Peers
) -> None:
    first, second = _send_twice(sink, routes_file, "restart")
    assert first.ok and second.ok
    assert len(sink.mails) == 2 and len(set(peers.peers)) == 2


@pytest.mark.parametrize("fault", ["5xx", "4xx", "down"])
def test_a_failure_on_a_pooled_connection_reads_as_on_a_fresh_one(
    sink: SmtpSink, routes_file: Path, fault: str
) -> None:
    first, pooled = _send_twice(sink, routes_file, fault)
    assert first.ok and not pooled.ok
    routes = load_routes(routes_file)
    (recipient,) = routes.for_tag("sitzungsdienst")
    fresh = deliver(recipient, MESSAGE, routes)  # no pool: a connection of its own
    assert (pooled.error, pooled.permanent) == (fresh.error, fresh.permanent)
    assert pooled.permanent is (fault == "5xx")


def test_a_failed_mail_does_not_leave_its_connection_for_the_next(
    sink: SmtpSink, routes_file: Path, peers: _Peers
) -> None:
    routes = load_routes(routes_file)
    (recipient,) = routes.for_tag("sitzungsdienst")
    pool = smtp_hooks.Pool()
    with smtp_hooks.pooled(pool):
        assert deliver(recipient, MESSAGE, routes).ok
        sink.handler.mode = "4xx"
        assert not deliver(recipient, MESSAGE, routes).ok
        sink.handler.mode = "accept"
        assert deliver(recipient, MESSAGE, routes).ok
    pool.close()
    assert len(peers.peers) == 2 and len(set(peers.peers)) == 2


def test_mailtos_never_takes_a_connection_made_for_verify_no(
    tls_sink: tuple[int, _Handler],  # noqa: F811
    tmp_path: Path,
) -> None:
    port, handler = tls_sink
    base = f"mailtos://127.0.0.1:{port}?from=frist@example.org&mode=starttls&cto=5&rto=5"
    config = tmp_path / "tls.yml"
    config.write_text(
        "version: 1\nurls:\n"
        f"  - {base}&to=geprueft@example.org:\n      - tag: fachamt\n"
        f"  - {base}&to=ungeprueft@example.org&verify=no:\n      - tag: sitzungsdienst\n",
        encoding="utf-8",
    )
    routes = load_routes(config)
    (checked,) = routes.for_tag("fachamt")
    (unchecked,) = routes.for_tag("sitzungsdienst")
    pool = smtp_hooks.Pool()
    with smtp_hooks.pooled(pool):
        for _ in range(2):
            assert deliver(unchecked, MESSAGE, routes).ok
            refused = deliver(checked, MESSAGE, routes)
            assert not refused.ok and "CERTIFICATE_VERIFY_FAILED" in (refused.error or "")
    assert pool.reused == 1  # the verify=no connection, by the second verify=no mail only
    pool.close()
    assert [m.to for m in handler.mails] == [["ungeprueft@example.org"]] * 2
