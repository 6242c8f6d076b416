"""Keys typed faster than the focus moves still land in a screen's search box.

Keys queued before "/" has been handled (fast typing, a paste, a slow SSH link) are
routed to the widget that had the focus when they arrived; unhandled there, they bubble
up to the screen and would fire its one-letter bindings once the focus has moved
("/dep" would toggle a filter instead of searching for "dep").
"""

from __future__ import annotations

from typing import Any

from textual import events
from textual.screen import Screen
from textual.widgets import Input


def route_to_search(screen: Screen[Any], search: Input, event: events.Key) -> None:
    """Call from ``screen``'s ``on_key``: "/" focuses ``search`` at once, and typing meant for it goes there.

    A printable key that reaches the screen while ``search`` has the focus was typed for
    it (the box handles its own typing and never lets such a key bubble up).
    """
    if screen.focused is search:
        if event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            search.post_message(events.Key(event.key, event.character))
    elif event.key == "slash":
        event.stop()
        event.prevent_default()
        screen.set_focus(search)
