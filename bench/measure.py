"""One measurement in a fresh process (so that peak memory is that of this work alone):
`python -m bench.measure sweep|floor|explain URL`. Prints one JSON line."""

from __future__ import annotations

import json
import resource
import sys
import time
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from bench.generate import bench_now, sql_now
from models.store.db import make_engine


def sweep(url: str) -> dict[str, Any]:
    """The sweep's own work, without mail: read every body's rules (as the sweep does: one
    statement, flows.sweep.send_reminders), mark, plan escalations by each body's calendar,
    select what is due, build the artifact rows and the overview with its deadlines not
    computable yet (their lookup also timed alone: "not_computable"). The rules' part includes loading the
    profiles and holiday tables its bodies use, as a fresh process does; the statements that
    read bodies are counted (one per run, whatever the number of bodies and rows)."""
    from models.services.bodies import rulebook
    from models.services.deadlines import waiting_deadlines
    from models.services.overview import overdue_count, overdue_rows, overview_markdown
    from models.store.profiles import default_rules
    from notifications import outbox

    engine = make_engine(url)
    now = bench_now()
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    # the `holidays` package imported outside the timing (0.3 s of module imports, paid once
    # per process, as before bodies had calendars); each body's profile and its state's
    # holiday table are loaded inside it
    default_rules().calendar.is_working_day(now.date())
    with engine.connect() as c:  # connection opened outside the timing
        c.execute(sa.text("SELECT 1"))
    sa.event.listen(engine, "before_cursor_execute", record)
    t0 = time.perf_counter()
    rules = rulebook(engine, "default", every_body=True)
    t1 = time.perf_counter()
    missed = outbox.mark_missed(engine, now)
    t2 = time.perf_counter()
    escalations = outbox.plan_escalations(engine, now, rules)
    t3 = time.perf_counter()
    due = outbox.due_ids(engine, now)
    t4 = time.perf_counter()
    with Session(engine) as session:
        rows = overdue_rows(session, now)
        total = overdue_count(session, now)
        tw = time.perf_counter()
        waiting = waiting_deadlines(session, rules)
        waited = time.perf_counter() - tw
        overview_markdown(session, now, waiting=waiting)
    t5 = time.perf_counter()
    sa.event.remove(engine, "before_cursor_execute", record)
    return {
        "seconds": t5 - t0,
        "parts": {
            "rules": t1 - t0,
            "mark": t2 - t1,
            "escalate": t3 - t2,
            "select": t4 - t3,
            "artifacts": t5 - t4,
            "not_computable": waited,  # part of the artifacts' time
        },
        "missed": len(missed),
        "escalations": escalations,
        "due": len(due),
        "overdue": total,
        "rows": len(rows),
        "not_computable": len(waiting.items),
        "bodies": rules.resolved,
        "rulesets": len({id(rules.for_body(b)) for b in range(1, rules.resolved + 1)}),
        "body_reads": sum(1 for s in statements if _reads_bodies(s)),
        "rule_lookups": rules.lookups,
        "statements": len(statements),
    }


def _reads_bodies(statement: str) -> bool:
    """A statement that reads bodies' rules (the overview's read of their names is not)."""
    return "FROM body" in statement and "body.profile" in statement


def floor(url: str) -> dict[str, Any]:
    """The minimal hand-written statements doing the same marking and selection."""
    engine = make_engine(url)
    stamp = sql_now(engine)
    with engine.connect() as c:
        c.execute(sa.text("SELECT 1"))
    t0 = time.perf_counter()
    with engine.begin() as c:
        marked = c.execute(
            sa.text("UPDATE deadline SET status = 'missed' WHERE status = 'open' AND due < :now"),
            {"now": stamp},
        ).rowcount
    t1 = time.perf_counter()
    with engine.connect() as c:
        due = c.execute(
            sa.text("SELECT id FROM reminder WHERE status = 'pending' AND send_at <= :now"),
            {"now": stamp},
        ).fetchall()
    t2 = time.perf_counter()
    return {
        "seconds": t2 - t0,
        "parts": {"mark": t1 - t0, "select": t2 - t1},
        "missed": marked,
        "due": len(due),
    }


def explain(url: str) -> dict[str, Any]:
    engine = make_engine(url)
    sqlite = engine.dialect.name == "sqlite"
    stamp = sql_now(engine)
    horizon = sql_now(engine, timedelta(days=8))
    prefix = "EXPLAIN QUERY PLAN" if sqlite else "EXPLAIN"
    queries = {
        "mark missed": "UPDATE deadline SET status = 'missed' WHERE status = 'open' "
        "AND due < :now AND kind <> 'proposal'",
        "select due reminders": "SELECT id FROM reminder WHERE (status = 'pending' AND "
        "send_at <= :now AND (next_attempt_at IS NULL OR next_attempt_at <= :now)) OR "
        "(status = 'sending' AND claimed_until < :now) ORDER BY send_at, id",
        "committees to escalate": "SELECT DISTINCT body_id, organization_id FROM deadline "
        "WHERE status = 'missed' AND kind NOT IN ('proposal')",
        "overdue table (the oldest 1,000)": "SELECT id FROM ("
        + " UNION ALL ".join(
            f"SELECT * FROM (SELECT id, due FROM deadline WHERE status = '{status}' "
            "AND due < :now AND kind <> 'proposal' ORDER BY due, id LIMIT 1000) AS oldest_" + status
            for status in ("open", "missed")
        )
        + ") AS oldest ORDER BY due, id LIMIT 1000",
        "overview: deadlines per committee": "SELECT body_id, organization_id, count(*) FROM "
        "deadline WHERE status IN ('open', 'missed') AND due < :horizon AND kind <> 'proposal' "
        "GROUP BY body_id, organization_id",
        "overview: motions per committee": "SELECT body_id, current_organization_id, state, "
        "count(*) FROM paper WHERE state IN ('submitted', 'scheduled', 'report_requested') "
        "GROUP BY body_id, current_organization_id, state",
    }
    plans = {}
    with engine.connect() as c:
        for name, query in queries.items():
            params = {"now": stamp, "horizon": horizon}
            rows = c.execute(sa.text(f"{prefix} {query}"), params).fetchall()
            plans[name] = "\n".join(str(r[-1]) if sqlite else str(r[0]) for r in rows)
    return {"plans": plans}


def main() -> None:
    what, url = sys.argv[1], sys.argv[2]
    result = {"sweep": sweep, "floor": floor, "explain": explain}[what](url)
    result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(result))


if __name__ == "__main__":
    main()
