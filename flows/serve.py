"""`ratsfrist serve`: every deployment of prefect.yaml with its schedule, served from one
process (prefect's `serve`), for a small town's single server. prefect.yaml is the one
definition; this reads it, so the two cannot drift apart.

serve and `prefect deploy --all` register the same names. Serving over deployments that
`deploy` made replaced them in place (their pull steps and path dropped, every worker run then
crashed) and stopping serve paused them all; so serve refuses when it finds any. Distinct
names would not help: both sets would keep their schedules and the 07:00 sweep would run twice
from two places. One server runs one way."""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
from typing import Any

import yaml

from models.domain.errors import RatsfristError

ROOT = Path(__file__).resolve().parent.parent
_TEMPLATE = re.compile(r"\{\{\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")


def load_deployments(path: Path = ROOT / "prefect.yaml") -> list[dict[str, Any]]:
    """The deployments of prefect.yaml, `{{ $VAR }}` templates resolved from the environment."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))

    def resolve(value: Any) -> Any:
        if isinstance(value, str):
            return _TEMPLATE.sub(lambda m: os.environ.get(m.group(1), ""), value)
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        return value

    return [resolve(d) for d in data["deployments"]]


def load_flow(entrypoint: str) -> Any:
    """flows/sweep.py:deadline_sweep → the flow object, imported as its package module so that
    the runner knows its source file."""
    file, name = entrypoint.split(":")
    module = importlib.import_module(file.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


def build(definitions: list[dict[str, Any]]) -> list[Any]:
    from prefect.client.schemas.schedules import CronSchedule

    deployments = []
    for d in definitions:
        schedules = [
            CronSchedule(cron=s["cron"], timezone=s.get("timezone"))
            for s in d.get("schedules") or []
        ]
        deployments.append(
            load_flow(d["entrypoint"]).to_deployment(
                name=d["name"],
                description=d.get("description"),
                tags=d.get("tags"),
                parameters=d.get("parameters") or {},
                schedules=schedules or None,
                concurrency_limit=d.get("concurrency_limit"),
            )
        )
    return deployments


def deployed_by_workers(definitions: list[dict[str, Any]]) -> list[str]:
    """'flow/deployment' of every deployment of prefect.yaml that the server already has as
    a worker's deployment (a work pool or pull steps: made by `prefect deploy`)."""
    from prefect import get_client
    from prefect.exceptions import ObjectNotFound

    found = []
    with get_client(sync_client=True) as client:
        for d in definitions:
            name = f"{load_flow(d['entrypoint']).name}/{d['name']}"
            try:
                deployment = client.read_deployment_by_name(name)
            except ObjectNotFound:
                continue
            if deployment.work_pool_name or deployment.pull_steps:
                found.append(name)
    return found


def serve(limit: int | None = None) -> None:
    """Serve prefect.yaml's deployments, unless the server has them from `deploy --all`."""
    from prefect import serve as prefect_serve

    definitions = load_deployments()
    taken = deployed_by_workers(definitions)
    if taken:
        raise RatsfristError(
            f"ratsfrist serve: der Prefect-Server hat {', '.join(taken)} schon aus "
            "'prefect deploy --all' (Work-Pool, Worker); serve würde sie überschreiben – "
            "Worker weiter nutzen oder diese Deployments erst löschen "
            "(prefect deployment delete …)"
        )
    prefect_serve(*build(definitions), limit=limit)
