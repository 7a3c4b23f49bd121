"""The PostgreSQL databases the tests make are named after the process that made them
(`prefix_pid_random`), so that a later session can drop those whose process is gone: a killed
pytest worker never reaches its fixture's DROP, and 14 such databases had piled up on the
shared server in one working session."""

from __future__ import annotations

import os
import re
import uuid

import sqlalchemy as sa
from sqlalchemy.engine import Engine

PREFIXES = ("ratsfrist_test", "ratsfrist_claim", "ratsfrist_e2e", "prefect_e2e")
_NAME = re.compile(rf"^(?:{'|'.join(PREFIXES)})_(\d+)(?:_[0-9a-f]+)?$")


def database_name(prefix: str, *, unique: bool = True) -> str:
    """A name for a test database of this process (`unique`: one of several)."""
    assert prefix in PREFIXES, prefix
    return f"{prefix}_{os.getpid()}" + (f"_{uuid.uuid4().hex[:8]}" if unique else "")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def drop_stale(admin: Engine) -> list[str]:
    """Drop the test databases whose process no longer runs on this machine; their names.
    Databases of running processes (another session's, a parallel worker's) stay."""
    with admin.connect() as connection:
        names = connection.execute(sa.text("SELECT datname FROM pg_database")).scalars().all()
        stale = [n for n in names if (m := _NAME.match(n)) and not _alive(int(m.group(1)))]
        for name in stale:
            try:
                connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            except sa.exc.DBAPIError:  # a parallel worker dropped it at the same moment
                continue
    return stale
