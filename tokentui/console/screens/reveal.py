"""The one-time reveal of a new secret."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tokentui.console import clipboard
from tokentui.core.vocabulary import TokenKind
from tokentui.text import inert

if TYPE_CHECKING:
    from tokentui.core.results import CreatedToken


def forget_rendered() -> None:
    """Drop every copy of what closed screens showed: Rich's caches keyed by text, and the screens themselves.

    Rich keeps the last few thousand texts it measured (``cached_cell_len``) and segments it
    split at a cell (``Segment._split_cells``): the secret, and pieces of it where a dialog or a
    narrow terminal cut its line, would stay there for as long as the console runs. A closed
    screen, its widgets and their rendered lines refer to one another, so they wait for the
    collector, which the console runs rarely (tokentui.console.app): a full collection frees
    them now, once, when a dialog closes.
    """
    from rich.cells import cached_cell_len
    from rich.segment import Segment

    cached_cell_len.cache_clear()
    Segment._split_cells.cache_clear()
    gc.collect()


# The environment variable each kind's secret is kept in, as Contentful's tools read them.
ENV_VARIABLES = {
    TokenKind.DELIVERY: "CONTENTFUL_DELIVERY_TOKEN",
}
DEFAULT_ENV_VARIABLE = "CONTENTFUL_MANAGEMENT_TOKEN"


def env_variable(kind: TokenKind) -> str:
    """The variable the reveal suggests keeping ``kind``'s secret in."""
    return ENV_VARIABLES.get(kind, DEFAULT_ENV_VARIABLE)


class RevealScreen(ModalScreen[None]):
    """Shows a secret once; closing without copying asks first; closing forgets it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "copy", "Copy"),
        Binding("e", "copy_export", "Copy export line"),
        Binding("escape,d", "done", "Done"),
    ]

    def __init__(self, created: CreatedToken) -> None:
        super().__init__()
        self._secret: str | None = created.secret
        self._token = created.token
        self.copied = False

    def compose(self) -> ComposeResult:
        token = self._token
        with Vertical(classes="dialog reveal"):
            yield Label("Your new token", classes="dialog-title")
            yield Static(
                Text.assemble(
                    inert(token.name, "bold"), f"  ·  {token.kind.label}", f"  ·  ends …{token.last4}"
                ),
                id="reveal-what",
            )
            yield Static(Text(self._secret or ""), id="secret")
            yield Static(
                Text(
                    "This is the only time the secret is shown. Copy it now and keep it somewhere safe: "
                    "tokentui stores only a hash and cannot show it again.",
                    style="bold",
                ),
                id="warning",
            )
            # The seeds' guidance: an environment variable, never a file under version control.
            # The line shows "…" where the secret goes: the secret is on screen once, and only
            # the copy (e) carries it.
            yield Static(
                Text.assemble(
                    "Keep it in an environment variable, not in code:\n  ",
                    (f"export {env_variable(token.kind)}=…", "bold"),
                    "\nand add any file that holds it to your VCS ignore list (.gitignore).",
                ),
                id="guidance",
            )
            yield Static("", id="copy-result", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Copy (c)", variant="primary", id="copy", compact=True)
                yield Button("Copy export line (e)", id="copy-export", compact=True)
                yield Button("Done (esc)", id="done", compact=True)

    def on_mount(self) -> None:
        self.query_one("#copy", Button).focus()

    @on(Button.Pressed, "#copy")
    def action_copy(self) -> None:
        if self._secret is None:
            return
        result = clipboard.copy(self.app, self._secret)
        self.copied = True
        self.query_one("#copy-result", Static).update(result.describe())

    @on(Button.Pressed, "#copy-export")
    def action_copy_export(self) -> None:
        if self._secret is None:
            return
        result = clipboard.copy(self.app, f"export {env_variable(self._token.kind)}={self._secret}")
        self.copied = True
        self.query_one("#copy-result", Static).update(result.describe())

    @on(Button.Pressed, "#done")
    def action_done(self) -> None:
        from tokentui.console.screens.confirm import ConfirmScreen

        if self.copied:
            self._close()
            return
        self.app.push_screen(
            ConfirmScreen(
                "Close without copying?",
                "You have not copied the secret. Once closed it is gone for good: "
                "you would have to revoke the token and create another.",
                "Close",
                cancel="Go back",
            ),
            lambda yes: self._close() if yes else None,
        )

    def _close(self) -> None:
        # Drop every reference to the secret: this screen's, its widget's and the app's clipboard copy.
        self._secret = None
        self.query_one("#secret", Static).update("")
        clipboard.forget(self.app)
        self.dismiss(None)

    def on_unmount(self) -> None:
        # Once the screen is gone and the one under it painted again: nothing shows the secret any more.
        self.app.call_after_refresh(forget_rendered)
