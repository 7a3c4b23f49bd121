"""The `ratsfrist` command line: thin over flows.app and models.services.

Fast by design: `--help`, `show` and `list` never import prefect (≈1 s) and lifecycle
commands call the services directly, unless a Prefect API is configured (PREFECT_API_URL):
then they run as flow runs so that they appear in the Prefect UI. Every command takes --now,
so that anyone can replay a day; errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys

import typer

# Each module registers its commands on the one Typer app, in the order `--help` lists them.
from flows.cli import deadlines, lifecycle, ops, papers, reminders, reports, review  # noqa: F401
from flows.cli.root import app
from models.domain.errors import RatsfristError


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code: 0 done, 2 bad input (one line on stderr,
    nothing changed). Tests call this; the console script calls main()."""
    loaded = sys.modules.get(
        "flows.app"
    )  # not imported yet: nothing to forget (and --help stays light)
    if loaded is not None:
        loaded.reset()  # each command reads the settings once, as its own process would
    try:
        app(args=argv, prog_name="ratsfrist")
    except SystemExit as exc:  # typer/click end every run this way, with the exit code
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except RatsfristError as exc:
        typer.echo(str(exc), err=True)
        return 2
    except Exception as exc:
        if not type(exc).__module__.startswith("sqlalchemy"):
            raise
        # The database failed mid-command (server gone, disk full): the transaction was
        # rolled back; one line, never a traceback or the SQL with its parameters.
        from models.store.db import reason

        typer.echo(f"Datenbankfehler, nichts geändert: {reason(exc)}", err=True)
        return 2
    return 0


def main() -> None:
    sys.exit(run())
