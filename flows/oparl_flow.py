"""The scheduled OParl sync as a Prefect flow: the same `sync_endpoint` as the CLI, with its
report as a markdown artifact and its warnings in the run's log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from prefect import flow, get_run_logger
from prefect.artifacts import create_markdown_artifact
from prefect.states import Completed, State

from flows.app import current_settings, engine_for, rulebook_for
from models.domain.timeutil import system_clock, to_local
from models.services.oparl_client import OParlClient
from models.services.oparl_sync import sync_endpoint

REPORT_KEY = "oparl-abgleich"
SKIPPED = "Übersprungen: keine OParl-Adresse konfiguriert"


@flow(name="oparl-sync", flow_run_name="OParl-Abgleich", retries=2, retry_delay_seconds=300)
def oparl_sync(
    url: str | None = None, since: datetime | None = None, now: datetime | None = None
) -> dict[str, Any] | State:
    """Abgleich mit dem Ratsinformationssystem; a retried run resumes at its cursor."""
    settings = current_settings()
    target = url or settings.oparl_url
    if not target:
        # the deployment is in prefect.yaml for every town; one without an RIS address is
        # not failing, it has nothing to do (it failed every hour before)
        get_run_logger().info(SKIPPED + " (RATSFRIST_OPARL_URL oder Parameter url setzen)")
        return Completed(message=SKIPPED, name="Übersprungen")
    instant = now or system_clock()
    with OParlClient() as client:
        report = sync_endpoint(
            engine_for(settings),
            target,
            now=instant,
            rules=rulebook_for(settings),
            client=client,
            since=since,
            fallback_name=settings.body,
        )
    logger = get_run_logger()
    lines = report.lines()
    for line in lines:
        (logger.warning if line.startswith("Hinweis") else logger.info)(line)
    create_markdown_artifact(
        key=REPORT_KEY,
        markdown=f"# OParl-Abgleich {to_local(instant):%d.%m.%Y %H:%M}\n\n"
        + "\n".join(f"- {line}" for line in lines or ["nichts geändert"]),
        description="Was der letzte Abgleich mit dem Ratsinformationssystem übernommen hat",
    )
    result = report.as_dict()
    return {**result, "steps": len(result["steps"]), "warnings": len(result["warnings"])}
