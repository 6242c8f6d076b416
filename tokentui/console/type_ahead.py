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

from tokentui.console.widgets.text_input import TextInput


def route_to_search(screen: Screen[Any], search: TextInput, event: events.Key) -> None:
    """Call from ``screen``'s ``on_key``: "/" focuses ``search`` at once, and typing meant for it goes there.

    A key the box would handle (a character, or one of its own keys: backspace, the
    arrows...) that reaches the screen while ``search`` has the focus was typed for it
    (the box never lets such a key bubble up). All of them go to the box the same way,
    so that they reach it in the order they were typed: "/deplyo", two backspaces and
    "oy" in one burst is "deploy".
    """
    if screen.focused is search:
        if search.handles(event):
            event.stop()
            event.prevent_default()
            search.post_message(events.Key(event.key, event.character))
    elif event.key == "slash":
        event.stop()
        event.prevent_default()
        screen.set_focus(search)


def route_to_input(screen: Screen[Any], field: TextInput, event: events.Key) -> None:
    """Call from a dialog's ``on_key``: a key that reached the dialog itself while ``field`` has the
    cursor (sent before the dialog was built, when nothing had the focus) is typed into it."""
    if screen.focused is field and field.handles(event):
        event.stop()
        event.prevent_default()
        field.post_message(events.Key(event.key, event.character))
