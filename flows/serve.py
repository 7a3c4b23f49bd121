"""`ratsfrist serve`: every deployment of prefect.yaml with its schedule, served from one
process (prefect's `serve`), for a small town's single server. prefect.yaml is the one
definition; this reads it, so the two cannot drift apart."""

from __future__ import annotations

import importlib
import os
import re
from pathlib import Path
from typing import Any

import yaml

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


def serve(limit: int | None = None) -> None:
    from prefect import serve as prefect_serve

    prefect_serve(*build(load_deployments()), limit=limit)
