"""Dispatch speed: `python -m bench.dispatch WORKDIR N` – N due reminders sent to a local
SMTP server (aiosmtpd), by 1, 2 and 4 dispatchers at once. Prints JSON: mails per second."""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import SQLModel

from bench.generate import bench_now, generate
from models.domain.vocab import DeadlineStatus, ReminderStatus
from models.store.db import make_engine
from models.store.profiles import default_rules
from notifications.dispatch import dispatch
from notifications.routes import load_routes
from tests.smtp import SmtpSink


def prepare(work: Path, n: int) -> Path:
    template = work / "dispatch.sqlite"
    engine = make_engine(f"sqlite:///{template}")
    generate(engine, n, bench_now())
    deadline, reminder = (SQLModel.metadata.tables[t] for t in ("deadline", "reminder"))
    with engine.begin() as c:
        c.execute(sa.update(deadline).values(status=DeadlineStatus.open.value, due=bench_now() + timedelta(days=5)))
        c.execute(
            sa.update(reminder).values(status=ReminderStatus.pending.value, send_at=bench_now() - timedelta(hours=1))
        )
    with engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return template


def main() -> None:
    work, n = Path(sys.argv[1]), int(sys.argv[2])
    levels = [int(w) for w in sys.argv[3].split(",")] if len(sys.argv) > 3 else [1, 2, 4]
    template = prepare(work, n)
    sink = SmtpSink()
    sink.start()
    routes = work / "dispatch-apprise.yml"
    url = f"mailto://127.0.0.1:{sink.port}?from=frist@example.org&to={{}}@example.org"
    routes.write_text(
        "version: 1\nurls:\n"
        + "".join(
            f"  - {url.format(tag)}:\n      - tag: {tag}\n"
            for tag in ("fachamt", "sitzungsdienst", "gremium")
        )
    )
    result = {}
    for workers in levels:
        sink.clear()
        db = work / f"dispatch-{workers}.sqlite"
        shutil.copy(template, db)

        def run(i: int, db: Path = db) -> None:
            engine = make_engine(f"sqlite:///{db}")
            dispatch(
                engine,
                now=bench_now(),
                rules=default_rules(),
                routes=load_routes(routes),
                worker=f"w{i}",
                batch=50,
            )
            engine.dispose()

        threads = [threading.Thread(target=run, args=(i,)) for i in range(workers)]
        t0 = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - t0
        mails = len(sink.mails)
        result[str(workers)] = {"mails": mails, "seconds": seconds, "mails_per_s": mails / seconds}
    sink.stop()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
