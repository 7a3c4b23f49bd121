"""Alembic environment: runs on the engine ratsfrist hands it (models.store.db.upgrade), or on
RATSFRIST_DATABASE_URL when called through the alembic command line."""

from __future__ import annotations

import os
from typing import Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlmodel import SQLModel

import models.store.tables  # noqa: F401  (registers the tables on SQLModel.metadata)
from models.store.db import make_engine

target_metadata = SQLModel.metadata


def render_item(type_: str, obj: object, autogen_context: AutogenContext) -> str | Literal[False]:
    """Render our UTCDateTime as the plain column type it stores, and sqlmodel's AutoString
    as sa.String, so migrations never import application code."""
    if type_ == "type":
        name = type(obj).__name__
        if name == "UTCDateTime":
            return "sa.DateTime(timezone=True)"
        if name == "AutoString":
            length = getattr(obj, "length", None)
            return f"sa.String(length={length})" if length else "sa.String()"
    return False


def run_migrations() -> None:
    """All of one upgrade in one transaction. On SQLite, altering a table means rebuilding it
    (batch mode), and dropping the old copy of a table others refer to fails while foreign
    keys are enforced; so they are off during the upgrade (the pragma only takes effect
    outside a transaction), checked before the commit, and on again after."""
    engine = context.config.attributes.get("engine") or make_engine(
        os.environ["RATSFRIST_DATABASE_URL"]
    )
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                context.configure(
                    connection=connection,
                    target_metadata=target_metadata,
                    render_item=render_item,
                    compare_type=True,
                    render_as_batch=sqlite,
                )
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"Migration verletzt Fremdschlüssel: {broken[:5]}")
        finally:
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


run_migrations()
