"""The token table's loader on its own: which reads it asks for, and which rows it gives.

No app and no database: a fake page source, and the table's part (workers, timers,
repaints) played by hand.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Callable

from textual.cache import LRUCache

from tokentui.console.widgets.table_loader import COUNT_AFTER_PAINT_WAIT, PAGE_SIZE, Count, Read, TableLoader
from tokentui.core.listing.queries import TokenQuery


class Source:
    """``rows`` rows called "row 0", "row 1", ...; remembers whether it was stopped."""

    def __init__(self, rows: int, search: str = "") -> None:
        self.rows = [f"row {i}" for i in range(rows)]
        self.query = TokenQuery(search=search)
        self.stopped = False

    def count(self) -> int:
        return len(self.rows)

    def page(self, offset: int, limit: int, total: int, stop: threading.Event | None = None) -> list[str]:
        return self.rows[offset : offset + limit]

    def stop(self) -> None:
        self.stopped = True


class Table:
    """What the table does for its loader, recorded; reads, counts and timers run when told."""

    def __init__(self, *, cached_pages: int = 24, screen: range = range(0, 20)) -> None:
        self.screen = screen
        self.reads: list[Read] = []  # started, not finished
        self.counts: list[Count] = []
        self.soon: list[Callable[[], None]] = []
        self.timers: list[tuple[float, Callable[[], None]]] = []
        self.told: list[object] = []  # what the loader told the table, in order
        self.loader = TableLoader(
            LRUCache(cached_pages),
            on_screen=lambda: self.screen,
            start_read=self.reads.append,
            start_count=self.counts.append,
            soon=self.soon.append,
            later=lambda delay, callback: self.timers.append((delay, callback)),
            on_rows=lambda: self.told.append("rows"),
            on_total=lambda total: self.told.append(("total", total)),
            on_first_page=lambda: self.told.append("first page"),
        )

    def asked(self) -> list[tuple[int, int, int]]:
        """(offset, limit, total) of each read started and not finished."""
        return [(r.pages.start * PAGE_SIZE, len(r.pages) * PAGE_SIZE, r.total) for r in self.reads]

    def run_soon(self) -> None:
        calls = self.soon[:]
        self.soon.clear()
        for call in calls:
            call()

    def finish_reads(self) -> None:
        reads = self.reads[:]
        self.reads.clear()
        for read in reads:
            self.loader.read_done(read, read())  # type: ignore[arg-type]

    def finish_counts(self) -> None:
        counts = self.counts[:]
        self.counts.clear()
        for count in counts:
            self.loader.count_done(count, count())

    def want(self, rows: range) -> None:
        """A paint of ``rows``: those not kept are wanted."""
        for index in rows:
            if self.loader.row(index) is None:
                self.loader.want(index)


def counted(table: Table, source: Source) -> None:
    """``source`` shown, its first page and count in; nothing left running."""
    table.loader.show(source, from_row=0)  # type: ignore[arg-type]
    table.finish_reads()
    table.loader.painted()
    table.run_soon()
    table.finish_counts()
    table.finish_reads()  # the end, read ahead
    table.told.clear()


def test_a_new_query_reads_its_first_page_before_its_count() -> None:
    table = Table()
    table.loader.show(Source(500), from_row=0)  # type: ignore[arg-type]
    assert table.asked() == [(0, PAGE_SIZE, 0)] and table.counts == []
    assert table.loader.is_counting and not table.loader.is_sized
    table.finish_reads()
    assert table.loader.row(0) == "row 0" and table.loader.row(PAGE_SIZE - 1) == f"row {PAGE_SIZE - 1}"
    assert table.loader.is_sized and table.loader.total == PAGE_SIZE  # at least a page, until counted
    assert table.told == ["first page", "rows"]
    assert table.counts == []  # not until the rows are painted
    table.loader.painted()
    table.run_soon()
    assert len(table.counts) == 1
    table.finish_counts()
    assert table.loader.total == 500 and not table.loader.is_counting
    assert ("total", 500) in table.told


def test_an_unpainted_first_page_is_counted_a_little_later_all_the_same() -> None:
    table = Table()
    table.loader.show(Source(500), from_row=0)  # type: ignore[arg-type]
    table.finish_reads()
    [(delay, count_later)] = table.timers
    assert delay == COUNT_AFTER_PAINT_WAIT
    count_later()
    assert len(table.counts) == 1
    table.loader.painted()  # and painted after all: still one count
    table.run_soon()
    assert len(table.counts) == 1


def test_the_query_shown_as_the_store_opens_is_counted_alongside_its_first_page() -> None:
    table = Table()
    table.loader.show(Source(500), from_row=0, count_now=True)  # type: ignore[arg-type]
    assert table.asked() == [(0, PAGE_SIZE, 0)] and len(table.counts) == 1
    table.finish_reads()
    assert table.loader.row(0) == "row 0" and table.loader.is_counting
    table.loader.painted()  # the paint starts no second count
    table.run_soon()
    [(_, count_later)] = table.timers
    count_later()
    assert len(table.counts) == 1
    table.finish_counts()
    assert table.loader.total == 500 and not table.loader.is_counting


def test_a_count_started_with_a_short_first_page_changes_nothing_when_it_comes() -> None:
    table = Table()
    table.loader.show(Source(7), from_row=0, count_now=True)  # type: ignore[arg-type]
    table.finish_reads()
    assert table.loader.total == 7 and not table.loader.is_counting
    table.told.clear()
    table.finish_counts()
    assert table.told == [] and table.reads == []


def test_a_short_first_page_is_the_whole_result_and_nothing_is_counted() -> None:
    table = Table()
    table.loader.show(Source(7), from_row=0)  # type: ignore[arg-type]
    table.finish_reads()
    assert table.loader.total == 7 and not table.loader.is_counting and not table.loader.is_loading
    assert table.told == [("total", 7), "first page", "rows"]
    table.loader.painted()
    table.run_soon()
    assert table.counts == [] and table.timers == []


def test_a_view_beyond_the_first_page_counts_first() -> None:
    table = Table(screen=range(300, 320))
    table.loader.show(Source(3000, search="x"), from_row=300)  # type: ignore[arg-type]
    assert table.reads == [] and len(table.counts) == 1
    table.finish_counts()
    assert table.loader.total == 3000 and table.reads == []  # a search reads no end ahead
    table.want(table.screen)
    table.run_soon()
    assert table.asked() == [(300, PAGE_SIZE, 3000)]


def test_once_counted_the_last_screenful_is_read_ahead_unless_a_search_is_typed() -> None:
    table = Table(screen=range(0, 20))
    table.loader.show(Source(3000), from_row=0)  # type: ignore[arg-type]
    table.finish_reads()
    table.loader.painted()
    table.run_soon()
    table.finish_counts()
    assert table.asked() == [(2950, PAGE_SIZE, 3000)]

    searching = Table(screen=range(0, 20))
    searching.loader.show(Source(3000, search="deploy"), from_row=0)  # type: ignore[arg-type]
    searching.finish_reads()
    searching.loader.painted()
    searching.run_soon()
    searching.finish_counts()
    assert searching.reads == []


def test_rows_wanted_in_one_paint_are_read_at_once_neighbouring_pages_in_one_read() -> None:
    table = Table()
    counted(table, Source(3000))
    table.want(range(10 * PAGE_SIZE + 5, 12 * PAGE_SIZE - 5))  # the end of page 10, the start of 11
    table.want(range(20 * PAGE_SIZE, 20 * PAGE_SIZE + 3))
    assert table.reads == []  # once the paint is over
    table.run_soon()
    assert table.asked() == [(10 * PAGE_SIZE, 2 * PAGE_SIZE, 3000), (20 * PAGE_SIZE, PAGE_SIZE, 3000)]
    table.want(range(10 * PAGE_SIZE, 10 * PAGE_SIZE + 5))  # pending: not asked for again
    table.run_soon()
    assert len(table.reads) == 2
    table.finish_reads()
    assert table.loader.row(11 * PAGE_SIZE + 1) == f"row {11 * PAGE_SIZE + 1}"
    assert not table.loader.is_loading


def test_a_superseded_querys_pages_and_count_are_dropped() -> None:
    table = Table()
    old, new = Source(500), Source(80)
    table.loader.show(old, from_row=0)  # type: ignore[arg-type]
    [old_read] = table.reads
    table.loader.show(new, from_row=0)  # type: ignore[arg-type]
    assert old.stopped and not new.stopped
    table.loader.read_done(old_read, old_read())  # type: ignore[arg-type]
    assert table.loader.row(0) is None and table.told == []
    table.loader.count_done(Count(old_read.generation, old), 500)  # type: ignore[arg-type]
    assert table.loader.is_counting and table.told == []
    table.reads.remove(old_read)
    table.finish_reads()
    assert table.loader.row(0) == "row 0" and table.loader.total == PAGE_SIZE


def test_a_read_for_rows_the_view_has_left_is_stopped_and_read_again_when_it_is_back() -> None:
    table = Table()
    counted(table, Source(3000))
    table.screen = range(10 * PAGE_SIZE + 5, 10 * PAGE_SIZE + 25)  # a scrollbar drag
    table.want(table.screen)
    table.run_soon()
    [left] = table.reads
    assert table.loader.view_reads == (range(10, 11),)
    table.screen = range(40 * PAGE_SIZE + 5, 40 * PAGE_SIZE + 25)  # the drag moves on
    table.want(table.screen)
    table.run_soon()
    assert left.stop.is_set()
    [_, there] = table.reads
    assert not there.stop.is_set() and there.pages == range(40, 41)
    table.reads.remove(left)
    table.loader.read_cancelled(left)
    assert table.told == ["rows"]
    table.finish_reads()
    table.screen = range(10 * PAGE_SIZE + 5, 10 * PAGE_SIZE + 25)  # and back
    table.want(table.screen)
    table.run_soon()
    assert table.asked() == [(10 * PAGE_SIZE, PAGE_SIZE, 3000)]


def test_the_first_page_is_not_stopped_by_a_move_of_the_view() -> None:
    table = Table()
    table.loader.show(Source(3000), from_row=0)  # type: ignore[arg-type]
    assert table.loader.view_reads == ()


def test_pages_beyond_the_cache_size_go_least_recently_used_first() -> None:
    table = Table(cached_pages=3)
    table.loader.show(Source(3000, search="x"), from_row=0)  # type: ignore[arg-type]
    table.finish_reads()
    table.loader.painted()
    table.run_soon()
    table.finish_counts()
    for page in (1, 2):
        table.want(range(page * PAGE_SIZE, page * PAGE_SIZE + 1))
        table.run_soon()
        table.finish_reads()
    assert table.loader.kept == {0, 1, 2}
    assert table.loader.row(0) == "row 0"  # page 0 used: page 1 is the oldest now
    table.want(range(3 * PAGE_SIZE, 3 * PAGE_SIZE + 1))
    table.run_soon()
    table.finish_reads()
    assert table.loader.kept == {0, 2, 3} and table.loader.row(PAGE_SIZE) is None
    table.want(range(PAGE_SIZE, PAGE_SIZE + 1))
    table.run_soon()
    assert table.asked() == [(PAGE_SIZE, PAGE_SIZE, 3000)]  # read again


def test_end_before_the_count_goes_there_once_counted() -> None:
    table = Table()
    table.loader.show(Source(500), from_row=0)  # type: ignore[arg-type]
    table.finish_reads()
    went: list[int] = []
    table.loader.when_counted(lambda: went.append(table.loader.total))
    table.loader.painted()
    table.run_soon()
    assert went == []
    table.finish_counts()
    assert went == [500]


def test_a_failed_first_page_starts_the_count_and_a_failed_count_ends_counting() -> None:
    table = Table()
    table.loader.show(Source(500), from_row=0)  # type: ignore[arg-type]
    [read] = table.reads
    table.loader.read_failed(read)
    assert len(table.counts) == 1 and not table.loader.is_reading
    table.loader.count_failed(table.counts[0])
    assert not table.loader.is_counting and not table.loader.is_loading


def test_the_loader_imports_no_textual() -> None:
    code = (
        "import sys, tokentui.console.widgets.table_loader, tokentui.console.pages\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
