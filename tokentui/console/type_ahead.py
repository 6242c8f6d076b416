"""Keys typed faster than the focus moves still land in a screen's search box.

Keys queued before "/" has been handled (fast typing, a paste, a slow SSH link) are
routed to the widget that had the focus when they arrived; unhandled there, they bubble
up to the screen and would fire its one-letter bindings once the focus has moved
("/dep" would toggle a filter instead of searching for "dep").
"""

from __future__ import annotations

from typing import Any, TypeVar

from textual import events
from textual.screen import ModalScreen, Screen

from tokentui.console.widgets.text_input import TextInput

T = TypeVar("T")


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


class TypeAheadScreen(ModalScreen[T]):
    """A dialog that applies keys typed before it was ready, and while its focus moved, in order.

    Textual hands each key to the widget that has the focus when the app reads the key,
    and runs most actions (a binding, a Tab) only once the key has bubbled back up to
    the app, after the keys queued behind it have been handed out. So keys typed
    quickly after the one that opens a dialog reach the dialog before it has a focused
    widget and are lost, and keys typed after a Tab still land in the field it left.
    Here: keys that arrive before :meth:`ready` are kept and replayed then; Tab and
    shift+Tab move the focus at once; and a key that reaches a field or the dialog
    after the focus has moved on is handed to the widget that has it now.
    """

    def __init__(self) -> None:
        super().__init__()
        self._early: list[events.Key] | None = []  # None once ready

    @property
    def is_ready(self) -> bool:
        """Whether keys are applied as they come (rather than kept for later)."""
        return self._early is None

    def ready(self) -> None:
        """Call once the dialog has its focus (and whatever it shows first): the kept keys go on."""
        early, self._early = self._early, None
        for event in early or ():
            self.take_key(event)

    def take_key(self, event: events.Key) -> None:
        """``event`` was typed for this dialog (it may have reached another screen first)."""
        if self._early is not None:
            self._early.append(events.Key(event.key, event.character))
            return
        # Posted, not acted on here: keys handed to the same widget before it stay ahead of it.
        (self.focused or self).post_message(events.Key(event.key, event.character))

    def on_key(self, event: events.Key) -> None:
        if event.key in _FOCUS_KEYS or self._early is not None:
            event.stop()
            event.prevent_default()
            if self._early is not None:
                self.take_key(event)
            else:
                _move_focus(self, event.key)
            return
        focused = self.focused
        if isinstance(focused, TextInput) and focused.handles(event):
            # A field never lets a key it handles bubble up: this one was handed to a widget
            # that had the focus when it was typed (a list, before a Tab), and is meant for the field.
            event.stop()
            event.prevent_default()
            focused.post_message(events.Key(event.key, event.character))


_FOCUS_KEYS = {"tab": 1, "shift+tab": -1}


def _move_focus(screen: Screen[Any], key: str) -> None:
    if _FOCUS_KEYS[key] > 0:
        screen.focus_next()
    else:
        screen.focus_previous()


class FieldInput(TextInput):
    """A :class:`TextInput` of a :class:`TypeAheadScreen`: Tab leaves it at once, in turn with the typing.

    Keys typed after a Tab are handed to this field before the Tab has moved the focus;
    they go on to the widget that has it now.
    """

    async def _on_key(self, event: events.Key) -> None:
        screen = self.screen
        if isinstance(screen, TypeAheadScreen) and (screen.focused is not self or event.key in _FOCUS_KEYS):
            event.stop()
            event.prevent_default()
            if screen.focused is not self:
                screen.take_key(event)
            else:
                _move_focus(screen, event.key)
            return
        await super()._on_key(event)


def route_to_dialog(screen: Screen[Any], event: events.Key) -> bool:
    """Call first in ``screen``'s ``on_key``: a key still on its way through ``screen`` after a dialog
    opened over it was typed for the dialog, which gets it (True); False otherwise."""
    top = screen.app.screen
    if top is screen or not isinstance(top, TypeAheadScreen):
        return False
    event.stop()
    event.prevent_default()
    top.take_key(event)
    return True
