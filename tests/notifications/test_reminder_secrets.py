"""Confidentiality and secrets: what uncleared recipients of a non-public paper are told, and
that the SMTP password appears in no mail, log, error or table."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from flows.cli import run
from models.store.tables import Reminder
from notifications.routes import RouteError, load_routes
from tests.conftest import EXAMPLE
from tests.notifications.support import dispatch_at, import_at
from tests.smtp import SmtpSink


def test_a_non_public_paper_tells_uncleared_recipients_only_reference_kind_and_date(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    secret = (
        EXAMPLE.read_text(encoding="utf-8")
        .replace("Status: öffentlich", "Status: nichtöffentlich")
        .replace("Nr.: A 21/0500-01", "Nr.: A 21/0500-02")
    )
    import_at(engine, secret.encode(), "2021-06-07T06:00")
    dispatch_at(engine, routes_file, "2021-06-07T07:30")
    uncleared = [m for m in sink.mails if m.to[0] != "leitung@example.org"]
    assert len(uncleared) == 3
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
    dispatch_at(engine, routes_file, "2021-06-11T07:05")  # escalation to the cleared managers
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
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    with Session(engine) as session:  # route the invitation to the password-protected URL
        for row in session.exec(select(Reminder)).all():
            row.tag = "fraktion"  # no profile reminds the fraktion: only this URL has it
            session.add(row)
        session.commit()
    outputs = []
    for args in (
        ["dispatch", "--send", "--now", "2021-06-07T07:30"],
        ["reminders", "--json"],
        ["reminders"],
        ["config"],
        ["notify-test", "fraktion"],
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
