"""Synthetic council data at municipal and state scale, written straight into the database.

N deadlines → N/4 papers of every paper type, spread over 396 bodies (the municipalities of
NRW, as many as a state-wide service runs), each with its own rules profile, Bundesland and
holiday categories from the shipped profiles (BODY_RULES: NW, BY, BW, SN, TH, NI, HE), 8
committees each and a meeting calendar around `now`; each paper with 1–3 consultations, four
deadlines and a reminder row per deadline. Steady state: most deadlines met, a quarter open in
the coming weeks, one day's worth open and just past due (what the daily sweep marks), 2 %
missed earlier. `make_cold` turns that into the morning after an outage: 40 % past due.

The Saxon bodies' rule counted in meetings ("spätestens in der übernächsten Sitzung",
sachsen.toml `tagesordnung_fraktion`, for Anträge) is stored as planning stores it: the
Anträge's invitation row is that rule's, except for one in WAITING_EVERY, which waits for
its committee's calendar (received after the committee's second-last meeting, so that the
calendar has only one meeting to count): what the overview's list of deadlines not
computable yet finds, and what it must find without reading the others.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from itertools import chain
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

import models.store.tables  # noqa: F401
from models.domain.vocab import DeadlineStatus, ReminderStatus
from models.store.db import ensure_schema

PAPER_TYPES = [
    "Antrag",
    "Vorschlag",
    "Anfrage",
    "Änderungsantrag",
    "Beschlussvorlage",
    "Mitteilung",
]
KINDS = [
    ("invitation", "sitzungsdienst"),
    ("report", "fachamt"),
    ("session", "gremium"),
    ("implementation", "fachamt"),
]
COUNTED_RULE = ("sachsen", "Antrag", "tagesordnung_fraktion")
"""(profile, paper type, rule) of the generated data's rule counted in meetings."""
WAITING_EVERY = 50
"""One in this many Anträge of the Saxon bodies waits for meetings to be scheduled."""
CHUNK = 20_000
BODIES = 396
"""Bodies in every generated database, whatever its size: the sweep resolves each one's
rules (profile → calendar) once per run, so their number must not show in its time."""
BODY_RULES: list[tuple[str, str, tuple[str, ...]]] = [
    # (shipped profile, Bundesland, municipality holiday categories), assigned in turn
    ("default", "NW", ()),
    ("bonn", "NW", ()),
    ("leverkusen", "NW", ()),
    ("mettmann", "NW", ()),
    ("rhein_kreis_neuss", "NW", ()),
    ("waldbroel", "NW", ()),
    ("wesel", "NW", ()),
    ("wuppertal_bv", "NW", ()),
    ("bayern_stadtrat", "BY", ("catholic",)),
    ("default", "BY", ()),
    ("bayern_stadtrat", "BY", ("augsburg",)),
    ("muenchen", "BY", ("catholic",)),
    ("bw_gemeinde", "BW", ()),
    ("sachsen", "SN", ()),
    ("sachsen", "SN", ("catholic",)),
    ("erfurt", "TH", ()),
    ("erfurt", "TH", ("catholic",)),
    ("wolfsburg", "NI", ()),
    ("default", "HE", ()),
]


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    chunk: list[dict[str, Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _insert(connection: sa.Connection, table: str, rows: Iterator[dict[str, Any]]) -> int:
    target = SQLModel.metadata.tables[table]
    if connection.dialect.name == "postgresql":
        return _copy(connection, target, rows)
    raw = connection.connection.driver_connection
    assert raw is not None
    count = 0
    for chunk in _chunks(rows):
        columns = list(chunk[0])
        as_json = {c for c in columns if isinstance(target.c[c].type, sa.JSON)}
        cursor = raw.cursor()
        cursor.executemany(
            f'INSERT INTO "{target.name}" ({", ".join(columns)}) '
            f"VALUES ({', '.join('?' for _ in columns)})",
            [[_sqlite(row[c], c in as_json) for c in columns] for row in chunk],
        )
        count += len(chunk)
    return count


def _sqlite(value: Any, as_json: bool) -> Any:
    """A value as SQLAlchemy stores it on SQLite (UTCDateTime: naive UTC text), without its
    per-value bind processing, which took half the time of generating a million rows."""
    if as_json:
        return json.dumps(value)
    if isinstance(value, datetime):
        return f"{value.astimezone(UTC):%Y-%m-%d %H:%M:%S.%f}"
    if isinstance(value, date):
        return value.isoformat()
    return value


def _copy(connection: sa.Connection, target: sa.Table, rows: Iterator[dict[str, Any]]) -> int:
    """PostgreSQL's COPY, in the same transaction: five times as fast as multi-row INSERTs
    for a million rows, which keeps `make bench` within its time."""
    first = next(rows, None)
    if first is None:
        return 0
    columns = list(first)
    as_json = {c for c in columns if isinstance(target.c[c].type, sa.JSON)}
    names = ", ".join(f'"{c}"' for c in columns)
    raw = connection.connection.driver_connection
    assert raw is not None
    count = 0
    with raw.cursor() as cursor, cursor.copy(f'COPY "{target.name}" ({names}) FROM STDIN') as copy:
        for row in chain([first], rows):
            copy.write_row([json.dumps(row[c]) if c in as_json else row[c] for c in columns])
            count += 1
    return count


def body_row(b: int) -> dict[str, Any]:
    """Body b (0-based) with its rules, as `ratsfrist bodies add` would store them."""
    profile, state, categories = BODY_RULES[b % len(BODY_RULES)]
    return {
        "id": b + 1,
        "name": f"Kommune {b + 1:03d}",
        "slug": f"kommune-{b + 1:03d}",
        "profile": profile,
        "state": state,
        "holiday_categories": ",".join(categories) or None,
    }


def generate(
    engine: Engine, n_deadlines: int, now: datetime, seed: int = 1, bodies: int = BODIES
) -> dict[str, int]:
    ensure_schema(engine)
    rng = random.Random(seed)
    papers = max(1, n_deadlines // 4)
    orgs_per_body = 8
    meetings_per_org = 24
    day = timedelta(days=1)
    sizes: dict[str, int] = {}
    with engine.begin() as c:
        sizes["body"] = _insert(c, "body", (body_row(b) for b in range(bodies)))
        orgs = bodies * orgs_per_body
        sizes["organization"] = _insert(
            c,
            "organization",
            (
                {
                    "id": o + 1,
                    "body_id": o // orgs_per_body + 1,
                    "name": f"Ausschuss {o % orgs_per_body + 1}",
                }
                for o in range(orgs)
            ),
        )
        sizes["meeting"] = _insert(
            c,
            "meeting",
            (
                {
                    "id": m + 1,
                    "organization_id": m // meetings_per_org + 1,
                    "start": now + timedelta(days=(m % meetings_per_org) * 14 - 180, hours=10),
                    "public": True,
                    "cancelled": False,
                }
                for m in range(orgs * meetings_per_org)
            ),
        )

        def committee(p: int) -> int:
            """Paper p's committee (0-based): its body's papers take the body's committees in
            turn (p % 8 would give a body only the committees of its id's residue)."""
            return (p % bodies) * orgs_per_body + (p // bodies) % orgs_per_body

        def counted(p: int) -> bool:
            """Whether paper p has the rule counted in meetings (a Saxon body's Antrag)."""
            profile, paper_type, _ = COUNTED_RULE
            return (
                BODY_RULES[p % bodies % len(BODY_RULES)][0] == profile
                and PAPER_TYPES[p % len(PAPER_TYPES)] == paper_type
            )

        def waiting(p: int) -> bool:
            return counted(p) and (p // bodies) % WAITING_EVERY == 0

        last_but_one = timedelta(days=(meetings_per_org - 2) * 14 - 180, hours=12)

        def paper_rows() -> Iterator[dict[str, Any]]:
            for p in range(papers):
                body = p % bodies + 1
                yield {
                    "id": p + 1,
                    "body_id": body,
                    "reference": f"V/{p + 1:07d}",
                    "paper_type": PAPER_TYPES[p % len(PAPER_TYPES)],
                    "name": f"Vorlage {p + 1}",
                    "date": (now - (p % 300) * day).date(),
                    "public": p % 10 != 0,
                    "submitters": [],
                    "signatories": [],
                    "attachments": [],
                    "state": ["submitted", "scheduled", "report_requested", "decided"][p % 4],
                    "current_organization_id": committee(p) + 1,
                    "received_at": now + last_but_one if waiting(p) else now - (p % 300) * day,
                    "created_at": now,
                    "updated_at": now,
                }

        sizes["paper"] = _insert(c, "paper", paper_rows())

        def consultation_rows() -> Iterator[dict[str, Any]]:
            cid = 0
            for p in range(papers):
                body = p % bodies
                for position in range(1 + p % 3):
                    cid += 1
                    org = body * orgs_per_body + (p // bodies + position) % orgs_per_body
                    yield {
                        "id": cid,
                        "paper_id": p + 1,
                        "organization_id": org + 1,
                        "meeting_id": org * meetings_per_org + (p % meetings_per_org) + 1,
                        "position": position + 1,
                        "role": "Entscheidung" if position == p % 3 else "Vorberatung",
                        "authoritative": position == p % 3,
                        "public": True,
                        "done": False,
                    }

        sizes["consultation"] = _insert(c, "consultation", consultation_rows())
        # consultation ids: paper p's first consultation id
        first_cid = [0] * papers
        cid = 0
        for p in range(papers):
            first_cid[p] = cid + 1
            cid += 1 + p % 3

        def deadline_rows() -> Iterator[dict[str, Any]]:
            for d in range(papers * 4):
                p, k = divmod(d, 4)
                kind, role = KINDS[k]
                counts = kind == "invitation" and counted(p) and not waiting(p)
                rule = COUNTED_RULE[2] if counts else kind
                roll = rng.random()
                if d % 365 == 0:  # one day's worth: due in the last 24 h, still open
                    status, due = (
                        DeadlineStatus.open.value,
                        now - timedelta(hours=rng.uniform(0.5, 23.5)),
                    )
                elif roll < 0.70:
                    status, due = DeadlineStatus.met.value, now - rng.uniform(2, 300) * day
                elif roll < 0.72:
                    status, due = DeadlineStatus.missed.value, now - rng.uniform(2, 30) * day
                else:
                    status, due = DeadlineStatus.open.value, now + rng.uniform(1, 60) * day
                yield {
                    "id": d + 1,
                    "paper_id": p + 1,
                    "body_id": p % bodies + 1,
                    "consultation_id": first_cid[p],
                    "organization_id": committee(p) + 1,
                    "key": f"{rule}:c{first_cid[p]}" if rule != kind else f"{kind}:{d + 1}",
                    "rule": rule,
                    "kind": kind,
                    "label": kind,
                    "due": due,
                    "responsible": role,
                    "status": status,
                    "met_at": due if status == DeadlineStatus.met.value else None,
                    "created_at": now,
                    "updated_at": now,
                }

        sizes["deadline"] = _insert(c, "deadline", deadline_rows())

        def reminder_rows() -> Iterator[dict[str, Any]]:
            for d in range(papers * 4):
                p, k = divmod(d, 4)
                role = KINDS[k][1]
                due_today = d % 365 == 1
                yield {
                    "id": d + 1,
                    "deadline_id": d + 1,
                    "paper_id": p + 1,
                    "step": f"vorher-1@{d}",
                    "tag": role,
                    "committee": "Ausschuss 1",
                    "escalation": False,
                    "send_at": now - timedelta(hours=1)
                    if due_today
                    else now + rng.uniform(-300, 60) * day,
                    "status": ReminderStatus.pending.value
                    if due_today or not d % 3
                    else ReminderStatus.sent.value,
                    "attempts": 0,
                    "delivered_to": [],
                    "created_at": now,
                    "updated_at": now,
                }

        sizes["reminder"] = _insert(c, "reminder", reminder_rows())
        # pending rows far in the future or past but sent: make past 'pending' ones sent, so
        # that only the day's window is due
        reminder = SQLModel.metadata.tables["reminder"]
        c.execute(
            sa.update(reminder)
            .where(
                reminder.c.status == ReminderStatus.pending.value,
                reminder.c.send_at < now - timedelta(hours=2),
            )
            .values(status=ReminderStatus.sent.value)
        )
    if engine.dialect.name == "postgresql":  # ids were given: move the sequences past them
        with engine.begin() as c:
            for table in sizes:
                c.execute(
                    sa.text(
                        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))"
                    )
                )
    _analyze(engine)
    return sizes


def make_cold(engine: Engine, now: datetime) -> int:
    """The morning after an outage: 40 % of all deadlines open and past due."""
    deadline = SQLModel.metadata.tables["deadline"]
    with engine.begin() as c:
        result = c.execute(
            sa.update(deadline)
            .where(deadline.c.id % 5 < 2)
            .values(status=DeadlineStatus.open.value, due=now - timedelta(days=3))
        )
    _analyze(engine)
    return result.rowcount or 0


def _analyze(engine: Engine) -> None:
    """Statistics, and on PostgreSQL the visibility map that index-only scans need: what
    autovacuum keeps up on a database in steady use."""
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
            c.execute(sa.text("VACUUM ANALYZE"))
        return
    with engine.begin() as c:
        c.execute(sa.text("ANALYZE"))


def sql_now(engine: Engine, later: timedelta = timedelta(0)) -> Any:
    """bench_now() (+ `later`) as a raw SQL parameter: SQLite keeps UTC as naive text."""
    now = bench_now() + later
    return now.replace(tzinfo=None).isoformat(" ") if engine.dialect.name == "sqlite" else now


def bench_now() -> datetime:
    return datetime(2021, 6, 11, 5, 5, tzinfo=UTC)  # 07:05 in Berlin, a Friday
