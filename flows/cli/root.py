"""The Typer application every command module registers on."""

from __future__ import annotations

import typer

from flows.cli.bodies import bodies_app
from flows.cli.meetings import committees_app, meetings_app
from flows.cli.oparl import register as register_oparl

app = typer.Typer(
    name="ratsfrist",
    help="Fristen und Abläufe für Anträge, Vorschläge und Anfragen kommunaler Gremien.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
db_app = typer.Typer(help="Datenbankschema (Alembic-Migrationen).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(meetings_app, name="meetings")
app.add_typer(committees_app, name="committees")
app.add_typer(bodies_app, name="bodies")
register_oparl(app)
