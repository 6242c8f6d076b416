"""A one-line search box whose keystrokes repaint the box without laying the screen out again.

Textual's ``Input`` sets its virtual size (the width of its text) whenever its value
changes, and a widget's virtual size is a reactive that lays out the whole screen, in
case scrollbars come or go. An input has no scrollbars and its size comes from the
stylesheet, never from its text, so that layout changes nothing on screen; yet it is
the costliest part of a search keystroke (every widget is arranged and repainted).
Here the virtual size still changes, so the text scrolls sideways under the cursor as
ever, but only the box is repainted.
"""

from __future__ import annotations

from textual import events
from textual.geometry import Size
from textual.reactive import Reactive
from textual.widgets import Input


class SearchBox(Input):
    """An ``Input`` for the screens' search lines (fixed size, no scrollbars)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)

    async def _on_key(self, event: events.Key) -> None:
        # The box's own keys (backspace, delete, the arrows...) are acted on here, in turn with
        # the characters typed around them. Left to Textual, a binding's action runs once the key
        # has gone up to the app, after any keys queued behind it: "login", then backspace five
        # times and "zap" arriving together (fast typing, a slow SSH link) made "log", not "zap".
        for binding in self._bindings.key_to_bindings.get(event.key, ()):
            event.stop()
            event.prevent_default()
            self._restart_blink()
            await self.run_action(binding.action)
            return
        await super()._on_key(event)
