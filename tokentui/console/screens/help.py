"""Every key binding of the console, gathered from the bindings themselves."""

from __future__ import annotations

from typing import Any, ClassVar

from rich.table import Table
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from tokentui.console.screens.audit import AuditScreen
from tokentui.console.screens.author import AuthorScreen
from tokentui.console.screens.create import CreateScreen
from tokentui.console.screens.details import DetailsScreen
from tokentui.console.screens.export import ExportScreen
from tokentui.console.screens.filters import FiltersScreen
from tokentui.console.screens.find_secret import FindSecretScreen
from tokentui.console.screens.findings import FindingsScreen
from tokentui.console.screens.home import HomeScreen
from tokentui.console.screens.reveal import RevealScreen
from tokentui.console.screens.rotate import RotateScreen
from tokentui.console.screens.scan import ScanPathScreen, ScanScreen
from tokentui.console.screens.users import UsersScreen
from tokentui.console.widgets.token_table import TokenTable

# The keys every dialog's form takes, which no binding names.
FORM_KEYS: list[BindingType] = [
    Binding("tab", "", "Next field", key_display="tab, shift+tab"),
    Binding("space", "", "Toggle the highlighted box (scopes, branches, filters)", key_display="space"),
    Binding("enter", "", "Open a dropdown / press a button", key_display="enter"),
]

# The rotate dialog's choice of when the old secret stops: a list of radio buttons.
CHOICE_KEYS: list[BindingType] = [
    Binding("up,down", "", "Move to a choice (when the old secret stops)", key_display="up, down"),
    Binding("enter", "", "Choose it / press a button", key_display="enter, space"),
]

SECTIONS: tuple[tuple[str, list[BindingType]], ...] = (
    ("Token table", HomeScreen.BINDINGS + TokenTable.BINDINGS),
    ("Token details", DetailsScreen.BINDINGS),
    ("Author", AuthorScreen.BINDINGS),
    ("New token", CreateScreen.BINDINGS + FORM_KEYS),
    ("Filters", FiltersScreen.BINDINGS + FORM_KEYS),
    ("New secret", RevealScreen.BINDINGS),
    ("Rotate token", [*RotateScreen.BINDINGS, *CHOICE_KEYS]),
    ("Audit log", AuditScreen.BINDINGS),
    ("Users", UsersScreen.BINDINGS),
    ("Findings", FindingsScreen.BINDINGS),
    ("Find a leaked secret", FindSecretScreen.BINDINGS),
    (
        "Scan files for secrets",
        [
            Binding(
                "enter",
                "",
                "In the dialog: scan the file or folder typed (~ is your home)",
                key_display="enter",
            ),
            *ScanPathScreen.BINDINGS,
            Binding("enter", "", "On a row: its token's details", key_display="enter"),
            *ScanScreen.BINDINGS,
        ],
    ),
    ("Export", ExportScreen.BINDINGS + FORM_KEYS),
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


# Which section is the screen's own.
SCREEN_SECTIONS: dict[type[Screen[Any]], str] = {
    HomeScreen: "Token table",
    DetailsScreen: "Token details",
    AuthorScreen: "Author",
    CreateScreen: "New token",
    FiltersScreen: "Filters",
    RevealScreen: "New secret",
    RotateScreen: "Rotate token",
    AuditScreen: "Audit log",
    UsersScreen: "Users",
    FindingsScreen: "Findings",
    FindSecretScreen: "Find a leaked secret",
    ExportScreen: "Export",
    ScanPathScreen: "Scan files for secrets",
    ScanScreen: "Scan files for secrets",
}


def help_table(here: Screen[Any] | None = None) -> Table:
    """A table of every binding, by screen; the section of ``here`` (the screen help was
    opened on) comes first, marked as the one in use."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    current = SCREEN_SECTIONS.get(type(here)) if here is not None else None
    ordered = sorted(SECTIONS, key=lambda section: section[0] != current)
    for title, bindings in ordered:
        table.add_row("", "")
        heading = f"{title} (this screen)" if title == current else title
        table.add_row(f"[u]{heading}[/u]", "")
        for binding in bindings:
            if isinstance(binding, Binding):
                table.add_row(_keys(binding), binding.description)
    return table


class HelpScreen(ModalScreen[None]):
    """The key bindings."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,question_mark,q", "dismiss(None)", "Close")]

    def __init__(self, here: Screen[Any] | None = None) -> None:
        super().__init__()
        self.here = here

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label("Keys", classes="dialog-title")
            with VerticalScroll():
                yield Static(help_table(self.here), id="help-keys")
