"""The `ratsfrist` command line: thin over flows.steps and models.services.

Fast by design: `--help`, `show` and `list` never import prefect (≈1 s) and lifecycle
commands call the services directly, unless a Prefect API is configured (PREFECT_API_URL):
then they run as flow runs so that they appear in the Prefect UI. Every command takes --now,
so that anyone can replay a day; errors are one line on stderr and exit code 2.
"""

from __future__ import annotations

import os
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from flows.cli_common import (
    ActorOpt,
    BodyOpt,
    JsonOpt,
    NowOpt,
    actor,
    day_option,
    now_from,
    parse_window,
    print_json,
    rules,
    session,
    settings,
)
from flows.cli_meetings import committees_app, meetings_app
from flows.cli_oparl import register as register_oparl
from models.errors import RatsfristError

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
register_oparl(app)


def _use_prefect() -> bool:
    return bool(os.environ.get("PREFECT_API_URL"))


def _step(step: str, reference: str, now: str | None, who: str | None, **params: Any) -> None:
    """Run a lifecycle step: as a Prefect flow run if an API is configured, else directly."""
    instant = now_from(now)
    name = actor(who)
    if _use_prefect():
        from flows.lifecycle import run_as_flow

        outcome = run_as_flow(step, reference=reference, now=instant, actor=name, **params)
    else:
        from flows.steps import run_step

        outcome = run_step(step, reference=reference, now=instant, actor=name, **params)
    from models.states import State

    state = State(outcome["state"])
    typer.echo(f"{outcome['reference']}: {step} → {state.value} ({state.label})")


# --- intake and views --------------------------------------------------------------------------


@app.command("import")
def import_(
    files: Annotated[list[Path], typer.Argument(help="Textdateien der Vorlagen")],
    received: Annotated[
        str | None,
        typer.Option("--received", help="Eingang (ISO); Standard: Datum des Dokuments"),
    ] = None,
    now: NowOpt = None,
    by: ActorOpt = None,
) -> None:
    """Vorlagen einlesen; jede Datei ganz oder gar nicht. Gibt das Aktenzeichen aus."""
    from flows.steps import submit_document
    from models.intake import parse_document
    from models.timeutil import parse_instant

    instant = now_from(now)
    who = actor(by)
    received_at = parse_instant(received, "--received") if received else None
    failed = 0

    def report(outcome: dict[str, Any]) -> None:
        verdict = "neu erfasst" if outcome["created"] else "unverändert, bereits erfasst"
        typer.echo(f"{outcome['reference']}\t{verdict}\t{outcome['paperType']}: {outcome['name']}")
        if outcome.get("timeliness"):
            typer.echo(f"  Antragsfrist: {outcome['timeliness']}")

    # Many files without Prefect: each parsed here (a bad file is named and skipped), all
    # stored in batches afterwards. One file, or each file as its own Prefect flow run, is
    # stored as it is read.
    batched = len(files) > 1 and not _use_prefect()
    documents = []
    for path in files:
        try:
            if not path.is_file():
                raise RatsfristError(f"{path}: Datei nicht gefunden")
            if batched:
                documents.append(parse_document(path.read_bytes(), str(path)))
                continue
            if _use_prefect():
                from flows.lifecycle import submit_as_flow

                reference = parse_document(path.read_bytes(), str(path)).reference
                outcome = submit_as_flow(str(path), reference=reference, now=instant, actor=who)
            else:
                outcome = submit_document(path, now=instant, actor=who, received_at=received_at)
        except RatsfristError as exc:
            failed += 1
            typer.echo(str(exc), err=True)
            continue
        report(outcome)
    if documents:
        from flows.steps import submit_documents

        for result in submit_documents(documents, now=instant, actor=who, received_at=received_at):
            if isinstance(result, RatsfristError):
                failed += 1
                typer.echo(str(result), err=True)
            else:
                report(result)
    if failed:
        raise typer.Exit(2)


