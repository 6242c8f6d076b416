"""Instants: the clock every operation reads, and each way tokentui writes an instant.

Every instant is shown in UTC. A face that shows one calls a function here, so a
format is decided once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

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
