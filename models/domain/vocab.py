"""The status words stored in the database, as enums: a deadline's and an outbox row's.

StrEnum members compare equal to their values and are stored as them, so the columns keep
their plain strings (no migration) while the code names each status once and a typo is an
AttributeError instead of a query that silently matches nothing.
"""

from __future__ import annotations

from enum import StrEnum


class DeadlineStatus(StrEnum):
    """Where a deadline stands: owed (open, missed) or settled (met, cancelled)."""

    open = "open"
    met = "met"
    missed = "missed"
    """Past due and not met: reminders stop, the daily escalation takes over."""
    cancelled = "cancelled"
    """No longer owed: its meeting was cancelled or the paper left the lifecycle."""

    @property
    def label(self) -> str:
        """The German word staff read in tables."""
        return _DEADLINE_LABELS[self]


_DEADLINE_LABELS = {
    DeadlineStatus.open: "offen",
    DeadlineStatus.met: "erfüllt",
    DeadlineStatus.missed: "versäumt",
    DeadlineStatus.cancelled: "entfallen",
}

OWED: tuple[str, ...] = (DeadlineStatus.open.value, DeadlineStatus.missed.value)
"""Statuses of a deadline somebody still has to meet (plain strings, ready for `IN (…)`)."""


class ReminderStatus(StrEnum):
    """An outbox row's way from planned to delivered (notifications.outbox moves it)."""

    pending = "pending"
    """Waiting for its send_at (and, after a failure, for next_attempt_at)."""
    sending = "sending"
    """Claimed by a dispatcher until claimed_until; after that another may take it over."""
    sent = "sent"
    failed = "failed"
    """Gave up after MAX_ATTEMPTS; `dispatch --retry-failed` makes it pending again."""
    cancelled = "cancelled"
    """Not to be sent any more: its deadline was met, moved or cancelled."""
    superseded = "superseded"
    """Not sent because a later step of the same deadline and tag was due at the same
    dispatch (after an outage or a back-dated import): one catch-up notice, not three."""
