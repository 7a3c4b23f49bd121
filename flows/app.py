"""Running one lifecycle step against the configured database, without Prefect.

Both the CLI (directly, fast) and the Prefect flows (inside a flow run) call run_step, so a
step is validated and stored the same way however it is started.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from flows.settings import Settings, load_settings
from models.domain.errors import InvalidInput, RatsfristError
from models.domain.intake import ParsedPaper, parse_document
from models.domain.rules import RuleSet
from models.domain.timeutil import to_utc
from models.services import lifecycle as services
from models.store.db import ensure_schema, make_engine, session_scope
from models.store.profiles import load_profile

_ENGINES: dict[str, Engine] = {}


def engine_for(settings: Settings) -> Engine:
    """One engine per URL and process, its schema checked once."""
    url = settings.database_url
    if url not in _ENGINES:
        engine = make_engine(url)
        ensure_schema(engine)
        _ENGINES[url] = engine
    return _ENGINES[url]


def dispose_engines() -> None:
    for engine in _ENGINES.values():
        engine.dispose()
    _ENGINES.clear()


def rules_for(settings: Settings) -> RuleSet:
    """The configured Geschäftsordnung profile (RATSFRIST_RULES), loaded once per process."""
    return load_profile(settings.rules)


#: Lifecycle step name → the service function that performs it.
STEPS: dict[str, Callable[..., Any]] = {
    "place_on_agenda": services.place_on_agenda,
    "request_report": services.request_report,
    "deliver_report": services.deliver_report,
    "decide": services.decide,
    "start_implementation": services.start_implementation,
    "close": services.close,
    "withdraw": services.withdraw,
}


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
    settings = settings or load_settings()
    with session_scope(engine_for(settings)) as session:
        paper = STEPS[step](
            session, reference, now=to_utc(now), actor=actor, rules=rules_for(settings), **params
        )
        return {"reference": paper.reference, "state": paper.state, "event": step}


def submit_document(
    path: str | Path,
    *,
    now: datetime,
    actor: str,
    received_at: datetime | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    """Parse and store one document in one transaction: all of it or nothing."""
    parsed = parse_document(Path(path).read_bytes(), str(path))
    return _store_one(parsed, now, actor, received_at, settings or load_settings())


def _store_one(
    parsed: ParsedPaper,
    now: datetime,
    actor: str,
    received_at: datetime | None,
    settings: Settings,
) -> dict[str, Any]:
    with session_scope(engine_for(settings)) as session:
        outcome = services.import_paper(
            session,
            parsed,
            **_intake_args(settings, now, actor, received_at),
        )
        return _report(outcome.paper, outcome.created, outcome.timeliness)


def _intake_args(
    settings: Settings, now: datetime, actor: str, received_at: datetime | None
) -> dict[str, Any]:
    """What one document and a batch of them are stored with: the same for both paths."""
    return {
        "body_name": settings.body,
        "now": to_utc(now),
        "actor": actor,
        "received_at": received_at,
        "meeting_time": settings.meeting_time,
        "rules": rules_for(settings),
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
) -> list[dict[str, Any] | RatsfristError]:
    """Store parsed documents BATCH at a time (models.services.intake_batch), one transaction each;
    per document its report or the error that kept it out. Should a batch fail in the
    database (another process storing the same reference at the same moment), its documents
    go in one by one, each all or nothing, so the error names the one file at fault."""
    from sqlalchemy.exc import SQLAlchemyError

    from models.services.intake_batch import import_batch

    settings = settings or load_settings()
    engine = engine_for(settings)
    results: list[dict[str, Any] | RatsfristError] = []
    for start in range(0, len(documents), BATCH):
        batch = documents[start : start + BATCH]
        try:
            with session_scope(engine) as session:
                outcomes = import_batch(
                    session,
                    batch,
                    **_intake_args(settings, now, actor, received_at),
                )
        except SQLAlchemyError:
            results += [_one(parsed, now, actor, received_at, settings) for parsed in batch]
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
) -> dict[str, Any] | RatsfristError:
    try:
        return _store_one(parsed, now, actor, received_at, settings)
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
    }


def committee_of(reference: str, settings: Settings | None = None) -> str | None:
    """The committee of the motion's current consultation, for run tags in the Prefect UI."""
    settings = settings or load_settings()
    with session_scope(engine_for(settings)) as session:
        paper = services.find_paper(session, reference)
        consultation = services.current_consultation(session, paper)
        if consultation is None:
            return None
        org = session.get(services.Organization, consultation.organization_id)
        return org.name if org else None
