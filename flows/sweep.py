"""The deadline sweep: the heart of the scheduled runs.

One flow run per sweep, set-based over all motions: mark missed deadlines, plan escalations,
send every due reminder (the same `dispatch` as `ratsfrist dispatch`), then publish what
managers look at, as keyed artifacts whose versions form a history on the Artifacts page, and
events in the `ratsfrist.*` namespace for automations. Safe at any time and as often as
wanted: two sweeps for the same instant end as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from flows import app
from flows.app import current_settings, engine_for, routes_for, rulebook_for, waiting_for
from flows.events import emit_failed, emit_missed, emit_sent
from flows.links import step_link, verlauf_link
from flows.render import overdue_markdown
from models.domain.timeutil import to_local, to_utc
from models.services.failed_reminders import failed_count, failed_reminders, failed_section
from models.services.overview import overdue_count, overdue_rows, overview_markdown
from models.store.db import session_scope
from notifications.links import OVERDUE_KEY

__all__ = ["OVERDUE_KEY", "OVERVIEW_KEY", "REPLAY_SUFFIX", "deadline_sweep", "dispatch_retry"]

OVERVIEW_KEY = "fristen-uebersicht"
REPLAY_SUFFIX = "-rueckblick"
"""A replay publishes under OVERDUE_KEY + this: managers' current tables stay current."""


#: How far a scheduled run may start before or after its time and still sweep as of it. A
#: worker starts runs a few seconds early (06:59:51 for 07:00); a run hours late is no longer
#: "the 07:00 sweep" and sweeps as of the clock.
SCHEDULE_TOLERANCE = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Instant:
    """The `now` of a sweep and where it came from (logged, returned, in the run's name)."""

    now: datetime
    source: str
    """'Parameter' (an explicit now: a replay or a test), 'Zeitplan' or 'Uhr'."""


def sweep_instant(
    explicit: datetime | None,
    scheduled: datetime | None,
    auto_scheduled: bool,
    wall: datetime,
    tolerance: timedelta = SCHEDULE_TOLERANCE,
) -> Instant:
    """Which instant a sweep runs as of. An explicit `now` wins; a run the schedule created
    takes its scheduled time, so that the 07:00 run started at 06:59:51 sends the 07:00
    reminders (with the clock it found nothing due and they waited 15 minutes); a manual
    run, or a scheduled one further than `tolerance` from its time, takes the wall clock."""
    if explicit is not None:
        return Instant(to_utc(explicit), "Parameter")
    if auto_scheduled and scheduled is not None and abs(wall - scheduled) <= tolerance:
        return Instant(to_utc(scheduled), "Zeitplan")
    return Instant(to_utc(wall), "Uhr")


def current_instant(explicit: datetime | str | None) -> Instant:
    """`sweep_instant` for the flow run in progress (scheduled time and origin from Prefect's
    runtime; outside a flow run: the clock)."""
    from prefect.context import FlowRunContext

    if isinstance(explicit, str):
        explicit = datetime.fromisoformat(explicit)
    context = FlowRunContext.get()
    run = context.flow_run if context else None
    scheduled = None
    if run is not None:  # Prefect's own DateTime, as a plain datetime the store accepts
        scheduled = datetime.fromisoformat(flow_run.scheduled_start_time.isoformat())
    return sweep_instant(
        explicit,
        scheduled,
        bool(run and run.auto_scheduled),
        app.clock(),
    )


def _run_name() -> str:
    instant = current_instant(flow_run.parameters.get("now"))
    return f"Fristenlauf {to_local(instant.now):%d.%m.%Y %H:%M}"


@task(name="Erinnerungen senden", retries=3, retry_delay_seconds=[10, 60, 300])
def send_reminders(
    now: datetime,
    digest: bool | None = None,
    dry_run: bool = False,
    tables: dict[int | None, str] | None = None,
) -> dict[str, Any]:
    """Mark, plan and send (idempotent: a retry after a crash sends only what is left);
    `dry_run` (a replay) only counts; `tables` the overdue tables just published, which the
    escalation mails link (see notifications.links)."""
    from dataclasses import asdict

    from notifications.dispatch import dispatch

    settings = current_settings()
    rules = rulebook_for(settings, every_body=True)  # all bodies in one statement
    routes = routes_for(settings, settings.apprise_config) if settings.apprise_config else None
    summary = dispatch(
        engine_for(settings),
        now=now,
        rules=rules,
        routes=routes,
        dry_run=dry_run,
        digest=settings.digest if digest is None else digest,
        ui_url=settings.ui_url,
        tables=tables,
        senders=settings.senders,
    )
    logger = get_run_logger()
    for line in summary.lines():
        logger.info(line)
    return asdict(summary)


