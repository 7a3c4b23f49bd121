"""Time: stored in UTC, computed and shown in Europe/Berlin. Pure; "now" is always passed in.

Only the CLI and the flows read the clock (`system_clock`, or --now / a `now` parameter);
every function below them takes the instant as an argument, so any day can be replayed.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from models.domain.errors import InvalidInput

BERLIN = ZoneInfo("Europe/Berlin")


def system_clock() -> datetime:
    return datetime.now(UTC)


def to_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is read as Berlin wall time, which is what staff type."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BERLIN)
    return moment.astimezone(UTC)


def to_local(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(BERLIN)


def local_datetime(day: date, at: time) -> datetime:
    """Wall time in Berlin on `day`, as aware UTC (zoneinfo handles the DST switch days)."""
    return datetime.combine(day, at, tzinfo=BERLIN).astimezone(UTC)


def parse_instant(text: str, what: str = "--now") -> datetime:
    """ISO 8601 date or datetime, with or without offset; a bare date means 00:00 in Berlin."""
    raw = text.strip()
    if not raw:
        raise InvalidInput(f"{what}: leer; einen Zeitpunkt angeben oder {what} weglassen")
    try:
        if "T" not in raw and " " not in raw and len(raw) <= 10:
            return local_datetime(date.fromisoformat(raw), time(0, 0))
        return to_utc(datetime.fromisoformat(raw.replace("Z", "+00:00")))
    except ValueError:
        raise InvalidInput(
            f"{what}: {text!r} ist kein Zeitpunkt (ISO 8601, z. B. 2021-06-10T07:00 oder "
            "2021-06-10T07:00+02:00)"
        ) from None


def parse_day(text: str, what: str = "Datum") -> date:
    """ISO date (2021-06-15) or German date (15.06.2021)."""
    raw = text.strip()
    try:
        if "." in raw:
            day, month, year = (int(part) for part in raw.split("."))
            return date(year, month, day)
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidInput(
            f"{what}: {text!r} ist kein gültiges Datum (2021-06-15 oder 15.06.2021)"
        ) from None


def format_local(moment: datetime, with_time: bool = True) -> str:
    local = to_local(moment)
    return local.strftime("%d.%m.%Y %H:%M") if with_time else local.strftime("%d.%m.%Y")
