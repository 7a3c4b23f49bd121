"""`ratsfrist import`, `show` and `list`: documents in, motions out."""

from __future__ import annotations

import errno
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.common import (
    ActorOpt,
    BodyFilterOpt,
    BodyOpt,
    JsonOpt,
    NowOpt,
    actor,
    body_filter,
    body_name,
    now_from,
    print_json,
    session,
    use_prefect,
)
from flows.cli.root import app
from models.domain.errors import RatsfristError


@app.command("import")
def import_(
    files: Annotated[
        list[Path], typer.Argument(help="Vorlagen als Text (jede Kodierung), PDF oder DOCX")
    ],
    received: Annotated[
        str | None,
        typer.Option("--received", help="Eingang (ISO); Standard: Datum des Dokuments"),
    ] = None,
    now: NowOpt = None,
    by: ActorOpt = None,
    body: BodyOpt = None,
) -> None:
    """Vorlagen einlesen; jede Datei ganz oder gar nicht, abgelegt unter --body (Standard:
    RATSFRIST_BODY). Gibt das Aktenzeichen aus."""
    from flows.app import submit_document
    from models.domain.intake import parse_document
    from models.domain.timeutil import parse_instant

    instant = now_from(now)
    who = actor(by)
    body = body_name(body) if body is not None else None
    received_at = parse_instant(received, "--received") if received is not None else None
    failed = 0

    def report(outcome: dict[str, Any]) -> None:
        verdict = "neu erfasst" if outcome["created"] else "unverändert, bereits erfasst"
        typer.echo(f"{outcome['reference']}\t{verdict}\t{outcome['paperType']}: {outcome['name']}")
        if outcome.get("timeliness"):
            typer.echo(f"  Antragsfrist: {outcome['timeliness']}")

    # Many files without Prefect: each parsed here (a bad file is named and skipped), all
    # stored in batches afterwards. One file, or each file as its own Prefect flow run, is
    # stored as it is read.
    batched = len(files) > 1 and not use_prefect()
    documents = []
    for path in files:
        try:
            data = read_document(path)
            if batched:
                documents.append(parse_document(data, str(path)))
                continue
            if use_prefect():
                from flows.lifecycle import submit_as_flow

                reference = parse_document(data, str(path)).reference
                outcome = submit_as_flow(
                    str(path), reference=reference, now=instant, actor=who, body=body
                )
            else:
                outcome = submit_document(
                    path, now=instant, actor=who, received_at=received_at, body=body
                )
        except RatsfristError as exc:
            failed += 1
            typer.echo(str(exc), err=True)
            continue
        report(outcome)
    if documents:
        from flows.app import submit_documents

        results = submit_documents(
            documents, now=instant, actor=who, received_at=received_at, body=body
        )
        for result in results:
            if isinstance(result, RatsfristError):
                failed += 1
                typer.echo(str(result), err=True)
            else:
                report(result)
    if failed:
        raise typer.Exit(2)


_REASONS = {
    errno.EACCES: "keine Leseberechtigung",
    errno.EPERM: "keine Leseberechtigung",
    errno.EIO: "Lesefehler des Datenträgers",
    errno.ENAMETOOLONG: "Dateiname zu lang",
    errno.ELOOP: "zu viele symbolische Verweise",
}


def read_document(path: Path) -> bytes:
    """The file's bytes, or one line `FILE: reason` (a directory named as one, a missing or
    unreadable file with why) - never a traceback or Typer's usage box."""
    try:
        if path.is_dir():
            raise RatsfristError(f"{path}: ist ein Verzeichnis, keine Datei")
        if not path.exists():
            raise RatsfristError(f"{path}: Datei nicht gefunden")
        if not path.is_file():
            raise RatsfristError(f"{path}: keine gewöhnliche Datei")
        return path.read_bytes()
    except OSError as exc:
        reason = _REASONS.get(exc.errno or 0, f"nicht lesbar ({exc.strerror or exc})")
        raise RatsfristError(f"{path}: {reason}") from None


@app.command()
def show(
    reference: str, as_json: JsonOpt = False, body: BodyOpt = None, now: NowOpt = None
) -> None:
    """Eine Vorlage mit Beratungsfolge, Fragen, Fristen und Verlauf."""
    from models.services import views
    from models.store.repo import find_paper

    with session() as active:
        paper = find_paper(active, reference, body)
        view = views.paper_view(active, paper, now_from(now))
    if as_json:
        print_json(view)
    else:
        from flows.render import render_paper

        render_paper(view)


@app.command("list")
def list_(
    state: Annotated[
        str | None, typer.Option("--state", help="nur Vorlagen in diesem Zustand")
    ] = None,
    as_json: JsonOpt = False,
    body: BodyFilterOpt = None,
    now: NowOpt = None,
) -> None:
    """Alle Vorlagen, wahlweise nach Zustand und Körperschaft gefiltert."""
    from models.domain.errors import InvalidInput
    from models.domain.states import State
    from models.services import views

    wanted = None
    if state:
        try:
            wanted = State(state)
        except ValueError:
            raise InvalidInput(
                f"--state {state!r}: erlaubt sind {', '.join(s.value for s in State)}"
            ) from None
    with session() as active:
        rows = views.list_papers(active, state=wanted, body_id=body_filter(active, body))
    if as_json:
        print_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table("Nr.", "Art", "Datum", "Titel", "Zustand")
    for row in rows:
        table.add_row(
            row["reference"], row["paperType"], row["date"], row["name"], State(row["state"]).label
        )
    Console().print(table)
