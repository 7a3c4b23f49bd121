"""A deadline counted in meetings planned in real use (issue 18, 3): "ist ein
Verhandlungsgegenstand auf die Tagesordnung spätestens der übernächsten Sitzung des
Gemeinderats zu setzen" (SächsGemO § 36 Abs. 5, models/profiles/sachsen.toml,
`tagesordnung_fraktion`), over the committee's meetings as the database has them, on SQLite
and PostgreSQL. Dates worked out by hand:

The Antrag (the example A 21/0500-01 as an Antrag) is received Mo 07.06.2021 10:00 for the
Sozialausschuss of Di 15.06.2021 17:00. That meeting's Ladung ("ladung", 7 days before) ends
Di 08.06.2021 23:59: the Antrag reaches it, so 15.06. is the next meeting; the one after next
is whatever the calendar has next: none yet (not computable, and shown so), then Di
13.07.2021 17:00 once added, Di 06.07. once a meeting is added before it, 13.07. again when
that one is cancelled, Di 20.07. when 13.07. is moved there. An Antrag of Mi 09.06.2021 misses
the Ladung of 15.06., so with 15.06., 13.07. and 10.08. in the calendar it is due Di
10.08.2021 17:00. Placing the item on the agenda of 15.06. meets the deadline.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_run import cli
from tests.conftest import EXAMPLE

REF = "A 21/0500-01"
LABEL = "Auf die Tagesordnung spätestens der übernächsten Sitzung"
NOT_YET = "noch keine übernächste Sitzung terminiert (Sozialausschuss)"


@pytest.fixture(autouse=True)
def _wide(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "400")


def ok(capsys: pytest.CaptureFixture[str], *args: object) -> str:
    code, out, err = cli(capsys, *args)
    assert (code, err) == (0, ""), (out, err)
    return out


def antrag(tmp_path: Path) -> Path:
    text = EXAMPLE.read_text(encoding="utf-8").replace(" Vorschlag\n", " Antrag\n", 1)
    path = tmp_path / "antrag.txt"
    path.write_text(text, encoding="utf-8")
    return path


def counted(capsys: pytest.CaptureFixture[str]) -> tuple[dict[str, object] | None, list[object]]:
    """The paper's meeting-count deadline (None if it has none), and what is not computable."""
    view = json.loads(ok(capsys, "show", REF, "--json", "--now", "2021-06-08T12:00"))
    rows = [d for d in view["deadlines"] if d["label"] == LABEL]
    assert len(rows) <= 1
    return (rows[0] if rows else None), view["deadlinesNotYetComputable"]


