"""Which reminder rows exist: stopped when a deadline is met or cancelled, re-planned when the
meeting moves, unique per deadline, step and tag, planned by the configured profile."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from models.domain.intake import parse_document
from models.services import intake
from models.services import steps as services
from models.store.db import session_scope
from models.store.tables import Reminder
from tests.conftest import DATA, EXAMPLE, REPO
from tests.notifications.support import REF, at, dispatch_at, import_at, reminder_rows
from tests.smtp import SmtpSink


def test_met_and_cancelled_deadlines_stop_their_pending_reminders(engine: Engine) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    with session_scope(engine) as session:
        services.place_on_agenda(
            session, REF, item_number="5", now=at("2021-06-07T09:00"), actor="t"
        )
    rows = {(r.step.split("@")[0], r.tag): r.status for r in reminder_rows(engine)}
    assert rows[("am-tag", "sitzungsdienst")] == "cancelled"  # invitation met
    assert rows[("vorher-3", "fachamt")] == "pending"
    with session_scope(engine) as session:
        services.withdraw(session, REF, now=at("2021-06-07T10:00"), actor="t")
    assert {r.status for r in reminder_rows(engine)} == {"cancelled"}


def test_moving_the_meeting_replans_the_reminders_for_the_new_date(engine: Engine) -> None:
    from datetime import date

    from models.services.meetings import move_meeting

    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    with session_scope(engine) as session:
        move_meeting(
            session,
            body_name="Kommune",
            committee="Sozialausschuss",
            day=date(2021, 6, 15),
            new_day=date(2021, 6, 22),
            now=at("2021-06-08T09:00"),
        )
    pending = sorted(
        r.step for r in reminder_rows(engine) if r.status == "pending" and r.tag == "fachamt"
    )
    # a moved deadline is announced anew ('neu': its 7-day step had passed), then reminded
    assert pending == [
        "am-tag@2021-06-17",
        "neu@2021-06-17",
        "vorher-1@2021-06-17",
        "vorher-3@2021-06-17",
    ]


def test_anfrage_answer_reminder_goes_to_the_office(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    anfrage = (
        (DATA / "anfrage-nummeriert.txt")
        .read_text()
        .replace("Bezirksvertretung 1 26.01.2023", "Sozialausschuss 26.01.2023")
    )
    import_at(engine, anfrage.encode(), "2023-01-13T09:00", "anfrage.txt")
    dispatch_at(engine, routes_file, "2023-01-25T07:10")  # 1 working day before the session
    answers = [m for m in sink.mails if "Beantwortung der Anfrage" in m.subject]
    assert {m.to[0] for m in answers} == {"fachamt@example.org", "fachamt-soz@example.org"}
    assert "Wie viele Unfälle" in answers[0].text


def test_rows_are_unique_per_deadline_step_and_tag(engine: Engine) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    rows = reminder_rows(engine)
    keys = [(r.deadline_id, r.step, r.tag) for r in rows]
    assert len(keys) == len(set(keys))
    with pytest.raises(Exception), Session(engine) as session:  # noqa: B017
        first = rows[0]
        session.add(
            Reminder(
                deadline_id=first.deadline_id,
                paper_id=first.paper_id,
                step=first.step,
                tag=first.tag,
                send_at=first.send_at,
                status="pending",
                created_at=first.created_at,
                updated_at=first.updated_at,
            )
        )
        session.commit()


def test_backoff_grows_and_is_capped() -> None:
    from models.domain.reminders import backoff

    assert [backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (2, 4, 8)]
    assert backoff(30) == timedelta(hours=6)


def test_recording_minutes_plans_reminders_by_the_configured_profile(
    engine: Engine, tmp_path: Path
) -> None:
    from datetime import date

    from models.services.meetings import record_minutes
    from models.store.profiles import load_profile

    default = (REPO / "models/profiles/default.toml").read_text()
    custom = tmp_path / "go.toml"
    custom.write_text(
        default.replace("before_working_days = [7, 3, 1, 0]", "before_working_days = [2]"),
        encoding="utf-8",
    )
    rules = load_profile(str(custom))
    with session_scope(engine) as session:
        intake.import_paper(
            session,
            parse_document(EXAMPLE.read_bytes(), "v.txt"),
            body_name="Kommune",
            now=at("2021-06-01T06:00"),
            actor="t",
            received_at=at("2021-06-01T06:00"),
            rules=rules,
        )
        services.place_on_agenda(
            session, REF, item_number="5", now=at("2021-06-01T07:00"), actor="t", rules=rules
        )
        services.decide(
            session, REF, result="vertagt", now=at("2021-06-01T08:00"), actor="t", rules=rules
        )
        services.place_on_agenda(
            session,
            REF,
            item_number="2",
            meeting_day=date(2021, 7, 13),
            now=at("2021-06-01T09:00"),
            actor="t",
            rules=rules,
        )
        record_minutes(
            session,
            body_name="Kommune",
            committee="Sozialausschuss",
            day=date(2021, 6, 15),
            now=at("2021-06-02T09:00"),
            rules=rules,
        )
    steps = {r.step.split("@")[0] for r in reminder_rows(engine) if r.status == "pending"}
    assert steps == {"vorher-2"}  # the profile's one step, not the default 7/3/1/0
