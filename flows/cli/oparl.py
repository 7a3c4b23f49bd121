"""`ratsfrist sync-oparl`, `import-oparl` and `export-oparl`: the council information system."""

from __future__ import annotations

import sys
from datetime import time
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.common import BodyOpt, JsonOpt, NowOpt, now_from, print_json, rules, settings

SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="nur seit diesem Zeitpunkt Geändertes (ISO 8601); Standard: seit dem letzten Lauf",
    ),
]


def _print_report(report: Any, as_json: bool) -> None:
    if as_json:
        print_json(report.as_dict())
        return
    for line in report.lines() or ["nichts zu tun"]:
        typer.echo(line)


def sync_oparl(
    url: Annotated[
        str | None,
        typer.Argument(help="OParl-System oder -Body (Standard: RATSFRIST_OPARL_URL)"),
    ] = None,
    since: SinceOpt = None,
    body: BodyOpt = None,
    timeout: Annotated[float, typer.Option("--timeout", help="Sekunden je Anfrage")] = 30.0,
    retries: Annotated[int, typer.Option("--retries", help="Wiederholungen bei 5xx")] = 4,
    history_before: Annotated[
        str | None,
        typer.Option(
            "--history-before",
            help="Sitzungen vor diesem Tag sind Archiv, ohne offene Fristen (Standard: "
            "RATSFRIST_OPARL_HISTORY_BEFORE, sonst der Tag des ersten Abgleichs)",
        ),
    ] = None,
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Vorlagen, Beratungen und Sitzungen aus dem Ratsinformationssystem übernehmen (OParl
    1.1); ein abgebrochener Lauf setzt auf der Seite fort, auf der er stand."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from flows.app import engine_for
    from models.domain.errors import InvalidInput
    from models.domain.timeutil import local_datetime, parse_day, parse_instant
    from models.services.oparl_client import OParlClient
    from models.services.oparl_sync import sync_endpoint

    config = settings()
    target = url or config.oparl_url
    if not target:
        raise InvalidInput("URL fehlt: als Argument oder RATSFRIST_OPARL_URL angeben")
    instant = now_from(now)
    changed_since = parse_instant(since, "--since") if since is not None else None
    cut_off = parse_day(history_before, "--history-before") if history_before is not None else None
    archive_day = cut_off or config.oparl_history_before
    archive = local_datetime(archive_day, time(0, 0)) if archive_day else None
    with (
        Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            console=Console(stderr=True),
            transient=True,
            # on a terminal only: stdout stays the report, a log file gets no bar frames
            disable=as_json or not sys.stderr.isatty(),
        ) as bar,
        OParlClient(timeout=timeout, retries=retries) as client,
    ):
        tasks: dict[str, Any] = {}

        def progress(name: str, done: int, total: int | None) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(name, total=total)
            bar.update(tasks[name], completed=done, total=total)

        report = sync_endpoint(
            engine_for(config),
            target,
            now=instant,
            rules=rules(),
            client=client,
            since=changed_since,
            body_name=body,
            fallback_name=config.body,
            progress=progress,
            vendor=config.oparl_vendor,
            history_before=archive,
        )
    _print_report(report, as_json)


def import_oparl(
    paths: Annotated[
        list[Path], typer.Argument(help="OParl-JSON-Dateien (Objekt, Listenseite) oder Ordner")
    ],
    now: NowOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """OParl-JSON aus Dateien übernehmen; alle Dateien ganz oder gar nicht."""
    from flows.app import engine_for
    from models.services.oparl_files import import_files

    config = settings()
    report = import_files(
        engine_for(config),
        paths,
        now=now_from(now),
        rules=rules(),
        fallback_name=config.body,
    )
    _print_report(report, as_json)


def export_oparl(
    directory: Annotated[Path, typer.Argument(help="Zielordner")],
    base_url: Annotated[
        str,
        typer.Option("--base-url", help="Adresse, unter der die Dateien veröffentlicht werden"),
    ] = "https://ratsfrist.invalid/oparl",
    body: BodyOpt = None,
    confidential: Annotated[
        bool,
        typer.Option("--nichtoeffentlich", help="auch nichtöffentliche Vorlagen ausgeben"),
    ] = False,
) -> None:
    """OParl-1.1-JSON schreiben (Body, Gremien, Sitzungen, Vorlagen mit Beratungen), gegen
    die offiziellen Schemas geprüft."""
    from flows.cli.common import session
    from models.services.oparl_export import export_body, write_export

    with session() as active:
        row = export_body(active, body, settings().body)
        counts = write_export(
            active, row, directory, base_url=base_url, include_confidential=confidential
        )
    typer.echo(
        f"{directory}: {counts['Paper']} Vorlagen, {counts['Meeting']} Sitzungen, "
        f"{counts['Organization']} Gremien (OParl 1.1, Schema geprüft)"
    )


def oparl_review(as_json: JsonOpt = False) -> None:
    """Ergebnisse aus dem Ratsinformationssystem, die nicht eindeutig zu lesen waren
    ("Ergebnis prüfen"): von Hand mit `ratsfrist decide` eintragen."""
    from flows.cli.common import session
    from models.services.oparl_catch_up import results_to_review

    with session() as active:
        rows = results_to_review(active)
    if as_json:
        print_json(rows)
        return
    if not rows:
        typer.echo("keine Ergebnisse zu prüfen")
        return
    for row in rows:
        short = " ".join(str(row["result"] or "").split())
        short = short if len(short) <= 80 else short[:79] + "…"
        typer.echo(
            f"{row['reference'] or '(Vorlage nicht erfasst)'} – {row['organization']} "
            f"{str(row['meeting'])[:10]} TOP {row['agendaItem']}: {row['review']}\n"
            f"    {short!r}  {row['source'] or ''}"
        )
    typer.echo(f"{len(rows)} Ergebnisse zu prüfen")


def register(app: typer.Typer) -> None:
    app.command("sync-oparl")(sync_oparl)
    app.command("import-oparl")(import_oparl)
    app.command("export-oparl")(export_oparl)
    app.command("oparl-review")(oparl_review)
