"""Fristverlängerung: a deadline moved to a new date, for a reason, with the consent of the
one it protects (the mover of a motion, the asker of an Anfrage). Pure: whether the
extension may be granted, and what it records; asking for consent, storing it and the audit
log are the services' (and the CLI's) business.

München GeschO § 60 Abs. 3 is the model: if the three months cannot be kept, the office asks
the council member for an extension, giving the reasons and the expected date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from models.domain.errors import InvalidInput
from models.domain.reckoning import day_text
from models.domain.timeutil import to_local, to_utc


@dataclass(frozen=True, slots=True)
class Extension:
    previous_due: datetime
    new_due: datetime
    reason: str
    consent_by: str
    """Who consented (the mover, the asker, the group)."""
    granted_at: datetime

    def step(self) -> str:
        """The explanation step, last in the deadline's stored explanation: 'verlängert am
        08.06.2021 auf Mo 14.06.2021 12:00 (statt Do 10.06.2021) mit Zustimmung von
        CDU-Fraktion, Grund: …'."""
        old, new = to_local(self.previous_due), to_local(self.new_due)
        return (
            f"{EXTENSION_STEP}{to_local(self.granted_at):%d.%m.%Y} auf {day_text(new.date())} "
            f"{new:%H:%M} (statt {day_text(old.date())}) mit Zustimmung von "
            f"{self.consent_by}, Grund: {self.reason}"
        )


EXTENSION_STEP = "verlängert am "
"""How an extension's step begins: re-planning carries these steps over to the recomputed
explanation while the extension holds (models.domain.explain.extension_steps)."""


def extend(
    due: datetime,
    new_due: datetime,
    *,
    reason: str,
    consent: bool,
    consent_by: str,
    now: datetime,
) -> Extension:
    """A granted extension, or InvalidInput naming what is missing. Only a later date is an
    extension; without a reason or without consent there is none (the deadline protects
    the mover, so only the mover can give it up)."""
    if not reason.strip():
        raise InvalidInput("Fristverlängerung: Begründung fehlt")
    if not consent or not consent_by.strip():
        raise InvalidInput(
            "Fristverlängerung nur mit Zustimmung der Antragstellerin / des Antragstellers"
        )
    if to_utc(new_due) <= to_utc(due):
        raise InvalidInput(
            f"Fristverlängerung: neues Datum {to_local(new_due):%d.%m.%Y %H:%M} liegt nicht "
            f"nach der bisherigen Frist {to_local(due):%d.%m.%Y %H:%M}"
        )
    return Extension(
        previous_due=to_utc(due),
        new_due=to_utc(new_due),
        reason=reason.strip(),
        consent_by=consent_by.strip(),
        granted_at=to_utc(now),
    )


def kept_extension(
    planned_due: datetime, due: datetime, extended_from: datetime | None
) -> tuple[datetime, datetime | None]:
    """(due, extended_from) after re-planning a deadline whose rules now say `planned_due`.
    An extension holds while it is later than what the rules say (a moved meeting, urgency:
    `extended_from` follows the rules); once the rules give as much or more, they win and
    the extension is spent. Without an extension the rules' date is the due date."""
    if extended_from is not None and to_utc(due) > to_utc(planned_due):
        return due, planned_due
    return planned_due, None
