"""Which pages of a query the token table keeps, wants and is reading (no Textual here).

Only the rows on screen, plus a page of margin, are ever read: the table behaves the
same with fifty tokens or a million. The loader decides which pages to read and when;
the table (:mod:`tokentui.console.widgets.token_table`) draws them. It is driven by
plain calls: the table says which rows are on screen, asks for rows, says when it has
painted, runs each :class:`Read` and :class:`Count` the loader hands it in a worker
thread and reports how it ended. The loader answers through callbacks: rows came, the
total is known, a new query's first page is in.

A new query's first page is read before its count, and shown as soon as it arrives:
counting a search over a million rows takes longer than finding the first screenful,
so the rows come first and the count (scrollbar, row total) follows, once they are
painted; the query shown as the store opens is counted alongside its first page (see
:meth:`TableLoader.show`). A first page shorter than a page is the whole result, count
included.

Each :meth:`TableLoader.show` starts a new generation: whatever comes back for an
older one is dropped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, KeysView
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from tokentui.core.listing.queries import TokenQuery
    from tokentui.core.results import TokenView

# Rows read at a time: more than a screenful of most terminals, and no more, since every
# keystroke of a search reads a first page and a smaller page is a faster keystroke.
PAGE_SIZE = 50
# How long a query's count waits for its first rows to be painted before it starts anyway.
COUNT_AFTER_PAINT_WAIT = 0.25


class PageSource(Protocol):
    """One query's rows (:class:`tokentui.console.pages.TokenPages`); these calls block."""

    @property
    def query(self) -> TokenQuery: ...

    def count(self) -> int: ...

    def page(
        self, offset: int, limit: int, total: int, stop: threading.Event | None = None
    ) -> list[TokenView]: ...

    def stop(self) -> None: ...


class PageCache(Protocol):
    """Pages by number; the least recently used goes when it is full (``textual.cache.LRUCache``)."""

    def get(self, key: int) -> list[TokenView] | None: ...

    def __setitem__(self, key: int, value: list[TokenView]) -> None: ...

    def __contains__(self, key: int) -> bool: ...

    def __len__(self) -> int: ...

    def keys(self) -> KeysView[int]: ...

    def clear(self) -> None: ...


@dataclass(frozen=True, eq=False)
class Read:
    """Neighbouring pages of one query, read in one query (call it in a worker thread)."""

    generation: int
    source: PageSource
    pages: range
    # The query's row count, or 0 before it is known: the pages are then read from the front.
    total: int
    # Set when the view has left these pages: the read is not wanted any more.
    stop: threading.Event = field(default_factory=threading.Event)

    def __call__(self) -> list[TokenView]:
        offset, limit = self.pages.start * PAGE_SIZE, len(self.pages) * PAGE_SIZE
        return self.source.page(offset, limit, self.total, self.stop)


@dataclass(frozen=True, eq=False)
class Count:
    """The count of one query's rows (call it in a worker thread)."""

    generation: int
    source: PageSource

    def __call__(self) -> int:
        return self.source.count()


