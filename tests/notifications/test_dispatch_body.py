"""`ratsfrist dispatch --body`: one town's office sends only its own body's reminders (a
Kreis's IT service running the towns one after another), over a real SMTP server on
loopback; the other body's reminders stay due for its own run."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from flows.cli import run
from tests.notifications.test_body_routing import routing_file
from tests.services.test_bodies import add_bodies, at, document
from tests.smtp import SmtpSink


def test_dispatch_with_body_sends_only_that_bodys_reminders(
    engine: Engine, sink: SmtpSink, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The same motion in Stadt Nordheim and Stadt Kamenz (meeting Tue 04.11.2025): on Tue
    21.10.2025 both towns' Stellungnahme reminders are due (see test_body_routing).
    `dispatch --body stadt-kamenz` sends Kamenz's (to its office and its Sozialausschuss
    office) and leaves Nordheim's pending; a second run without --body sends Nordheim's."""
    from flows.app import submit_document

    add_bodies(engine)
    path = document(tmp_path, "04.11.2025", "10.10.2025")
    received = at("2025-10-10T09:00")
    for name in ("Stadt Nordheim", "Stadt Kamenz"):
        submit_document(path, now=received, actor="t", received_at=received, body=name)
    config = str(routing_file(tmp_path / "apprise.yml", sink.port))
    now = "2025-10-21T08:00"
    args = ["dispatch", "--send", "--apprise-config", config, "--now", now]
    assert run([*args, "--body", "stadt-kamenz"]) == 0
    assert sorted(m.to[0] for m in sink.mails) == [
        "fachamt-soz@kamenz.example",
        "fachamt@kamenz.example",
    ]
    assert run([*args, "--body", "stadt-kamenz"]) == 0  # nothing of Kamenz's is left
    assert len(sink.mails) == 2
    assert run(args) == 0
    assert [m.to[0] for m in sink.mails[2:]] == ["fachamt@nordheim.example"]
    assert len(sink.mails) == 3


def test_dispatch_with_an_unknown_body_is_one_line_and_sends_nothing(
    engine: Engine, sink: SmtpSink, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_bodies(engine)
    config = str(routing_file(tmp_path / "apprise.yml", sink.port))
    capsys.readouterr()
    code = run(["dispatch", "--send", "--apprise-config", config, "--body", "nirgendwo"])
    assert code == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    assert sink.mails == []
