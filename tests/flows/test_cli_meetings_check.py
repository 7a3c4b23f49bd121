"""`ratsfrist meetings check COMMITTEE DAY --now`: the Sitzungsdienst's pre-flight before the
invitation goes out, on the example motion (A 21/0500-01, default profile) for the
Sozialausschuss on Tue 15.06.2021, placed on the agenda as TOP 5.

Worked out by hand from the default profile's wording:
- Ladung "7 volle Tage": the seven days Tue 08. to Mon 14.06. lie between, so the invitation
  must go out by Mon 07.06.2021, to the end of that day (23:59:59, compared with midnight).
- Stellungnahme "3 Arbeitstage vor der Sitzung, 12 Uhr": Mon 14., Fri 11., Thu 10.06.2021,
  12:00 (the weekend does not count).
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import select

from flows.cli import run
from models.domain.preflight import NoticeRow, broken_notices
from models.domain.timeutil import BERLIN
from models.store.db import session_scope
from models.store.tables import AgendaItem, Meeting
from tests.conftest import EXAMPLE


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def on_agenda(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    received = ["--now", "2021-06-07T06:00", "--received", "2021-06-07T06:00"]
    assert run(["import", str(EXAMPLE), *received]) == 0
    assert run(["schedule", "A 21/0500-01", "--item", "5", "--now", "2021-06-07T09:00"]) == 0


def check(capsys: pytest.CaptureFixture[str], now: str, *more: str) -> tuple[int, str, str]:
    return _cli(capsys, "meetings", "check", "Sozialausschuss", "15.06.2021", "--now", now, *more)


@pytest.mark.usefixtures("on_agenda")
def test_an_invitation_at_the_last_moment_breaks_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = check(capsys, "2021-06-07T23:59:59.5")
    assert code == 0
    assert out.splitlines() == [
        "Sitzung Sozialausschuss 15.06.2021, Einladung am 07.06.2021 23:59: 2 Fristen geprüft",
        "  alles rechtzeitig",
    ]


@pytest.mark.usefixtures("on_agenda")
def test_an_invitation_the_next_morning_breaks_the_ladungsfrist(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, out, _ = check(capsys, "2021-06-08T08:00")
    assert code == 3
    assert out.splitlines()[1:] == [
        "  TOP 5, A 21/0500-01 Kommunales Integrationsmanagement: Ladung mit Tagesordnung "
        "verletzt – 7 volle Tage vor der Sitzung (Standard: Ladungsfrist 7 volle Tage); "
        "verlangt bis 07.06.2021 23:59"
    ]


@pytest.mark.usefixtures("on_agenda")
def test_the_stellungnahme_breaks_after_its_noon(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = check(capsys, "2021-06-10T12:00", "--json")
    assert code == 3
    assert [b["required_by"] for b in json.loads(out)["broken"]] == ["07.06.2021 23:59"]
    code, out, _ = check(capsys, "2021-06-10T12:01", "--json")
    assert code == 3
    broken = json.loads(out)["broken"]
    assert [(b["item"], b["deadline"], b["required_by"]) for b in broken] == [
        ("5", "Ladung mit Tagesordnung", "07.06.2021 23:59"),
        ("5", "Stellungnahme der Verwaltung", "10.06.2021 12:00"),
    ]
    assert broken[1]["rule"].startswith("3 Arbeitstage vor der Sitzung")


@pytest.mark.usefixtures("on_agenda")
def test_a_meeting_that_does_not_exist_is_one_line_and_exit_2(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = _cli(capsys, "meetings", "check", "Sozialausschuss", "16.06.2021")
    assert code == 2
    assert err.strip().splitlines() == ["keine Sitzung Sozialausschuss am 16.06.2021"]


def _row(item: str | None, kind: str, status: str, due: str) -> NoticeRow:
    return NoticeRow(
        reference=f"V {item}",
        item=item,
        title="t",
        kind=kind,
        label=kind,
        rule_words="r",
        due=datetime.fromisoformat(due).replace(tzinfo=BERLIN),
        status=status,
    )


def test_which_rows_the_preflight_counts() -> None:
    """A delivered report is fine, a met (placed) Ladung still counts, a cancelled one not;
    TOP 2 before TOP 10, items without a number last."""
    rows = [
        _row("10", "invitation", "met", "2021-06-07T23:59:59"),
        _row(None, "report", "open", "2021-06-07T12:00"),
        _row("2", "report", "missed", "2021-06-07T12:00"),
        _row("3", "report", "met", "2021-06-07T12:00"),
        _row("4", "invitation", "cancelled", "2021-06-07T23:59:59"),
        _row("5", "proposal", "open", "2021-06-07T23:59:59"),
    ]
    now = datetime(2021, 6, 8, 8, 0, tzinfo=BERLIN)
    assert [r.item for r in broken_notices(rows, now)] == ["2", "10", None]


@pytest.mark.usefixtures("on_agenda")
def test_an_agenda_item_without_a_paper_has_the_meetings_ladung(
    engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    """TOP 1 "Mitteilungen der Verwaltung" has no paper, hence no stored deadline: its Ladung
    is the profile's, from the session Tue 15.06.2021 17:00 (the same Mon 07.06.2021)."""
    with session_scope(engine) as session:
        meeting = session.exec(select(Meeting)).one()
        session.add(AgendaItem(meeting_id=meeting.id, number="1", name="Mitteilungen"))
    code, out, _ = check(capsys, "2021-06-07T12:00")
    assert (code, out.splitlines()[0].endswith(": 3 Fristen geprüft")) == (0, True)
    code, out, _ = check(capsys, "2021-06-08T00:00")
    assert code == 3
    assert [line.split(":")[0] for line in out.splitlines()[1:]] == [
        "  TOP 1 Mitteilungen",
        "  TOP 5, A 21/0500-01 Kommunales Integrationsmanagement",
    ]
    assert out.splitlines()[1].endswith("verlangt bis 07.06.2021 23:59")
