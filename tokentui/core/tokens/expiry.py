"""Parsing of expiry choices: ``12h``, ``30d``, ``YYYY-MM-DD`` (end of that day, UTC) or ``never``."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from tokentui.core.errors import InvalidInput
from tokentui.settings import LIMITS

_DURATION = re.compile(r"^([0-9]+)([hdwy])$")
_UNIT_HOURS = {"h": 1, "d": 24, "w": 24 * 7, "y": 24 * 365}
# A duration of more digits than this is beyond any expiry; it is refused before int() reads it,
# which for a long enough run of digits is slow and then fails.
_MAX_DIGITS = 12
# A day bounds a range that ends at the next midnight, so the last day with a next one is the last usable.
LAST_DAY = date.max - timedelta(days=1)
NEVER = "never"


def end_of_day(day: date) -> datetime:
    """The last instant of ``day`` in UTC (what a date means as an expiry)."""
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC)


def start_of_day(day: date) -> datetime:
    """The first instant of ``day`` in UTC (what a date means as the start of a range)."""
    return datetime.combine(day, time(0), tzinfo=UTC)


def start_of_next_day(day: date) -> datetime:
    """The first instant after ``day`` in UTC (the exclusive end of a range that includes ``day``)."""
    return start_of_day(day + timedelta(days=1))


def parse_expiry(text: str, now: datetime) -> datetime | None:
    """The expiry instant for ``text``, None for ``never``; refuses the past and the absurd."""
    value = text.strip().lower()
    if value == NEVER:
        return None
    match = _DURATION.match(value)
    if match:
        digits, unit = match.group(1).lstrip("0"), match.group(2)
        if not digits:
            raise InvalidInput(f"expiry {text!r} is not in the future")
        hours = int(digits) * _UNIT_HOURS[unit] if len(digits) <= _MAX_DIGITS else None
        if hours is None or hours > LIMITS.max_expiry // timedelta(hours=1):
            raise InvalidInput(f"expiry {text!r} is too far away (at most {LIMITS.max_expiry.days} days)")
        return now + timedelta(hours=hours)
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"expiry {text!r} is not a duration (12h, 30d), a date (YYYY-MM-DD) or 'never'"
        ) from None
    return check_expiry(end_of_day(day), now)


def lifetime(created_at: datetime, expires_at: datetime | None) -> timedelta | None:
    """How long a token was made to live (None: it never expires); a rotation gives its replacement as long."""
    return None if expires_at is None else expires_at - created_at


def parse_duration(text: str, what: str, *, at_most: timedelta = LIMITS.max_expiry) -> timedelta:
    """A positive duration option (``12h``, ``90d``, ``2w``, ``1y``) up to ``at_most``, or InvalidInput naming the option."""
    match = _DURATION.match(text.strip().lower())
    if not match:
        raise InvalidInput(f"{what} {text!r} is not a duration (12h, 90d, 2w, 1y)")
    digits = match.group(1).lstrip("0")
    if not digits:
        raise InvalidInput(f"{what} {text!r} must be longer than nothing")
    hours = int(digits) * _UNIT_HOURS[match.group(2)] if len(digits) <= _MAX_DIGITS else None
    if hours is None or hours > at_most // timedelta(hours=1):
        raise InvalidInput(f"{what} {text!r} is too long (at most {at_most.days} days)")
    return timedelta(hours=hours)


def check_expiry(instant: datetime, now: datetime) -> datetime:
    """``instant`` if it is a valid expiry (in the future, within the maximum), else InvalidInput."""
    if instant.tzinfo is None:
        raise InvalidInput("an expiry must carry a time zone")
    if instant <= now:
        raise InvalidInput(f"expiry {instant.date().isoformat()} is in the past")
    if instant - now > LIMITS.max_expiry:
        latest = (now + LIMITS.max_expiry).date().isoformat()
        raise InvalidInput(
            f"expiry {instant.date().isoformat()} is too far away "
            f"(at most {LIMITS.max_expiry.days} days: {latest} at the latest)"
        )
    return instant


def parse_day(text: str, what: str) -> date:
    """A ``YYYY-MM-DD`` date option up to :data:`LAST_DAY`, or InvalidInput naming the option."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(f"{what} {text!r} is not a date (YYYY-MM-DD)") from None
    if day > LAST_DAY:
        raise InvalidInput(f"{what} {text!r} is out of range (the last day is {LAST_DAY.isoformat()})")
    return day
