"""The first-paint baseline: a bare Textual app with the console's widgets and no store.

Header, the search bar (a label and a compact Input), the summary line, a table
area holding as many static rows as the console's table shows, and the Footer,
styled by the console's own stylesheet. It imports nothing of tokentui's but
that stylesheet's path, so its first frame is what Textual itself costs.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Footer, Header, Input, Label, Static

# The console's stylesheet, found without importing tokentui (that would be the cost we compare to).
STYLESHEET = Path(__file__).resolve().parent.parent / "tokentui" / "console" / "app.tcss"

ROW = "CI deploy 123456         Personal access token  ada.lovelace@north…  2026-11-01  2027-01-30  ● active   Ab12   -"


class BareApp(App[int]):
    """Textual alone, with the same widgets as the console's home screen."""

    CSS_PATH = str(STYLESHEET)
    TITLE = "tokentui"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("f", "filters", "Filters"),
        Binding("n", "new", "New"),
    ]

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="searchbar"):
            yield Label("/", id="search-prompt")
            yield Input(placeholder="search by name or last four characters", id="search", compact=True)
        yield Static("1,000,000 tokens (organization)", id="summary", markup=False)
        yield Static("\n".join([ROW] * 40), id="tokens", markup=False)
        yield Footer()
