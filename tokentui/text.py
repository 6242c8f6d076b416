"""Making untrusted text safe to show in a terminal.

Token names, e-mails and application names come from users. They are stored
faithfully, but an escape sequence in one (an OSC 52 that writes the clipboard,
a cursor move that hides a row) must never reach a terminal: every face shows
them through :func:`printable`.

In the console a string may also be read as Rich or Textual markup (``Static``,
``Label``, ``Select``, ``SelectionList`` and ``DataTable`` parse a ``str``), where
``[/]`` raises and ``[red]`` colours: widgets are given :func:`inert` text instead.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.text import Text

# Bidirectional overrides can make text display in an order other than it is stored.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def _escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def printable(text: str) -> str:
    """``text`` with control, format and bidi characters shown as visible escapes."""
    if text.isprintable():
        return text
    out = []
    for char in text:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs", "Co") or char in _BIDI_CONTROLS or category in ("Zl", "Zp"):
            out.append(_escape(char))
        else:
            out.append(char)
    return "".join(out)


def inert(text: str, style: str = "") -> Text:
    """``text`` for a widget to show: escaped as :func:`printable` does, and never read as markup.

    A Rich ``Text`` is shown as it is by every widget and dropdown (Textual reads only a
    ``str`` as markup), and a dropdown's type-to-search still finds it.
    """
    # Imported here: the CLI and the core use printable() without loading Rich.
    from rich.text import Text

    return Text(printable(text), style=style)


def a_or_an(words: str) -> str:
    """``words`` with its indefinite article: "an access token", "a delivery token"."""
    return f"{'an' if words[:1].lower() in 'aeiou' else 'a'} {words}"
