"""Pages of tokens for the table: one query, counted once, read a page at a time.

These methods block on the database; the table calls them from worker threads.
While a query is counted, a thread of its own finds where its rows are
(:class:`tokentui.core.listing.pages.Positions`), so that a page at any depth
then costs what the first does.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tokentui.core.listing.pages import Positions
    from tokentui.core.listing.queries import TokenQuery
    from tokentui.core.results import TokenView
    from tokentui.core.service import Actor, Service


# The longest the positions pass waits, between two of its steps, for pages being read.
PASS_WAITS_FOR_READS = 0.5


# How much lower than the console's the pass's CPU priority is (a nice increment): given
# few cores, the count and the pages on screen come first, the pass takes what is left.
PASS_NICENESS = 10


def _lower_this_threads_priority() -> None:
    """Lower the calling thread's CPU priority, where the system lets a thread have its own (Linux)."""
    import os
    from contextlib import suppress

    # Elsewhere a priority is the whole process's (or not to be had): the pass runs as it is.
    with suppress(AttributeError, OSError):
        this = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, this, os.getpriority(os.PRIO_PROCESS, this) + PASS_NICENESS)


class TokenPages:
    """The tokens ``actor`` sees for ``query``, in the query's order.

    :meth:`stop` ends its queries still running (a newer query replaced it):
    they raise :class:`tokentui.core.store.Cancelled`.
    """

    def __init__(self, service: Service, actor: Actor, query: TokenQuery) -> None:
        self.service = service
        self.actor = actor
        self.query = query
        self._stop = threading.Event()
        # Sizes of the sort's segments once counted (tokentui.core.listing.pages.walk): the same
        # for every page of this query, read forwards or from the far end.
        self._sizes: dict[Hashable, int] = {}
        # Where every few thousandth row of this query is, once the pass started by count() has
        # found them (checkpoint by checkpoint: a page before its frontier uses them at once).
        self.positions: Positions | None = None
        # Pages being read now: the pass waits for them (they are what the user waits for).
        self._reading = 0
        self._idle = threading.Condition()

    def stop(self) -> None:
        """No answer of this query is wanted any more."""
        self._stop.set()
        if self.positions is not None:
            self.positions.stale = True  # the pass stops at its next step

    def count(self) -> int:
        """How many tokens match; the pass that finds where they are starts alongside.

        In a thread of its own rather than after the count: a scrollbar drag right
        after the count (End, then the middle) then finds it done or nearly so. It
        reads the index the count does not (the sort's), on the other core.
        """
        self._start_positions()
        with self.service.store.cancellable(self._stop):
            return self.service.count_tokens(self.actor, self.query)

    def _start_positions(self) -> None:
        from tokentui.core.listing.pages import Positions, indexable

        if self.positions is None and indexable(self.query):
            self.positions = Positions(self.query, self.service.now())
            threading.Thread(target=self.find_positions, name="token positions", daemon=True).start()

    def find_positions(self) -> None:
        """Fill :attr:`positions` (blocks); a pass that fails or is stopped leaves the pages to the plain walk."""
        from tokentui.core.errors import TokentuiError
        from tokentui.core.listing.pages import index
        from tokentui.core.store import Cancelled

        if self.positions is None:
            return
        _lower_this_threads_priority()
        try:
            with self.service.store.cancellable(self._stop):
                index(self.service, self.actor, self.positions, pause=self._after_reads)
        except (Cancelled, TokentuiError):
            self.positions.stale = True  # the pages are read the plain way

    def page(
        self, offset: int, limit: int, total: int, stop: threading.Event | None = None
    ) -> list[TokenView]:
        """Rows ``offset`` to ``offset + limit`` of ``total``; ``stop`` ends this read alone early.

        A page in the second half is read from the far end in the opposite order:
        the database skips ``total - offset`` rows instead of ``offset``, so the
        last page costs what the first does. Rows come from
        :func:`tokentui.core.listing.pages.page`, which skips by index, not by rows;
        once the pass has found :attr:`positions` that far, from the nearest
        checkpoint instead (:func:`tokentui.core.listing.pages.page_at`): the same
        rows, with fewer than a checkpoint's spacing of them stepped over.
        """
        stops = (self._stop,) if stop is None else (self._stop, stop)
        with self._idle:
            self._reading += 1
        try:
            with self.service.store.cancellable(*stops):
                return self._page(offset, limit, total)
        finally:
            with self._idle:
                self._reading -= 1
                self._idle.notify_all()

    def _after_reads(self) -> None:
        """Wait until no page is being read (a while at most: a slow read does not hold the pass up for long)."""
        with self._idle:
            self._idle.wait_for(lambda: not self._reading, timeout=PASS_WAITS_FOR_READS)

    def _page(self, offset: int, limit: int, total: int) -> list[TokenView]:
        from tokentui.core.listing.pages import page, page_at

        if self.positions is not None:
            # From the nearest checkpoint, forwards at any depth; None until the pass got there.
            rows = page_at(self.service, self.actor, self.positions, offset=offset, limit=limit)
            if rows is not None:
                return rows
        read = partial(page, self.service, self.actor, total=total or None, sizes=self._sizes)
        if total and offset > total // 2:
            end = min(total, offset + limit)
            reverse = self.query.with_(descending=not self.query.descending)
            return read(reverse, offset=total - end, limit=end - offset)[::-1]
        return read(self.query, offset=offset, limit=limit)
