"""OParl sync speed: `python -m bench.oparl WORKDIR DB_URL [--one-by-one]` – Hürtgenwald's
complete SD.NET endpoint (2,115 papers, tests/oparl_archive.py) served on 127.0.0.1 and
synced into an empty database, as `ratsfrist sync-oparl` does it; beside it, in the same
process, the raw floor: every list page fetched over the same keep-alive HTTP client and
parsed (json), and the rows the sync wrote inserted again into an empty copy of the same
tables the way the sync's bulk writes go (models.store.bulk.write_rows: COPY on PostgreSQL,
executemany on SQLite), one statement per table. Prints JSON.

`--one-by-one` also times the sync with every object stored one by one (the path before the
bulk path; about half a minute), on a second empty database.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from models.services.oparl_client import OParlClient
from models.services.oparl_sync import sync_endpoint
from models.store.bulk import write_rows
from models.store.db import ensure_schema, make_engine
from models.store.profiles import default_rules
from tests.oparl_archive import ArchiveServer, unpack

NOW = datetime(2021, 9, 7, 8, 0, tzinfo=UTC)


def fresh(url: str, name: str) -> str:
    """An empty database beside `url` (a file next to it, or a database on its server)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database or "").with_name(f"{name}.sqlite")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = make_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return parsed.set(database=name).render_as_string(hide_password=False)


def counted(engine: Engine) -> list[int]:
    """A counter of the statements `engine` executes (executemany counts once)."""
    count = [0]
    sa.event.listen(engine, "before_cursor_execute", lambda *_: count.__setitem__(0, count[0] + 1))
    return count


def sync(url: str, server: ArchiveServer, *, bulk: bool) -> dict[str, Any]:
    engine = make_engine(url)
    ensure_schema(engine)
    statements = counted(engine)
    phases: dict[str, tuple[float, float]] = {}
    started = time.perf_counter()
    cpu = time.process_time()

    def progress(name: str, done: int, total: int | None) -> None:
        phases[name] = (time.perf_counter() - started, time.process_time() - cpu)

    with OParlClient(timeout=30, retries=1, backoff=0) as client:
        report = sync_endpoint(
            engine,
            server.system_url,
            now=NOW,
            rules=default_rules(),
            client=client,
            progress=progress,
            bulk=bulk,
        )
    seconds = time.perf_counter() - started
    cpu_s = time.process_time() - cpu
    with engine.connect() as c:
        papers = c.scalar(sa.text("SELECT count(*) FROM paper")) or 0
    engine.dispose()
    before = phases.get("Sitzungen", (0.0, 0.0))
    paper_s, paper_cpu = (b - a for a, b in zip(before, phases["Vorlagen"], strict=True))
    return {
        "seconds": seconds,
        "cpu_s": cpu_s,
        "papers": papers,
        "papers_per_s": papers / seconds,
        "paper_list_s": paper_s,
        "paper_list_per_s": papers / paper_s,
        "paper_list_cpu_s": paper_cpu,
        "meetings_s": before[0],
        "meetings_cpu_s": before[1],
        "statements": statements[0],
        "statements_per_paper": statements[0] / papers,
        "skipped": len(report.skipped),
        "requests": client.requests,
    }


def floor(url: str, synced: str, server: ArchiveServer) -> dict[str, Any]:
    """What no sync can beat: the pages fetched and parsed, the same rows inserted plainly
    (each table in one bulk write, as fast as the sync itself can write them)."""
    started = time.perf_counter()
    pages = 0
    with OParlClient(timeout=30, retries=1, backoff=0) as client:
        for name in ("organization", "meeting", "paper"):
            next_url: str | None = f"{server.base}/body/1/{name}"
            while next_url:
                document = client.get(next_url)
                pages += 1
                next_url = document.get("links", {}).get("next")
    fetch_s = time.perf_counter() - started
    source = make_engine(synced)
    with source.connect() as c:
        rows = {
            t.name: [dict(r._mapping) for r in c.execute(t.select().order_by(*t.primary_key))]
            for t in SQLModel.metadata.sorted_tables
        }
    source.dispose()
    target = make_engine(url)
    ensure_schema(target)
    started = time.perf_counter()
    with target.begin() as c:
        for table in SQLModel.metadata.sorted_tables:
            write_rows(c, table, rows[table.name])
    insert_s = time.perf_counter() - started
    target.dispose()
    return {
        "pages": pages,
        "fetch_parse_s": fetch_s,
        "insert_s": insert_s,
        "seconds": fetch_s + insert_s,
        "rows": sum(len(found) for found in rows.values()),
    }


def main() -> None:
    work, url = Path(sys.argv[1]), sys.argv[2]
    archive = work / "huertgenwald"
    if not (archive / "system.json").exists():
        unpack(archive)
    server = ArchiveServer(archive)
    try:
        synced = fresh(url, "bench_oparl")
        result: dict[str, Any] = {"bulk": sync(synced, server, bulk=True)}
        result["floor"] = floor(fresh(url, "bench_oparl_floor"), synced, server)
        if "--one-by-one" in sys.argv:
            result["one_by_one"] = sync(fresh(url, "bench_oparl_single"), server, bulk=False)
    finally:
        server.close()
        if not url.startswith("sqlite"):
            admin = make_engine(url, isolation_level="AUTOCOMMIT")
            with admin.connect() as c:
                for name in ("bench_oparl", "bench_oparl_floor", "bench_oparl_single"):
                    c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    main()