@dataclass(frozen=True, slots=True)
class _Published:
    """What one pair of artifacts shows: all bodies (key "", body_id None) or one (key
    "-<slug>")."""

    key: str
    body_id: int | None
    body: str
    rows: list[dict[str, Any]]
    total: int
    overview: str
    waiting: int = 0
    """Deadlines not computable yet (the overview lists them; its description counts them)."""


@dataclass(frozen=True, slots=True)
class Tables:
    """What `publish` wrote: the rows of the table for all bodies, the overdue tables' ids
    by body (None: all bodies), which the escalation mails link, and what it takes to add
    this run's failed reminders to the table for all bodies and the overview afterwards."""

    rows: list[dict[str, Any]]
    ids: dict[int | None, str]
    overview_id: str
    everything: _Published
    stand: str
    replay: bool


def _texts(one: _Published, failed: str, stand: str, replay: bool) -> tuple[str, str, str, str]:
    """The overdue table's markdown and description, the overview's markdown and
    description; the failed reminders only in the pair for all bodies."""
    of = f" – {one.body}" if one.body else ""
    failed_here = f"\n\n{failed}" if failed and not one.key else ""
    shown = f" (die ältesten {len(one.rows)} gezeigt)" if one.total > len(one.rows) else ""
    table = (
        overdue_markdown(
            one.rows,
            heading=f"Überfällige Fristen{of}, Stand {stand}" + (" (Rückblick)" if replay else ""),
            note=f"{one.total} überfällig"
            + (f", die ältesten {len(one.rows)} gezeigt" if shown else "")
            + "; je Gremium die ältesten zuerst. Die Vorlage öffnet „Schritt eintragen“ für "
            "sie, der Titel ihren Verlauf mit dem ganzen Titel.",
        )
        + failed_here
    )
    description = (
        ("Rückblick: " if replay else "")
        + f"Überfällige Fristen{of}, Stand {stand}: {one.total}{shown}"
        + "; nach Gremium, je Gremium die ältesten zuerst"
    )
    overview = one.overview + (f"\n{failed}" if failed and not one.key else "")
    overview_description = (
        f"Fristenübersicht{of}, Stand {stand}"
        + (" (Rückblick)" if replay else "")
        + (
            f"; {one.waiting} {'Frist' if one.waiting == 1 else 'Fristen'} noch nicht berechenbar"
            if one.waiting
            else ""
        )
    )
    return table, description, overview, overview_description


@task(name="Übersicht veröffentlichen")
def publish(now: datetime, replay: bool = False) -> Tables:
    """The overdue table and the overview as keyed artifacts (a replay under its own keys):
    for all bodies, and with more than one body with papers also for each of them (keys
    ending in -<slug>), so that each town's staff find theirs. Published before the mails
    are sent, so that an escalation mail links the table just written."""
    from models.services.bodies import bodies_with_papers

    suffix = REPLAY_SUFFIX if replay else ""
    settings = current_settings()
    link, verlauf = step_link(settings.ui_url), verlauf_link(settings.ui_url)
    with session_scope(engine_for(settings)) as session:
        bodies = bodies_with_papers(session)
        scopes = [(None, "", "")] + (
            [(b, f"-{slug}", name) for b, slug, name in bodies] if len(bodies) > 1 else []
        )
        waiting = waiting_for(settings, session)  # once: each body's overview takes its own
        published = [
            _Published(
                key,
                body_id,
                name,
                overdue_rows(session, now, link=link, body_id=body_id, verlauf=verlauf),
                overdue_count(session, now, body_id),
                overview_markdown(session, now, body_id, waiting=waiting),
                len(waiting.of_body(body_id).items),
            )
            for body_id, key, name in scopes
        ]
        failed = failed_section(failed_reminders(session), failed_count(session))
    stand = f"{to_local(now):%d.%m.%Y %H:%M}"
    ids: dict[int | None, str] = {}
    overview_id = ""
    for one in published:
        table, description, overview, overview_description = _texts(one, failed, stand, replay)
        ids[one.body_id] = str(
            create_markdown_artifact(
                key=OVERDUE_KEY + one.key + suffix, markdown=table, description=description
            )
        )
        created = create_markdown_artifact(
            key=OVERVIEW_KEY + one.key + suffix,
            markdown=overview,
            description=overview_description,
        )
        if not one.key:
            overview_id = str(created)
    return Tables(published[0].rows, ids, overview_id, published[0], stand, replay)