@app.command()
def show(
    reference: str, as_json: JsonOpt = False, body: BodyOpt = None, now: NowOpt = None
) -> None:
    """Eine Vorlage mit Beratungsfolge, Fragen, Fristen und Verlauf."""
    from models import services

    with session() as active:
        paper = services.find_paper(active, reference, body)
        view = services.paper_view(active, paper, now_from(now))
    if as_json:
        print_json(view)
    else:
        _render_paper(view)


@app.command("list")
def list_(
    state: Annotated[
        str | None, typer.Option("--state", help="nur Vorlagen in diesem Zustand")
    ] = None,
    as_json: JsonOpt = False,
    now: NowOpt = None,
) -> None:
    """Alle Vorlagen, wahlweise nach Zustand gefiltert."""
    from models import services
    from models.errors import InvalidInput
    from models.states import State

    wanted = None
    if state:
        try:
            wanted = State(state)
        except ValueError:
            raise InvalidInput(
                f"--state {state!r}: erlaubt sind {', '.join(s.value for s in State)}"
            ) from None
    with session() as active:
        rows = services.list_papers(active, state=wanted)
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


# --- lifecycle steps ---------------------------------------------------------------------------


@app.command()
def schedule(
    reference: str,
    item: Annotated[str, typer.Option("--item", help="Nummer des Tagesordnungspunkts (TOP)")],
    meeting: Annotated[
        str | None,
        typer.Option("--meeting", help="Sitzungsdatum; Standard: das aus der Beratungsfolge"),
    ] = None,
    now: NowOpt = None,
    by: ActorOpt = None,
) -> None:
    """Auf die Tagesordnung der (nächsten) Sitzung setzen."""
    _step(
        "place_on_agenda",
        reference,
        now,
        by,
        item_number=item,
        meeting_day=day_option(meeting, "--meeting"),
    )


@app.command("request-report")
def request_report(
    reference: str,
    office: Annotated[str, typer.Option("--office", help="zuständige Stelle der Verwaltung")],
    now: NowOpt = None,
    by: ActorOpt = None,
) -> None:
    """Bericht / Stellungnahme der Verwaltung anfordern."""
    _step("request_report", reference, now, by, office=office)


@app.command("report")
def deliver_report(
    reference: str,
    answers: Annotated[
        str | None,
        typer.Option("--answers", help="beantwortete Fragen, z. B. 1,2,5; Standard: alle"),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="Vermerk")] = None,
    now: NowOpt = None,
    by: ActorOpt = None,
) -> None:
    """Bericht der Verwaltung liegt vor (beantwortet alle oder die genannten Fragen)."""
    from models.services import parse_question_numbers

    answered = parse_question_numbers(answers)
    _step("deliver_report", reference, now, by, answered=answered, note=note)


@app.command()
def decide(
    reference: str,
    result: Annotated[
        str,
        typer.Option(
            "--result",
            help="Ergebnis: beschlossen, geändert beschlossen, abgelehnt, vertagt, verwiesen, "
            "zur Kenntnis genommen, empfohlen, … (oder approved, rejected, postponed, …)",
        ),
    ],
    to: Annotated[
        str | None, typer.Option("--to", help="bei 'verwiesen': an welches Gremium")
    ] = None,
    referral_role: Annotated[
        str, typer.Option("--referral-role", help="bei 'verwiesen': Vorberatung oder Entscheidung")
    ] = "Vorberatung",
    text: Annotated[str | None, typer.Option("--text", help="Beschlusstext")] = None,
    now: NowOpt = None,
    by: ActorOpt = None,
) -> None:
    """Ergebnis der aktuellen Beratung eintragen."""
    from models.states import parse_result

    _step(
        "decide",
        reference,
        now,
        by,
        result=parse_result(result).value,
        referred_to=to,
        referral_role=referral_role,
        resolution_text=text,
    )


@app.command()
def implement(
    reference: str,
    office: Annotated[str, typer.Option("--office", help="für die Umsetzung zuständige Stelle")],
    now: NowOpt = None,
    by: ActorOpt = None,
) -> None:
    """Umsetzung des Beschlusses beginnen."""
    _step("start_implementation", reference, now, by, office=office)


