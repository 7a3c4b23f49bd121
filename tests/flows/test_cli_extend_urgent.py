"""Dringlichkeit and Fristverlängerung on the command line (issue 18, 3), SQLite and
PostgreSQL, with dates worked out by hand.

The motion is the example A 21/0500-01 (received Mo 07.06.2021, Sozialausschuss Di
15.06.2021, with questions) under the Kreistag profile of the Rhein-Kreis Neuss
(models/profiles/rhein_kreis_neuss.toml, GO § 1 Abs. 1):
- Ladung "mindestens sechs Kalendertage", on the day the period runs out: 15.06. − 6 Tage =
  Mi 09.06.2021, to the end of the day (23:59);
- dringlich "bis zu drei Werktage" before the session day, that day not counted and
  Saturdays counting: Mo 14. (1), Sa 12. (2), Fr 11. (3) → Fr 11.06.2021 23:59;
- Stellungnahme "3 Arbeitstage vor der Sitzung, 12 Uhr" has no urgent variant: Mo 14. (1),
  Fr 11. (2), Do 10. (3) → Do 10.06.2021 12:00, with or without urgency.
The Fristverlängerung moves the Stellungnahme to Mo 14.06.2021 at its own hour, 12:00.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from models.store.tables import Deadline, LifecycleEvent, Reminder
from tests.cli_run import cli
from tests.conftest import EXAMPLE, snapshot

REF = "A 21/0500-01"


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")


@pytest.fixture
def motion(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(
        capsys, "bodies", "add", "Rhein-Kreis Neuss", "--profile", "rhein_kreis_neuss",
        "--land", "NW", "--slug", "rkn",
    )  # fmt: skip
    assert (code, err) == (0, "")
    code, _, err = cli(capsys, "import", EXAMPLE, "--body", "rkn", "--now", "2021-06-07T10:00")
    assert (code, err) == (0, "")


def dues(capsys: pytest.CaptureFixture[str]) -> dict[str, tuple[str, str | None]]:
    code, out, _ = cli(capsys, "show", REF, "--json", "--now", "2021-06-08T12:00")
    assert code == 0
    return {d["label"]: (d["due"], d["extended_from"]) for d in json.loads(out)["deadlines"]}


def refused(engine: Engine, capsys: pytest.CaptureFixture[str], *args: object) -> str:
    """Run a command that must be refused: exit 2, one line on stderr, nothing changed."""
    before = snapshot(engine)
    code, out, err = cli(capsys, *args)
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    assert snapshot(engine) == before
    return err.strip()


def test_urgency_shortens_the_ladung_to_three_werktage_and_keeps_rules_without_a_variant(
    motion: None, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    before = dues(capsys)
    assert before["Ladung mit Tagesordnung"] == ("2021-06-09T23:59:59+02:00", None)
    assert before["Stellungnahme der Verwaltung"] == ("2021-06-10T12:00:00+02:00", None)
    grund = "Förderfrist des Landes endet am 30.06."
    code, out, err = cli(
        capsys, "dringlich", REF, "--grund", grund,
        "--now", "2021-06-08T09:00", "--actor", "frau.meier",
    )  # fmt: skip
    assert (code, err) == (0, "")
    after = dues(capsys)
    assert after["Ladung mit Tagesordnung"] == ("2021-06-11T23:59:59+02:00", None)
    assert after["Stellungnahme der Verwaltung"] == before["Stellungnahme der Verwaltung"]
    assert after["Antragsfrist"] == before["Antragsfrist"]
    code, out, _ = cli(capsys, "show", REF, "--json")
    view = json.loads(out)
    assert view["urgent"] == {"reason": grund, "at": "2021-06-08T09:00:00+02:00"}
    assert view["state"] == "submitted"  # a step on the deadlines, not on the state
    code, out, _ = cli(capsys, "show", REF)
    assert f"Dringlichkeit festgestellt: {grund}" in out
    # the Verlauf's row (the explanation of the Ladung says the reason too)
    row = next(line for line in out.splitlines() if f"Grund: {grund}" in line and "│" in line)
    assert [cell.strip() for cell in row.strip("│ ").split("│")][1:] == [
        "Dringlichkeit festgestellt",
        "eingereicht",
        "frau.meier",
        f"Grund: {grund}",
    ]
    with Session(engine) as session:
        event = session.exec(
            select(LifecycleEvent).where(LifecycleEvent.event == "mark_urgent")
        ).one()
        assert (event.actor, event.details) == ("frau.meier", {"reason": grund})
        # the Ladung's reminders follow its new date
        pending = {
            r.step
            for r, d in session.exec(
                select(Reminder, Deadline).join(Deadline, col(Deadline.id) == Reminder.deadline_id)
            ).all()
            if d.kind == "invitation" and r.status == "pending"
        }
    assert pending and all(step.endswith("@2021-06-11") for step in pending)
    # once is enough; a reason is required
    assert "bereits festgestellt" in refused(engine, capsys, "dringlich", REF, "--grund", "nochmal")


def test_urgency_without_a_reason_is_refused(
    motion: None, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert "--grund" in refused(engine, capsys, "dringlich", REF, "--grund", "  ")


def test_an_extension_with_consent_moves_the_deadline_its_reminders_and_is_shown_everywhere(
    motion: None, engine: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    grund = "Amt 50 braucht die Zahlen des Landes"
    code, out, err = cli(
        capsys, "fristverlaengerung", REF, "--frist", "report", "--bis", "14.06.2021",
        "--grund", grund, "--zustimmung", "--zustimmung-von", "CDU-Fraktion",
        "--now", "2021-06-08T11:00", "--actor", "amt50",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert dues(capsys)["Stellungnahme der Verwaltung"] == (
        "2021-06-14T12:00:00+02:00",
        "2021-06-10T12:00:00+02:00",
    )
    with Session(engine) as session:
        event = session.exec(
            select(LifecycleEvent).where(LifecycleEvent.event == "extend_deadline")
        ).one()
        assert event.actor == "amt50"
        assert {k: event.details[k] for k in ("kind", "previous_due", "new_due", "reason")} == {
            "kind": "report",
            "previous_due": "2021-06-10T12:00:00+02:00",
            "new_due": "2021-06-14T12:00:00+02:00",
            "reason": grund,
        }
        assert event.details["consent_by"] == "CDU-Fraktion"
        reminders = session.exec(
            select(Reminder, Deadline).join(Deadline, col(Deadline.id) == Reminder.deadline_id)
        ).all()
        report = [(r.step, r.status) for r, d in reminders if d.kind == "report"]
    # the old date's reminders are cancelled, the new date's planned
    assert ("am-tag@2021-06-10", "cancelled") in report
    assert ("am-tag@2021-06-14", "pending") in report
    assert not [s for s, status in report if status == "pending" and "@2021-06-10" in s]

    code, out, _ = cli(capsys, "deadlines", "--all", "--now", "2021-06-08T12:00")
    assert "verlängert bis 14.06.2021 12:00 (statt 10.06.)" in out
    code, out, _ = cli(capsys, "show", REF, "--now", "2021-06-08T12:00")
    assert "verlängert bis 14.06.2021 12:00 (statt 10.06.)" in out
    assert "10.06.2021 12:00 → 14.06.2021 12:00 (Grund: " + grund in out
    ics = tmp_path / "fristen.ics"
    code, _, err = cli(capsys, "calendar", "--out", ics, "--now", "2021-06-08T12:00")
    assert code == 0, err
    text = ics.read_bytes().decode("utf-8").replace("\r\n ", "")
    assert "Stellungnahme der Verwaltung (verlängert)" in text
    assert "Fristverlängerung: verlängert bis 14.06.2021 12:00 (statt 10.06.)" in text
    assert "20210614T120000" in text

    # urgency afterwards: the Ladung shortens, the extension (later than its rule) holds
    code, _, err = cli(capsys, "dringlich", REF, "--grund", "eilig", "--now", "2021-06-08T13:00")
    assert (code, err) == (0, "")
    after = dues(capsys)
    assert after["Stellungnahme der Verwaltung"][0] == "2021-06-14T12:00:00+02:00"
    assert after["Ladung mit Tagesordnung"][0] == "2021-06-11T23:59:59+02:00"


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--grund", "Zahlen fehlen"], "Zustimmung"),  # no consent
        (["--grund", " ", "--zustimmung"], "--grund"),  # no reason
        (["--bis", "09.06.2021", "--grund", "x", "--zustimmung"], "liegt nicht nach"),
        (["--bis", "10.06.2021", "--grund", "x", "--zustimmung"], "liegt nicht nach"),
        (["--bis", "31.06.2021", "--grund", "x", "--zustimmung"], "--bis"),
        (["--frist", "antrag", "--grund", "x", "--zustimmung"], "--frist"),
        (["--frist", "answer", "--grund", "x", "--zustimmung"], "keine offene Frist"),
    ],
)
def test_an_extension_is_refused_in_one_line_and_changes_nothing(
    motion: None,
    engine: Engine,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    words: str,
) -> None:
    defaults = {"--frist": "report", "--bis": "14.06.2021"}
    for flag, value in defaults.items():
        if flag not in args:
            args = [flag, value, *args]
    line = refused(engine, capsys, "fristverlaengerung", REF, *args, "--now", "2021-06-08T11:00")
    assert words in line, line


def _explained(capsys: pytest.CaptureFixture[str], label: str) -> list[str]:
    code, out, _ = cli(capsys, "show", REF, "--json", "--now", "2021-06-08T14:00")
    assert code == 0
    rows = [d for d in json.loads(out)["deadlines"] if d["label"] == label]
    assert len(rows) == 1
    return list(rows[0]["explanation"]["steps"])


def test_the_stored_explanation_ends_with_the_urgency_and_the_extension(
    motion: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # Ladung dringlich: Fr 11.06.2021 (three Werktage), its explanation ends with why;
    # the Stellungnahme has no urgent variant: nothing about urgency in its steps
    code, _, err = cli(capsys, "dringlich", REF, "--grund", "Förderfrist endet",
                       "--now", "2021-06-08T09:00")  # fmt: skip
    assert (code, err) == (0, "")
    ladung = _explained(capsys, "Ladung mit Tagesordnung")
    assert ladung[-1] == "dringlich festgestellt am 08.06.2021, Grund: Förderfrist endet"
    assert not [s for s in _explained(capsys, "Stellungnahme der Verwaltung") if "dringlich" in s]

    code, _, err = cli(
        capsys, "fristverlaengerung", REF, "--frist", "report", "--bis", "14.06.2021",
        "--grund", "Zahlen des Landes fehlen", "--zustimmung", "--zustimmung-von", "CDU-Fraktion",
        "--now", "2021-06-08T11:00",
    )  # fmt: skip
    assert (code, err) == (0, "")
    step = (
        "verlängert am 08.06.2021 auf Mo 14.06.2021 12:00 (statt Do 10.06.2021) mit Zustimmung "
        "von CDU-Fraktion, Grund: Zahlen des Landes fehlen"
    )
    steps = _explained(capsys, "Stellungnahme der Verwaltung")
    assert steps[-1] == step
    assert steps[0].startswith("Sitzung Di 15.06.2021 − 3 Arbeitstage")  # the rule's own steps
    # shown by deadlines --explain and in the calendar entry ("So berechnet: …")
    code, out, _ = cli(capsys, "deadlines", "--all", "--explain", "--now", "2021-06-08T12:00")
    assert step in " ".join(out.split())
    ics = tmp_path / "fristen.ics"
    code, _, err = cli(capsys, "calendar", "--out", ics, "--now", "2021-06-08T12:00")
    assert code == 0, err
    text = ics.read_bytes().decode("utf-8").replace("\r\n ", "")
    assert step.replace(",", "\\,") in text

    # a later re-plan (the meeting moves a day: the rules now say Fr 11.06. 12:00, still
    # before the extension) keeps the extension and its step; a second extension adds its own
    code, _, err = cli(capsys, "meetings", "move", "Sozialausschuss", "15.06.2021", "16.06.2021",
                       "--body", "rkn", "--now", "2021-06-08T12:00")  # fmt: skip
    assert (code, err) == (0, "")
    steps = _explained(capsys, "Stellungnahme der Verwaltung")
    assert steps[0].startswith("Sitzung Mi 16.06.2021 − 3 Arbeitstage")
    assert steps[-1] == step
    code, _, err = cli(
        capsys, "fristverlaengerung", REF, "--frist", "report", "--bis", "15.06.2021",
        "--grund", "noch immer", "--zustimmung", "--zustimmung-von", "CDU-Fraktion",
        "--now", "2021-06-08T13:00",
    )  # fmt: skip
    assert (code, err) == (0, "")
    assert _explained(capsys, "Stellungnahme der Verwaltung")[-2:] == [
        step,
        "verlängert am 08.06.2021 auf Di 15.06.2021 12:00 (statt Mo 14.06.2021) mit Zustimmung "
        "von CDU-Fraktion, Grund: noch immer",
    ]


def test_the_overdue_table_marks_an_extended_deadline(
    motion: None, capsys: pytest.CaptureFixture[str]
) -> None:
    # extended to Mo 14.06.2021 12:00 and still not delivered on Di 15.06. 08:00: overdue
    # since the extended date, and the table says it was extended
    code, _, err = cli(
        capsys, "fristverlaengerung", REF, "--frist", "report", "--bis", "14.06.2021",
        "--grund", "Zahlen fehlen", "--zustimmung", "--now", "2021-06-08T11:00",
    )  # fmt: skip
    assert (code, err) == (0, "")
    code, out, _ = cli(capsys, "overview", "--json", "--now", "2021-06-15T08:00")
    assert code == 0
    rows = {r["Frist"]: r for r in json.loads(out)["overdue"]}
    report = rows["Stellungnahme der Verwaltung (verlängert)"]
    assert (report["fällig seit"], report["Tage"]) == ("14.06.21", 1)
    assert "Ladung mit Tagesordnung" in rows  # not extended: no mark