@pytest.fixture
def zittau(db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    ok(capsys, "bodies", "add", "Stadt Zittau", "--profile", "sachsen", "--land", "SN",
       "--slug", "zittau")  # fmt: skip


def test_the_one_after_next_meeting_follows_the_calendar_and_says_when_it_is_missing(
    zittau: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ok(capsys, "import", antrag(tmp_path), "--body", "zittau", "--received", "2021-06-07T10:00",
       "--now", "2021-06-07T10:00")  # fmt: skip
    row, waiting = counted(capsys)
    assert row is None
    assert waiting == [
        {"rule": "tagesordnung_fraktion", "label": LABEL, "reason": NOT_YET},
    ]
    shown = ok(capsys, "show", REF, "--now", "2021-06-08T12:00")
    assert f"Noch nicht berechenbar: {LABEL} – {NOT_YET}" in shown

    out = ok(capsys, "meetings", "add", "Sozialausschuss", "13.07.2021", "--body", "zittau",
             "--now", "2021-06-08T09:00")  # fmt: skip
    assert f"neu:        {LABEL} → 13.07.2021 17:00" in out
    row, waiting = counted(capsys)
    assert row is not None and waiting == []
    assert (row["due"], row["status"], row["committee"]) == (
        "2021-07-13T17:00:00+02:00",
        "open",
        "Sozialausschuss",
    )
    explanation = row["explanation"]
    assert isinstance(explanation, dict)
    assert explanation["source"] == "§ 36 Abs. 5 Satz 1 SächsGemO"
    assert explanation["steps"][0] == (
        "Eingang Mo 07.06.2021; gezählte Sitzungen: Di 15.06.2021, Di 13.07.2021; "
        "übernächste Sitzung"
    )

    def due() -> object:
        row, _ = counted(capsys)
        assert row is not None
        return (row["due"], row["status"])

    out = ok(capsys, "meetings", "add", "Sozialausschuss", "06.07.2021", "--body", "zittau",
             "--now", "2021-06-08T09:00")  # fmt: skip
    assert f"verschoben: {LABEL} → 06.07.2021 17:00" in out
    assert due() == ("2021-07-06T17:00:00+02:00", "open")
    ok(capsys, "meetings", "cancel", "Sozialausschuss", "06.07.2021", "--body", "zittau",
       "--now", "2021-06-08T09:00")  # fmt: skip
    assert due() == ("2021-07-13T17:00:00+02:00", "open")
    ok(capsys, "meetings", "move", "Sozialausschuss", "13.07.2021", "20.07.2021",
       "--body", "zittau", "--now", "2021-06-08T09:00")  # fmt: skip
    assert due() == ("2021-07-20T17:00:00+02:00", "open")

    # the only later meeting cancelled: no one after next any more, and that is shown
    out = ok(capsys, "meetings", "cancel", "Sozialausschuss", "20.07.2021", "--body", "zittau",
             "--now", "2021-06-08T09:00")  # fmt: skip
    assert f"entfallen:  {LABEL} (20.07.2021)" in out
    assert f"noch nicht berechenbar: {REF}: {LABEL}: {NOT_YET}" in out
    row, waiting = counted(capsys)
    assert row is not None and row["status"] == "cancelled"
    assert [w["reason"] for w in waiting] == [NOT_YET]  # type: ignore[index]

    ok(capsys, "meetings", "add", "Sozialausschuss", "13.07.2021", "--body", "zittau",
       "--now", "2021-06-08T09:00")  # fmt: skip
    assert due() == ("2021-07-13T17:00:00+02:00", "open")
    # placed on the agenda of the next meeting: the deadline is met (it has no meeting of
    # its own, so any agenda meets it)
    ok(capsys, "schedule", REF, "--item", "5", "--meeting", "2021-06-15", "--body", "zittau",
       "--now", "2021-06-09T10:00")  # fmt: skip
    row, _ = counted(capsys)
    assert row is not None
    assert (row["status"], row["met_at"]) == ("met", "2021-06-09T10:00:00+02:00")


def test_a_motion_too_late_for_the_next_invitation_counts_from_the_meeting_after(
    zittau: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    ok(capsys, "committees", "add", "Sozialausschuss", "--body", "zittau")
    for day in ("15.06.2021", "13.07.2021", "10.08.2021"):
        ok(capsys, "meetings", "add", "Sozialausschuss", day, "--body", "zittau",
           "--now", "2021-06-01T09:00")  # fmt: skip
    ok(capsys, "import", antrag(tmp_path), "--body", "zittau", "--received", "2021-06-09T10:00",
       "--now", "2021-06-09T10:00")  # fmt: skip
    row, waiting = counted(capsys)
    assert row is not None and waiting == []
    assert row["due"] == "2021-08-10T17:00:00+02:00"
    steps = row["explanation"]["steps"]  # type: ignore[index]
    assert "Sitzung Di 15.06.2021 nicht mehr erreichbar (Frist verpasst)" in steps


def test_a_folder_import_plans_it_from_the_same_meetings(
    zittau: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # the batch path (several files) reads the committee's meetings once, as replan does:
    # received Mi 09.06.2021, after the Ladung of 15.06., so 13.07. is next, 10.08. after next
    ok(capsys, "committees", "add", "Sozialausschuss", "--body", "zittau")
    for day in ("15.06.2021", "13.07.2021", "10.08.2021"):
        ok(capsys, "meetings", "add", "Sozialausschuss", day, "--body", "zittau",
           "--now", "2021-06-01T09:00")  # fmt: skip
    folder = tmp_path / "eingang"
    folder.mkdir()
    first = antrag(tmp_path).read_text(encoding="utf-8")
    (folder / "a.txt").write_text(first, encoding="utf-8")
    (folder / "b.txt").write_text(first.replace(REF, "A 21/0501-01"), encoding="utf-8")
    ok(capsys, "import", folder, "--body", "zittau", "--received", "2021-06-09T10:00",
       "--now", "2021-06-09T10:00")  # fmt: skip
    for reference in (REF, "A 21/0501-01"):
        view = json.loads(ok(capsys, "show", reference, "--json", "--now", "2021-06-09T12:00"))
        rows = [d for d in view["deadlines"] if d["label"] == LABEL]
        assert [r["due"] for r in rows] == ["2021-08-10T17:00:00+02:00"], reference
        assert rows[0]["explanation"]["steps"][0] == (
            "Eingang Mi 09.06.2021; gezählte Sitzungen: Di 13.07.2021, Di 10.08.2021; "
            "übernächste Sitzung"
        )


def test_the_lists_show_what_cannot_be_computed_yet_until_the_calendar_has_it(
    zittau: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """`deadlines` and `overview` list the deadline `show` calls not computable (a section
    and a key of their own, with reference, rule, committee and reason), through the filters
    of `deadlines` (body, committee; not --overdue: it has no date that could have passed),
    and drop it once the calendar has the meeting after next."""
    ok(capsys, "bodies", "add", "Gemeinde Oberau", "--profile", "default", "--land", "BY",
       "--slug", "oberau")  # fmt: skip
    ok(capsys, "import", antrag(tmp_path), "--body", "zittau", "--received", "2021-06-07T10:00",
       "--now", "2021-06-07T10:00")  # fmt: skip
    now = ("--now", "2021-06-08T12:00")
    waiting = {
        "reference": REF,
        "body": "Stadt Zittau",
        "committee": "Sozialausschuss",
        "rule": "tagesordnung_fraktion",
        "label": LABEL,
        "reason": NOT_YET,
    }

    def listed(*args: str) -> list[object]:
        shown = json.loads(ok(capsys, "deadlines", "--json", *now, *args))
        assert {d["reference"] for d in shown["deadlines"]} <= {REF}
        return shown["deadlinesNotYetComputable"]  # type: ignore[no-any-return]

    assert listed() == [waiting]
    assert listed("--body", "zittau") == [waiting]
    assert listed("--committee", "Sozialausschuss") == [waiting]
    assert listed("--due-within", "2d") == [waiting]  # no date yet: cannot be ruled out
    assert listed("--all") == [waiting]
    assert listed("--body", "oberau") == []
    assert listed("--committee", "Rat") == []
    assert listed("--overdue") == []
    text = ok(capsys, "deadlines", *now)
    assert "Noch nicht berechenbar (1)" in text
    row = next(line for line in text.splitlines() if REF in line and "übernächsten" in line)
    cells = [c.strip() for c in row.strip("│ ").split("│")]
    assert cells == [REF, LABEL, "Sozialausschuss", NOT_YET]
    assert "Noch nicht berechenbar" not in ok(capsys, "deadlines", "--overdue", *now)

    overview = ok(capsys, "overview", *now)
    assert "Noch nicht berechenbare Fristen: **1** (warten auf terminierte Sitzungen)" in overview
    assert "## Noch nicht berechenbar (1)" in overview
    assert (
        "| Sozialausschuss | A 21/0500-01 | Auf die Tagesordnung… "
        "| noch keine übernächste Sitzung terminiert |"
    ) in overview.splitlines()
    shown = json.loads(ok(capsys, "overview", "--json", *now))
    assert shown["deadlinesNotYetComputable"] == [waiting]
    assert shown["overview"] in overview
    oberau = json.loads(ok(capsys, "overview", "--json", "--body", "oberau", *now))
    assert oberau["deadlinesNotYetComputable"] == []
    assert "Noch nicht berechenbar" not in oberau["overview"]

    ok(capsys, "meetings", "add", "Sozialausschuss", "13.07.2021", "--body", "zittau",
       "--now", "2021-06-08T09:00")  # fmt: skip
    assert listed() == []
    assert "Noch nicht berechenbar" not in ok(capsys, "deadlines", *now)
    assert "Noch nicht berechenbar" not in ok(capsys, "overview", *now)


def not_computable(capsys: pytest.CaptureFixture[str], now: str) -> list[object]:
    """What `show`, `deadlines` and `overview` call not computable for the paper: the three
    must agree, so the list is returned once (and asserted equal)."""
    shown = json.loads(ok(capsys, "show", REF, "--json", "--now", now))
    listed = json.loads(ok(capsys, "deadlines", "--json", "--now", now))
    overview = json.loads(ok(capsys, "overview", "--json", "--now", now))
    waiting = [w["label"] for w in shown["deadlinesNotYetComputable"]]
    assert [w["label"] for w in listed["deadlinesNotYetComputable"]] == waiting
    assert [w["label"] for w in overview["deadlinesNotYetComputable"]] == waiting
    text = ok(capsys, "show", REF, "--now", now)
    assert ("Noch nicht berechenbar" in text) == bool(waiting)
    return waiting


def test_a_motion_placed_on_the_agenda_owes_no_place_however_the_calendar_grows(
    zittau: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """The reproduction: placed on the agenda of 15.06. while the calendar has only that
    meeting, the Antrag has what the rule asks for. No list calls the rule not computable
    any more, and the meeting after next, added later, plans no open deadline for it; nor
    does a Vertagung (it was on the agenda: the same consultation goes to a later one)."""
    ok(capsys, "import", antrag(tmp_path), "--body", "zittau", "--received", "2021-06-07T10:00",
       "--now", "2021-06-07T10:00")  # fmt: skip
    assert not_computable(capsys, "2021-06-08T12:00") == [LABEL]
    ok(capsys, "schedule", REF, "--item", "5", "--meeting", "2021-06-15", "--body", "zittau",
       "--now", "2021-06-09T10:00")  # fmt: skip
    assert not_computable(capsys, "2021-06-09T12:00") == []
    assert "Noch nicht berechenbar" not in ok(capsys, "overview", "--now", "2021-06-09T12:00")

    out = ok(capsys, "meetings", "add", "Sozialausschuss", "13.07.2021", "--body", "zittau",
             "--now", "2021-06-10T09:00")  # fmt: skip
    assert LABEL not in out
    row, _ = counted(capsys)
    assert row is None
    listed = json.loads(ok(capsys, "deadlines", "--json", "--all", "--now", "2021-06-10T12:00"))
    assert [d for d in listed["deadlines"] if d["label"] == LABEL] == []

    ok(capsys, "decide", REF, "--result", "vertagt", "--body", "zittau",
       "--now", "2021-06-15T19:00")  # fmt: skip
    ok(capsys, "meetings", "add", "Sozialausschuss", "10.08.2021", "--body", "zittau",
       "--now", "2021-06-16T09:00")  # fmt: skip
    row, _ = counted(capsys)
    assert row is None
    assert not_computable(capsys, "2021-06-16T12:00") == []


def test_a_met_deadline_stays_met_and_is_not_called_not_computable_when_a_meeting_goes(
    zittau: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Computed (15.06. and 13.07. in the calendar), then met by placing the item on the
    agenda of 15.06.: cancelling 13.07. leaves it met, and neither `show` nor the lists call
    it not computable (they used to disagree: the lists skipped the met row, `show` did
    not)."""
    ok(capsys, "committees", "add", "Sozialausschuss", "--body", "zittau")
    for day in ("15.06.2021", "13.07.2021"):
        ok(capsys, "meetings", "add", "Sozialausschuss", day, "--body", "zittau",
           "--now", "2021-06-01T09:00")  # fmt: skip
    ok(capsys, "import", antrag(tmp_path), "--body", "zittau", "--received", "2021-06-07T10:00",
       "--now", "2021-06-07T10:00")  # fmt: skip
    row, waiting = counted(capsys)
    assert row is not None and (row["status"], waiting) == ("open", [])
    ok(capsys, "schedule", REF, "--item", "5", "--meeting", "2021-06-15", "--body", "zittau",
       "--now", "2021-06-09T10:00")  # fmt: skip
    ok(capsys, "meetings", "cancel", "Sozialausschuss", "13.07.2021", "--body", "zittau",
       "--now", "2021-06-10T09:00")  # fmt: skip
    row, _ = counted(capsys)
    assert row is not None and row["status"] == "met"
    assert not_computable(capsys, "2021-06-10T12:00") == []


def test_a_committee_consulted_again_after_a_referral_owes_a_place_anew(
    zittau: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Met in the Sozialausschuss, referred to the Rat for a Vorberatung and back: the new
    consultation of the Sozialausschuss owes a place on its agenda again, and with one
    meeting after the receipt in its calendar that is not computable, in `show` and in the
    lists alike (the lists looked for a row of the committee, and found the met one of the
    first consultation)."""
    ok(capsys, "committees", "add", "Sozialausschuss", "--body", "zittau")
    ok(capsys, "committees", "add", "Rat", "--body", "zittau")
    for committee, day in (("Sozialausschuss", "15.06.2021"), ("Sozialausschuss", "13.07.2021"),
                           ("Rat", "01.07.2021")):  # fmt: skip
        ok(capsys, "meetings", "add", committee, day, "--body", "zittau",
           "--now", "2021-06-01T09:00")  # fmt: skip
    ok(capsys, "import", antrag(tmp_path), "--body", "zittau", "--received", "2021-06-07T10:00",
       "--now", "2021-06-07T10:00")  # fmt: skip
    ok(capsys, "schedule", REF, "--item", "5", "--meeting", "2021-06-15", "--body", "zittau",
       "--now", "2021-06-09T10:00")  # fmt: skip
    ok(capsys, "meetings", "cancel", "Sozialausschuss", "13.07.2021", "--body", "zittau",
       "--now", "2021-06-10T09:00")  # fmt: skip
    ok(capsys, "decide", REF, "--result", "verwiesen", "--to", "Rat", "--body", "zittau",
       "--now", "2021-06-15T19:00")  # fmt: skip
    ok(capsys, "schedule", REF, "--item", "3", "--meeting", "2021-07-01", "--body", "zittau",
       "--now", "2021-06-16T10:00")  # fmt: skip
    ok(capsys, "decide", REF, "--result", "empfohlen", "--body", "zittau",
       "--now", "2021-07-01T19:00")  # fmt: skip
    assert not_computable(capsys, "2021-07-02T12:00") == [LABEL]
    listed = json.loads(ok(capsys, "deadlines", "--json", "--now", "2021-07-02T12:00"))
    (waiting,) = listed["deadlinesNotYetComputable"]
    assert (waiting["committee"], waiting["reason"]) == ("Sozialausschuss", NOT_YET)
    # the meeting after next added: the Sozialausschuss's new consultation gets its
    # deadline (the motion is re-planned although the rule has a met row, of the first one)
    out = ok(capsys, "meetings", "add", "Sozialausschuss", "10.08.2021", "--body", "zittau",
             "--now", "2021-07-02T09:00")  # fmt: skip
    assert f"neu:        {LABEL} → 10.08.2021 17:00" in out
    view = json.loads(ok(capsys, "show", REF, "--json", "--now", "2021-07-02T12:00"))
    rows = [(d["status"], d["due"]) for d in view["deadlines"] if d["label"] == LABEL]
    assert rows == [("met", "2021-07-13T17:00:00+02:00"), ("open", "2021-08-10T17:00:00+02:00")]
    assert not_computable(capsys, "2021-07-02T12:00") == []


def test_a_met_deadline_is_not_waiting_even_where_planning_would_ask_for_it_again(
    zittau: None, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Met on the agenda of 15.06., vertagt there, and then 15.06. cancelled after all (an
    entry corrected): no session of the consultation is left and the calendar has one
    meeting after the receipt, so planning asks for the rule again and cannot compute it.
    The met row answers it, for `show` as for the lists (which never looked at motions with
    a met row)."""
    ok(capsys, "committees", "add", "Sozialausschuss", "--body", "zittau")
    for day in ("15.06.2021", "13.07.2021"):
        ok(capsys, "meetings", "add", "Sozialausschuss", day, "--body", "zittau",
           "--now", "2021-06-01T09:00")  # fmt: skip
    ok(capsys, "import", antrag(tmp_path), "--body", "zittau", "--received", "2021-06-07T10:00",
       "--now", "2021-06-07T10:00")  # fmt: skip
    ok(capsys, "schedule", REF, "--item", "5", "--meeting", "2021-06-15", "--body", "zittau",
       "--now", "2021-06-09T10:00")  # fmt: skip
    ok(capsys, "decide", REF, "--result", "vertagt", "--body", "zittau",
       "--now", "2021-06-15T19:00")  # fmt: skip
    out = ok(capsys, "meetings", "cancel", "Sozialausschuss", "15.06.2021", "--body", "zittau",
             "--now", "2021-06-16T09:00")  # fmt: skip
    assert "noch nicht berechenbar" not in out
    row, _ = counted(capsys)
    assert row is not None and row["status"] == "met"
    assert not_computable(capsys, "2021-06-16T12:00") == []
