"""What one dispatch did, counted as it goes (threads of one batch add to it under a lock)
and said in German lines for the CLI and the flow's log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from models.domain.timeutil import to_local
from models.domain.vocab import ReminderStatus


@dataclass
class Summary:
    now: datetime
    dry_run: bool = False
    marked_missed: int = 0
    escalations_planned: int = 0
    due: int = 0
    sent_rows: int = 0
    mails: int = 0
    retry_later: int = 0
    failed: int = 0
    cancelled: int = 0
    superseded: int = 0
    waiting_without_routes: int = 0
    lost: int = 0
    sending: int = 0
    notices_planned: int = 0
    missed_ids: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)

    def lines(self) -> list[str]:
        when = to_local(self.now).strftime("%d.%m.%Y %H:%M")
        head = f"Versand Stand {when}" + (" (Probelauf, nichts geändert)" if self.dry_run else "")
        out = [
            head,
            f"  versäumte Fristen neu markiert: {self.marked_missed}",
            f"  Eskalationen geplant:           {self.escalations_planned}",
            f"  fällige Erinnerungen:           {self.due}",
        ]
        if not self.dry_run:
            out += [
                f"  gesendet:                       {self.sent_rows} ({self.mails} Mails)",
                f"  später erneut:                  {self.retry_later}",
                f"  endgültig fehlgeschlagen:       {self.failed}",
                f"  entfallen:                      {self.cancelled}",
            ]
        if self.notices_planned:
            out.append(f"  Betriebsmeldungen (Tag betrieb) geplant: {self.notices_planned}")
        if self.lost:
            out.append(f"  von einem anderen Lauf übernommen: {self.lost}")
        if self.sending:
            out.append(f"  im Versand (anderer Lauf, reminders --sending): {self.sending}")
        if self.superseded:
            out.append(f"  überholt (nur der letzte Schritt): {self.superseded}")
        if self.waiting_without_routes:
            out.append(
                f"  ohne Apprise-Konfiguration warten: {self.waiting_without_routes} "
                "(RATSFRIST_APPRISE_CONFIG setzen)"
            )
        out += [f"  Fehler: {e}" for e in self.errors[:10]]
        return out


def count(status: ReminderStatus | None, summary: Summary) -> None:
    if status is ReminderStatus.sent:
        summary.sent_rows += 1
    elif status is ReminderStatus.pending:
        summary.retry_later += 1
    elif status is ReminderStatus.failed:
        summary.failed += 1
