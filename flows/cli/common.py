"""What every CLI command shares: its options, the clock, the settings, one session."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from sqlmodel import Session

    from flows.settings import Settings
    from models.domain.bodies import Rulebook
    from models.domain.rules import RuleSet

NowOpt = Annotated[
    str | None,
    typer.Option(
        "--now",
        help="Zeitpunkt, als ob jetzt (ISO 8601, z. B. 2021-06-10T07:00); Standard: die Uhr",
    ),
]
ActorOpt = Annotated[
    str | None, typer.Option("--actor", help="wer den Schritt ausführt (Standard: Benutzer)")
]
BodyOpt = Annotated[
    str | None,
    typer.Option(
        "--body",
        help="Körperschaft (Name, Kurzname oder Slug); Standard: RATSFRIST_BODY, bei "
        "Aktenzeichen: die einzige, die es hat",
    ),
]
"""--body of a command that acts on one body's papers, deadlines or meetings."""
BodyFilterOpt = Annotated[
    str | None,
    typer.Option(
        "--body", help="nur diese Körperschaft (Name, Kurzname oder Slug); Standard: alle"
    ),
]
"""--body of a command that lists or counts: without it, every body."""
JsonOpt = Annotated[bool, typer.Option("--json", help="Ausgabe als JSON")]


def now_from(now: str | None) -> datetime:
    """--now as aware UTC (parse_instant converts it), else the clock of flows.app."""
    from flows.app import clock
    from models.domain.timeutil import parse_instant

    return parse_instant(now) if now is not None else clock()


def settings() -> Settings:
    """The settings of this command (flows.app reads them once per command)."""
    from flows.app import current_settings

    return current_settings()


def rules() -> RuleSet:
    """The settings' profile (RATSFRIST_RULES): the default of bodies without their own."""
    from flows.app import rules_for

    return rules_for(settings())


def rulebook(every_body: bool = False) -> Rulebook:
    """Each body's own rules, for commands that plan deadlines (flows.app.rulebook_for);
    `every_body` read at once, for a dispatch that touches them all."""
    from flows.app import rulebook_for

    return rulebook_for(settings(), every_body=every_body)


def body_name(option: str | None) -> str:
    """The body a command acts on: the stored name of the one --body names (by name, short
    name or slug; an unknown one is bad input, not a new body with a typo for a name), else
    RATSFRIST_BODY (created on first use, as a one-body installation always did)."""
    if option is None:
        return settings().body
    from models.services.bodies import find_body

    with session() as active:
        return find_body(active, option).name


def body_filter(active: Session, option: str | None) -> int | None:
    """The id of the body --body names (an unknown one is bad input), None for all."""
    if option is None:
        return None
    from models.services.bodies import find_body

    return find_body(active, option).id


def actor(name: str | None) -> str:
    return name or settings().actor


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))


@contextmanager
def session() -> Iterator[Session]:
    from flows.app import session as app_session

    with app_session() as active:
        yield active


def day_option(text: str | None, what: str) -> Any:
    """An ISO or German date given on the command line, or None if it was not given."""
    from models.domain.timeutil import parse_day

    return parse_day(text, what) if text else None


def parse_window(text: str, what: str = "--due-within") -> timedelta:
    """'14d', '2w', '36h' or a plain number of days."""
    from models.domain.errors import InvalidInput

    raw = text.strip().lower()
    units = {"d": 1.0, "w": 7.0, "h": 1 / 24}
    try:
        if raw and raw[-1] in units:
            return timedelta(days=float(raw[:-1]) * units[raw[-1]])
        return timedelta(days=float(raw))
    except ValueError:
        raise InvalidInput(f"{what} {text!r}: erwartet z. B. 14d, 2w oder 36h") from None


def use_prefect() -> bool:
    """Lifecycle commands run as Prefect flow runs when a Prefect API is configured."""
    return bool(os.environ.get("PREFECT_API_URL"))
