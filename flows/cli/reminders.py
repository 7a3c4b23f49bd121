"""`ratsfrist reminders`, `dispatch` and `notify-test`: the outbox and its routes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli.common import (
    BodyFilterOpt,
    BodyOpt,
    JsonOpt,
    NowOpt,
    body_filter,
    now_from,
    print_json,
    rulebook,
    session,
    settings,
)
from flows.cli.root import app
from models.domain.errors import RatsfristError

#: `ratsfrist dispatch` ends with this code when a reminder failed for good in this run (a 5xx
#: reply, or the last of its attempts): a cron job or a wrapper sees it (2 is bad input).
DELIVERY_FAILED = 3

AppriseOpt = Annotated[
    Path | None,
    typer.Option("--apprise-config", help="Apprise-Konfiguration (sonst RATSFRIST_APPRISE_CONFIG)"),
]


def _routes(path: Path | None, required: bool) -> Any:
    from flows.app import routes_for
    from notifications.routes import RouteError

    chosen = str(path) if path else settings().apprise_config
    if not chosen:
        if required:
            raise RouteError(
                "keine Apprise-Konfiguration: RATSFRIST_APPRISE_CONFIG oder --apprise-config"
            )
        return None
    return routes_for(settings(), chosen)


@app.command()
def reminders(
    pending: Annotated[bool, typer.Option("--pending", help="nur wartende")] = False,
    sent: Annotated[bool, typer.Option("--sent", help="nur gesendete")] = False,
    failed: Annotated[bool, typer.Option("--failed", help="nur fehlgeschlagene")] = False,
    sending: Annotated[
        bool, typer.Option("--sending", help="nur die gerade im Versand (mit Lauf und Frist)")
    ] = False,
    as_json: JsonOpt = False,
    body: BodyFilterOpt = None,
) -> None:
    """Erinnerungen im Postausgang (Outbox), für alle Körperschaften oder eine."""
    from models.domain.vocab import ReminderStatus
    from notifications.queries import list_reminders

    chosen = (
        (ReminderStatus.pending, pending),
        (ReminderStatus.sent, sent),
        (ReminderStatus.failed, failed),
        (ReminderStatus.sending, sending),
    )
    statuses = [s for s, on in chosen if on]
    with session() as active:
        body_id = body_filter(active, body)
        rows = list_reminders(active, statuses=statuses or None, body_id=body_id)
    if as_json:
        print_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    columns = ["#", "senden ab", "Vorlage", "Frist", "Schritt", "an", "Status", "Versuche"]
    columns += ["Lauf", "Lease bis"] if sending else []
    table = Table(*columns, "Fehler")
    for row in rows:
        lease = []
        if sending:
            until = row["claimed_until"]
            until = datetime.fromisoformat(until).strftime("%d.%m.%Y %H:%M:%S") if until else ""
            lease = [row["claimed_by"] or "", until]
        table.add_row(
            str(row["id"]),
            datetime.fromisoformat(row["send_at"]).strftime("%d.%m.%Y %H:%M"),
            row["reference"],
            row["label"],
            row["step"].split("@")[0],
            row["tag"],
            row["status"],
            str(row["attempts"]),
            *lease,
            row["last_error"] or "",
        )
    Console().print(table)


@app.command()
def dispatch(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="nur zeigen, nichts senden")] = False,
    digest: Annotated[
        bool | None, typer.Option("--digest/--no-digest", help="Sammel-Mail je Empfänger")
    ] = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="fehlgeschlagene erneut versuchen")
    ] = False,
    send: Annotated[
        bool,
        typer.Option("--send", help="auch bei --now in der Vergangenheit wirklich senden"),
    ] = False,
    apprise_config: AppriseOpt = None,
    as_json: JsonOpt = False,
    body: BodyFilterOpt = None,
    now: NowOpt = None,
) -> None:
    """Stand --now: Versäumtes markieren, Eskalationen planen, fällige Erinnerungen senden
    (mit --body nur die dieser Körperschaft). Liegt --now über eine Stunde zurück, ist es
    ein Probelauf, außer mit --send.
    Exit-Code 3: mindestens eine Erinnerung ist endgültig fehlgeschlagen (5xx oder zu oft)."""
    from flows import app as composition
    from flows.app import engine_for
    from notifications import outbox
    from notifications.dispatch import REPLAY_TOLERANCE, is_replay
    from notifications.dispatch import dispatch as run_dispatch

    instant = now_from(now)
    if now and not send and not dry_run and is_replay(instant, composition.clock()):
        dry_run = True
        hours = int(REPLAY_TOLERANCE.total_seconds() // 3600)
        typer.echo(
            f"--now liegt mehr als {hours} Stunde zurück: Probelauf, nichts gesendet "
            "(--send sendet wirklich)",
            err=True,
        )
    current = settings()
    engine = engine_for(current)
    with session() as active:
        body_id = body_filter(active, body)  # an unknown --body: one line, nothing sent
    routes = _routes(apprise_config, required=False)
    if retry_failed and not dry_run:
        outbox.retry_failed(engine, instant)
    summary = run_dispatch(
        engine,
        now=instant,
        rules=rulebook(every_body=True),
        routes=routes,
        dry_run=dry_run,
        digest=current.digest if digest is None else digest,
        ui_url=current.ui_url,
        senders=current.senders,
        body_id=body_id,
    )
    if as_json:
        from dataclasses import asdict

        print_json(asdict(summary))
    else:
        for line in summary.lines():
            typer.echo(line)
    if summary.failed:
        typer.echo(
            f"Zustellung endgültig fehlgeschlagen: {summary.failed} Erinnerung(en), "
            "siehe ratsfrist reminders --failed",
            err=True,
        )
        raise typer.Exit(DELIVERY_FAILED)


@app.command("notify-test")
def notify_test(
    tag: Annotated[str, typer.Argument(help="Tag der Route, z. B. fachamt oder leitung")],
    committee: Annotated[str | None, typer.Option("--committee", help="Gremium")] = None,
    apprise_config: AppriseOpt = None,
    body: BodyOpt = None,
    now: NowOpt = None,
) -> None:
    """Eine Testnachricht an alle Empfänger einer Route senden, wie die Erinnerungen der
    Körperschaft (--body, Standard: RATSFRIST_BODY) sie bekommen: auch an die auf sie
    beschränkten Empfänger (koerperschaft-…)."""
    from models.domain.errors import NotFound
    from models.services.bodies import find_body
    from notifications.messages import Message
    from notifications.send import deliver

    with session() as active:
        if body is not None:
            body_id = find_body(active, body).id  # an unknown --body: one line, nothing sent
        else:
            try:
                body_id = find_body(active, settings().body).id
            except NotFound:
                body_id = None  # RATSFRIST_BODY not created yet: the routes of no body
    routes = _routes(apprise_config, required=True)
    recipients = routes.for_tag(tag, committee, body_id)
    if not recipients:
        raise RatsfristError(f"kein Empfänger mit Tag {tag!r} in {routes.source}")
    instant = now_from(now)
    message = Message(
        subject=f"ratsfrist: Testnachricht an '{tag}'",
        text="Diese Route funktioniert.",
        html="<p>Diese Route von <strong>ratsfrist</strong> funktioniert.</p>",
        ics=b"",
        ics_name="leer.ics",
    )
    from models.domain import ics

    message = Message(**{**message.__dict__, "ics": ics.build([], name="Test", now=instant)})
    failures = 0
    for recipient in recipients:
        outcome = deliver(recipient, message, routes)
        typer.echo(
            f"{'ok    ' if outcome.ok else 'FEHLER'} {recipient.label}"
            + (f": {outcome.error}" if outcome.error else "")
        )
        failures += not outcome.ok
    if failures:
        raise typer.Exit(1)