@app.command()
def close(
    reference: str,
    note: Annotated[str | None, typer.Option("--note", help="Vermerk")] = None,
    now: NowOpt = None,
    by: ActorOpt = None,
) -> None:
    """Vorgang abschließen (erledigt)."""
    _step("close", reference, now, by, note=note)


@app.command()
def withdraw(
    reference: str,
    note: Annotated[str | None, typer.Option("--note", help="Vermerk")] = None,
    now: NowOpt = None,
    by: ActorOpt = None,
) -> None:
    """Vorlage zurückziehen (zurückgezogen)."""
    _step("withdraw", reference, now, by, note=note)


# --- deadlines ---------------------------------------------------------------------------------


@app.command()
def deadlines(
    due_within: Annotated[
        str | None, typer.Option("--due-within", help="nur fällig bis jetzt + Zeitraum, z. B. 14d")
    ] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="nur überfällige")] = False,
    committee: Annotated[str | None, typer.Option("--committee", help="nur dieses Gremium")] = None,
    include_closed: Annotated[
        bool, typer.Option("--all", help="auch erledigte und entfallene Fristen")
    ] = False,
    as_json: JsonOpt = False,
    now: NowOpt = None,
) -> None:
    """Fristen aller Vorlagen, die nächste zuerst (Stand: --now)."""
    from models.deadlines import list_deadlines

    instant = now_from(now)
    window = parse_window(due_within) if due_within else None
    with session() as active:
        rows = list_deadlines(
            active,
            now=instant,
            due_within=window,
            overdue=overdue,
            committee=committee,
            include_closed=include_closed,
        )
    if as_json:
        print_json(rows)
        return
    _render_deadlines(rows, title=f"Fristen, Stand {instant.astimezone(_berlin()):%d.%m.%Y %H:%M}")


@app.command()
def calendar(
    out: Annotated[Path, typer.Option("--out", help="Zieldatei (.ics)")],
    committee: Annotated[str | None, typer.Option("--committee", help="nur dieses Gremium")] = None,
    role: Annotated[
        str | None, typer.Option("--role", help="nur Fristen dieser Rolle (z. B. fachamt)")
    ] = None,
    include_confidential: Annotated[
        bool,
        typer.Option("--include-confidential", help="Titel nichtöffentlicher Vorlagen aufnehmen"),
    ] = False,
    now: NowOpt = None,
) -> None:
    """Fristen und Sitzungen als iCalendar-Datei (RFC 5545) zum Abonnieren."""
    from models import ics
    from models.meetings import calendar_entries

    with session() as active:
        entries = calendar_entries(
            active, committee=committee, role=role, include_confidential=include_confidential
        )
    name = "ratsfrist" + (f" – {committee}" if committee else "") + (f" – {role}" if role else "")
    data = ics.build(entries, name=name, now=now_from(now))
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(out)  # subscribers never read a half-written file
    typer.echo(f"{out}: {len(entries)} Einträge")


@app.command("rules")
def rules_(
    check: Annotated[
        Path | None, typer.Option("--check", help="diese Profildatei prüfen statt der aktiven")
    ] = None,
    as_json: JsonOpt = False,
    now: NowOpt = None,
) -> None:
    """Das aktive Regelprofil (RATSFRIST_RULES) mit jeder Frist in Worten."""
    from models.rules import describe_rule, load_profile

    active = load_profile(str(check)) if check else rules()
    data = {
        "name": active.name,
        "file": active.origin,
        "state": active.profile.profile.state,
        "closed_days": list(active.profile.profile.closed_days),
        "deadlines": {
            name: {
                "kind": rule.kind.value,
                "label": rule.title,
                "rule": describe_rule(rule),
                "responsible": rule.responsible,
                "paper_types": list(rule.paper_types) if rule.paper_types else None,
            }
            for name, rule in active.profile.deadlines.items()
        },
    }
    if as_json:
        print_json(data)
        return
    typer.echo(f"{data['name']} ({data['file']}), Feiertage {data['state']}")
    for name, rule in data["deadlines"].items():
        types = f" [{', '.join(rule['paper_types'])}]" if rule["paper_types"] else ""
        typer.echo(f"  {name}: {rule['label']} – {rule['rule']}; {rule['responsible']}{types}")


