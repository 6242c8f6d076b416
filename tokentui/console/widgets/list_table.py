"""A DataTable whose rows never keep the column widths they were first drawn with."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from textual import events
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey


class ListTable(DataTable[Any]):
    """DataTable that redraws every row once new rows have widened its columns.

    DataTable measures new rows when it is next idle, but a frame drawn before that (a busy
    machine, a layout pass) caches the cells at the old widths, and the cache outlives the
    measurement: the cursor row stayed cut to the header's widths. Measuring clears the cache.

    ``flex`` names the column that takes the width the others leave (at least ``flex_min``),
    so a long cell there is cut rather than pushing the columns after it off screen; ``caps``
    bounds the width of other columns by the table's width (their cells are cut to it). Cells
    to be cut with an ellipsis are ``Text`` with ``overflow="ellipsis"``.
    """

    def __init__(
        self,
        *,
        flex: str | None = None,
        flex_min: int = 12,
        caps: Mapping[str, Callable[[int], int]] | None = None,
        id: str | None = None,
        cursor_type: Any = "cell",
        zebra_stripes: bool = False,
    ) -> None:
        super().__init__(id=id, cursor_type=cursor_type, zebra_stripes=zebra_stripes)
        self.flex = flex
        self.flex_min = flex_min
        self.caps = dict(caps or {})
        # The widths capped columns' cells need, kept apart from the capped width they are given:
        # a wider screen gives them back.
        self._natural: dict[str, int] = {}

    async def _on_idle(self, event: events.Idle) -> None:
        measured = self._require_update_dimensions or bool(self._updated_cells)
        await super()._on_idle(event)
        if measured:
            if self._fit():
                self._require_update_dimensions = True  # the next idle sizes the scroll range
            self._clear_caches()
            self.refresh()

    def on_resize(self, _event: events.Resize) -> None:
        if self._fit():
            self._require_update_dimensions = True
            self._clear_caches()
            self.refresh()

    def _fit(self) -> bool:
        """Cap the capped columns and give the flex column the rest; whether a width changed."""
        changed = False
        for key, cap in self.caps.items():
            column = self.columns.get(ColumnKey(key))
            if column is None or not column.auto_width:
                continue
            natural = self._natural[key] = max(self._natural.get(key, 0), column.content_width)
            width = min(natural, cap(self.size.width))
            if column.content_width != width:
                column.content_width = width
                changed = True
        flex = self.columns.get(ColumnKey(self.flex)) if self.flex else None
        if flex is None:
            return changed
        others = sum(column.get_render_width(self) for column in self.columns.values() if column is not flex)
        # Room for the vertical scrollbar is kept whether it shows yet or not: it comes with the
        # rows, and gives the table no resize to fit again by.
        room = self.size.width - self.styles.scrollbar_size_vertical - others - 2 * self.cell_padding
        width = max(self.flex_min, room)
        if flex.auto_width or flex.width != width:
            flex.auto_width = False
            flex.width = width
            changed = True
        return changed
