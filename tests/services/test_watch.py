"""The watch lists and the Beschlusskontrolle over a town's motions made through the real use
cases (tests/services/town.py), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy.engine import Engine

from models.domain.errors import NotFound
from models.services.decision_report import decision_report
from models.services.watch import watch_lists
from models.store.db import session_scope
from tests.services.town import (
    CLOSED_LATE,
    CONFIDENTIAL,
    IMPLEMENTING,
    NOW,
    REFERRED,
    REJECTED,
    SECRET,
    TO_REVIEW,
    UNTOUCHED,
    build_town,
)
from tests.sql_statements import statements


@pytest.fixture
def town(engine: Engine) -> Engine:
    build_town(engine)
    return engine


def test_the_four_lists_name_what_is_stuck(town: Engine) -> None:
    with statements(town) as seen, session_scope(town) as session:
        lists = watch_lists(session, NOW, weeks=6)
    selects = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) == 4  # one query per list, none per row
    assert [(s.reference, s.state) for s in lists.stale] == [
        (UNTOUCHED, "submitted"),
        (CONFIDENTIAL, "submitted"),
        (TO_REVIEW, "scheduled"),
        (REFERRED, "submitted"),
        (SECRET, "decided"),
        (REJECTED, "decided"),
    ]  # the longest untouched first; the ones in implementation are watched by date
    assert [s.last_event for s in lists.stale][-3:] == ["decide", "decide", "decide"]
    assert [s.public for s in lists.stale] == [True, False, True, True, False, True]
    assert {s.committee for s in lists.stale if s.reference == REJECTED} == {"Sozialausschuss"}
    (referral,) = lists.referrals
    assert (referral.reference, referral.referred_by, referral.referred_to) == (
        REFERRED,
        "Sozialausschuss",
        "Rat der Stadt",
    )
    # the closed one met its Wiedervorlage, if late; the one never passed on did not
    late, never = lists.implementations
    assert (late.reference, late.office, late.committee) == (
        IMPLEMENTING,
        "Amt 50 (Soziales)",
        "Sozialausschuss",
    )
    assert (never.reference, never.office, never.responsible) == (SECRET, None, "fachamt")
    assert late.due.date() == never.due.date() == date(2021, 9, 15)
    (review,) = lists.reviews
    assert (review.reference, review.item, review.result) == (TO_REVIEW, "8", "siehe Niederschrift")
    assert review.reason.startswith("Ergebnis prüfen")


def test_the_weeks_are_a_parameter_and_now_decides(town: Engine) -> None:
    with session_scope(town) as session:
        patient = watch_lists(session, NOW, weeks=20)
        early = watch_lists(session, NOW - timedelta(days=30), weeks=10)
    assert patient.stale == [] and patient.referrals == []  # nothing 20 weeks old
    assert len(patient.implementations) == 2 and len(patient.reviews) == 1
    # on 01.09. the Wiedervorlage of 15.09. is not yet due; ten weeks back is 23.06.: the
    # referral of 15.06. is stuck, the rejection of 06.07. not yet
    assert early.implementations == []
    assert REFERRED in {s.reference for s in early.stale}
    assert REJECTED not in {s.reference for s in early.stale}
    assert [r.reference for r in early.referrals] == [REFERRED]


def test_a_referral_scheduled_since_leaves_the_list(town: Engine) -> None:
    from flows.app import STEPS

    with session_scope(town) as session:
        STEPS["place_on_agenda"](
            session,
            REFERRED,
            now=NOW,
            actor="t",
            item_number="4",
            meeting_day=date(2021, 10, 12),
        )
    with session_scope(town) as session:
        lists = watch_lists(session, NOW + timedelta(days=1), weeks=6)
    assert lists.referrals == []
    assert REFERRED not in {s.reference for s in lists.stale}


def test_beschlusskontrolle_lists_every_decision_with_its_implementation(town: Engine) -> None:
    with statements(town) as seen, session_scope(town) as session:
        report = decision_report(session, NOW)
    assert len([s for s in seen if s.lstrip().upper().startswith("SELECT")]) == 3
    rows = {row.reference: row for row in report.rows}
    assert [row.reference for row in report.rows] == [IMPLEMENTING, CLOSED_LATE, SECRET, REJECTED]
    assert REFERRED not in rows  # a referral is no decision
    implementing = rows[IMPLEMENTING]
    assert (implementing.result, implementing.state, implementing.responsible) == (
        "beschlossen",
        "in Umsetzung seit 21.06.2021",
        "Amt 50 (Soziales)",
    )
    assert implementing.wiedervorlage_status == "versäumt"
    assert [(o.label, o.days) for o in implementing.overdue][-1] == (
        "Wiedervorlage: Stand der Umsetzung",
        16,
    )
    closed = rows[CLOSED_LATE]
    assert closed.state == "erledigt am 22.09.2021"
    assert closed.wiedervorlage_status == "verspätet erfüllt (7 Tage)"  # lateness kept
    assert "Wiedervorlage" not in {o.label.split(":")[0] for o in closed.overdue}
    secret = rows[SECRET]
    assert (secret.state, secret.responsible, secret.public) == (
        "Umsetzung nicht begonnen",
        "Fachamt",  # the role in words where no office was named
        False,
    )
    rejected = rows[REJECTED]
    assert (rejected.state, rejected.responsible, rejected.wiedervorlage) == (
        "nichts umzusetzen",
        "–",
        None,
    )
    assert rejected.decided_on == date(2021, 7, 6)  # the meeting's day
    minutes = [o for o in rejected.overdue if o.label == "Niederschrift"]
    assert minutes and minutes[0].responsible == "Sitzungsdienst"  # who owes that one
    assert [row.reference for row in report.overdue] == [
        IMPLEMENTING,
        CLOSED_LATE,
        SECRET,
        REJECTED,
    ]


def test_beschlusskontrolle_since_and_committee(town: Engine) -> None:
    with session_scope(town) as session:
        july = decision_report(session, NOW, since=date(2021, 7, 1))
        social = decision_report(session, NOW, committee="sozialausschuss")
        council = decision_report(session, NOW, committee="Rat der Stadt")
        with pytest.raises(NotFound, match=r"unbekanntes Gremium 'Kulturausschuss'.*Rat der Stadt"):
            decision_report(session, NOW, committee="Kulturausschuss")
    assert [row.reference for row in july.rows] == [REJECTED]
    assert len(social.rows) == 4
    assert council.rows == []
