"""The lifecycle steps on the command line: `schedule`, `request-report`, `report`, `decide`,
`implement`, `close`, `withdraw`."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from flows.cli.common import (
    ActorOpt,
    NowOpt,
    actor,
    day_option,
    now_from,
    use_prefect,
)
from flows.cli.root import app


def _step(step: str, reference: str, now: str | None, who: str | None, **params: Any) -> None:
    """Run a lifecycle step: as a Prefect flow run if an API is configured, else directly."""
    instant = now_from(now)
    name = actor(who)
    if use_prefect():
        from flows.lifecycle import run_as_flow

        outcome = run_as_flow(step, reference=reference, now=instant, actor=name, **params)
    else:
        from flows.app import run_step

        outcome = run_step(step, reference=reference, now=instant, actor=name, **params)
    from models.domain.states import State

    state = State(outcome["state"])
    typer.echo(f"{outcome['reference']}: {step} → {state.value} ({state.label})")


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
    from models.services.lifecycle import parse_question_numbers

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
    from models.domain.states import parse_result

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
