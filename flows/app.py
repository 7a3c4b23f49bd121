"""The one composition root: settings, engine, rules and clock, built once per process and
handed to the services; and the entry points the CLI and the flows share.

Both the CLI (directly, fast) and the Prefect flows (inside a flow run) call run_step, so a
step is validated and stored the same way however it is started. Settings are read once per
process (`current_settings()`); the CLI reads them afresh per command (`reset`), and tests reset
them with dispose_engines after each test, since they point RATSFRIST_* elsewhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from flows.settings import Settings, load_settings
from models.domain.bodies import Rulebook
from models.domain.errors import InvalidInput, RatsfristError
from models.domain.intake import ParsedPaper, parse_document
from models.domain.rules import RuleError, RuleSet
from models.domain.steps import step as step_named
from models.domain.timeutil import system_clock, to_local
from models.services import intake
from models.services.bodies import rulebook
from models.services.steps import BY_REFERENCE, perform
from models.services.views import timeline_view
from models.store.db import ensure_schema, make_engine, session_scope
from models.store.profiles import load_profile

if TYPE_CHECKING:
    from models.services.deadlines import WaitingList
    from notifications.routes import Routes

_ENGINES: dict[str, Engine] = {}
_RULES: dict[str, RuleSet] = {}
_SETTINGS: list[Settings] = []

clock: Callable[[], datetime] = system_clock
"""The one clock of the process; everything below takes `now` as an argument."""


def current_settings() -> Settings:
    """The settings of this process, read on first use."""
    if not _SETTINGS:
        _SETTINGS.append(load_settings())
    return _SETTINGS[0]


def reset() -> None:
    """Read settings and rules afresh on next use (a new CLI command, a test); engines stay,
    one per URL."""
    _SETTINGS.clear()
    _RULES.clear()


def engine_for(settings: Settings) -> Engine:
    """One engine per URL and process, its schema checked once."""
    url = settings.database_url
    if url not in _ENGINES:
        engine = make_engine(url)
        ensure_schema(engine)
        _ENGINES[url] = engine
    return _ENGINES[url]


def dispose_engines() -> None:
    """Close every engine and forget settings and rules: the state of a fresh process."""
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()
    reset()


def rules_for(settings: Settings) -> RuleSet:
    """The configured Geschäftsordnung profile (RATSFRIST_RULES), loaded once per process."""
    if settings.rules not in _RULES:
        _RULES[settings.rules] = load_profile(settings.rules)
    return _RULES[settings.rules]


def rulebook_for(settings: Settings, *, every_body: bool = False) -> Rulebook:
    """Each body's rules (its profile, state and categories; RATSFRIST_RULES for bodies
    without their own), resolved once per body: build one per step, batch or sweep; a
    sweep or dispatch reads `every_body` at once (models.services.bodies.rulebook)."""
    return rulebook(engine_for(settings), settings.rules, every_body=every_body)


def waiting_for(
    settings: Settings,
    session: Session,
    *,
    body_id: int | None = None,
    committee: str | None = None,
) -> WaitingList:
    """The deadlines not computable yet (models.services.deadlines.waiting_deadlines) by
    every body's rules, for `deadlines`, `overview` and the sweep's overview. Rules that
    cannot be loaded (RATSFRIST_RULES gone from disk) are named in the answer instead of
    failing what lists the stored deadlines, which needs no rules."""
    from models.services.deadlines import WaitingList, waiting_deadlines

    try:
        book = rulebook_for(settings, every_body=True)
    except RuleError as exc:
        return WaitingList([], [(None, str(exc))])
    return waiting_deadlines(session, book, body_id=body_id, committee=committee)


def routes_for(settings: Settings, path: str | Path) -> Routes:
    """The Apprise routes with every tag checked against the roles of all profiles in use,
    and the bodies' slugs for `koerperschaft-…` routing."""
    from models.services.bodies import body_slugs, profile_roles
    from notifications.routes import load_routes

    engine = engine_for(settings)
    routes = load_routes(path, roles=profile_roles(engine, settings.rules))
    routes.body_slugs = body_slugs(engine)
    return routes


@contextmanager
def session(config: Settings | None = None) -> Iterator[Session]:
    """One transaction on the configured database."""
    with session_scope(engine_for(config or current_settings())) as active:
        yield active


#: Lifecycle step name → the service function that performs it (models.domain.steps).
STEPS: dict[str, Callable[..., Any]] = BY_REFERENCE


@dataclass(frozen=True, slots=True)
class StepResult:
    """A step done, as the CLI and the flows report it; `committee` (of the consultation the
    step concerned) and `timeline` (for the Prefect artifact) only when asked for."""

    reference: str
    state: str
    step: str
    committee: str | None = None
    timeline: dict[str, Any] | None = None

    def summary(self) -> dict[str, Any]:
        return {"reference": self.reference, "state": self.state, "event": self.step}


