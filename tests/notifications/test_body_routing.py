"""Reminders routed per body: an Apprise URL tagged `koerperschaft-<slug>` gets only that
body's reminders (a Kreis's IT service sending each town's to its own office), over a real
SMTP server on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from flows.app import routes_for
from flows.settings import load_settings
from models.store.profiles import default_rules
from notifications.dispatch import dispatch
from notifications.routes import RouteError
from tests.services.test_bodies import add_bodies, at, document
from tests.smtp import SmtpSink


def routing_file(path: Path, port: int) -> Path:
    def url(to: str) -> str:
        return f"mailto://127.0.0.1:{port}?from=frist@example.org&to={to}&cto=5&rto=5"

    path.write_text(
        "\n".join(
            [
                "version: 1",
                "urls:",
                f"  - {url('fachamt@nordheim.example')}:",
                "      - tag: fachamt, koerperschaft-stadt-nordheim",
                f"  - {url('fachamt@kamenz.example')}:",
                "      - tag: fachamt, koerperschaft-stadt-kamenz",
                f"  - {url('fachamt-soz@kamenz.example')}:",
                "      - tag: fachamt, koerperschaft-stadt-kamenz, gremium-sozialausschuss",
                f"  - {url('fachamt@oberau.example')}:",
                "      - tag: fachamt, koerperschaft-gemeinde-oberau",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return path


def test_a_reminder_reaches_only_its_bodys_route(
    engine: Engine, sink: SmtpSink, tmp_path: Path
) -> None:
    """The example motion in Stadt Nordheim (NW) and Stadt Kamenz (SN), meeting Tue
    04.11.2025: the Stellungnahme is due Thu 30.10. in Nordheim and Wed 29.10.2025 in Kamenz
    (Reformationstag). The reminders 7 working days before are Tue 21.10. (Nordheim: 29.,
    28., 27., 24., 23., 22., 21.) and Mon 20.10. (Kamenz); a dispatch on Tue 21.10. sends
    both, each town's to its own office (Kamenz's also to its Sozialausschuss office), and
    Oberau's office (no paper there) gets nothing."""
    from flows.app import submit_document

    add_bodies(engine)
    path = document(tmp_path, "04.11.2025", "10.10.2025")
    received = at("2025-10-10T09:00")
    for name in ("Stadt Nordheim", "Stadt Kamenz"):
        submit_document(path, now=received, actor="t", received_at=received, body=name)
    routes = routes_for(load_settings(), routing_file(tmp_path / "apprise.yml", sink.port))
    summary = dispatch(engine, now=at("2025-10-21T08:00"), rules=default_rules(), routes=routes)
    got = sorted((m.to[0], m.subject.split(",")[1].strip()) for m in sink.mails)
    assert got == [
        ("fachamt-soz@kamenz.example", "fällig 29.10.2025"),
        ("fachamt@kamenz.example", "fällig 29.10.2025"),
        ("fachamt@nordheim.example", "fällig 30.10.2025"),
    ]
    assert (summary.sent_rows, summary.mails, summary.failed) == (2, 3, 0)


def test_a_body_tag_is_accepted_and_a_misspelt_role_still_refused(
    engine: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "apprise.yml"
    path.write_text(
        "version: 1\nurls:\n"
        "  - mailto://127.0.0.1:2525?from=f@example.org&to=a@example.org:\n"
        "      - tag: fachamt, koerperschaft-irgendwo\n"
        "  - mailto://127.0.0.1:2525?from=f@example.org&to=b@example.org:\n"
        "      - tag: fachamtt\n",
        encoding="utf-8",
    )
    with pytest.raises(RouteError, match=r"apprise.yml:6: unbekannter Tag 'fachamtt'"):
        routes_for(load_settings(), path)


def test_notify_test_reaches_the_routes_of_the_body_named(
    engine: Engine,
    sink: SmtpSink,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`notify-test TAG --body X` tries the routes X's reminders take (those narrowed to X
    too); without --body, RATSFRIST_BODY's; an unknown body: one line, exit 2, no mail."""
    from flows.cli import run

    add_bodies(engine)
    config = str(routing_file(tmp_path / "apprise.yml", sink.port))
    test = ["notify-test", "fachamt", "--apprise-config", config]
    assert run([*test, "--body", "stadt-kamenz"]) == 0
    assert run([*test, "--body", "Stadt Kamenz", "--committee", "Sozialausschuss"]) == 0
    monkeypatch.setenv("RATSFRIST_BODY", "Gemeinde Oberau")
    assert run(test) == 0
    assert [m.to for m in sink.mails] == [
        ["fachamt@kamenz.example"],
        ["fachamt@kamenz.example"],
        ["fachamt-soz@kamenz.example"],
        ["fachamt@oberau.example"],
    ]
    capsys.readouterr()
    assert run([*test, "--body", "Stadt Y"]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "--body 'Stadt Y': unbekannte" in err
    assert len(sink.mails) == 4
