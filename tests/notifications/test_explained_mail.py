"""Every reminder mail says how its deadline was computed, in German, in the text, the HTML and
the attached .ics (issue 18, item 5); read from the stored explanation, as received by the
loopback SMTP server."""

from __future__ import annotations

from pathlib import Path

from icalendar import Calendar
from sqlalchemy.engine import Engine

from tests.conftest import EXAMPLE
from tests.notifications.support import dispatch_at, import_at
from tests.smtp import SmtpSink


def test_reminder_mail_and_its_ics_carry_the_explanation(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    assert dispatch_at(engine, routes_file, "2021-06-07T07:30").sent_rows > 0
    assert sink.mails
    for mail in sink.mails:
        # the plain part is our text (reminder.txt.j2): one line with the steps from the
        # session on the 15th, in German, ending with the hour
        text = mail.part("text/plain")
        assert isinstance(text, str)
        steps = next(x for x in text.splitlines() if x.startswith("So berechnet: "))
        assert "Sitzung Di 15.06.2021 − " in steps, steps
        assert " = " in steps and steps.rstrip().endswith(("23:59", "12:00")), steps
        html = mail.part("text/html")
        assert isinstance(html, str) and "<strong>So berechnet</strong>" in html
        ics = mail.part("text/calendar")
        assert ics is not None
        raw = ics.encode() if isinstance(ics, str) else ics
        descriptions = [str(e["description"]) for e in Calendar.from_ical(raw).walk("VEVENT")]
        assert descriptions and all("So berechnet: " in d for d in descriptions)
        assert any(steps.split(": ", 1)[-1] in d for d in descriptions)


def test_the_mail_of_an_extended_deadline_ends_its_explanation_with_the_extension(
    engine: Engine, sink: SmtpSink, routes_file: Path
) -> None:
    # the Stellungnahme (Do 10.06.2021 12:00 under the default profile) extended to Mo
    # 14.06.2021 12:00; the notice of the new date says why, last in "So berechnet"
    from flows.app import STEPS
    from models.store.db import session_scope
    from tests.notifications.support import at

    import_at(engine, EXAMPLE.read_bytes(), "2021-06-07T06:00")
    with session_scope(engine) as session:
        STEPS["extend_deadline"](
            session, "A 21/0500-01", now=at("2021-06-08T11:00"), actor="amt50",
            kind="report", new_due=at("2021-06-14T00:00").date(), reason="Zahlen fehlen",
            consent=True, consent_by="CDU-Fraktion",
        )  # fmt: skip
    dispatch_at(engine, routes_file, "2021-06-08T11:30")
    step = (
        "verlängert am 08.06.2021 auf Mo 14.06.2021 12:00 (statt Do 10.06.2021) mit "
        "Zustimmung von CDU-Fraktion, Grund: Zahlen fehlen"
    )
    texts = [mail.part("text/plain") for mail in sink.mails]
    extended = [t for t in texts if isinstance(t, str) and "14.06.2021" in t]
    assert extended, texts
    for text in extended:
        lines = [" ".join(line.split()) for line in text.splitlines()]
        assert any(line.endswith(step) for line in lines), lines