def perform_step(
    step: str,
    *,
    reference: str,
    now: datetime,
    actor: str,
    settings: Settings | None = None,
    trace: bool = False,
    body: str | None = None,
    **params: Any,
) -> StepResult:
    """Perform one step in its own transaction, the motion looked up once; with `trace`, the
    same transaction also reads what a Prefect trace shows (committee, timeline)."""
    config = settings or current_settings()
    step_named(step)  # an unknown step name is bad input, not a KeyError
    with session(config) as active:
        outcome = perform(
            step,
            active,
            reference,
            now=now,
            actor=actor,
            body=body,
            rules=rulebook_for(config),
            committee=trace,
            meeting_time=config.meeting_time,
            **params,
        )
        return StepResult(
            outcome.paper.reference,
            outcome.paper.state,
            step,
            committee=outcome.committee,
            timeline=timeline_view(active, outcome.paper) if trace else None,
        )


def run_step(
    step: str,
    *,
    reference: str,
    now: datetime,
    actor: str,
    settings: Settings | None = None,
    **params: Any,
) -> dict[str, Any]:
    """Perform one step in its own transaction; returns reference, state and the event."""
    return perform_step(
        step, reference=reference, now=now, actor=actor, settings=settings, **params
    ).summary()


def received_day(received_at: datetime | None, now: datetime) -> date:
    """The day a file arrived (--received, else the import's `now`), in Berlin: the date a
    faction's letter without one is registered under, named as a doubt for the review."""
    return to_local(received_at or now).date()


def submit_document(
    path: str | Path,
    *,
    now: datetime,
    actor: str,
    received_at: datetime | None = None,
    settings: Settings | None = None,
    body: str | None = None,
) -> dict[str, Any]:
    """Parse and store one document in one transaction: all of it or nothing; filed under
    `body` (default RATSFRIST_BODY)."""
    parsed = parse_document(
        Path(path).read_bytes(), str(path), received=received_day(received_at, now)
    )
    return _store_one(parsed, now, actor, received_at, settings or current_settings(), body)


def _store_one(
    parsed: ParsedPaper,
    now: datetime,
    actor: str,
    received_at: datetime | None,
    settings: Settings,
    body: str | None = None,
) -> dict[str, Any]:
    with session_scope(engine_for(settings)) as session:
        outcome = intake.import_paper(
            session,
            parsed,
            **_intake_args(settings, now, actor, received_at, body),
        )
        return _report(outcome.paper, outcome.created, outcome.timeliness)


def _intake_args(
    settings: Settings,
    now: datetime,
    actor: str,
    received_at: datetime | None,
    body: str | None = None,
) -> dict[str, Any]:
    """What one document and a batch of them are stored with: the same for both paths."""
    return {
        "body_name": body or settings.body,
        "now": now,
        "actor": actor,
        "received_at": received_at,
        "meeting_time": settings.meeting_time,
        "rules": rulebook_for(settings),
        "intake_number": settings.intake_number,
    }


BATCH = 500
"""Documents per transaction when many are imported at once."""


def submit_documents(
    documents: list[ParsedPaper],
    *,
    now: datetime,
    actor: str,
    received_at: datetime | None = None,
    settings: Settings | None = None,
    body: str | None = None,
) -> list[dict[str, Any] | RatsfristError]:
    """Store parsed documents BATCH at a time (models.services.intake_batch), one transaction each;
    per document its report or the error that kept it out. Should a batch fail in the
    database (another process storing the same reference at the same moment), its documents
    go in one by one, each all or nothing, so the error names the one file at fault."""
    from sqlalchemy.exc import SQLAlchemyError

    from models.services.intake_batch import import_batch

    settings = settings or current_settings()
    engine = engine_for(settings)
    results: list[dict[str, Any] | RatsfristError] = []
    for start in range(0, len(documents), BATCH):
        batch = documents[start : start + BATCH]
        try:
            with session_scope(engine) as session:
                outcomes = import_batch(
                    session,
                    batch,
                    **_intake_args(settings, now, actor, received_at, body),
                )
        except SQLAlchemyError:
            results += [_one(parsed, now, actor, received_at, settings, body) for parsed in batch]
            continue
        results += [
            InvalidInput(o.error) if o.error else _report(o, o.created, o.timeliness)
            for o in outcomes
        ]
    return results


def _one(
    parsed: ParsedPaper,
    now: datetime,
    actor: str,
    received_at: datetime | None,
    settings: Settings,
    body: str | None = None,
) -> dict[str, Any] | RatsfristError:
    try:
        return _store_one(parsed, now, actor, received_at, settings, body)
    except RatsfristError as exc:
        return exc


def _report(paper: Any, created: bool, timeliness: Any) -> dict[str, Any]:
    """What the CLI and flows print of a stored document; `paper` is a Paper row or a batch
    outcome, which carry the same names."""
    return {
        "timeliness": timeliness.sentence() if timeliness else None,
        "reference": paper.reference,
        "state": paper.state,
        "created": created,
        "paperType": paper.paper_type,
        "name": paper.name,
        "uncertain": [dict(u) for u in paper.uncertain],
        "intakeNumber": paper.intake_number,
    }
