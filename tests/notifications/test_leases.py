"""Fenced leases (issue 17): a dispatch that outlives its claim must not cause a duplicate.

The old claim ran `now + 10 min` from the run's instant, was never renewed, and the sender
never asked whether it still held a row: a retry dispatch 15 minutes later took over the rows
a slow mail server had not yet seen, and both sent them (73–77 duplicates of 90 mails)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.domain.timeutil import to_utc
from models.domain.vocab import ReminderStatus
from models.store.profiles import default_rules
from models.store.tables import Reminder
from notifications import outbox
from notifications.dispatch import Summary, dispatch
from notifications.routes import load_routes
from tests.notifications.test_outbox_races import NOW, _expected, _fill, _received
from tests.smtp import SmtpSink, apprise_config

LEASE = timedelta(seconds=2)


def test_a_second_dispatch_while_a_slow_one_sends_causes_no_duplicate(
    engine: Engine, sink: SmtpSink, tmp_path: object
) -> None:
    _fill(engine)
    wanted = _expected(engine)
    routes = load_routes(apprise_config(tmp_path / "apprise.yml", sink.port))  # type: ignore[operator]
    sink.handler.delay = 0.15  # 30 mails take ~5 s: far longer than the 2 s lease
    first: dict[str, Summary] = {}

    def slow() -> None:
        first["a"] = dispatch(
            engine, now=NOW, rules=default_rules(), routes=routes, worker="a", lease=LEASE
        )

    runner = threading.Thread(target=slow)
    runner.start()
    assert sink.wait_for_mails(4, timeout=60)
    # the retry deployment, its run's instant 11 minutes after the first one's: by that
    # instant the first lease is long over, by the clock it is not
    second = dispatch(
        engine,
        now=NOW + timedelta(minutes=11),
        rules=default_rules(),
        routes=routes,
        worker="b",
        lease=LEASE,
    )
    runner.join(timeout=120)
    got = _received(sink)
    assert set(wanted) <= set(got), f"lost {set(wanted) - set(got)}"
    assert max(got.values()) == 1, f"duplicates: {[k for k, n in got.items() if n > 1]}"
    assert second.sending > 0  # it saw the rows in flight and left them alone
    assert first["a"].sent_rows == sum(1 for _ in {r for r, _ in wanted})
    assert "im Versand (anderer Lauf" in "\n".join(second.lines())


def _one_due_row(engine: Engine) -> int:
    _fill(engine, 1)
    with Session(engine) as session:
        row = session.exec(select(Reminder).where(Reminder.send_at <= NOW)).first()
    assert row is not None and row.id is not None
    return row.id


def test_a_row_taken_over_is_fenced_off_for_its_former_owner(engine: Engine) -> None:
    wall = datetime.now(UTC)
    row = _one_due_row(engine)
    assert row in outbox.claim(engine, worker="a", now=NOW, lease=LEASE, wall=wall)
    assert outbox.renew(engine, [row], "a", wall=wall, lease=LEASE) == {row}
    # a's lease ran out by the clock; b takes the row over
    later = wall + LEASE + timedelta(seconds=1)
    assert row in outbox.claim(engine, worker="b", now=NOW, lease=LEASE, wall=later)
    assert outbox.renew(engine, [row], "a", wall=later, lease=LEASE) == set()
    assert outbox.record_delivery(engine, row, "a", "x@example.org") is False
    assert outbox.finish(engine, row, "a", now=NOW, error=None) is None
    with Session(engine) as session:
        current = session.get(Reminder, row)
    assert current is not None
    assert (current.status, current.claimed_by, current.delivered_to) == ("sending", "b", [])


def test_a_replay_leases_by_the_clock_not_by_its_past_instant(engine: Engine) -> None:
    """A `--send` replay of 2021 took a lease ending in 2021: over before it began, so any
    current dispatch could take its rows at once."""
    wall = datetime.now(UTC)
    row = _one_due_row(engine)
    assert row in outbox.claim(engine, worker="a", now=NOW, lease=LEASE, wall=wall)
    assert outbox.claim(engine, worker="b", now=NOW, lease=LEASE, wall=wall) == []
    with Session(engine) as session:
        current = session.get(Reminder, row)
    assert current is not None and current.claimed_until is not None
    assert current.status == ReminderStatus.sending
    assert to_utc(current.claimed_until) == wall + LEASE
