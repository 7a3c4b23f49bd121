"""`cli(capsys, *args)`: one `ratsfrist` command run in-process, as the tests of the command
line call it: exit code, stdout and stderr of that command alone (what an earlier command
printed is read away first)."""

from __future__ import annotations

import pytest


def cli(capsys: pytest.CaptureFixture[str], *args: object) -> tuple[int, str, str]:
    from flows.cli import run  # imported when first run: tests/services need no CLI otherwise

    capsys.readouterr()
    code = run([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err
