"""Live updates: a screen polls the store's change counter and reloads only when it moved.

Changes made elsewhere (another admin's console, the CLI, the API, the expiry sweep)
show within a poll, without a key. A poll that finds nothing new costs one cheap query
(:meth:`~tokentui.core.service.Service.change_counter`) and no reload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from textual.screen import Screen

    from tokentui.console.app import TokentuiApp

# How often a screen asks whether the store changed; tests set it shorter.
POLL_SECONDS = 2.0


class ChangeWatch:
    """Polls the store every :data:`POLL_SECONDS` for ``screen``, calling ``changed`` when it moved."""

    def __init__(self, screen: Screen[Any], changed: Callable[[], None]) -> None:
        self.screen = screen
        self.changed = changed
        self.seen: object = None  # the counter last read; None until the first read

    def start(self) -> None:
        """Start polling (from the screen's ``on_mount``)."""
        self.screen.set_interval(POLL_SECONDS, self.poll, name="live updates")

    def prime(self) -> None:
        """Read the counter now, as the screen loads, so the first poll has something to compare.

        Read alongside the load: a change in the moment between the two shows with the next one.
        """
        self.seen = None
        self.poll()

    def poll(self) -> None:
        """Read the counter off the event loop; a poll still running is left to finish instead."""
        self.screen.run_worker(self._poll(), group="live", exclusive=True, exit_on_error=False)

    async def _poll(self) -> None:
        app: TokentuiApp = self.screen.app  # type: ignore[assignment]
        if app.service is None or app.actor is None:
            return
        counter = await app.call(app.service.change_counter)
        if counter is None:
            return
        previous, self.seen = self.seen, counter
        if previous is not None and counter != previous:
            self.changed()