@task(name="Fehlgeschlagene Erinnerungen nachtragen")
def add_failed(tables: Tables) -> None:
    """Reminders that failed for good in this run, added to the table for all bodies and
    the overview just published: in place, so the link in this run's mails stays the newest
    table."""
    from uuid import UUID

    from prefect import get_client
    from prefect.client.schemas.actions import ArtifactUpdate

    with session_scope(engine_for(current_settings())) as session:
        failed = failed_section(failed_reminders(session), failed_count(session))
    table, description, overview, overview_description = _texts(
        tables.everything, failed, tables.stand, tables.replay
    )
    with get_client(sync_client=True) as client:
        client.update_artifact(
            UUID(tables.ids[None]), ArtifactUpdate(data=table, description=description)
        )
        client.update_artifact(
            UUID(tables.overview_id),
            ArtifactUpdate(data=overview, description=overview_description),
        )


@flow(name="deadline-sweep", flow_run_name=_run_name, log_prints=True)
def deadline_sweep(
    now: datetime | None = None, digest: bool | None = None, send: bool = False
) -> Any:
    """Fristenlauf for every motion at once, as of `now`; without it, as of the scheduled
    time of a scheduled run, else the clock (see `sweep_instant`). A `now` more than an hour
    back is a replay: a dry run unless `send`, its artifacts under the replay keys."""
    instant = current_instant(now)
    replay = _replay(instant)
    dry_run = replay and not send
    get_run_logger().info(
        f"Stand {to_local(instant.now):%d.%m.%Y %H:%M:%S} ({instant.source})"
        + (" – Rückblick" + (", Probelauf: nichts gesendet" if dry_run else "") if replay else "")
    )
    tables = publish(instant.now, replay)
    summary = send_reminders(instant.now, digest, dry_run, tables.ids)
    if summary["failed"]:
        add_failed(tables)
    emit_missed(summary["missed_ids"])
    emit_sent(summary["sent"])
    return _failed_if_undelivered(
        summary,
        {
            "now": instant.now.isoformat(),
            "now_source": instant.source,
            "replay": replay,
            "dry_run": dry_run,
            "overdue": len(tables.rows),
            **{k: summary[k] for k in ("marked_missed", "sent_rows", "mails", "failed")},
        },
    )


def _failed_if_undelivered(summary: dict[str, Any], result: dict[str, Any]) -> Any:
    """A reminder that failed for good (a 5xx, or attempts used up) ends the run Failed, with
    the result kept and a ratsfrist.reminder.failed event: a red run on the dashboard and an
    automation's trigger, instead of a green "Completed" nobody reads."""
    if not summary["failed"]:
        return result
    from prefect.states import Failed

    emit_failed(summary["errors"])
    return Failed(
        message=f"{summary['failed']} Erinnerung(en) endgültig nicht zugestellt: "
        + "; ".join(summary["errors"][:3]),
        data=result,
    )


def _replay(instant: Instant) -> bool:
    """Only an explicit `now` can be a replay; the schedule and the clock are the present."""
    from notifications.dispatch import is_replay

    return instant.source == "Parameter" and is_replay(instant.now, app.clock())


@flow(name="dispatch-retry", flow_run_name="Versand nachholen")
def dispatch_retry(now: datetime | None = None, send: bool = False) -> Any:
    """Between sweeps: send what waits (retries after backoff, reminders due since); a
    replayed `now` only counts, unless `send`."""
    instant = current_instant(now)
    summary = send_reminders(instant.now, None, _replay(instant) and not send)
    emit_sent(summary["sent"])
    return _failed_if_undelivered(
        summary, {k: summary[k] for k in ("sent_rows", "mails", "retry_later", "failed")}
    )
