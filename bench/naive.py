"""The design a Prefect user writes first: one task per motion, each marking that motion's
deadlines. Measured at `n` motions in one flow run (ephemeral Prefect, started beforehand);
prints JSON: seconds for the flow run, per motion, and Prefect's fixed cost of a trivial flow
run for comparison. `python -m bench.naive URL N [--wait]`: with --wait, the server is started
and the timing waits for a line on stdin, so the start can overlap other (untimed) work."""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import sqlalchemy as sa
from prefect import flow, task

from bench.generate import sql_now
from models.store.db import make_engine

URL = ""


@task
def check_motion(paper_id: int) -> int:
    engine = _engine()
    stamp = sql_now(engine)
    with engine.begin() as c:
        return c.execute(
            sa.text(
                "UPDATE deadline SET status = 'missed' WHERE paper_id = :p "
                "AND status = 'open' AND due < :now"
            ),
            {"p": paper_id, "now": stamp},
        ).rowcount


_ENGINE: Any = None


def _engine() -> Any:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = make_engine(URL)
    return _ENGINE


@flow(name="naive-sweep")
def naive_sweep(paper_ids: list[int]) -> int:
    return sum(check_motion(p) for p in paper_ids)


@flow(name="trivial")
def trivial() -> int:
    return 1


def main() -> None:
    global URL
    URL, n = sys.argv[1], int(sys.argv[2])
    trivial()  # start the ephemeral server outside the timing
    if "--wait" in sys.argv:  # started early by `bench --quick`: time only when told to
        sys.stdin.readline()
    t0 = time.perf_counter()
    trivial()
    fixed = time.perf_counter() - t0
    t1 = time.perf_counter()
    naive_sweep(list(range(1, n + 1)))
    seconds = time.perf_counter() - t1
    print(json.dumps({"seconds": seconds, "per_motion": seconds / n, "flow_run_fixed": fixed}))


if __name__ == "__main__":
    main()
