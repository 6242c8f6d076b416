"""Knowing when a frame reached the terminal, for an app run headless under ``App.run_test()``.

Textual paints by compositing the screen into an update and handing it to
``App._display``; a real terminal driver then turns it into escape sequences
and writes them. Headless, ``_display`` skips that last step, so the clock wraps
it and does the terminal's share of the work itself (``render_segments``, the
string a terminal would receive), then stamps the frame. A frame stamped here is
one a user would have seen.

Waiters give a predicate over the app's state; the first frame painted while the
predicate holds resolves them with that frame's time. The predicate is checked
as the frame is handed over, so it sees exactly the state the frame was drawn
from (nothing runs on the event loop between compositing and display).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from textual.app import App


class FrameClock:
    """Stamps every frame ``app`` paints and wakes whoever waits for a frame showing something."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.frames = 0
        self.first_frame_at: float | None = None  # time.time(), comparable across processes
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        self._display = app._display
        app._display = self._stamp  # type: ignore[method-assign]

    def _stamp(self, screen: Any, renderable: Any) -> None:
        self._display(screen, renderable)
        if renderable is None or not self.app._running:
            return
        # The terminal's share of a frame: the bytes a real driver would write.
        if hasattr(renderable, "render_segments"):
            renderable.render_segments(self.app.console)
        now = time.perf_counter()
        self.frames += 1
        if self.first_frame_at is None:
            self.first_frame_at = time.time()
        for waiter in list(self._waiters):
            predicate, future = waiter
            if not future.done() and predicate():
                future.set_result(now)
                self._waiters.remove(waiter)

    async def painted(
        self, predicate: Callable[[], bool], timeout: float = 60.0, *, nudge: bool = True
    ) -> float:
        """The perf_counter() time of the first frame painted from now on while ``predicate`` holds.

        ``nudge`` repaints the screen so that a frame comes even when nothing is on its
        way to it; a waiter for what a keystroke is about to change passes False, since
        that repaint (the whole screen) is the probe's work, not the app's.
        """
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, future))
        if nudge:
            self.app.screen.refresh()
        return await asyncio.wait_for(future, timeout)
