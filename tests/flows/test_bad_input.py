"""Bad input gets one line, exit code 2, and leaves the database as it was (issue 17):
an empty `--now`, a database that is unreachable or a URL that is malformed, a routing file
that is not UTF-8, names a port out of range or a role no profile knows."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from flows.cli import run
from models.store.profiles import default_rules
from notifications.routes import RouteError, load_routes
from tests.conftest import EXAMPLE, snapshot

REF = "A 21/0500-01"
MAIL = "mailto://127.0.0.1:2525?from=frist@example.org&to="


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "command",
    [
        ["dispatch", "--now", ""],
        ["dispatch", "--now", "  "],
        ["deadlines", "--now", ""],
        ["show", REF, "--now", ""],
        ["schedule", REF, "--item", "5", "--now", ""],
        ["import", str(EXAMPLE), "--now", ""],
        ["import", str(EXAMPLE), "--received", ""],
    ],
)
def test_an_empty_now_is_an_error_never_the_clock(
    engine: Engine, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    """An unset shell variable (`--now "$REPLAY"`) must not silently mean "now": on a replay
    database that marked deadlines missed and cancelled reminders with exit 0."""
    assert run(["import", str(EXAMPLE), "--now", "2021-06-07T10:15"]) == 0
    before = snapshot(engine)
    code, out, err = _cli(capsys, *command)
    assert code == 2
    assert err.count("\n") == 1 and "leer" in err, err
    assert "Traceback" not in out + err
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    "command",
    [
        ["dispatch", "--send", "--now", "morgen"],
        ["deadlines", "--now", "2021-13-01"],
        ["show", REF, "--now", "gestern"],
        ["import", str(EXAMPLE), "--now", "07.06.2021"],
    ],
)
def test_an_unparsable_now_is_one_line_and_changes_nothing(
    engine: Engine, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    assert run(["import", str(EXAMPLE), "--now", "2021-06-07T10:15"]) == 0
    before = snapshot(engine)
    code, out, err = _cli(capsys, *command)
    assert code == 2
    assert err.count("\n") == 1 and "ist kein Zeitpunkt" in err, err
    assert "Traceback" not in out + err
    assert snapshot(engine) == before


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgresql://ratsfrist:Geheim99@127.0.0.1:1/x", "nicht erreichbar"),
        ("postgresql://ratsfrist:Geheim99@127.0.0.1:5432/gibt_es_nicht", "nicht erreichbar"),
        ("postgresql://ratsfrist:Geheim99@host:port/x", "ungültig"),
        ("sqlite:////gibt/es/nicht/ratsfrist.sqlite", "nicht erreichbar"),
    ],
)
@pytest.mark.parametrize("command", [["list"], ["deadlines"], ["dispatch", "--dry-run"]])
def test_an_unreachable_or_malformed_database_is_one_line(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    url: str,
    expected: str,
    command: list[str],
) -> None:
    monkeypatch.setenv("RATSFRIST_DATABASE_URL", url)
    code, out, err = _cli(capsys, *command)
    assert code == 2
    assert err.count("\n") == 1 and expected in err, err
    assert "Geheim99" not in out + err
    assert "Traceback" not in out + err
    if url.startswith("sqlite"):  # nothing made: no file, no folder
        assert not Path(url.removeprefix("sqlite:///")).parent.exists()


def test_a_routing_file_that_is_not_utf8_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "routes.yml"
    path.write_bytes(b"version: 1\nurls:\n  - mailto://h?to=b\xe4r@example.org:\n")
    with pytest.raises(RouteError) as info:
        load_routes(path)
    assert str(info.value) == f"{path}:3: keine UTF-8-Textdatei"


def test_a_port_out_of_range_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "routes.yml"
    path.write_text(
        "version: 1\nurls:\n  - mailto://u:Geheim99@127.0.0.1:70000?to=a@example.org:\n"
        "      - tag: fachamt\n"
    )
    with pytest.raises(RouteError) as info:
        load_routes(path)
    assert str(info.value).startswith(f"{path}:3: Port außerhalb 1–65535")
    assert "Geheim99" not in str(info.value)


def test_a_misspelt_role_tag_is_refused_with_its_line(tmp_path: Path) -> None:
    """A tag no profile role knows would burn every reminder of the role it meant."""
    path = tmp_path / "routes.yml"
    path.write_text(
        "version: 1\nurls:\n"
        f"  - {MAIL}a@example.org:\n      - tag: fachamt, gremium-rat\n"
        f"  - {MAIL}b@example.org:\n      - tag: fachamtt\n"
    )
    roles = default_rules().roles
    assert "fachamt" in roles
    with pytest.raises(RouteError) as info:
        load_routes(path, roles=roles)
    assert str(info.value).startswith(f"{path}:6: unbekannter Tag 'fachamtt'")
    assert load_routes(path) is not None  # without a profile to check against: as before


BAD_ROUTES = {
    "unknown-role": (
        f"version: 1\nurls:\n  - {MAIL}a@example.org:\n      - tag: fachamtt\n".encode(),
        ":4: unbekannter Tag 'fachamtt'",
    ),
    "not-utf8": (b"version: 1\nurls:\n  - mailto://h?to=b\xe4r@example.org:\n", ":3: keine UTF-8"),
    "port": (
        f"version: 1\nurls:\n  - {MAIL.replace('2525', '70000')}a@example.org:\n"
        "      - tag: fachamt\n".encode(),
        ":3: Port außerhalb 1–65535",
    ),
    "include-cycle": (
        f"fachamt={MAIL}a@example.org\ninclude routes.txt\n".encode(),
        ":2: include 'routes.txt' schließt sich selbst ein",
    ),
}


@pytest.mark.parametrize("bad", sorted(BAD_ROUTES))
def test_dispatch_refuses_a_bad_routing_file_in_one_line_and_changes_nothing(
    engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str], bad: str
) -> None:
    """Checked before anything is marked, planned or sent: the run due at 07:30 (missed
    deadlines, escalations, reminders) has not happened when the routing file is refused."""
    assert run(["import", str(EXAMPLE), "--now", "2021-06-07T06:00"]) == 0
    content, expected = BAD_ROUTES[bad]
    path = tmp_path / "routes.txt"  # TEXT or YAML: Apprise tells them by the content
    path.write_bytes(content)
    before = snapshot(engine)
    code, out, err = _cli(
        capsys, "dispatch", "--send", "--apprise-config", path, "--now", "2021-06-11T07:30"
    )
    assert code == 2 and err.count("\n") == 1, err
    assert err.startswith(f"{path}{expected}"), err
    assert "Traceback" not in out + err
    assert snapshot(engine) == before


def test_a_url_tagged_always_receives_every_role(tmp_path: Path) -> None:
    """Apprise's convention: `always` is notified whatever tag a notification carries."""
    path = tmp_path / "routes.yml"
    path.write_text(
        "version: 1\nurls:\n"
        f"  - {MAIL}a@example.org:\n      - tag: fachamt\n"
        f"  - {MAIL}all@example.org:\n      - tag: always\n"
    )
    routes = load_routes(path, roles=default_rules().roles)
    (everyone,) = routes.for_tag("sitzungsdienst")
    assert "all%40example.org" in everyone.label
    assert len(routes.for_tag("fachamt", "Sozialausschuss")) == 2
    assert not any(r.cleared for r in routes.for_tag("leitung"))
