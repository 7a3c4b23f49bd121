"""The deadline sweep: the heart of the scheduled runs.

One flow run per sweep, set-based over all motions: mark missed deadlines, plan escalations,
send every due reminder (the same `dispatch` as `ratsfrist dispatch`), then publish what
managers look at, as keyed artifacts whose versions form a history on the Artifacts page, and
events in the `ratsfrist.*` namespace for automations. Safe at any time and as often as
wanted: two sweeps for the same instant end as one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.runtime import flow_run

from flows.app import current_settings, engine_for, rules_for
from flows.events import emit_missed, emit_sent
from models.domain.timeutil import system_clock, to_local
from models.services.overview import overdue_count, overdue_rows, overview_markdown
from models.store.db import session_scope

OVERDUE_KEY = "ueberfaellige-fristen"
OVERVIEW_KEY = "fristen-uebersicht"


def _run_name() -> str:
    now = flow_run.parameters.get("now") or system_clock()
    if isinstance(now, str):
        now = datetime.fromisoformat(now)
    return f"Fristenlauf {to_local(now):%Y-%m-%d %H:%M}"


@task(name="Erinnerungen senden", retries=3, retry_delay_seconds=[10, 60, 300])
def send_reminders(now: datetime, digest: bool | None = None) -> dict[str, Any]:
    """Mark, plan and send (idempotent: a retry after a crash sends only what is left)."""
    from dataclasses import asdict

    from notifications.dispatch import dispatch
    from notifications.routes import load_routes

    settings = current_settings()
    routes = load_routes(settings.apprise_config) if settings.apprise_config else None
    summary = dispatch(
        engine_for(settings),
        now=now,
        rules=rules_for(settings),
        routes=routes,
        digest=settings.digest if digest is None else digest,
        ui_url=settings.ui_url,
    )
    logger = get_run_logger()
    for line in summary.lines():
        logger.info(line)
    return asdict(summary)


@task(name="Übersicht veröffentlichen")
def publish(now: datetime) -> list[dict[str, Any]]:
    settings = current_settings()
    with session_scope(engine_for(settings)) as session:
        rows = overdue_rows(session, now)
        total = overdue_count(session, now)
        overview = overview_markdown(session, now)
    stand = f"{to_local(now):%d.%m.%Y %H:%M}"
    create_table_artifact(
        key=OVERDUE_KEY,
        table=rows
        or [
            {
                "Vorlage": "",
                "Frist": "keine überfälligen Fristen",
                "Tage überfällig": 0,
                "zuständig": "",
                "fällig": "",
                "Gremium": "",
                "Sitzung": "",
                "Titel": "",
            }
        ],
        description=f"Überfällige Fristen, Stand {stand}: {total}"
        + (f" (die ältesten {len(rows)} gezeigt)" if total > len(rows) else ""),
    )
    create_markdown_artifact(
        key=OVERVIEW_KEY, markdown=overview, description=f"Fristenübersicht, Stand {stand}"
    )
    return rows


@flow(name="deadline-sweep", flow_run_name=_run_name, log_prints=True)
def deadline_sweep(now: datetime | None = None, digest: bool | None = None) -> dict[str, Any]:
    """Fristenlauf: as of `now` (default: the clock), for every motion at once."""
    instant = now or system_clock()
    summary = send_reminders(instant, digest)
    rows = publish(instant)
    emit_missed(summary["missed_ids"])
    emit_sent(summary["sent"])
    return {
        "overdue": len(rows),
        **{k: summary[k] for k in ("marked_missed", "sent_rows", "mails")},
    }


@flow(name="dispatch-retry", flow_run_name="Versand nachholen")
def dispatch_retry(now: datetime | None = None) -> dict[str, Any]:
    """Between sweeps: send what waits (retries after backoff, reminders due since)."""
    summary = send_reminders(now or system_clock())
    emit_sent(summary["sent"])
    return {k: summary[k] for k in ("sent_rows", "mails", "retry_later", "failed")}
