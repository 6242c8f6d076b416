"""A yes/no question before anything destructive, naming what it will do."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tokentui.text import inert


class ConfirmScreen(ModalScreen[bool]):
    """Ask before acting; answers True only for an explicit yes."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,n", "dismiss(False)", "Cancel"),
        Binding("y", "dismiss(True)", "Yes"),
    ]

    def __init__(self, title: str, question: Text | str, confirm: str, *, cancel: str = "Cancel") -> None:
        """``question`` as a ``str`` is shown as printable() writes it; a ``Text`` is made of inert() parts."""
        super().__init__()
        self._title = title
        self._question = question if isinstance(question, Text) else inert(question)
        self._confirm = confirm
        self._cancel = cancel

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog confirm"):
            yield Label(inert(self._title), classes="dialog-title")
            yield Static(self._question, classes="question")
            with Horizontal(classes="buttons"):
                yield Button(f"{self._confirm} (y)", variant="error", id="yes", compact=True)
                yield Button(f"{self._cancel} (n)", id="no", compact=True)

    def on_mount(self) -> None:
        self.query_one("#no", Button).focus()

    @on(Button.Pressed, "#yes")
    def _yes(self) -> None:
        self.dismiss(True)

    @on(Button.Pressed, "#no")
    def _no(self) -> None:
        self.dismiss(False)
