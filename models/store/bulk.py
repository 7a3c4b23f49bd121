"""Set-based writes beside the ORM: rows as dicts, one bulk write per table, the same
columns the ORM would write (its defaults filled in), ids the database would give one by
one. For the paths that store thousands of rows at once (models.services.oparl_bulk and
the agenda items of a synced meeting), where an ORM object per row costs more than the row.

On PostgreSQL the rows go in with COPY: one statement and one round trip per table, where
psycopg's executemany sends one prepared INSERT per row (and SQLAlchemy's multi-row VALUES
costs more to compile than to send). Each value passes the column type's bind processing
first, so COPY stores what the INSERT would (UTC timestamps, JSON); SQLite keeps the
executemany, which is its fastest path.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from pydantic_core import PydanticUndefined
from sqlalchemy.engine import Connection
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> sa.Table:
    return model.__table__  # type: ignore[attr-defined]


_DEFAULTS: dict[type[SQLModel], dict[str, Any]] = {}


def defaults(model: type[SQLModel]) -> dict[str, Any]:
    """Every column a row of `model` gets when the ORM inserts it and nobody set it."""
    if model not in _DEFAULTS:
        columns = table_of(model).c
        values: dict[str, Any] = {}
        for name, info in model.model_fields.items():
            if name not in columns:
                continue
            factory = info.default_factory
            value = factory() if factory else info.default  # type: ignore[call-arg]
            if value is not PydanticUndefined and not (value is None and columns[name].primary_key):
                values[name] = value  # an id left out is the database's to give
        _DEFAULTS[model] = values
    return _DEFAULTS[model]


def insert_rows(connection: Connection, model: type[SQLModel], rows: list[dict[str, Any]]) -> None:
    """`rows` (each completed with the model's defaults) in one bulk write (write_rows)."""
    if rows:
        base = defaults(model)
        write_rows(connection, table_of(model), [base | row for row in rows])


def write_rows(connection: Connection, table: sa.Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Rows of one table in the order given: COPY on PostgreSQL when every row names the same
    columns, else one executemany. A row without an id gets the sequence's next, as with
    INSERT, in the order of `rows`."""
    if not rows:
        return
    columns = list(rows[0])
    if connection.dialect.name != "postgresql" or any(r.keys() != rows[0].keys() for r in rows):
        connection.execute(sa.insert(table), list(rows))
        return
    dialect = connection.dialect
    processed = [
        (index, process)
        for index, name in enumerate(columns)
        if (process := table.c[name].type._cached_bind_processor(dialect)) is not None
    ]
    quote = dialect.identifier_preparer.quote
    statement = f"COPY {quote(table.name)} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
    raw = connection.connection.driver_connection
    assert raw is not None
    dispatch = connection.dispatch  # statement counters and logs see the COPY as one statement
    with raw.cursor() as cursor:
        dispatch.before_cursor_execute(connection, cursor, statement, rows, None, True)
        with cursor.copy(statement) as copy:
            for row in rows:
                values = [row[c] for c in columns]
                for index, process in processed:
                    values[index] = process(values[index])
                copy.write_row(values)
        dispatch.after_cursor_execute(connection, cursor, statement, rows, None, True)


def reserve_ids(
    connection: Connection, counts: Mapping[sa.Table, int]
) -> dict[sa.Table, list[int]]:
    """`counts[table]` new ids for each table, ascending, as the database would hand them
    out one by one: PostgreSQL's sequences (all tables in one statement), SQLite's max(id)
    + 1 (no concurrent writer can come between: a second one would make the INSERT fail, and
    the caller falls back)."""
    wanted = {table: count for table, count in counts.items() if count}
    ids: dict[sa.Table, list[int]] = {table: [] for table in counts}
    if not wanted:
        return ids
    if connection.dialect.name == "postgresql":
        by_name = {table.name: table for table in wanted}
        found = connection.execute(
            sa.text(
                "SELECT w.t, nextval(pg_get_serial_sequence(w.t, 'id')) "
                "FROM unnest(CAST(:tables AS text[]), CAST(:counts AS integer[])) AS w(t, n), "
                "LATERAL generate_series(1, w.n)"
            ),
            {"tables": list(by_name), "counts": list(wanted.values())},
        )
        for name, value in found:
            ids[by_name[name]].append(value)
        return {table: sorted(values) for table, values in ids.items()}
    for table, count in wanted.items():
        last = connection.scalar(sa.text(f'SELECT coalesce(max(id), 0) FROM "{table.name}"')) or 0
        ids[table] = list(range(last + 1, last + 1 + count))
    return ids


def update_rows(
    connection: Connection, table: sa.Table, rows: Mapping[int, Mapping[str, Any]]
) -> None:
    """Set the given columns of the rows with these ids (every row naming the same columns):
    on PostgreSQL one UPDATE joined to the values as arrays (one round trip, where an
    executemany is one statement per row), else one executemany."""
    if not rows:
        return
    columns = list(next(iter(rows.values())))
    ordered = sorted(rows.items())
    if connection.dialect.name != "postgresql":
        connection.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam("row_id"))
            .values({c: sa.bindparam(f"new_{c}") for c in columns}),
            [{"row_id": key} | {f"new_{c}": row[c] for c in columns} for key, row in ordered],
        )
        return
    dialect = connection.dialect
    quote = dialect.identifier_preparer.quote
    names = ["id", *columns]
    arrays = ", ".join(
        f"CAST(:v{i} AS {table.c[name].type.compile(dialect)}[])" for i, name in enumerate(names)
    )
    statement = (
        f"UPDATE {quote(table.name)} AS t SET "
        + ", ".join(f"{quote(c)} = v.{quote(c)}" for c in columns)
        + f" FROM unnest({arrays}) AS v({', '.join(quote(n) for n in names)}) WHERE t.id = v.id"
    )
    values: dict[str, list[Any]] = {}
    for i, name in enumerate(names):
        process = table.c[name].type._cached_bind_processor(dialect)
        found = [key if name == "id" else row[name] for key, row in ordered]
        values[f"v{i}"] = found if process is None else [process(v) for v in found]
    connection.execute(sa.text(statement), values)
