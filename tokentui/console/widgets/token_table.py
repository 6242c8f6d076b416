"""The token table: a line-rendering view over pages fetched from the database.

Only the rows on screen (plus a page of margin) are ever loaded, so the table
behaves the same with fifty tokens or a million: the scrollbar, the row count
and the cursor act as if every row were there, and a row whose page has not
arrived yet shows as a dim placeholder for the few milliseconds a page takes.

A new query's first page is fetched before its count, and painted as soon as
it arrives: counting a search over a million rows takes longer than finding the
first screenful, so the rows come first and the count (scrollbar, row total)
follows. A first page shorter than a page is the whole result, count included.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from tokentui.core.vocabulary import Status
from tokentui.text import printable

if TYPE_CHECKING:
    from tokentui.console.pages import TokenPages
    from tokentui.core.results import TokenView

# Rows read at a time: more than a screenful of most terminals, and no more, since every
# keystroke of a search reads a first page. On a 1,000,000-token store 50 rather than 100
# rows took a keystroke's database time from p50 27 to 16 ms, p95 55 to 30 ms.
PAGE_SIZE = 50
# Pages kept in memory: enough for several screens either side of the cursor.
CACHED_PAGES = 24
# How long the rows of the last query stay on screen while a new one reads its first page.
OLD_ROWS_KEPT = 0.15
# How long a query's count waits for its first rows to be painted before it starts anyway.
COUNT_AFTER_PAINT_WAIT = 0.25
# Rendered rows kept: a few screens' worth, so a repaint that changes nothing costs nothing.
CACHED_STRIPS = 256


def short_date(instant: datetime | None, empty: str = "never") -> str:
    """``YYYY-MM-DD`` in UTC."""
    return empty if instant is None else instant.astimezone(UTC).strftime("%Y-%m-%d")


def fit(text: str, width: int) -> str:
    """``text`` in exactly ``width`` cells: padded, or cut with an ellipsis (wide characters counted)."""
    cells = cell_len(text)
    if cells <= width:
        return text + " " * (width - cells)
    cut = Text(text, no_wrap=True, end="")
    cut.truncate(width, overflow="ellipsis", pad=True)
    return cut.plain


STATUS_MARKS = {Status.ACTIVE: "●", Status.EXPIRED: "◌", Status.REVOKED: "✕"}


@dataclass(frozen=True)
class Column:
    """One column: the sort key it stands for, its title, and how wide it may be."""

    key: str
    title: str
    min_width: int
    weight: int
    cell: Callable[[TokenView], str]


def _where(token: TokenView) -> str:
    if token.space is None:
        return "-"
    return f"{token.space}/{token.environment}" if token.environment else token.space


COLUMNS: tuple[Column, ...] = (
    Column("name", "Name", 9, 3, lambda t: t.name),
    Column("kind", "Kind", 10, 4, lambda t: t.kind.label),
    Column("author", "Author", 10, 3, lambda t: t.author),
    Column("created", "Created", 10, 0, lambda t: short_date(t.created_at)),
    Column("expires", "Expires", 10, 0, lambda t: short_date(t.expires_at)),
    Column("status", "Status", 9, 0, lambda t: f"{STATUS_MARKS[t.status]} {t.status.value}"),
    Column("last4", "Last4", 5, 0, lambda t: t.last4),
    Column("space", "Space/env", 9, 3, _where),
)
GAP = 1


@dataclass(frozen=True)
class _Paint:
    """What every line of one paint of the table shares (looked up once a paint)."""

    base: Style  # the table's own style, over its ancestors' backgrounds
    width: int  # cells on screen
    table_width: int  # cells the columns take (at least every column's minimum)
    rows: int  # rows on screen below the header
    scroll: Offset


def column_widths(total: int) -> list[int]:
    """Each column's width for a table ``total`` cells wide (at least every minimum)."""
    minimum = sum(c.min_width for c in COLUMNS) + GAP * (len(COLUMNS) - 1)
    spare = max(0, total - minimum)
    weights = sum(c.weight for c in COLUMNS)
    widths = [c.min_width + spare * c.weight // weights for c in COLUMNS]
    # Rounding leftovers go to the first flexible column, so the row fills the width.
    leftover = max(0, total - sum(widths) - GAP * (len(COLUMNS) - 1))
    widths[0] += leftover
    return widths


class TokenTable(ScrollView, can_focus=True):
    """Every matching token, one row each, loaded a page at a time."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up,k", "cursor(-1)", "Up", show=False),
        Binding("down,j", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home,g", "first", "First", show=False),
        Binding("end,G", "last", "Last", show=False),
        Binding("enter", "select", "Details", show=True),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "token-table--header",
        "token-table--sorted",
        "token-table--cursor",
        "token-table--placeholder",
        "token-table--active",
        "token-table--expired",
        "token-table--revoked",
    }

    DEFAULT_CSS = """
    TokenTable {
        background: $surface;
        scrollbar-size-vertical: 1;
        /* Always there: a scrollbar that came and went as a search's results grew past a
           screen and shrank again laid the whole screen out on those keystrokes. */
        overflow-y: scroll;
    }
    TokenTable > .token-table--header { text-style: bold; background: $panel; color: $text; }
    TokenTable > .token-table--sorted { text-style: bold underline; background: $panel; color: $accent; }
    TokenTable > .token-table--cursor { background: $block-cursor-background; color: $block-cursor-foreground; }
    TokenTable:blur > .token-table--cursor { background: $block-cursor-blurred-background; }
    TokenTable > .token-table--placeholder { color: $text-disabled; }
    TokenTable > .token-table--active { color: $text-success; }
    TokenTable > .token-table--expired { color: $text-warning; }
    TokenTable > .token-table--revoked { color: $text-error; }
    """

    cursor: reactive[int] = reactive(0, always_update=True)

    class Selected(Message):
        """The user chose a row (enter or double click)."""

        def __init__(self, token: TokenView) -> None:
            super().__init__()
            self.token = token

    class SortRequested(Message):
        """The user clicked a column title."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class Counted(Message):
        """The number of matching rows is known."""

        def __init__(self, total: int) -> None:
            super().__init__()
            self.total = total

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.total = 0
        self.sort_key = "created"
        self.descending = True
        self._source: TokenPages | None = None
        self._generation = 0
        self._pages: OrderedDict[int, list[TokenView]] = OrderedDict()
        self._pending: set[int] = set()
        self._wanted: set[int] = set()
        # Reads in flight for rows on screen, by the event that stops each: a scrollbar drag
        # leaves them behind, and their queries would hold up the one for where it stopped.
        self._reads: dict[threading.Event, range] = {}
        self._counting = False
        self._count_started = False
        # The query whose count starts once its first rows are painted.
        self._count_after_paint: int | None = None
        # Whether ``total`` describes the current query (exactly, or at least its first page).
        self._sized = False
        self._after_count: Callable[[], None] | None = None
        # Rendered rows by what they show (the token, cursor or not, width), kept across queries:
        # the next keystroke of a search mostly shows rows already drawn.
        self._strips: OrderedDict[tuple[TokenView, bool, int], Strip] = OrderedDict()
        self._paint: _Paint | None = None  # while the table paints
        self._placeholders_due: Timer | None = None

    # -- data -------------------------------------------------------------------

    def show(self, source: TokenPages, *, sort_key: str, descending: bool, keep_cursor: bool = False) -> None:
        """Show ``source``'s rows: count them, then load pages as they come on screen."""
        self._generation += 1
        if self._source is not None and self._source is not source:
            self._source.stop()  # its count or pages may still be running: they are not wanted now
        self._source = source
        self.sort_key = sort_key
        self.descending = descending
        self._pages.clear()
        self._pending.clear()
        self._wanted.clear()
        self._reads.clear()  # the old source's reads stop with it
        self._after_count = None
        if not keep_cursor:
            self.set_reactive(TokenTable.cursor, 0)  # no repaint yet (below)
            self._scroll_cursor_into_view()
        # The rows on screen stay there until the new query's first rows replace them, or
        # placeholders do after a while: a repaint now, of placeholders, took the CPU from
        # the query and the paint a keystroke waits for (10-40 ms on a 1,000,000-token store).
        if self._placeholders_due is not None:
            self._placeholders_due.stop()
        self._placeholders_due = self.set_timer(OLD_ROWS_KEPT, self.refresh)
        self._counting = True
        self._count_started = False
        self._count_after_paint = None
        self._sized = False
        if self.cursor < PAGE_SIZE:
            # The first page needs no total (it is read from the front): it goes first, alone,
            # and the count follows it (a short first page is the whole result: no count at all).
            # Not stopped by a move of the view: the count waits for this page.
            self._read(source, [0], for_view=False)
        else:
            self._start_count()

    def _start_count(self, generation: int | None = None) -> None:
        """Count the current query's rows (``generation``: only if still that query's)."""
        if generation is not None and generation != self._generation:
            return
        if self._source is not None and not self._count_started:
            self._count_started = True
            self.run_worker(self._count(self._generation, self._source), group="count", exclusive=True)

    async def _count(self, generation: int, source: TokenPages) -> None:
        from asyncio import to_thread

        from tokentui.core.errors import TokentuiError
        from tokentui.core.store import Cancelled

        try:
            total = await to_thread(source.count)
        except Cancelled:
            return
        except TokentuiError as error:
            if generation == self._generation:
                self._counting = False
            self.app.notify(str(error), title="Cannot list tokens", severity="error")
            return
        if generation != self._generation:
            return
        self._counting = False
        self._sized = True
        self._resize(total)
        self.cursor = min(self.cursor, max(0, total - 1))
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Counted(total))
        self._read_ahead_the_end()
        if self._after_count is not None:
            after, self._after_count = self._after_count, None
            after()

    def _read_ahead_the_end(self) -> None:
        """Read the pages of the last screenful now, so that End shows its rows at once.

        Reading them from the far end costs what the first page did (see
        :meth:`TokenPages.page`): one query, cancelled with the rest if the query
        changes first. Not while a search is being typed: every keystroke would pay
        for a page few look at (measured: +5 ms p50 on a 1,000,000-token store).
        """
        if self._source is None or self._source.query.search:
            return
        last = self.total - 1
        pages = range(max(0, self.total - self._visible_rows) // PAGE_SIZE, last // PAGE_SIZE + 1)
        missing = [page for page in pages if page not in self._pages and page not in self._pending]
        self._read(self._source, missing, for_view=False)  # moving the view does not stop it

    def _resize(self, total: int) -> None:
        """``total`` rows: the row count, the scroll range and the scrollbar's thumb.

        Setting ``virtual_size`` lays the whole screen out again, which costs several
        repaints of the table; a search does this on every keystroke. When the
        scrollbar stays as it is (shown, or not), only the range and the thumb change
        and no layout is needed.
        """
        self.total = total
        size = Size(self._table_width(), total + 1)
        old = self.virtual_size
        if size == old:
            return
        room = self.container_size.height - self.scrollbar_size_horizontal
        if not self.is_mounted or room <= 0 or size.width != old.width:
            self.virtual_size = size
            return
        bar_shown = self.show_vertical_scrollbar
        if bar_shown != (self.styles.overflow_y == "scroll" or size.height > room):
            self.virtual_size = size  # the scrollbar comes or goes: that is a layout
            return
        self.set_reactive(TokenTable.virtual_size, size)
        if bar_shown:
            self.vertical_scrollbar.window_virtual_size = size.height
        if self.scroll_y > self.max_scroll_y:
            self.scroll_to(y=self.max_scroll_y, animate=False, immediate=True)
        self.refresh()

    def _want(self, page: int) -> None:
        if page in self._pending or page in self._pages:
            return
        if not self._wanted:
            self.call_later(self._fetch_wanted)
        self._wanted.add(page)

    def _fetch_wanted(self) -> None:
        source = self._source
        if source is None:
            return
        in_view = self._pages_in_view()
        for stop, pages in self._reads.items():
            if in_view.isdisjoint(pages):
                stop.set()  # the view moved on (a scrollbar drag): that read is not wanted now
        self._read(source, sorted(self._wanted), for_view=True)
        self._wanted.clear()

    def _read(self, source: TokenPages, pages: list[int], *, for_view: bool) -> None:
        """Start reading ``pages`` (sorted) of the current query; they are pending until they come.

        Neighbouring pages are read in one query: a view straddling two pages deep in the
        list (a scrollbar drag) steps over the rows before it once, not twice at once.
        """
        for first, count in _runs(pages):
            self._pending.update(range(first, first + count))
            fetch = self._fetch(self._generation, source, first, count, for_view=for_view)
            self.run_worker(fetch, group="pages")

    async def _fetch(
        self, generation: int, source: TokenPages, first: int, count: int, *, for_view: bool
    ) -> None:
        from asyncio import to_thread

        from tokentui.core.errors import TokentuiError
        from tokentui.core.store import Cancelled

        pages = range(first, first + count)
        # Before the count is in, only the first page is asked for, and read from the front.
        total = 0 if self._counting else self.total
        stop = threading.Event()
        if for_view:
            self._reads[stop] = pages
        try:
            rows = await to_thread(source.page, first * PAGE_SIZE, count * PAGE_SIZE, total, stop)
        except Cancelled:
            if generation == self._generation:
                # Wanted again if the view is back there already, or when it comes back.
                self._pending.difference_update(pages)
                self.refresh()
            return
        except TokentuiError as error:
            if generation == self._generation:
                self._pending.difference_update(pages)
                if self._counting and first == 0:
                    self._start_count()
            self.app.notify(str(error), title="Cannot list tokens", severity="error")
            return
        finally:
            self._reads.pop(stop, None)
        if generation != self._generation:
            return
        self._pending.difference_update(pages)
        for i, page in enumerate(pages):
            self._pages[page] = rows[i * PAGE_SIZE : (i + 1) * PAGE_SIZE]
        while len(self._pages) > CACHED_PAGES:
            self._pages.popitem(last=False)
        if self._counting and first == 0:
            self._sized_by_first_page(rows[:PAGE_SIZE])
            if self._placeholders_due is not None:
                self._placeholders_due.stop()
        self.refresh()

    def _sized_by_first_page(self, rows: list[TokenView]) -> None:
        """Show the first page before the count: a short page is the whole result."""
        if len(rows) < PAGE_SIZE:
            self._counting = False
            self._sized = True
            self._resize(len(rows))
            self.cursor = min(self.cursor, max(0, len(rows) - 1))
            self.post_message(self.Counted(len(rows)))
            if self._after_count is not None:
                after, self._after_count = self._after_count, None
                after()
        else:
            if not self._sized:
                # At least a page: the rows on screen are known; the count says how many in all.
                # The scroll range only grows here (a new virtual size lays the whole screen out
                # again, which costs more than the page): the count sets it exactly.
                self._sized = True
                self.total = len(rows)
                if self.virtual_size.height < self.total + 1:
                    self._resize(len(rows))
            # Once these rows are painted: a count started now would take the CPU from their paint
            # (this alone, on a 1,000-token store: keystroke p95 62-72 -> 52-55 ms). A table that
            # is not painted (another screen over it) counts a little later all the same.
            self._count_after_paint = self._generation
            self.set_timer(COUNT_AFTER_PAINT_WAIT, partial(self._start_count, self._generation))

    def row(self, index: int) -> TokenView | None:
        """The token at ``index`` if its page is loaded."""
        page = self._pages.get(index // PAGE_SIZE)
        if page is None or index % PAGE_SIZE >= len(page):
            return None
        self._pages.move_to_end(index // PAGE_SIZE)
        return page[index % PAGE_SIZE]

    @property
    def current(self) -> TokenView | None:
        """The token under the cursor, if any."""
        return self.row(self.cursor) if self.total else None

    @property
    def is_counting(self) -> bool:
        """Whether the number of matching rows is still being counted."""
        return self._counting

    @property
    def is_sized(self) -> bool:
        """Whether :attr:`total` is for the query shown (the count, or at least its first page)."""
        return self._sized

    @property
    def is_loading(self) -> bool:
        """Whether the count or pages are still on their way (tests and the benchmark wait on this)."""
        return self._counting or bool(self._pending or self._wanted)

    # -- geometry ---------------------------------------------------------------

    def _table_width(self) -> int:
        minimum = sum(c.min_width for c in COLUMNS) + GAP * (len(COLUMNS) - 1)
        return max(minimum, self.scrollable_content_region.width)

    def on_resize(self, _event: events.Resize) -> None:
        self.virtual_size = Size(self._table_width(), self.total + 1)
        self._scroll_cursor_into_view()

    @property
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _pages_in_view(self) -> set[int]:
        top = int(self.scroll_y)
        return set(range(top // PAGE_SIZE, (top + self._visible_rows - 1) // PAGE_SIZE + 1))

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self._visible_rows:
            self.scroll_to(y=self.cursor - self._visible_rows + 1, animate=False, immediate=True)

    # -- rendering --------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line of a paint shares is looked up once for all of them: the base
        # style alone (every ancestor's background) cost a sixth of a millisecond a line.
        self._paint = self._look_up()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None
            if self._count_after_paint is not None:
                generation, self._count_after_paint = self._count_after_paint, None
                self.call_later(self._start_count, generation)

    def _look_up(self) -> _Paint:
        return _Paint(
            base=self.rich_style,
            width=self.scrollable_content_region.width,
            table_width=self._table_width(),
            rows=self._visible_rows,
            scroll=self.scroll_offset,
        )

    def render_line(self, y: int) -> Strip:
        paint = self._paint or self._look_up()
        base, width = paint.base, paint.width
        scroll_x, scroll_y = paint.scroll
        if y == 0:
            strip = self._header(paint)
        else:
            index = scroll_y + y - 1
            if not self._sized:
                # Nothing of this query has arrived: no page is asked for by an old row count.
                strip = self._placeholder(paint) if index < paint.rows else Strip.blank(width, base)
            elif index >= self.total:
                return Strip.blank(width, base)
            else:
                strip = self._row(index, paint)
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header(self, paint: _Paint) -> Strip:
        header = self.get_component_rich_style("token-table--header")
        sorted_style = self.get_component_rich_style("token-table--sorted")
        segments: list[Segment] = []
        for column, width in zip(COLUMNS, column_widths(paint.table_width), strict=True):
            title = column.title
            style = header
            if column.key == self.sort_key:
                title = f"{title} {'▼' if self.descending else '▲'}"
                style = sorted_style
            segments.append(Segment(title[:width].ljust(width), style))
            segments.append(Segment(" " * GAP, header))
        return Strip(segments[:-1]).extend_cell_length(paint.table_width, header)

    def _placeholder(self, paint: _Paint) -> Strip:
        style = self.get_component_rich_style("token-table--placeholder")
        return Strip([Segment("…".ljust(paint.table_width), style)])

    def _row(self, index: int, paint: _Paint) -> Strip:
        token = self.row(index)
        if token is None:
            self._want(index // PAGE_SIZE)
            return self._placeholder(paint)
        key = (token, index == self.cursor, paint.table_width)
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._render_row(index, token, paint)
            if len(self._strips) > CACHED_STRIPS:
                self._strips.popitem(last=False)
        else:
            self._strips.move_to_end(key)
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def _render_row(self, index: int, token: TokenView, paint: _Paint) -> Strip:
        row_style = paint.base
        if index == self.cursor:
            row_style += self.get_component_rich_style("token-table--cursor")
        segments: list[Segment] = []
        for column, width in zip(COLUMNS, column_widths(paint.table_width), strict=True):
            value = column.cell(token)
            if column.key == "kind" and len(value) > width:
                value = token.kind.spec.short_label  # the kind column is too narrow for the label
            style = row_style
            if column.key == "status" and index != self.cursor:
                style = row_style + self._status_style(token.status)
            segments.append(Segment(fit(printable(value), width), style))
            segments.append(Segment(" " * GAP, row_style))
        return Strip(segments[:-1]).extend_cell_length(paint.table_width, row_style)

    def _status_style(self, status: Status) -> Style:
        return self.get_component_rich_style(f"token-table--{status.value}")

    # -- the cursor -------------------------------------------------------------

    def watch_cursor(self, _old: int, _new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()

    def _move_to(self, index: int) -> None:
        self.cursor = max(0, min(index, self.total - 1))

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * self._visible_rows)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        if self._counting:
            # Where the last row is is known once counted: go there then.
            self._after_count = self.action_last
            return
        self._move_to(self.total - 1)

    def action_select(self) -> None:
        token = self.current
        if token is not None:
            self.post_message(self.Selected(token))

    def on_click(self, event: events.Click) -> None:
        if event.y == 0:
            self._header_clicked(event.x + int(self.scroll_x))
            return
        index = int(self.scroll_y) + event.y - 1
        if 0 <= index < self.total:
            self.cursor = index
            if event.chain >= 2:
                self.action_select()

    def _header_clicked(self, x: int) -> None:
        edge = 0
        for column, width in zip(COLUMNS, column_widths(self._table_width()), strict=True):
            edge += width + GAP
            if x < edge:
                self.post_message(self.SortRequested(column.key))
                return


def _runs(pages: list[int]) -> list[tuple[int, int]]:
    """Sorted page numbers as (first, how many) runs of neighbours: [3, 4, 9] is [(3, 2), (9, 1)]."""
    runs: list[tuple[int, int]] = []
    for page in pages:
        if runs and runs[-1][0] + runs[-1][1] == page:
            runs[-1] = (runs[-1][0], runs[-1][1] + 1)
        else:
            runs.append((page, 1))
    return runs