class TableLoader:
    """The pages of the query shown: kept, wanted, being read; its total once known.

    ``pages`` keeps the pages read. The callbacks:

    - ``on_screen()``: the rows on screen now.
    - ``start_read(read)``, ``start_count(count)``: run it in a worker thread, then
      report with :meth:`read_done` / :meth:`read_cancelled` / :meth:`read_failed`, or
      :meth:`count_done` / :meth:`count_failed` (a cancelled count needs no report).
    - ``soon(callback)``: call it once the current event is handled; ``later(delay,
      callback)``: after ``delay`` seconds.
    - ``on_rows()``: rows came or went: repaint.
    - ``on_total(total)``: the number of rows is known (:attr:`total`).
    - ``on_first_page()``: a new query's first page came before its count;
      :attr:`total` is at least that page.
    """

    def __init__(
        self,
        pages: PageCache,
        *,
        on_screen: Callable[[], range],
        start_read: Callable[[Read], object],
        start_count: Callable[[Count], object],
        soon: Callable[[Callable[[], None]], object],
        later: Callable[[float, Callable[[], None]], object],
        on_rows: Callable[[], object],
        on_total: Callable[[int], object],
        on_first_page: Callable[[], object],
    ) -> None:
        self.total = 0
        self._pages = pages
        self._on_screen = on_screen
        self._start_read = start_read
        self._start_count_in_worker = start_count
        self._soon = soon
        self._later = later
        self._on_rows = on_rows
        self._on_total = on_total
        self._on_first_page = on_first_page
        self._source: PageSource | None = None
        self._generation = 0
        self._pending: set[int] = set()
        self._wanted: set[int] = set()
        # Reads in flight for rows on screen, which a move of the view stops: a scrollbar drag
        # leaves them behind, and their queries would hold up the one for where it stopped.
        self._view_reads: set[Read] = set()
        self._counting = False
        self._count_started = False
        # The query whose count starts once its first rows are painted.
        self._count_after_paint: int | None = None
        # Whether ``total`` describes the current query (exactly, or at least its first page).
        self._sized = False
        self._after_count: Callable[[], None] | None = None

    # -- what the table asks ----------------------------------------------------

    def show(self, source: PageSource, *, from_row: int, count_now: bool = False) -> None:
        """Show ``source``'s rows, the view at ``from_row``: its first page or its count first.

        With ``count_now`` the count starts alongside the first page instead of after its
        paint: for the query shown as the store opens, whose row total belongs to the first
        screen as much as its rows do, and which no keystroke will replace. The count runs
        in the database, off the interpreter's lock, so it takes another core rather than
        the first page's paint.
        """
        self._generation += 1
        if self._source is not None and self._source is not source:
            self._source.stop()  # its count or pages may still be running: they are not wanted now
        self._source = source
        self._pages.clear()
        self._pending.clear()
        self._wanted.clear()
        self._view_reads.clear()  # the old source's reads stop with it
        self._after_count = None
        self._counting = True
        self._count_started = False
        self._count_after_paint = None
        self._sized = False
        if from_row < PAGE_SIZE:
            # The first page needs no total (it is read from the front): it goes first, alone,
            # and the count follows it (a short first page is the whole result: no count at all).
            # Not stopped by a move of the view: the count waits for this page.
            self._read([0], for_view=False)
            if count_now:
                self._start_count()
        else:
            self._start_count()

    def row(self, index: int) -> TokenView | None:
        """The token at ``index`` if its page is kept."""
        page = self._pages.get(index // PAGE_SIZE)
        if page is None or index % PAGE_SIZE >= len(page):
            return None
        return page[index % PAGE_SIZE]

    def want(self, index: int) -> None:
        """The row at ``index`` is to be shown: read its page soon, with the others wanted now."""
        page = index // PAGE_SIZE
        if page in self._pending or page in self._pages:
            return
        if not self._wanted:
            self._soon(self._read_wanted)
        self._wanted.add(page)

    def painted(self) -> None:
        """The table has painted: a count waiting for its first rows to show may start."""
        if self._count_after_paint is not None:
            generation, self._count_after_paint = self._count_after_paint, None
            self._soon(partial(self._start_count, generation))

    def when_counted(self, then: Callable[[], None]) -> None:
        """Call ``then`` once the current query's count is in (instead of any earlier ``then``)."""
        self._after_count = then

    # -- what the workers report ------------------------------------------------

    def read_done(self, read: Read, rows: list[TokenView]) -> None:
        """``read`` returned ``rows``."""
        self._view_reads.discard(read)
        if read.generation != self._generation:
            return
        self._pending.difference_update(read.pages)
        for i, page in enumerate(read.pages):
            self._pages[page] = rows[i * PAGE_SIZE : (i + 1) * PAGE_SIZE]
        if self._counting and read.pages.start == 0:
            self._sized_by_first_page(rows[:PAGE_SIZE])
        self._on_rows()

    def read_cancelled(self, read: Read) -> None:
        """``read`` was stopped before it returned."""
        self._view_reads.discard(read)
        if read.generation == self._generation:
            # Wanted again if the view is back there already, or when it comes back.
            self._pending.difference_update(read.pages)
            self._on_rows()

    def read_failed(self, read: Read) -> None:
        """``read`` failed (the table says why)."""
        self._view_reads.discard(read)
        if read.generation == self._generation:
            self._pending.difference_update(read.pages)
            if self._counting and read.pages.start == 0:
                self._start_count()

    def count_done(self, count: Count, total: int) -> None:
        """``count`` found ``total`` rows."""
        if count.generation != self._generation or not self._counting:
            return  # another query's, or this one's that a short first page sized already
        self._counted(total)
        self._read_ahead_the_end()
        self._run_after_count()

    def count_failed(self, count: Count) -> None:
        """``count`` failed (the table says why)."""
        if count.generation == self._generation:
            self._counting = False

    # -- state ------------------------------------------------------------------

    @property
    def source(self) -> PageSource | None:
        """The query shown."""
        return self._source

    @property
    def is_counting(self) -> bool:
        """Whether the number of matching rows is still being counted."""
        return self._counting

    @property
    def is_sized(self) -> bool:
        """Whether :attr:`total` is for the query shown (the count, or at least its first page)."""
        return self._sized

    @property
    def is_reading(self) -> bool:
        """Whether pages are wanted or on their way."""
        return bool(self._pending or self._wanted)

    @property
    def is_loading(self) -> bool:
        """Whether the count or pages are still on their way."""
        return self._counting or self.is_reading

    @property
    def kept(self) -> frozenset[int]:
        """The numbers of the pages kept."""
        return frozenset(self._pages.keys())

    @property
    def view_reads(self) -> tuple[range, ...]:
        """The pages of each read in flight that a move of the view would stop."""
        return tuple(read.pages for read in self._view_reads)

    # -- inside -----------------------------------------------------------------

    def _read(self, pages: list[int], *, for_view: bool) -> None:
        """Start reading ``pages`` (sorted) of the current query; they are pending until they come.

        Neighbouring pages are read in one query: a view straddling two pages deep in the
        list (a scrollbar drag) steps over the rows before it once, not twice at once.
        """
        source = self._source
        if source is None:
            return
        # Before the count is in, only the first page is asked for, and read from the front.
        total = 0 if self._counting else self.total
        for first, count in _runs(pages):
            read = Read(self._generation, source, range(first, first + count), total)
            self._pending.update(read.pages)
            if for_view:
                self._view_reads.add(read)
            self._start_read(read)

    def _read_wanted(self) -> None:
        if self._source is None:
            return
        in_view = self._pages_on_screen()
        for read in self._view_reads:
            if in_view.isdisjoint(read.pages):
                read.stop.set()  # the view moved on (a scrollbar drag): that read is not wanted now
        self._read(sorted(self._wanted), for_view=True)
        self._wanted.clear()

    def _pages_on_screen(self) -> set[int]:
        rows = self._on_screen()
        return set(range(rows.start // PAGE_SIZE, (rows.stop - 1) // PAGE_SIZE + 1))

    def _read_ahead_the_end(self) -> None:
        """Read the pages of the last screenful now, so that End shows its rows at once.

        Reading them from the far end costs what the first page did (see
        :meth:`TokenPages.page`): one query, cancelled with the rest if the query
        changes first. Not while a search is being typed: every keystroke would pay
        for a page few look at.
        """
        if self._source is None or self._source.query.search:
            return
        last = self.total - 1
        on_screen = len(self._on_screen())
        pages = range(max(0, self.total - on_screen) // PAGE_SIZE, last // PAGE_SIZE + 1)
        missing = [page for page in pages if page not in self._pages and page not in self._pending]
        self._read(missing, for_view=False)  # moving the view does not stop it

    def _start_count(self, generation: int | None = None) -> None:
        """Count the current query's rows (``generation``: only if still that query's)."""
        if generation is not None and generation != self._generation:
            return
        if self._source is not None and not self._count_started:
            self._count_started = True
            self._start_count_in_worker(Count(self._generation, self._source))

    def _counted(self, total: int) -> None:
        self._counting = False
        self._sized = True
        self.total = total
        self._on_total(total)

    def _run_after_count(self) -> None:
        if self._after_count is not None:
            after, self._after_count = self._after_count, None
            after()

    def _sized_by_first_page(self, rows: list[TokenView]) -> None:
        """Size the table by the first page before the count: a short page is the whole result."""
        if len(rows) < PAGE_SIZE:
            self._counted(len(rows))
            self._run_after_count()
        else:
            if not self._sized:
                # At least a page: the rows on screen are known; the count says how many in all.
                self._sized = True
                self.total = len(rows)
            # Once these rows are painted: a count started now would take the CPU from their
            # paint. A table that is not painted (another screen over it) counts a little later
            # all the same.
            self._count_after_paint = self._generation
            self._later(COUNT_AFTER_PAINT_WAIT, partial(self._start_count, self._generation))
        self._on_first_page()


def _runs(pages: list[int]) -> list[tuple[int, int]]:
    """Sorted page numbers as (first, how many) runs of neighbours: [3, 4, 9] is [(3, 2), (9, 1)]."""
    runs: list[tuple[int, int]] = []
    for page in pages:
        if runs and runs[-1][0] + runs[-1][1] == page:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((page, 1))
    return runs
