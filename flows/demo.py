"""`ratsfrist demo`: the real example motion through its whole lifecycle, as one parent flow
whose subflows are the real lifecycle flows.

A fresh SQLite file and Prefect's ephemeral mode (no server, no configuration): every step
runs as a Prefect flow run on a replayed day of June 2021, then the timeline is printed from
our own database, which is the record.
"""

from __future__ import annotations

import os
from datetime import date, datetime
from pathlib import Path
from typing import Any

from prefect import flow

from flows.lifecycle import record_minutes_flow, run_as_flow, submit_as_flow

EXAMPLE = Path(__file__).parent / "examples" / "vorschlag-A-21-0500-01.txt"
REFERENCE = "A 21/0500-01"

#: (Berlin wall time, step, parameters): the lifecycle as it could have run in 2021.
SCRIPT: list[tuple[str, str, dict[str, Any]]] = [
    ("2021-06-07T14:00", "place_on_agenda", {"item_number": "5"}),
    ("2021-06-07T14:30", "request_report", {"office": "Amt für Soziales und Wohnen (Amt 50)"}),
    ("2021-06-10T10:00", "deliver_report", {"note": "Bericht beantwortet alle neun Fragen"}),
    ("2021-06-15T18:40", "decide", {"result": "beschlossen"}),
    (
        "2021-06-16T10:00",
        "start_implementation",
        {"office": "Kommunales Integrationszentrum"},
    ),
    ("2021-09-30T12:00", "close", {"note": "Geschäftsordnung an die Fraktionen versandt"}),
]
SUBMITTED_AT = "2021-06-07T10:15"


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


def run_demo(db: Path) -> None:
    db = db.resolve()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    os.environ["RATSFRIST_DATABASE_URL"] = f"sqlite:///{db}"
    from flows.app import reset

    reset()  # settings read before now point at another database
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

    from rich.console import Console

    console = Console()
    mode = os.environ.get("PREFECT_API_URL") or "ephemeral (ohne Server)"
    console.print(f"[bold]ratsfrist demo[/bold]: Datenbank {db}, Prefect {mode}")
    console.print("Prefect startet … (im ephemeral mode einige Sekunden)")

    demo_flow(path=str(EXAMPLE))
    _print_timeline(console)
    console.print(
        f"\nWeiter erkunden: RATSFRIST_DATABASE_URL=sqlite:///{db} ratsfrist show '{REFERENCE}'"
    )


def _print_timeline(console: Any) -> None:
    from flows.app import session
    from flows.render import render_deadlines, render_history
    from models.services import views
    from models.store.repo import find_paper

    with session() as active:
        paper = find_paper(active, REFERENCE)
        view = views.paper_view(active, paper, paper.updated_at)
    console.print(
        f"\n[bold]{view['reference']}[/bold] {view['paperType']}: {view['name']} "
        f"({len(view['questions'])} Fragen, {', '.join(view['submitters'])})"
    )
    render_history(console, view["history"])
    render_deadlines(view["deadlines"], title="Fristen (Standardprofil)", console=console)


def parse_wall_time(text: str) -> datetime:
    from models.domain.timeutil import parse_instant

    return parse_instant(text)
