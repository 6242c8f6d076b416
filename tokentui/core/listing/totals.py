"""Listing totals shared between requests: one COUNT for every listing that asks the same question.

Every page the API answers carries ``total``, the number of tokens matching in all
(Contentful's API returns it). Counting is the costly half of a listing: the
page walks an index and stops after ``limit`` rows, while the count reads every
matching entry. Sixteen clients asking for the same listing would otherwise
count the same rows sixteen times at once.

A total is kept under what decides it: who sees (one user's own tokens, or an
organization's, see :mod:`tokentui.core.listing.visibility`), the filter, and a
stamp of the store read in the listing's own transaction. The stamp is the newest
audit event's id: every write that adds, revokes or removes a token, or changes
who is a member, records an event with it (:func:`tokentui.core.audit.change_counter`
relies on the same), so a new event means a new count. A filter on when tokens
were last used adds the newest ``last_used_at``, since a recorded use writes no
event. Whatever the stamp cannot see (a status that follows the clock, a write
that records no event) is bounded by :data:`FRESH_SECONDS`, measured on the
service's clock: a total is at most that old.

A total and its page are read in one transaction, the stamp first: a total
counted under a stamp is at least as new as it. Concurrent requests that miss
share one count: the first counts, the others wait for it (for at most
:data:`WAIT_SECONDS`, then count themselves).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlmodel import col

from tokentui.core.models import AuditEvent, Token

# Short: how stale a total may be when nothing the stamp sees has changed.
FRESH_SECONDS = 3.0
# About the API's statement time limit: a count that takes longer is being stopped anyway.
WAIT_SECONDS = 5.0
# Distinct listings remembered; the oldest is forgotten first.
KEPT = 1024


def stamp(session: Session, *, with_last_use: bool) -> tuple[int, datetime | None]:
    """The store's change stamp as ``session`` sees it: two index lookups."""
    newest_event = session.execute(select(func.max(col(AuditEvent.id)))).scalar_one()
    newest_use = None
    if with_last_use:
        newest_use = session.execute(select(func.max(col(Token.last_used_at)))).scalar_one()
    return (newest_event or 0, newest_use)


@dataclass
class _Entry:
    total: int | None = None
    counted_at: datetime | None = None
    counting: threading.Event | None = None  # set once the request counting it is done


class Totals:
    """Totals by (listing, stamp), counted once however many requests ask at the same time."""

    def __init__(self, fresh: timedelta = timedelta(seconds=FRESH_SECONDS)) -> None:
        self.fresh = fresh
        self._lock = threading.Lock()
        self._entries: OrderedDict[Hashable, _Entry] = OrderedDict()

    def total(self, key: Hashable, now: datetime, count: Callable[[], int]) -> int:
        """The total under ``key`` (the stamp one of its parts) if counted near ``now``, else ``count()`` once."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and self._fresh(entry, now):
                self._entries.move_to_end(key)
                return entry.total  # type: ignore[return-value]
            waiting = entry.counting if entry is not None else None
            if waiting is None:
                entry = _Entry(counting=threading.Event())
                self._entries[key] = entry
                while len(self._entries) > KEPT:
                    self._entries.popitem(last=False)
        if waiting is not None:
            if waiting.wait(WAIT_SECONDS):
                with self._lock:
                    shared = self._entries.get(key)
                    if shared is not None and self._fresh(shared, now):
                        return shared.total  # type: ignore[return-value]
            # The count failed (stopped by its time limit, say) or is slow: this request counts.
            return count()
        assert entry is not None and entry.counting is not None
        done = entry.counting
        try:
            total = count()
            with self._lock:
                entry.total, entry.counted_at, entry.counting = total, now, None
            return total
        except BaseException:
            with self._lock:
                if self._entries.get(key) is entry:
                    del self._entries[key]
            raise
        finally:
            done.set()

    def _fresh(self, entry: _Entry, now: datetime) -> bool:
        # Either way: requests that shared a count read the clock in either order, and a
        # clock set back must not keep a total for longer.
        return (
            entry.total is not None
            and entry.counted_at is not None
            and abs(now - entry.counted_at) < self.fresh
        )

    def clear(self) -> None:
        """Forget every total."""
        with self._lock:
            self._entries.clear()
