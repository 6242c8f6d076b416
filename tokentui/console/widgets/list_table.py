"""A DataTable whose rows never keep the column widths they were first drawn with."""

from __future__ import annotations

from typing import Any

from textual import events
from textual.widgets import DataTable


class ListTable(DataTable[Any]):
    """DataTable that redraws every row once new rows have widened its columns.

    DataTable measures new rows when it is next idle, but a frame drawn before that (a busy
    machine, a layout pass) caches the cells at the old widths, and the cache outlives the
    measurement: the cursor row stayed cut to the header's widths. Measuring clears the cache.
    """

    async def _on_idle(self, event: events.Idle) -> None:
        measured = self._require_update_dimensions or bool(self._updated_cells)
        await super()._on_idle(event)
        if measured:
            self._clear_caches()
            self.refresh()
