"""The benchmark compares like with like: on its generated data, the sweep marks exactly what
the raw floor's UPDATE marks, and selects what the floor selects plus the escalations it plans.
If the two drifted apart, docs/benchmarks.md would compare different work."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bench import measure
from bench.generate import bench_now, generate, make_cold, sql_now
from models.store.db import make_engine


@pytest.mark.parametrize("situation", ["steady", "cold"])
def test_sweep_does_the_floors_work_on_generated_data(db_url: str, situation: str) -> None:
    engine = make_engine(db_url)
    sizes = generate(engine, 4_000, bench_now())
    assert sizes["deadline"] == 4_000
    if situation == "cold":
        assert make_cold(engine, bench_now()) == 1_600  # 40 % of all deadlines past due
    stamp = sql_now(engine)
    with engine.connect() as c:
        to_mark = c.execute(
            sa.text("SELECT count(*) FROM deadline WHERE status = 'open' AND due < :now"),
            {"now": stamp},
        ).scalar_one()
        waiting = c.execute(
            sa.text("SELECT count(*) FROM reminder WHERE status = 'pending' AND send_at <= :now"),
            {"now": stamp},
        ).scalar_one()
    engine.dispose()

    swept = measure.sweep(db_url)
    assert swept["missed"] == to_mark > 0
    assert swept["escalations"] > 0
    assert swept["due"] == waiting + swept["escalations"]
    assert swept["overdue"] >= swept["missed"] and swept["rows"] == min(swept["overdue"], 1_000)

    floor = measure.floor(db_url)  # after the sweep: nothing left to mark, the same selection
    assert floor["missed"] == 0
    assert floor["due"] == swept["due"]
