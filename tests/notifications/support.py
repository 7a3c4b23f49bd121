"""What the reminder tests share: the example paper imported at a Berlin wall time, a dispatch
at one, and the reminder rows as they stand."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.domain.intake import parse_document
from models.domain.timeutil import BERLIN
from models.services import intake
from models.store.db import session_scope
from models.store.profiles import default_rules
from models.store.tables import Reminder
from notifications.dispatch import Summary, dispatch
from notifications.messages import Item
from notifications.routes import load_routes

REF = "A 21/0500-01"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def import_at(engine: Engine, data: bytes, now: str, source: str = "v.txt") -> None:
    with session_scope(engine) as session:
        intake.import_paper(
            session,
            parse_document(data, source),
            body_name="Kommune",
            now=at(now),
            actor="t",
            received_at=at(now),
        )


def dispatch_at(engine: Engine, routes_file: Path, now: str, **kwargs: object) -> Summary:
    return dispatch(
        engine,
        now=at(now),
        rules=default_rules(),
        routes=load_routes(routes_file),
        **kwargs,  # type: ignore[arg-type]
    )


def reminder_rows(engine: Engine) -> list[Reminder]:
    with Session(engine) as session:
        return list(session.exec(select(Reminder).order_by(Reminder.id)).all())


def report_item(n: int, title: str, due: datetime, **changes: Any) -> Item:
    """A reminder's content for the rendering tests: the Stellungnahme of paper A 21/05nn-01,
    a public one before a committee; `changes` as dataclasses.replace takes them."""
    item = Item(
        reminder_id=n,
        reference=f"A 21/05{n:02d}-01",
        paper_type="Vorlage",
        public=True,
        title=title,
        kind="report",
        label="Stellungnahme der Verwaltung",
        due=due,
        step="vorher-3",
        committee="Sozialausschuss",
        body_name="Kommune",
        deadline_key=f"report-{n}",
    )
    return replace(item, **changes)
