"""Dispatch speed: `python -m bench.dispatch WORKDIR N [LEVELS]` – N due reminders sent to a
local SMTP server, beside the floor of smtplib alone, all in the same run. Prints JSON.

The server (aiosmtpd, counting what it accepts and parsing nothing) runs in a process of its
own, as a mail server does: in the dispatcher's process it took the GIL from the sending
threads. Measured, each from the moment all processes stand ready:

- the floor: smtplib sending one reminder-sized message N times over one connection, and
  over a new connection per mail (what Apprise does: one connection per notification);
- one dispatcher with one sender (`one_sender`), one with four (`four_senders`:
  RATSFRIST_SENDERS=4), and 1, 2, 4 … dispatcher processes (LEVELS) with the default number
  of senders (notifications.batch.SENDERS), each on the same copy of the database, claiming
  batches of 50. A dispatcher keeps its SMTP connection open between mails
  (notifications/smtp_hooks.py), as the one-connection floor does.

Each measurement also gives the CPU milliseconds per mail of the sending processes
(`cpu_ms_per_mail`; the server's not included): on a shared machine the wall time says how
busy the others were, the CPU time what the sending itself costs.
"""

from __future__ import annotations

import json
import multiprocessing as mp
import shutil
import smtplib
import sys
import time
from datetime import timedelta
from email.message import EmailMessage
from multiprocessing.synchronize import Barrier, Event
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlmodel import SQLModel

from bench.generate import bench_now, generate
from models.domain.vocab import DeadlineStatus, ReminderStatus
from models.store.db import make_engine
from models.store.profiles import default_rules
from notifications.batch import SENDERS
from notifications.dispatch import dispatch
from notifications.routes import load_routes
from tests.smtp import free_port


def prepare(work: Path, n: int) -> Path:
    template = work / "dispatch.sqlite"
    template.unlink(missing_ok=True)
    engine = make_engine(f"sqlite:///{template}")
    generate(engine, n, bench_now())
    deadline, reminder = (SQLModel.metadata.tables[t] for t in ("deadline", "reminder"))
    with engine.begin() as c:
        c.execute(
            sa.update(deadline).values(
                status=DeadlineStatus.open.value, due=bench_now() + timedelta(days=5)
            )
        )
        c.execute(
            sa.update(reminder).values(
                status=ReminderStatus.pending.value, send_at=bench_now() - timedelta(hours=1)
            )
        )
    with engine.connect() as c:
        c.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return template


class _Counting:
    def __init__(self, counter: Any) -> None:
        self.counter = counter

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.counter.get_lock():
            self.counter.value += 1
        return "250 OK"


def _serve(port: int, counter: Any, up: Event, stop: Event) -> None:
    from aiosmtpd.controller import Controller

    controller = Controller(_Counting(counter), hostname="127.0.0.1", port=port)
    controller.start()
    up.set()
    stop.wait()
    controller.stop()


def _message() -> bytes:
    """A message the size and shape of a reminder: text, HTML and an .ics."""
    from datetime import UTC, datetime

    from models.domain.ics import build, deadline_entry

    message = EmailMessage()
    message["From"] = "frist@example.org"
    message["To"] = "fachamt@example.org"
    message["Subject"] = "Erinnerung: Bericht der Verwaltung A 21/0500-01, fällig 10.06.2021"
    message.set_content("Erinnerung an eine Frist.\n" * 40)
    message.add_alternative("<p>Erinnerung an eine Frist.</p>\n" * 40, subtype="html")
    due = datetime(2021, 6, 10, 21, 59, tzinfo=UTC)
    ics = build(
        [
            deadline_entry(
                body="Kommune",
                reference="A 21/0500-01",
                key="report",
                summary="Bericht",
                due=due,
                description="Bericht",
                kind="report",
                updated_at=due,
            )
        ],
        name="ratsfrist",
        now=due,
    )
    message.add_attachment(ics, maintype="text", subtype="calendar", filename="frist.ics")
    return message.as_bytes().replace(b"\n", b"\r\n")  # smtplib sends bytes as they are


