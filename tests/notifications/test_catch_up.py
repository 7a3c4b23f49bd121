"""One catch-up notice per deadline after a gap: the first dispatch after back-dated imports
(or an outage) finds several steps of one deadline due and sends only the latest."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy.engine import Engine

from tests.conftest import EXAMPLE
from tests.notifications.support import dispatch_at, import_at, reminder_rows
from tests.smtp import SmtpSink


def test_back_dated_import_sends_one_mail_per_deadline_and_recipient(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    # imported as of 25.05.: the report (due Thu 10.06.) gets its 7-, 3- and 1-day steps
    # planned ahead; nothing was dispatched until Wednesday 09.06., 08:00
    import_at(engine, EXAMPLE.read_bytes(), "2021-05-25T10:00")
    summary = dispatch_at(engine, routes_file, "2021-06-09T08:00")
    rows = {r.id: r for r in reminder_rows(engine)}
    reminders = [m for m in sink.mails if m.to != ["leitung@example.org"]]
    per_pair = Counter((m.to[0], rows[i].deadline_id) for m in reminders for i in m.reminder_ids)
    assert per_pair and set(per_pair.values()) == {1}, per_pair
    assert {(m.to[0], rows[m.reminder_ids[0]].step.split("@")[0]) for m in reminders} == {
        ("fachamt@example.org", "vorher-1"),
        ("fachamt-soz@example.org", "vorher-1"),
    }
    superseded = sorted(f"{r.tag}:{r.step}" for r in rows.values() if r.status == "superseded")
    # the invitation (due Mon 07.06.) is missed: its steps give way to the latest, which is
    # cancelled ("Frist versäumt"), and the escalation to the managers stands for it
    assert superseded == [
        "fachamt:vorher-3@2021-06-10",
        "fachamt:vorher-7@2021-06-10",
        "sitzungsdienst:vorher-1@2021-06-07",
        "sitzungsdienst:vorher-3@2021-06-07",
        "sitzungsdienst:vorher-7@2021-06-07",
    ]
    (escalation,) = [m for m in sink.mails if m.to == ["leitung@example.org"]]
    assert "Ladung" in escalation.text
    assert summary.superseded == 5 and "überholt" in "\n".join(summary.lines())
    # the later dispatches of the day add nothing
    dispatch_at(engine, routes_file, "2021-06-09T10:00")
    assert len([m for m in sink.mails if m.to != ["leitung@example.org"]]) == len(reminders)
