"""The managers' reports as Prefect flows: the watch lists every working day after the
sweep, the Beschlusskontrolle every month.

Own flows, not steps of the sweep: a sweep that failed to send must still be followed by the
lists, and the report's file and schedule are the council's, not the reminders'. Both take
`now` like the sweep (an explicit one, else the scheduled time, else the clock); a `now` in
the past is a replay and publishes under the replay key, leaving the current artifacts alone.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any, Literal

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.runtime import flow_run

from flows import app
from flows.app import current_settings, engine_for
from flows.links import step_link
from flows.render_reports import (
    decision_heading,
    decision_sections,
    markdown,
    render,
    report_file_name,
    watch_heading,
    watch_sections,
    write_atomic,
)
from flows.sweep import REPLAY_SUFFIX, current_instant
from models.domain.timeutil import to_local
from models.services.decision_report import decision_report
from models.services.watch import watch_lists
from models.store.db import session_scope

WATCH_KEY = "beobachtungslisten"
REPORT_KEY = "beschlusskontrolle"


def _replay(now: datetime, source: str) -> bool:
    from notifications.dispatch import is_replay

    return source == "Parameter" and is_replay(now, app.clock())


def _watch_run_name() -> str:
    instant = current_instant(flow_run.parameters.get("now"))
    return f"Beobachtungslisten {to_local(instant.now):%Y-%m-%d}"


@flow(name="watch-lists", flow_run_name=_watch_run_name)
def publish_watch_lists(now: datetime | None = None, weeks: int | None = None) -> dict[str, Any]:
    """Beobachtungslisten: ohne Schritt seit Wochen, verwiesen und nicht terminiert, Umsetzung
    über der Wiedervorlage, Ergebnis prüfen.

    Args:
        now: Stand der Listen; leer: der geplante Zeitpunkt oder jetzt
        weeks: ohne Schritt seit so vielen Wochen; leer: RATSFRIST_WATCH_WEEKS
    """
    instant = current_instant(now)
    replay = _replay(instant.now, instant.source)
    settings = current_settings()
    with session_scope(engine_for(settings)) as session:
        lists = watch_lists(session, instant.now, weeks or settings.watch_weeks)
    sections = watch_sections(lists, step_link(settings.ui_url))
    counts = {section.title: len(section.rows) for section in sections}
    create_markdown_artifact(
        key=WATCH_KEY + (REPLAY_SUFFIX if replay else ""),
        markdown=markdown(watch_heading(lists), sections),
        description=("Rückblick: " if replay else "")
        + f"Beobachtungslisten, Stand {to_local(instant.now):%d.%m.%Y %H:%M}: "
        + ", ".join(f"{title} {n}" for title, n in counts.items()),
    )
    logger = get_run_logger()
    for title, n in counts.items():
        logger.info(f"{title}: {n}")
    return {"now": instant.now.isoformat(), "weeks": lists.weeks, "replay": replay, **counts}


def _report_run_name() -> str:
    instant = current_instant(flow_run.parameters.get("now"))
    return f"Beschlusskontrolle {to_local(instant.now):%Y-%m-%d}"


@flow(name="decision-report", flow_run_name=_report_run_name)
def beschlusskontrolle(
    now: datetime | None = None,
    since: date | None = None,
    committee: str | None = None,
    format: Literal["pdf", "html", "md"] = "pdf",
    folder: str = "berichte",
) -> dict[str, Any]:
    """Beschlusskontrolle: jeder Beschluss mit Stand der Umsetzung, zuständiger Stelle,
    Wiedervorlage und Überfälligem; als Artefakt und als Datei (nichtöffentliche Titel
    verborgen).

    Args:
        now: Stand des Berichts; leer: der geplante Zeitpunkt oder jetzt
        since: nur Beschlüsse ab diesem Sitzungstag; leer: alle
        committee: nur Beschlüsse dieses Gremiums; leer: alle
        format: Dateiformat (pdf, html oder md)
        folder: Ordner der Datei, relativ zu RATSFRIST_HOME
    """
    instant = current_instant(now)
    replay = _replay(instant.now, instant.source)
    with session_scope(engine_for(current_settings())) as session:
        report = decision_report(session, instant.now, since=since, committee=committee)
    sections = decision_sections(report)
    path = Path(folder) / report_file_name(instant.now, format)
    write_atomic(path, render(decision_heading(report), sections, format))
    create_markdown_artifact(
        key=REPORT_KEY + (REPLAY_SUFFIX if replay else ""),
        markdown=markdown(decision_heading(report), sections),
        description=("Rückblick: " if replay else "")
        + f"Beschlusskontrolle, Stand {to_local(instant.now):%d.%m.%Y}: "
        + f"{len(report.rows)} Beschlüsse, {len(report.overdue)} mit Überfälligem; Datei {path}",
    )
    get_run_logger().info(f"{path}: {len(report.rows)} Beschlüsse")
    return {
        "now": instant.now.isoformat(),
        "decisions": len(report.rows),
        "overdue": len(report.overdue),
        "file": str(path.resolve()),
        "replay": replay,
    }
