"""Every key binding of the console, gathered from the bindings themselves."""

from __future__ import annotations

from typing import ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from tokentui.console.screens.author import AuthorScreen
from tokentui.console.screens.details import DetailsScreen
from tokentui.console.screens.home import HomeScreen
from tokentui.console.screens.reveal import RevealScreen
from tokentui.console.widgets.token_table import TokenTable

SECTIONS: tuple[tuple[str, list[BindingType]], ...] = (
    ("Token table", HomeScreen.BINDINGS + TokenTable.BINDINGS),
    ("Token details", DetailsScreen.BINDINGS),
    ("Author", AuthorScreen.BINDINGS),
    ("New secret", RevealScreen.BINDINGS),
    (
        "Everywhere",
        [
            Binding("ctrl+p", "", "Command palette: every action by name"),
            Binding("question_mark", "", "This help", key_display="?"),
            Binding("q", "", "Quit (from the table)"),
        ],
    ),
)


def _keys(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    names = {"slash": "/", "question_mark": "?", "escape": "esc", "pageup": "pgup", "pagedown": "pgdn"}
    return ", ".join(names.get(key, key) for key in binding.key.split(","))


def help_table() -> Table:
    """A table of every binding, by screen."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for title, bindings in SECTIONS:
        table.add_row("", "")
        table.add_row(f"[u]{title}[/u]", "")
        for binding in bindings:
            if isinstance(binding, Binding):
                table.add_row(_keys(binding), binding.description)
    return table


class HelpScreen(ModalScreen[None]):
    """The key bindings."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "dismiss(None)", "Close")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(help_table(), id="help-keys")
