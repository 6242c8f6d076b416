"""Instants: the clock every operation reads, and each way tokentui writes an instant.

Every instant is shown in UTC. A face that shows one calls a function here, so a
format is decided once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """The current instant, aware, in UTC."""
    return datetime.now(UTC)


def iso(instant: datetime | None) -> str | None:
    """ISO 8601 in UTC to the second with a ``Z`` (the CLI's JSON), or None."""
    if instant is None:
        return None
    return instant.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def iso_millis(instant: datetime | None) -> str | None:
    """ISO 8601 in UTC to the millisecond with a ``Z`` (Contentful's JSON), or None."""
    if instant is None:
        return None
    return instant.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def day(instant: datetime) -> str:
    """``2026-11-22``: the day in UTC (the token table's columns)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d")


def minute(instant: datetime) -> str:
    """``2026-11-22 12:00``: to the minute in UTC (tables and lists)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M")


def minute_utc(instant: datetime) -> str:
    """``2026-11-22 12:00 UTC``: to the minute, saying UTC (details, messages, e-mails)."""
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


_UNITS = (
    ("year", timedelta(days=365)),
    ("month", timedelta(days=30)),
    ("day", timedelta(days=1)),
    ("hour", timedelta(hours=1)),
    ("minute", timedelta(minutes=1)),
)
# Days are counted up to two months, where "7 weeks" would be harder to read than "49 days".
_DAYS_UNTIL = timedelta(days=60)


def relative(when: datetime | None, now: datetime, *, short: bool = False) -> str:
    """How far ``when`` is from ``now`` in the largest whole unit: "in 3 days", "4 months ago",
    "just now" within a minute, "never" for None.

    ``short`` says minutes as "min" ("26 min ago"), so that every answer fits in the
    width of "11 months ago" (a table's column).
    """
    if when is None:
        return "never"
    delta = when - now
    distance = abs(delta)
    if distance < timedelta(minutes=1):
        return "just now"
    for unit, size in _UNITS:
        if unit == "month" and distance < _DAYS_UNTIL:
            continue
        if distance >= size:
            count = distance // size
            if short and unit == "minute":
                words = f"{count} min"
            else:
                words = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {words}" if delta > timedelta(0) else f"{words} ago"
    raise AssertionError("a minute or more is at least one minute")


def both(when: datetime | None, now: datetime) -> str:
    """The day and how far it is from now: ``2026-12-05 (in 3 days)``; "never" for None."""
    if when is None:
        return "never"
    return f"{day(when)} ({relative(when, now)})"