# --- reminders ---------------------------------------------------------------------------------

AppriseOpt = Annotated[
    Path | None,
    typer.Option("--apprise-config", help="Apprise-Konfiguration (sonst RATSFRIST_APPRISE_CONFIG)"),
]


def _routes(path: Path | None, required: bool) -> Any:
    from notifications.routes import RouteError, load_routes

    chosen = str(path) if path else settings().apprise_config
    if not chosen:
        if required:
            raise RouteError(
                "keine Apprise-Konfiguration: RATSFRIST_APPRISE_CONFIG oder --apprise-config"
            )
        return None
    return load_routes(chosen)


@app.command()
def reminders(
    pending: Annotated[bool, typer.Option("--pending", help="nur wartende")] = False,
    sent: Annotated[bool, typer.Option("--sent", help="nur gesendete")] = False,
    failed: Annotated[bool, typer.Option("--failed", help="nur fehlgeschlagene")] = False,
    as_json: JsonOpt = False,
    now: NowOpt = None,
) -> None:
    """Erinnerungen im Postausgang (Outbox)."""
    from notifications.queries import list_reminders

    statuses = [s for s, on in (("pending", pending), ("sent", sent), ("failed", failed)) if on]
    with session() as active:
        rows = list_reminders(active, statuses=statuses or None)
    if as_json:
        print_json(rows)
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(
        "#", "senden ab", "Vorlage", "Frist", "Schritt", "an", "Status", "Versuche", "Fehler"
    )
    for row in rows:
        table.add_row(
            str(row["id"]),
            datetime.fromisoformat(row["send_at"]).strftime("%d.%m.%Y %H:%M"),
            row["reference"],
            row["label"],
            row["step"].split("@")[0],
            row["tag"],
            row["status"],
            str(row["attempts"]),
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
    apprise_config: AppriseOpt = None,
    as_json: JsonOpt = False,
    now: NowOpt = None,
) -> None:
    """Stand --now: Versäumtes markieren, Eskalationen planen, fällige Erinnerungen senden."""
    from flows.steps import engine_for
    from notifications import outbox
    from notifications.dispatch import dispatch as run_dispatch

    instant = now_from(now)
    current = settings()
    engine = engine_for(current)
    routes = _routes(apprise_config, required=False)
    if retry_failed and not dry_run:
        outbox.retry_failed(engine, instant)
    summary = run_dispatch(
        engine,
        now=instant,
        rules=rules(),
        routes=routes,
        dry_run=dry_run,
        digest=current.digest if digest is None else digest,
        ui_url=current.ui_url,
    )
    if as_json:
        from dataclasses import asdict

        print_json(asdict(summary))
        return
    for line in summary.lines():
        typer.echo(line)


@app.command("notify-test")
def notify_test(
    tag: Annotated[str, typer.Argument(help="Tag der Route, z. B. fachamt oder leitung")],
    committee: Annotated[str | None, typer.Option("--committee", help="Gremium")] = None,
    apprise_config: AppriseOpt = None,
    now: NowOpt = None,
) -> None:
    """Eine Testnachricht an alle Empfänger einer Route senden."""
    from notifications.messages import Message
    from notifications.send import deliver

    routes = _routes(apprise_config, required=True)
    recipients = routes.for_tag(tag, committee)
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
    from models import ics

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


# --- operations --------------------------------------------------------------------------------


@app.command()
def demo(
    db: Annotated[
        Path, typer.Option("--db", help="SQLite-Datei der Demo (wird neu angelegt)")
    ] = Path("ratsfrist-demo.sqlite"),
    now: NowOpt = None,
) -> None:
    """Das Beispiel A 21/0500-01 durch den ganzen Ablauf führen (SQLite, Prefect ephemeral)."""
    from flows.demo import run_demo

    run_demo(db)


@app.command()
def serve(
    limit: Annotated[
        int | None, typer.Option("--limit", help="höchstens so viele Läufe gleichzeitig")
    ] = None,
    now: NowOpt = None,
) -> None:
    """Alle Deployments aus prefect.yaml mit ihren Zeitplänen in einem Prozess bedienen."""
    from flows.serve import serve as run_serve

    run_serve(limit=limit)


