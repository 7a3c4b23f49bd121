"""The outbox under fire: dispatch processes killed with SIGKILL at random points, and four
dispatchers racing for the same rows. Nothing may be lost; nothing may be duplicated beyond
the documented window (one mail accepted by the server but not yet committed as delivered)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, select

from models.domain.intake import parse_document
from models.domain.timeutil import BERLIN
from models.services import intake as services
from models.store.db import ensure_schema, make_engine, session_scope
from models.store.profiles import default_rules
from models.store.tables import Reminder
from notifications.batch import SENDERS
from notifications.dispatch import dispatch
from notifications.routes import load_routes
from tests.conftest import EXAMPLE, REPO
from tests.smtp import SmtpSink, apprise_config

NOW = datetime(2021, 6, 7, 7, 30, tzinfo=BERLIN)
# The SIGKILL test kills at a random point of the sending sequence, so the sequence's length
# does not widen what it covers (every row kind, both recipients of a row, every gap between
# a mail and its commit are in each paper's 6 mails, and two papers have a boundary between
# them); 4 papers (12 mails) keep 50 trials affordable. The racing dispatchers claim 3 rows
# at a time: 10 papers (20 rows) give each of the 4 several claims to fight over.
KILL_PAPERS = 4
PAPERS = 10
# Each paper: the report's 'vorher-3' to fachamt@ and fachamt-soz@, the invitation's 'am-tag'
# to sitzungsdienst@: 2 rows and 3 mails. Their 'neu' notices are due too and superseded
# (one catch-up notice per deadline), so they are not expected.
ROWS, MAILS = 2 * PAPERS, 3 * PAPERS
KILL_ROWS, KILL_MAILS = 2 * KILL_PAPERS, 3 * KILL_PAPERS


def _fill(engine: Engine, papers: int = PAPERS) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    with session_scope(engine) as session:
        for n in range(papers):
            doc = text.replace("A 21/0500-01", f"A 21/05{n:02d}-01")
            services.import_paper(
                session,
                parse_document(doc.encode(), f"v{n}.txt"),
                body_name="Kommune",
                now=NOW.replace(hour=6, minute=0),
                actor="t",
                received_at=NOW.replace(hour=6, minute=0),
            )


def _expected(engine: Engine) -> Counter[tuple[int, str]]:
    """(reminder id, recipient address) for every mail that must arrive."""
    wanted: Counter[tuple[int, str]] = Counter()
    with Session(engine) as session:
        for row in session.exec(select(Reminder).where(Reminder.send_at <= NOW)).all():
            assert row.id is not None
            if row.step.startswith("neu@"):
                continue  # superseded by the step due after it
            if row.tag == "fachamt":
                wanted[(row.id, "fachamt@example.org")] += 1
                wanted[(row.id, "fachamt-soz@example.org")] += 1
            else:
                wanted[(row.id, f"{row.tag}@example.org")] += 1
    return wanted


def _received(sink: SmtpSink) -> Counter[tuple[int, str]]:
    got: Counter[tuple[int, str]] = Counter()
    for mail in sink.mails:
        for reminder_id in mail.reminder_ids:
            got[(reminder_id, mail.to[0])] += 1
    return got


@pytest.fixture(scope="module")
def sink() -> object:
    server = SmtpSink()
    server.start()
    yield server
    server.stop()


@pytest.mark.slow
@pytest.mark.parametrize("senders", [SENDERS, 4])
def test_sigkill_at_random_points_loses_nothing_and_duplicates_at_most_the_mails_in_flight(
    tmp_path: Path, sink: SmtpSink, senders: int
) -> None:
    """One sender: at most the one mail in flight twice. Several (the default): at most one
    per sender, the mails accepted by the server while the process died."""
    template = tmp_path / "template.sqlite"
    engine = make_engine(f"sqlite:///{template}")
    ensure_schema(engine)
    _fill(engine, KILL_PAPERS)
    wanted = _expected(engine)
    engine.dispose()
    assert sum(wanted.values()) == KILL_MAILS
    routes = apprise_config(tmp_path / "apprise.yml", sink.port)
    rng = random.Random(20210607)
    killed_mid_send = 0
    duplicates_total = 0
    for trial in range(50):
        sink.clear()
        db = tmp_path / f"trial{trial}.sqlite"
        shutil.copy(template, db)
        env = {
            **os.environ,
            "RATSFRIST_DATABASE_URL": f"sqlite:///{db}",
            "RATSFRIST_APPRISE_CONFIG": str(routes),
            "PYTHONPATH": str(REPO),
            "RATSFRIST_SENDERS": str(senders),
        }
        # the kill point: after the k-th mail reached the server (k = 0: before any was sent)
        kill_after = rng.randint(0, KILL_MAILS)
        child = subprocess.Popen(
            [
                sys.executable,
                "-c",
                "from flows.cli import main; main()",
                "dispatch",
                "--send",  # a past day: a replay, sent only when asked to
                "--now",
                NOW.isoformat(),
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        reached = sink.wait_for_mails(kill_after, timeout=60)
        child.send_signal(signal.SIGKILL)
        child.wait()
        assert reached, f"trial {trial}: the dispatch never sent {kill_after} mails"
        before = len(sink.mails)
        if 0 < before < KILL_MAILS:
            killed_mid_send += 1
        # the next dispatch comes after the dead one's lease (10 min by the wall clock) ran out
        engine = make_engine(f"sqlite:///{db}")
        dispatch(
            engine,
            now=NOW + timedelta(minutes=11),
            rules=default_rules(),
            routes=load_routes(routes),
            clock=lambda: datetime.now(UTC) + timedelta(minutes=11),
        )
        with Session(engine) as session:
            statuses = Counter(
                r.status for r in session.exec(select(Reminder)).all() if r.send_at <= NOW
            )
        engine.dispose()
        got = _received(sink)
        assert set(got) == set(wanted), f"trial {trial}: lost {set(wanted) - set(got)}"
        duplicates = sum(count - 1 for count in got.values())
        assert duplicates <= senders, f"trial {trial}: {duplicates} duplicates"
        duplicates_total += duplicates
        assert statuses == {"sent": KILL_ROWS, "superseded": KILL_ROWS}, (
            f"trial {trial}: {statuses}"
        )
        db.unlink()
    # the kills must really have hit dispatches in the middle of sending
    assert killed_mid_send >= 10, killed_mid_send
    print(
        f"senders {senders}: killed mid-send: {killed_mid_send}/50, "
        f"duplicates in all trials: {duplicates_total}"
    )


def _clear(engine: Engine) -> None:
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.mark.slow
def test_four_racing_dispatchers_send_every_row_exactly_once(
    db_url: str, tmp_path: Path, sink: SmtpSink
) -> None:
    routes_file = apprise_config(tmp_path / "apprise.yml", sink.port)
    shared_trials = 0
    for trial in range(20):
        engine = make_engine(db_url)
        _clear(engine)
        _fill(engine)
        wanted = _expected(engine)
        sink.clear()
        start = threading.Barrier(4)
        sent_by: dict[int, int] = {}

        def run(
            worker: int, start: threading.Barrier = start, sent_by: dict[int, int] = sent_by
        ) -> None:
            own = make_engine(db_url)
            routes = load_routes(routes_file)
            start.wait()
            summary = dispatch(
                own,
                now=NOW,
                rules=default_rules(),
                routes=routes,
                worker=f"w{worker}",
                batch=3,
            )
            sent_by[worker] = summary.sent_rows
            own.dispose()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        got = _received(sink)
        assert got == wanted, f"trial {trial}: {got - wanted} extra, {wanted - got} missing"
        assert sum(sent_by.values()) == ROWS
        shared_trials += sum(1 for n in sent_by.values() if n) > 1
        engine.dispose()
    assert shared_trials >= 10  # the dispatchers really competed for the rows
