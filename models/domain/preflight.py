"""The Sitzungsdienst's pre-flight before an invitation goes out (`ratsfrist meetings check`):
which deadlines hanging on that meeting an invitation sent at a given instant would break.
Pure: the rows come from models.services.meetings, the words from the rules.

Broken are the deadlines of the meeting that must be met by the time the invitation goes
out and that `now` is past: the Ladung itself (its notice period; placing a paper on the
agenda records its Ladung as met, but the invitation is what the period is about, so it is
checked unless cancelled) and the Stellungnahmen and reports still owed (open or missed),
which the invitation carries. A report already delivered is fine whatever its date; a
deadline after the instant is not broken (yet)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from models.domain.rules import (
    Anchor,
    DeadlineKind,
    RuleSet,
    Unit,
    describe_rule,
    due_date,
    in_time,
)
from models.domain.vocab import OWED, DeadlineStatus

#: The kinds an invitation must be in time for.
CHECKED = (DeadlineKind.invitation.value, DeadlineKind.report.value)


@dataclass(frozen=True)
class NoticeRow:
    """One deadline of the meeting, as the service reads it."""

    reference: str
    item: str | None
    """The agenda item's number, if the paper has one on this meeting's agenda."""
    title: str
    kind: str
    label: str
    rule_words: str
    """The rule in words (models.domain.rules.describe_rule), with its paragraph."""
    due: datetime
    status: str


def broken_notices(rows: Iterable[NoticeRow], now: datetime) -> list[NoticeRow]:
    """The rows an invitation sent at `now` breaks, ordered by agenda item, then by due."""
    broken = [r for r in rows if _checked(r) and not in_time(now, r.due)]
    return sorted(broken, key=lambda r: (_item_key(r.item), r.reference, r.due))


def agenda_rows(
    rules: RuleSet, start: datetime, items: Iterable[tuple[str, str | None]]
) -> list[NoticeRow]:
    """The Ladung of agenda items without a paper (Mitteilungen, a point synced before its
    paper): the meeting's own invitation rules (those for every paper type), computed from
    the session's start, for each (number, name) in `items`."""
    rules = rules.at(start)  # the version in force on the session's day
    invitations = [
        r
        for r in rules.profile.deadlines.values()
        if r.kind is DeadlineKind.invitation
        and r.anchor is Anchor.meeting
        and r.unit is not Unit.meetings
        and r.paper_types is None
    ]
    return [
        NoticeRow(
            reference="",
            item=number,
            title=name or "",
            kind=DeadlineKind.invitation.value,
            label=rule.title,
            rule_words=describe_rule(rule),
            due=due_date(rule, start, rules.calendar),
            status="open",
        )
        for number, name in items
        for rule in invitations
    ]


def _checked(row: NoticeRow) -> bool:
    if row.kind == DeadlineKind.invitation.value:
        return row.status != DeadlineStatus.cancelled.value
    return row.kind in CHECKED and row.status in OWED


def _item_key(item: str | None) -> tuple[int, int, str]:
    """Agenda numbers as people read them: 2 before 10, items without a number last."""
    if item is None:
        return (1, 0, "")
    head = item.split(".")[0].strip()
    return (0, int(head), item) if head.isdigit() else (0, 10**6, item)
