"""`ratsfrist demo`, `serve`, `config` and `db …`: running and operating ratsfrist."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from flows.cli.common import (
    JsonOpt,
    NowOpt,
    now_from,
    print_json,
    rules,
    settings,
)
from flows.cli.root import app, db_app


@app.command()
def demo(
    db: Annotated[
        Path, typer.Option("--db", help="SQLite-Datei der Demo (wird neu angelegt)")
    ] = Path("ratsfrist-demo.sqlite"),
) -> None:
    """Das Beispiel A 21/0500-01 durch den ganzen Ablauf führen (SQLite, Prefect ephemeral)."""
    import os

    # Prefect gives its ephemeral server 20 s to start; a busy machine (a CI runner, a
    # laptop compiling) needs more, and a newcomer's first `make demo` should not time out.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    from flows.demo import run_demo

    run_demo(db)


@app.command()
def serve(
    limit: Annotated[
        int | None, typer.Option("--limit", help="höchstens so viele Läufe gleichzeitig")
    ] = None,
) -> None:
    """Alle Deployments aus prefect.yaml mit ihren Zeitplänen in einem Prozess bedienen."""
    from flows.serve import serve as run_serve

    run_serve(limit=limit)


@app.command()
def config(as_json: JsonOpt = False, now: NowOpt = None) -> None:
    """Die wirksame Konfiguration, Passwörter maskiert."""
    from flows.settings import config_path, mask_url

    current = settings()
    data = current.model_dump(mode="json")
    data["database_url"] = mask_url(current.database_url)
    data["rules_profile"] = f"{rules().name} ({rules().origin})"
    data["now"] = now_from(now).isoformat()
    data["config_file"] = f"{config_path()} ({'vorhanden' if config_path().exists() else 'fehlt'})"
    data["prefect_api_url"] = os.environ.get("PREFECT_API_URL") or "(ephemeral)"
    if as_json:
        print_json(data)
        return
    for key, value in data.items():
        typer.echo(f"{key} = {value}")


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head") -> None:
    """Schema auf den neuesten (oder den genannten) Stand bringen."""
    from models.store.db import current_revision, make_engine, upgrade

    engine = make_engine(settings().database_url)
    upgrade(engine, revision)
    typer.echo(f"Datenbankschema auf Stand {current_revision(engine)}")


@db_app.command("current")
def db_current() -> None:
    """Aktueller Stand des Schemas."""
    from models.store.db import current_revision, head_revision, make_engine

    engine = make_engine(settings().database_url)
    typer.echo(f"{current_revision(engine) or '(leer)'} (neuester: {head_revision()})")
