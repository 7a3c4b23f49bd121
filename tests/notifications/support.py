"""What the reminder tests share: the example paper imported at a Berlin wall time, a dispatch
at one, and the reminder rows as they stand."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.domain.intake import parse_document
from models.domain.timeutil import BERLIN
from models.services import intake
from models.store.db import session_scope
from models.store.profiles import default_rules
from models.store.tables import Reminder
from notifications.dispatch import Summary, dispatch
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
