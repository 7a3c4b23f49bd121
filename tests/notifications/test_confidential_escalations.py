"""An escalation to a manager not cleared for non-public papers (issue 17, item 6): it was
titled with the committee ("ÜBERFÄLLIG: 2 Fristen – Sozialausschuss") although one of its
deadlines belonged to a non-public paper; the committee names that paper's committee."""

from __future__ import annotations

from datetime import datetime

from models.domain.timeutil import BERLIN
from notifications.messages import Item, render
from tests.notifications.support import report_item

DUE = datetime(2021, 6, 10, 12, 0, tzinfo=BERLIN)
NOW = datetime(2021, 6, 14, 7, 0, tzinfo=BERLIN)
MEETING = datetime(2021, 6, 15, 17, 0, tzinfo=BERLIN)


def _item(n: int, public: bool, title: str) -> Item:
    return report_item(
        n, title, DUE, reminder_id=7, public=public, step="eskalation@2021-06-14",
        escalation=True, days_overdue=4, meeting_start=MEETING,
    )  # fmt: skip


def _words(message: object) -> str:
    return "\n".join(str(getattr(message, part)) for part in ("subject", "text", "html"))


def test_an_uncleared_escalation_with_a_non_public_paper_names_no_committee_and_no_title() -> None:
    items = [_item(1, True, "Spielplatz Nord"), _item(2, False, "Personalsache Müller")]
    message = render(items, cleared=False, now=NOW)
    assert message.subject == "ÜBERFÄLLIG: 2 Fristen"
    words = _words(message)
    assert "Sozialausschuss" not in words and "15.06.2021" not in words
    assert "Personalsache" not in words
    assert "A 21/0502-01" in words  # the reference and the date stay: the task is still owed
    cleared = render(items, cleared=True, now=NOW)
    assert cleared.subject == "ÜBERFÄLLIG: 2 Fristen – Sozialausschuss"
    assert "Personalsache Müller" in _words(cleared)


def test_an_uncleared_escalation_with_unlisted_deadlines_names_no_committee() -> None:
    message = render([_item(1, True, "Spielplatz Nord")], cleared=False, now=NOW, omitted=3)
    assert "Sozialausschuss" not in _words(message)
    public = render(
        [_item(1, True, "Spielplatz Nord"), _item(3, True, "Radweg")], cleared=False, now=NOW
    )
    assert public.subject == "ÜBERFÄLLIG: 2 Fristen – Sozialausschuss"  # all public: named
