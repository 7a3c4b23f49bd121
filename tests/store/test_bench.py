"""The benchmark compares like with like: on its generated data, the sweep marks exactly what
the raw floor's UPDATE marks, and selects what the floor selects plus the escalations it plans.
If the two drifted apart, docs/benchmarks.md would compare different work. And the sweep
serves 396 bodies of seven states with one read of their rules, not one per body or row."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from bench import measure
from bench.generate import BODIES, BODY_RULES, bench_now, generate, make_cold, sql_now
from models.store.db import make_engine


@pytest.mark.parametrize("situation", ["steady", "cold"])
def test_sweep_does_the_floors_work_on_generated_data(db_url: str, situation: str) -> None:
    engine = make_engine(db_url)
    sizes = generate(engine, 4_000, bench_now())
    assert (sizes["deadline"], sizes["body"]) == (4_000, BODIES)
    with engine.connect() as c:
        states = c.execute(sa.text("SELECT DISTINCT state FROM body")).scalars().all()
    assert {"NW", "BY", "BW", "SN", "TH", "NI", "HE"} == set(states)
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
    # every body's rules (profile → calendar) read in one statement, none looked up one by one
    assert (swept["bodies"], swept["body_reads"], swept["rule_lookups"]) == (BODIES, 1, 0)
    assert swept["rulesets"] == len(BODY_RULES)  # bodies sharing a configuration share rules

    floor = measure.floor(db_url)  # after the sweep: nothing left to mark, the same selection
    assert floor["missed"] == 0
    assert floor["due"] == swept["due"]
