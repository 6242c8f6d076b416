"""Pages of tokens for the table: one query, counted once, read a page at a time.

These methods block on the database; the table calls them from worker threads.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tokentui.core.listing.queries import TokenQuery
    from tokentui.core.results import TokenView
    from tokentui.core.service import Actor, Service


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

    def stop(self) -> None:
        """No answer of this query is wanted any more."""
        self._stop.set()

    def count(self) -> int:
        """How many tokens match."""
        with self.service.store.cancellable(self._stop):
            return self.service.count_tokens(self.actor, self.query)

    def page(
        self, offset: int, limit: int, total: int, stop: threading.Event | None = None
    ) -> list[TokenView]:
        """Rows ``offset`` to ``offset + limit`` of ``total``; ``stop`` ends this read alone early.

        A page in the second half is read from the far end in the opposite order:
        the database skips ``total - offset`` rows instead of ``offset``, so the
        last page costs what the first does. Rows come from
        :func:`tokentui.core.listing.pages.page`, which skips by index, not by rows.
        """
        stops = (self._stop,) if stop is None else (self._stop, stop)
        with self.service.store.cancellable(*stops):
            return self._page(offset, limit, total)

    def _page(self, offset: int, limit: int, total: int) -> list[TokenView]:
        from tokentui.core.listing.pages import page

        read = partial(page, self.service, self.actor, total=total or None, sizes=self._sizes)
        if total and offset > total // 2:
            end = min(total, offset + limit)
            reverse = self.query.with_(descending=not self.query.descending)
            return read(reverse, offset=total - end, limit=end - offset)[::-1]
        return read(self.query, offset=offset, limit=limit)