@app.command()
def config(as_json: JsonOpt = False, now: NowOpt = None) -> None:
    """Die wirksame Konfiguration, Passwörter maskiert."""
    from models.settings import config_path, mask_url

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
def db_upgrade(revision: Annotated[str, typer.Argument()] = "head", now: NowOpt = None) -> None:
    """Schema auf den neuesten (oder den genannten) Stand bringen."""
    from models.db import current_revision, make_engine, upgrade

    engine = make_engine(settings().database_url)
    upgrade(engine, revision)
    typer.echo(f"Datenbankschema auf Stand {current_revision(engine)}")


@db_app.command("current")
def db_current(now: NowOpt = None) -> None:
    """Aktueller Stand des Schemas."""
    from models.db import current_revision, head_revision, make_engine

    engine = make_engine(settings().database_url)
    typer.echo(f"{current_revision(engine) or '(leer)'} (neuester: {head_revision()})")


# --- rendering ---------------------------------------------------------------------------------


def _render_paper(view: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from models.states import State

    console = Console()
    console.print(
        f"[bold]{view['reference']}[/bold]  {view['paperType']} vom "
        f"{date.fromisoformat(view['date']):%d.%m.%Y}  "
        f"({'öffentlich' if view['public'] else 'nichtöffentlich'})"
    )
    console.print(f"[bold]{view['name']}[/bold]")
    console.print(f"Zustand: {State(view['state']).label}")
    if view["submitters"]:
        console.print("Antragsteller: " + "; ".join(view["submitters"]))
    table = Table(
        "#", "Gremium", "Sitzung", "Zuständigkeit", "Ö/N", "Ergebnis", title="Beratungsfolge"
    )
    for c in view["consultations"]:
        table.add_row(
            str(c["position"]),
            c["organization"],
            date.fromisoformat(c["meeting_date"]).strftime("%d.%m.%Y")
            if c["meeting_date"]
            else "–",
            c["role"],
            "Ö" if c["public"] else "N",
            c["result"] or "",
        )
    console.print(table)
    if view["questions"]:
        console.print(
            f"[bold]Fragen[/bold] (offen: {', '.join(map(str, view['openQuestions'])) or 'keine'})"
        )
        for number, text in enumerate(view["questions"], start=1):
            console.print(f" {number}. {text}")
    if view.get("deadlines"):
        _render_deadlines(view["deadlines"], title="Fristen", console=console)
    render_history(console, view["history"])


STATUS_LABELS = {"open": "offen", "met": "erfüllt", "missed": "versäumt", "cancelled": "entfallen"}


def _berlin() -> Any:
    from models.timeutil import BERLIN

    return BERLIN


def _render_deadlines(rows: list[dict[str, Any]], *, title: str, console: Any = None) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("fällig", "Vorlage", "Frist", "Gremium", "zuständig", "Status", title=title)
    for row in rows:
        due = datetime.fromisoformat(row["due"]).strftime("%d.%m.%Y %H:%M")
        status = STATUS_LABELS.get(row["status"], row["status"])
        style = "bold red" if row["status"] == "missed" else None
        who = row["responsible"] + (f" ({row['office']})" if row.get("office") else "")
        table.add_row(
            due,
            row["reference"],
            row["label"],
            row.get("committee") or "",
            who,
            status,
            style=style,
        )
    (console or Console()).print(table)


def render_history(console: Any, history: list[dict[str, Any]]) -> None:
    from rich.table import Table

    from models.timeline import rows

    table = Table("Zeit", "Schritt", "Zustand", "wer", "was", title="Verlauf", expand=True)
    for row in rows(history):
        table.add_row(*row)
    console.print(table)


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code: 0 done, 2 bad input (one line on stderr,
    nothing changed). Tests call this; the console script calls main()."""
    try:
        app(args=argv, prog_name="ratsfrist")
    except SystemExit as exc:  # typer/click end every run this way, with the exit code
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except RatsfristError as exc:
        typer.echo(str(exc), err=True)
        return 2
    return 0


def main() -> None:
    sys.exit(run())
