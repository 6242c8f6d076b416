"""The token table: a line-rendering view over the pages its loader reads.

The scrollbar, the row count and the cursor act as if every row were there; a row
whose page has not arrived yet shows as a dim placeholder for the moment a page
takes. Which pages are read, and when, the loader decides
(:mod:`tokentui.console.widgets.table_loader`); what each column shows, the columns
(:mod:`tokentui.console.widgets.token_columns`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Offset, Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer

from tokentui.console.widgets.table_loader import PAGE_SIZE, Count, Read, TableLoader
from tokentui.console.widgets.token_columns import GAP, column_widths, fit, hidden_columns, min_width

if TYPE_CHECKING:
    from tokentui.console.pages import TokenPages
    from tokentui.core.results import TokenView
    from tokentui.core.vocabulary import Status

# Pages kept in memory: enough for several screens either side of the cursor.
CACHED_PAGES = 24
# How long the rows of the last query stay on screen while a new one reads its first page.
OLD_ROWS_KEPT = 0.15
# Rendered rows kept: a few screens' worth, so a repaint that changes nothing costs nothing.
CACHED_STRIPS = 256
# Leads the first cell of a marked row: a shape, so it reads without colour (NO_COLOR).
MARK = "* "


@dataclass(frozen=True)
class _Paint:
    """What every line of one paint of the table shares (looked up once a paint)."""

    base: Style  # the table's own style, over its ancestors' backgrounds
    width: int  # cells on screen
    table_width: int  # cells the columns take (at least every column's minimum)
    rows: int  # rows on screen below the header
    scroll: Offset
    now: datetime  # what "Last used" is relative to


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

    class AuthorClicked(Message):
        """The user clicked a row's Author cell: open the author (Contentful's page does)."""

        def __init__(self, token: TokenView) -> None:
            super().__init__()
            self.token = token

    class SortRequested(Message):
        """The user clicked a column title."""

        def __init__(self, key: str) -> None:
            super().__init__()
            self.key = key

    class ColumnsHidden(Message):
        """Which columns the table's width leaves out changed (titles, possibly none)."""

        def __init__(self, titles: tuple[str, ...]) -> None:
            super().__init__()
            self.titles = titles

    class Counted(Message):
        """The number of matching rows is known."""

        def __init__(self, total: int) -> None:
            super().__init__()
            self.total = total

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.sort_key = "created"
        self.descending = True
        self.loader = TableLoader(
            LRUCache(CACHED_PAGES),
            on_screen=self._rows_on_screen,
            start_read=self._start_read,
            start_count=self._start_count,
            soon=self.call_later,
            later=self.set_timer,
            on_rows=self._rows_came,
            on_total=self._counted,
            on_first_page=self._first_page_came,
        )
        # Rendered rows by what they show (the token, cursor or not, width), kept across queries:
        # the next keystroke of a search mostly shows rows already drawn.
        self._strips: LRUCache[tuple[TokenView, bool, int, str, datetime, bool], Strip] = LRUCache(
            CACHED_STRIPS
        )
        # Ids of the tokens marked for a bulk action (the home screen changes it, then refreshes).
        self.marked: set[str] = set()
        self._paint: _Paint | None = None  # while the table paints
        self._placeholders_due: Timer | None = None
        # The token the cursor goes back to once its row is read (a reload keeping the cursor).
        self._follow: str | None = None
        self._hidden: tuple[str, ...] = ()

    # -- data -------------------------------------------------------------------

    def show(
        self,
        source: TokenPages,
        *,
        sort_key: str,
        descending: bool,
        keep_cursor: bool = False,
        follow: str | None = None,
        count_now: bool = False,
    ) -> None:
        """Show ``source``'s rows: count them, then load pages as they come on screen.

        ``keep_cursor`` leaves the cursor on its row; ``follow`` (a token's id) then moves it
        to that token's row once a page read holds it (tokens made elsewhere moved it down).
        ``count_now`` counts alongside the first page (:meth:`TableLoader.show`).
        """
        self.sort_key = sort_key
        self.descending = descending
        self._follow = follow if keep_cursor else None
        self._check_hidden()
        if not keep_cursor:
            self.set_reactive(TokenTable.cursor, 0)  # no repaint yet (below)
            self._scroll_cursor_into_view()
        # The rows on screen stay there until the new query's first rows replace them, or
        # placeholders do after a while: a repaint now, of placeholders, would take the CPU
        # from the query and the paint a keystroke waits for.
        if self._placeholders_due is not None:
            self._placeholders_due.stop()
        self._placeholders_due = self.set_timer(OLD_ROWS_KEPT, self.refresh)
        self.loader.show(source, from_row=self.cursor, count_now=count_now)

    def _rows_came(self) -> None:
        if self._follow is not None:
            self._find_followed()
        self.refresh()

    def _find_followed(self) -> None:
        """Put the cursor on the followed token if a page kept holds it."""
        for page in sorted(self.loader.kept):
            for index in range(page * PAGE_SIZE, (page + 1) * PAGE_SIZE):
                token = self.row(index)
                if token is not None and token.id == self._follow:
                    self._follow = None
                    if index != self.cursor:
                        self.cursor = index
                    return

    def _start_count(self, count: Count) -> None:
        self.run_worker(self._count(count), group="count", exclusive=True)

    async def _count(self, count: Count) -> None:
        from asyncio import to_thread

        from tokentui.core.errors import TokentuiError
        from tokentui.core.store import Cancelled

        try:
            total = await to_thread(count)
        except Cancelled:
            return
        except TokentuiError as error:
            self.loader.count_failed(count)
            self.app.notify(str(error), title="Cannot list tokens", severity="error")
            return
        self.loader.count_done(count, total)

    def _start_read(self, read: Read) -> None:
        self.run_worker(self._read(read), group="pages")

    async def _read(self, read: Read) -> None:
        from asyncio import to_thread

        from tokentui.core.errors import TokentuiError
        from tokentui.core.store import Cancelled

        try:
            rows = await to_thread(read)
        except Cancelled:
            self.loader.read_cancelled(read)
        except TokentuiError as error:
            self.loader.read_failed(read)
            self.app.notify(str(error), title="Cannot list tokens", severity="error")
        else:
            self.loader.read_done(read, rows)

    def _counted(self, total: int) -> None:
        self._resize(total)
        self.cursor = min(self.cursor, max(0, total - 1))
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.Counted(total))

    def _first_page_came(self) -> None:
        if self._placeholders_due is not None:
            self._placeholders_due.stop()
        # The scroll range only grows before the count (a new virtual size lays the whole
        # screen out again, which costs more than the page): the count sets it exactly.
        if self.virtual_size.height < self.total + 1:
            self._resize(self.total)

    def _resize(self, total: int) -> None:
        """``total`` rows: the scroll range and the scrollbar's thumb.

        Setting ``virtual_size`` lays the whole screen out again, which costs several
        repaints of the table; a search does this on every keystroke. When the
        scrollbar stays as it is (shown, or not), only the range and the thumb change
        and no layout is needed.
        """
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

    @property
    def total(self) -> int:
        """How many rows the query shown has (at least its first page until counted)."""
        return self.loader.total

    def row(self, index: int) -> TokenView | None:
        """The token at ``index`` if its page is loaded."""
        return self.loader.row(index)

    @property
    def current(self) -> TokenView | None:
        """The token under the cursor, if any."""
        return self.row(self.cursor) if self.total else None

    @property
    def is_counting(self) -> bool:
        """Whether the number of matching rows is still being counted."""
        return self.loader.is_counting

    @property
    def is_sized(self) -> bool:
        """Whether :attr:`total` is for the query shown (the count, or at least its first page)."""
        return self.loader.is_sized

    @property
    def is_loading(self) -> bool:
        """Whether the count or pages are still on their way (tests and the benchmark wait on this)."""
        return self.loader.is_loading

    # -- geometry ---------------------------------------------------------------

    def _table_width(self) -> int:
        return max(min_width(self.sort_key), self.scrollable_content_region.width)

    @property
    def hidden(self) -> tuple[str, ...]:
        """The titles of the columns this width leaves out."""
        return self._hidden

    def _check_hidden(self) -> None:
        hidden = tuple(c.title for c in hidden_columns(self._table_width(), self.sort_key))
        if hidden != self._hidden:
            self._hidden = hidden
            self.post_message(self.ColumnsHidden(hidden))

    def on_resize(self, _event: events.Resize) -> None:
        self._check_hidden()
        self.virtual_size = Size(self._table_width(), self.total + 1)
        self._scroll_cursor_into_view()

    @property
    def _visible_rows(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _rows_on_screen(self) -> range:
        top = int(self.scroll_y)
        return range(top, top + self._visible_rows)

    def _scroll_cursor_into_view(self) -> None:
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self._visible_rows:
            self.scroll_to(y=self.cursor - self._visible_rows + 1, animate=False, immediate=True)

    # -- rendering --------------------------------------------------------------

    def render_lines(self, crop: Region) -> list[Strip]:
        # What every line of a paint shares is looked up once for all of them: the base
        # style alone walks every ancestor's background.
        self._paint = self._look_up()
        try:
            return super().render_lines(crop)
        finally:
            self._paint = None
            self.loader.painted()

    def _look_up(self) -> _Paint:
        return _Paint(
            base=self.rich_style,
            width=self.scrollable_content_region.width,
            table_width=self._table_width(),
            rows=self._visible_rows,
            scroll=self.scroll_offset,
            now=self._now(),
        )

    def _now(self) -> datetime:
        service = getattr(self.app, "service", None)
        now = service.now() if service is not None else datetime.now(UTC)
        # To the minute: a row drawn a second ago is drawn the same (the rows' cache).
        return now.replace(second=0, microsecond=0)

    def render_line(self, y: int) -> Strip:
        paint = self._paint or self._look_up()
        base, width = paint.base, paint.width
        scroll_x, scroll_y = paint.scroll
        if y == 0:
            strip = self._header(paint)
        else:
            index = scroll_y + y - 1
            if not self.loader.is_sized:
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
        for column, width in column_widths(paint.table_width, self.sort_key):
            arrow, style = "", header
            if column.key == self.sort_key:
                arrow, style = ("▼" if self.descending else "▲"), sorted_style
            segments.append(Segment(column.heading(width, arrow), style))
            segments.append(Segment(" " * GAP, header))
        return Strip(segments[:-1]).extend_cell_length(paint.table_width, header)

    def _placeholder(self, paint: _Paint) -> Strip:
        style = self.get_component_rich_style("token-table--placeholder")
        return Strip([Segment("…".ljust(paint.table_width), style)])

    def _row(self, index: int, paint: _Paint) -> Strip:
        token = self.row(index)
        if token is None:
            self.loader.want(index)
            return self._placeholder(paint)
        key = (
            token,
            index == self.cursor,
            paint.table_width,
            self.sort_key,
            paint.now,
            token.id in self.marked,
        )
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._render_row(index, token, paint)
        return strip

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._strips.clear()

    def _render_row(self, index: int, token: TokenView, paint: _Paint) -> Strip:
        row_style = paint.base
        if index == self.cursor:
            row_style += self.get_component_rich_style("token-table--cursor")
        segments: list[Segment] = []
        for column, width in column_widths(paint.table_width, self.sort_key):
            style = row_style
            if column.key == "status" and index != self.cursor:
                style = row_style + self._status_style(token.status)
            text = column.text(token, width, paint.now)
            if not segments and token.id in self.marked:
                text = fit(MARK + text.rstrip(), width)
            segments.append(Segment(text, style))
            segments.append(Segment(" " * GAP, row_style))
        return Strip(segments[:-1]).extend_cell_length(paint.table_width, row_style)

    def _status_style(self, status: Status) -> Style:
        return self.get_component_rich_style(f"token-table--{status.value}")

    # -- the cursor -------------------------------------------------------------

    def watch_cursor(self, _old: int, _new: int) -> None:
        self._scroll_cursor_into_view()
        self.refresh()

    def _move_to(self, index: int) -> None:
        self._follow = None  # the user moved the cursor: it stays where they put it
        self.cursor = max(0, min(index, self.total - 1))

    def action_cursor(self, delta: int) -> None:
        self._move_to(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move_to(self.cursor + direction * self._visible_rows)

    def action_first(self) -> None:
        self._move_to(0)

    def action_last(self) -> None:
        if self.loader.is_counting:
            # Where the last row is is known once counted: go there then.
            self.loader.when_counted(self.action_last)
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
            token = self.current
            if token is not None and self._column_key_at(event.x + int(self.scroll_x)) == "author":
                self.post_message(self.AuthorClicked(token))
            elif event.chain >= 2:
                self.action_select()

    def _column_key_at(self, x: int) -> str | None:
        """The key of the column at ``x`` cells from the table's left edge."""
        edge = 0
        for column, width in column_widths(self._table_width(), self.sort_key):
            edge += width + GAP
            if x < edge:
                return column.key
        return None

    def _header_clicked(self, x: int) -> None:
        edge = 0
        for column, width in column_widths(self._table_width(), self.sort_key):
            edge += width + GAP
            if x < edge:
                self.post_message(self.SortRequested(column.key))
                return
