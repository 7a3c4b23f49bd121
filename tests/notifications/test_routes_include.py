"""Apprise's `include` in the routing file (issue 17): included files are read as Apprise
reads them (paths relative to the including file, TEXT and YAML, one target or a list) and
checked as the main file is (each error names the file and line it is in); a cycle, nesting
deeper than INCLUDE_DEPTH and remote configuration are refused in one line."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notifications.routes import INCLUDE_DEPTH, RouteError, Routes, load_routes

ROLES = frozenset({"fachamt", "sitzungsdienst"})


def _url(to: str) -> str:
    return f"mailto://127.0.0.1:2525?from=frist@example.org&to={to}@example.org"


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def _addresses(routes: Routes, tag: str) -> list[str]:
    return sorted(
        re.findall(r":2525/([^?]+)", r.label)[0].replace("%40", "@") for r in routes.for_tag(tag)
    )


def test_included_files_add_their_routes_relative_to_the_including_file(tmp_path: Path) -> None:
    main = _write(
        tmp_path / "apprise.yml",
        "version: 1\ninclude:\n  - teams/leitung.yml\n"
        f"urls:\n  - {_url('fachamt')}:\n      - tag: fachamt\n",
    )
    _write(
        tmp_path / "teams" / "leitung.yml",
        f"include: ../betrieb.txt\nurls:\n  - {_url('leitung')}:\n      - tag: leitung\n",
    )
    _write(tmp_path / "betrieb.txt", f"# TEXT\nbetrieb={_url('betrieb')}\ninclude sitzung.txt\n")
    _write(tmp_path / "sitzung.txt", f"sitzungsdienst={_url('sitzung')}\n")
    routes = load_routes(main, roles=ROLES)
    assert _addresses(routes, "fachamt") == ["fachamt@example.org"]
    assert _addresses(routes, "leitung") == ["leitung@example.org"]
    assert _addresses(routes, "betrieb") == ["betrieb@example.org"]
    assert _addresses(routes, "sitzungsdienst") == ["sitzung@example.org"]
    assert len(routes.recipients) == 4


def test_an_unknown_tag_in_an_included_file_names_that_file_and_line(tmp_path: Path) -> None:
    main = _write(
        tmp_path / "a.yml", f"include: b.txt\nurls:\n  - {_url('x')}:\n      - tag: fachamt\n"
    )
    _write(tmp_path / "b.txt", f"# b\nfachamtt={_url('y')}\n")
    with pytest.raises(RouteError) as error:
        load_routes(main, roles=ROLES)
    assert str(error.value).startswith(f"{tmp_path / 'b.txt'}:2: unbekannter Tag 'fachamtt'")


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {"a.txt": f"fachamt={_url('a')}\ninclude b.txt\n", "b.txt": "include a.txt\n"},
            "b.txt:1: include 'a.txt' schließt sich selbst ein",
        ),
        (
            {"a.txt": f"fachamt={_url('a')}\ninclude https://cfg.example.org/x.yml\n"},
            "a.txt:2: include 'https://cfg.example.org/x.yml': nur lokale Dateien",
        ),
        (
            {"a.txt": f"fachamt={_url('a')}\n\ninclude fehlt.txt\n"},
            "fehlt.txt: Apprise-Konfiguration nicht gefunden",
        ),
        (
            {
                **{f"{n}.txt": f"include {n + 1}.txt\n" for n in range(INCLUDE_DEPTH)},
                f"{INCLUDE_DEPTH}.txt": f"fachamt={_url('a')}\ninclude {INCLUDE_DEPTH + 1}.txt\n",
                f"{INCLUDE_DEPTH + 1}.txt": f"fachamt={_url('b')}\n",
            },
            f"{INCLUDE_DEPTH}.txt:2: include '{INCLUDE_DEPTH + 1}.txt' zu tief verschachtelt",
        ),
    ],
    ids=["cycle", "remote", "missing", "too-deep"],
)
def test_bad_includes_are_refused_in_one_line_naming_file_and_line(
    tmp_path: Path, files: dict[str, str], expected: str
) -> None:
    for name, text in files.items():
        _write(tmp_path / name, text)
    first = tmp_path / next(iter(files))
    with pytest.raises(RouteError) as error:
        load_routes(first, roles=ROLES)
    message = str(error.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path)) and expected in message, message


def test_an_included_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    main = _write(tmp_path / "a.txt", f"fachamt={_url('a')}\ninclude b.txt\n")
    (tmp_path / "b.txt").write_bytes(b"# Stra\xdfe\nfachamt=" + _url("b").encode() + b"\n")
    with pytest.raises(RouteError) as error:
        load_routes(main, roles=ROLES)
    assert str(error.value) == f"{tmp_path / 'b.txt'}:1: keine UTF-8-Textdatei"


def test_the_shipped_example_loads_and_a_comment_naming_a_variable_is_left_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Its comment explains `${NAME}`; expanded like a URL it made the example unloadable."""
    from models.store.profiles import default_rules
    from tests.conftest import REPO

    monkeypatch.setenv("RATSFRIST_SMTP_PASSWORD", "Geheim-123")
    monkeypatch.delenv("NAME", raising=False)
    routes = load_routes(REPO / "examples" / "apprise.yml", roles=default_rules().roles)
    assert [r.label for r in routes.for_tag("betrieb")] and routes.for_tag("leitung")
    assert "Geheim-123" not in "".join(r.label for r in routes.recipients)
