"""Set-based writes beside the ORM: rows as dicts, one multi-row INSERT per table, the
same columns the ORM would write (its defaults filled in), ids the database would give one
by one. For the paths that store thousands of rows at once (models.services.oparl_bulk and
the agenda items of a synced meeting), where an ORM object per row costs more than the row.
"""

from __future__ import annotations

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
    """One executemany of `rows` (each completed with the model's defaults)."""
    if rows:
        base = defaults(model)
        connection.execute(sa.insert(table_of(model)), [base | row for row in rows])


def reserve_ids(connection: Connection, model: type[SQLModel], count: int) -> list[int]:
    """`count` new ids for `model`'s table, ascending, as the database would hand them out
    one by one: PostgreSQL's sequence, SQLite's max(id) + 1 (no concurrent writer can come
    between: a second one would make the INSERT fail, and the caller falls back)."""
    if not count:
        return []
    table = table_of(model).name
    if connection.dialect.name == "postgresql":
        return sorted(
            connection.scalars(
                sa.text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": table, "n": count},
            )
        )
    last = connection.scalar(sa.text(f'SELECT coalesce(max(id), 0) FROM "{table}"')) or 0
    return list(range(last + 1, last + 1 + count))
