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

from textual.geometry import Size
from textual.reactive import Reactive

from tokentui.console.widgets.text_input import TextInput


class SearchBox(TextInput):
    """A :class:`TextInput` for the screens' search lines (fixed size, no scrollbars)."""

    virtual_size: Reactive[Size] = Reactive(Size(0, 0), layout=False)
