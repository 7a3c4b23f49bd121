"""The lifecycle steps on the command line: `schedule`, `request-report`, `report`, `decide`,
`implement`, `close`, `withdraw`, `dringlich`, `fristverlaengerung`, one command per entry of
models.domain.steps.

Each command takes the reference, one option per field of its step (the flag and help the
registry gives), --now and --actor. Options arrive as text and go through the field's own
parser; errors that name a field are shown with its flag.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Annotated, Any

import typer

from flows.cli.common import ActorOpt, BodyOpt, NowOpt, actor, now_from, use_prefect
from flows.cli.root import app
from models.domain.steps import STEPS, FieldError, Step


def _step(
    spec: Step,
    reference: str,
    now: str | None,
    who: str | None,
    body: str | None = None,
    **params: Any,
) -> None:
    """Run a lifecycle step: as a Prefect flow run if an API is configured, else directly."""
    instant = now_from(now)
    name = actor(who)
    try:
        if use_prefect():
            from flows.lifecycle import run_as_flow

            outcome = run_as_flow(
                spec.name, reference=reference, now=instant, actor=name, body=body, **params
            )
        else:
            from flows.app import run_step

            outcome = run_step(
                spec.name, reference=reference, now=instant, actor=name, body=body, **params
            )
    except FieldError as exc:
        raise FieldError(exc.field, exc.for_caller(spec.flags)) from None
    from models.domain.states import State

    state = State(outcome["state"])
    typer.echo(f"{outcome['reference']}: {spec.name} → {state.value} ({state.label})")


def _command(spec: Step) -> Callable[..., None]:
    """A Typer command for the step: its signature is built from the registry entry."""
    # A yes/no field is a flag on the command line; its parser reads the form's "ja".
    texts = {p.name for p in spec.params if p.parse and p.annotation is not bool}

    def command(
        reference: str, now: str | None, by: str | None, body: str | None, **options: Any
    ) -> None:
        params = {}
        for p in spec.params:
            text = options[p.name]
            if p.parse is None or p.name not in texts:
                params[p.name] = text
            else:  # an empty optional text means "not given", as before the registry
                params[p.name] = p.parse(text, p.flag) if text or p.required else None
        _step(spec, reference, now, by, body, **params)

    keyword = inspect.Parameter.POSITIONAL_OR_KEYWORD
    options = [
        inspect.Parameter(
            p.name,
            keyword,
            annotation=Annotated[
                str if p.required else (str | None if p.name in texts else p.annotation),
                typer.Option(p.flag, help=p.help),
            ],
            **({} if p.required else {"default": p.default}),
        )
        for p in spec.params
    ]
    parameters = [
        inspect.Parameter("reference", keyword, annotation=str),
        *sorted(options, key=lambda p: p.default is not inspect.Parameter.empty),
        inspect.Parameter("now", keyword, annotation=NowOpt, default=None),
        inspect.Parameter("by", keyword, annotation=ActorOpt, default=None),
        inspect.Parameter("body", keyword, annotation=BodyOpt, default=None),
    ]
    command.__signature__ = inspect.Signature(parameters, return_annotation=None)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in parameters} | {"return": None}
    command.__name__ = command.__qualname__ = spec.name
    command.__doc__ = spec.help
    return command


for _spec in STEPS:
    if _spec.command:
        app.command(_spec.command)(_command(_spec))
