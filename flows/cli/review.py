"""`ratsfrist review`: the fields of a motion the intake was unsure of, listed, then
corrected (`--set feld=wert`) or confirmed (`--confirm`). Its own command rather than one
generated from the registry, since without options it only shows what is to be checked."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from flows.cli.common import ActorOpt, NowOpt, actor, now_from, session, use_prefect
from flows.cli.root import app


@app.command()
def review(
    reference: str,
    corrections: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            help="Feld berichtigen: titel=…, nummer=…, datum=…, fragen='… | …', gremium.2=…, "
            "sitzung.1=…, beratungsfolge= (keine: dann zuweisen); mehrfach",
        ),
    ] = None,
    confirm: Annotated[
        bool, typer.Option("--confirm", help="die übrigen Felder wie gelesen bestätigen")
    ] = False,
    now: NowOpt = None,
    by: ActorOpt = None,
) -> None:
    """Unsichere Felder einer Vorlage prüfen: ohne Optionen nur anzeigen; mit --set
    berichtigen, mit --confirm bestätigen. Danach laufen die Fristen."""
    from models.domain.review import parse_corrections, word_of
    from models.domain.states import State
    from models.domain.steps import REVIEW, FieldError

    if not corrections and not confirm:
        from models.store.repo import find_paper

        with session() as active:
            paper = find_paper(active, reference)
            doubts, state, shown = list(paper.uncertain), State(paper.state), paper.reference
        if state is not State.in_review:
            typer.echo(f"{shown}: nichts zu prüfen ({state.label})")
            return
        typer.echo(f"{shown}: {len(doubts)} Feld(er) zu prüfen")
        for doubt in doubts:
            typer.echo(f"  {word_of(doubt['field'])}: {doubt['reason']}")
        typer.echo("berichtigen mit --set feld=wert, bestätigen mit --confirm")
        return
    instant, name = now_from(now), actor(by)
    try:
        params: dict[str, Any] = {
            "corrections": parse_corrections(corrections or []),
            "confirm": confirm,
        }
        if use_prefect():
            from flows.lifecycle import run_as_flow

            outcome = run_as_flow(
                REVIEW.name, reference=reference, now=instant, actor=name, **params
            )
        else:
            from flows.app import run_step

            outcome = run_step(REVIEW.name, reference=reference, now=instant, actor=name, **params)
    except FieldError as exc:
        raise FieldError(exc.field, exc.for_caller(REVIEW.flags)) from None
    state = State(outcome["state"])
    typer.echo(f"{outcome['reference']}: geprüft → {state.value} ({state.label})")
