"""The demo as one parent flow whose subflows are the real lifecycle flows."""

from __future__ import annotations

from datetime import date

from prefect import flow

from flows.demo import REFERENCE, SCRIPT, SUBMITTED_AT, parse_wall_time
from flows.lifecycle import record_minutes_flow, run_as_flow, submit_as_flow


@flow(name="ratsfrist-demo", flow_run_name="Demo {reference}")
def demo_flow(path: str, reference: str = REFERENCE) -> str:
    submit_as_flow(path, reference=reference, now=parse_wall_time(SUBMITTED_AT), actor="demo")
    state = ""
    for when, step, params in SCRIPT:
        outcome = run_as_flow(
            step, reference=reference, now=parse_wall_time(when), actor="demo", **params
        )
        state = outcome["state"]
        if step == "start_implementation":
            record_minutes_flow(
                committee="Sozialausschuss",
                day=date(2021, 6, 15),
                now=parse_wall_time("2021-07-12T11:00"),
                actor="demo",
            )
    return state
