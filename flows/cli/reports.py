"""`ratsfrist watch` and `ratsfrist beschlusskontrolle`: what managers and the council read
(the same lists and report the `beobachtungslisten` and `beschlusskontrolle` deployments
publish)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from flows.cli.common import JsonOpt, NowOpt, day_option, now_from, print_json, session, settings
from flows.cli.root import app


@app.command()
def watch(
    weeks: Annotated[
        int | None,
        typer.Option(
            "--weeks", help="ohne Schritt seit so vielen Wochen (Standard: RATSFRIST_WATCH_WEEKS)"
        ),
    ] = None,
    as_json: JsonOpt = False,
    now: NowOpt = None,
) -> None:
    """Beobachtungslisten: Vorlagen ohne Schritt seit Wochen, Verweisungen ohne Termin,
    Umsetzungen über der Wiedervorlage, Ergebnisse zu prüfen."""
    from flows.render_reports import print_sections, watch_heading, watch_sections
    from models.domain.errors import InvalidInput
    from models.services.watch import watch_lists

    if weeks is not None and weeks < 1:
        raise InvalidInput(f"--weeks {weeks}: mindestens 1 Woche")
    instant = now_from(now)
    with session() as active:
        lists = watch_lists(active, instant, weeks or settings().watch_weeks)
    sections = watch_sections(lists)
    if as_json:
        print_json(
            {"now": instant.isoformat(), "weeks": lists.weeks}
            | {section.title: section.records() for section in sections}
        )
        return
    print_sections(watch_heading(lists), sections)


@app.command()
def beschlusskontrolle(
    since: Annotated[
        str | None, typer.Option("--since", help="nur Beschlüsse seit diesem Tag (2026-01-01)")
    ] = None,
    committee: Annotated[
        str | None, typer.Option("--committee", help="nur Beschlüsse dieses Gremiums")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="md, html oder pdf")] = "md",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            help="Zieldatei (Standard: md und html auf die Ausgabe, pdf in "
            "beschlusskontrolle-DATUM.pdf)",
        ),
    ] = None,
    include_confidential: Annotated[
        bool,
        typer.Option(
            "--include-confidential",
            help="Titel nichtöffentlicher Vorlagen zeigen (nur für berechtigte Empfänger)",
        ),
    ] = False,
    now: NowOpt = None,
) -> None:
    """Beschlusskontrolle: jeder Beschluss mit Stand der Umsetzung, zuständiger Stelle,
    Wiedervorlage und Überfälligem (Markdown, HTML oder PDF)."""
    from flows.render_reports import (
        FORMATS,
        decision_heading,
        decision_sections,
        render,
        report_file_name,
        write_atomic,
    )
    from models.domain.errors import InvalidInput
    from models.services.decision_report import decision_report

    if fmt not in FORMATS:
        raise InvalidInput(f"--format {fmt!r}: erlaubt sind {', '.join(FORMATS)}")
    first_day = day_option(since, "--since")
    instant = now_from(now)
    with session() as active:
        report = decision_report(active, instant, since=first_day, committee=committee)
    data = render(decision_heading(report), decision_sections(report, include_confidential), fmt)
    if output is None and fmt != "pdf":
        typer.echo(data.decode("utf-8"), nl=False)
        return
    target = output or Path(report_file_name(instant, fmt))
    write_atomic(target, data)
    typer.echo(f"{target}: {len(report.rows)} Beschlüsse, {len(report.overdue)} mit Überfälligem")