def _floor(port: int, n: int, per_mail: bool) -> tuple[float, float]:
    """Wall and CPU seconds of sending N mails with smtplib alone."""
    data = _message()
    t0, c0 = time.perf_counter(), time.process_time()
    if per_mail:
        for _ in range(n):
            with smtplib.SMTP("127.0.0.1", port) as smtp:
                smtp.sendmail("frist@example.org", ["fachamt@example.org"], data)
    else:
        with smtplib.SMTP("127.0.0.1", port) as smtp:
            for _ in range(n):
                smtp.sendmail("frist@example.org", ["fachamt@example.org"], data)
    return time.perf_counter() - t0, time.process_time() - c0


def _dispatcher(db: str, routes: str, i: int, senders: int, start: Barrier, out: Any) -> None:
    engine = make_engine(f"sqlite:///{db}")
    loaded, rules = load_routes(routes), default_rules()
    start.wait()
    c0 = time.process_time()
    summary = dispatch(
        engine,
        now=bench_now(),
        rules=rules,
        routes=loaded,
        worker=f"w{i}",
        batch=50,
        senders=senders,
    )
    out.put((summary.mails, time.time(), time.process_time() - c0))
    engine.dispose()


def _dispatchers(
    work: Path, template: Path, routes: Path, count: int, senders: int, received: Any
) -> dict[str, float]:
    db = work / f"dispatch-{count}x{senders}.sqlite"
    shutil.copy(template, db)
    context = mp.get_context("spawn")  # clean processes: no threads or engines inherited
    start, out = context.Barrier(count + 1), context.Queue()
    processes = [
        context.Process(target=_dispatcher, args=(str(db), str(routes), i, senders, start, out))
        for i in range(count)
    ]
    for process in processes:
        process.start()
    before = received.value
    start.wait()
    t0 = time.time()
    ends = [out.get(timeout=1200) for _ in processes]
    for process in processes:
        process.join()
    seconds = max(end for _, end, _ in ends) - t0
    mails = received.value - before
    assert mails == sum(m for m, _, _ in ends), "the server counted other mails than were sent"
    db.unlink()
    cpu = sum(c for _, _, c in ends)
    return {
        "mails": mails,
        "seconds": seconds,
        "mails_per_s": mails / seconds,
        "cpu_ms_per_mail": cpu * 1000 / max(1, mails),
    }


def main() -> None:
    work, n = Path(sys.argv[1]), int(sys.argv[2])
    levels = [int(w) for w in sys.argv[3].split(",")] if len(sys.argv) > 3 else [1, 2, 4]
    template = prepare(work, n)
    context = mp.get_context("spawn")
    received = context.Value("i", 0)
    up, stop = context.Event(), context.Event()
    port = free_port()
    server = context.Process(target=_serve, args=(port, received, up, stop))
    server.start()
    up.wait(timeout=60)
    routes = work / "dispatch-apprise.yml"
    url = f"mailto://127.0.0.1:{port}?from=frist@example.org&to={{}}@example.org"
    routes.write_text(
        "version: 1\nurls:\n"
        + "".join(
            f"  - {url.format(tag)}:\n      - tag: {tag}\n"
            for tag in ("fachamt", "sitzungsdienst", "gremium")
        )
    )
    result: dict[str, Any] = {"senders": SENDERS, "floor": {}, "dispatchers": {}}
    try:
        for name, per_mail in (("one connection", False), ("connection per mail", True)):
            seconds, cpu = _floor(port, n, per_mail)
            result["floor"][name] = {
                "mails": n,
                "seconds": seconds,
                "mails_per_s": n / seconds,
                "cpu_ms_per_mail": cpu * 1000 / n,
            }
        result["one_sender"] = _dispatchers(work, template, routes, 1, 1, received)
        result["four_senders"] = _dispatchers(work, template, routes, 1, 4, received)
        for count in levels:
            measured = _dispatchers(work, template, routes, count, SENDERS, received)
            result["dispatchers"][str(count)] = measured
    finally:
        stop.set()
        server.join(timeout=30)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
