"""Find the token a leaked secret belongs to, and revoke it from there.

The secret is typed (or pasted) into a password field, so it is never shown in full,
and the field is emptied as soon as the secret is sent, and again when the dialog
closes; once closed, Rich's caches of the texts it measured are dropped too, so the
console keeps no copy of it.
"""

from __future__ import annotations

from asyncio import to_thread
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tokentui.console.screens.details import fields_table, why_not_revoke
from tokentui.console.widgets.text_input import TextInput
from tokentui.core.dates import both
from tokentui.text import inert

if TYPE_CHECKING:
    from tokentui.console.app import TokentuiApp
    from tokentui.core.results import TokenView

NOT_FOUND = "No token you can see has this secret."
EMPTY = "Paste the whole secret, then press enter."


class FindSecretScreen(ModalScreen[bool]):
    """Ask for a secret, show its token; dismisses with whether a token was revoked."""

    app: TokentuiApp

    AUTO_FOCUS = "#secret-input"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close"),
        Binding("r", "revoke", "Revoke the token found"),
    ]

    DEFAULT_CSS = """
    FindSecretScreen .find { max-width: 90; }
    FindSecretScreen #find-answer { margin: 1 0 0 0; height: auto; }
    FindSecretScreen #find-error { color: $text-error; height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.token: TokenView | None = None
        self.changed = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog find"):
            yield Label("Find a leaked secret", classes="dialog-title")
            yield Label("The whole secret (never shown; enter finds its token)")
            yield TextInput(password=True, id="secret-input", compact=True)
            yield Static("", id="find-error", markup=False)
            yield Static("", id="find-answer")
            with Horizontal(classes="buttons"):
                yield Button("Revoke (r)", variant="error", id="find-revoke", compact=True, disabled=True)
                yield Button("Close (esc)", id="find-close", compact=True)

    @property
    def _field(self) -> Input:
        return self.query_one("#secret-input", Input)

    @on(Input.Submitted, "#secret-input")
    def _submitted(self, event: Input.Submitted) -> None:
        secret = event.value.strip()
        # Emptied at once: the secret stays only in the call that looks it up.
        self._field.value = ""
        if not secret:
            self._show(error=EMPTY)
            return
        self.run_worker(self._find(secret), group="find", exclusive=True)

    async def _find(self, secret: str) -> None:
        from tokentui.core.errors import InvalidInput, NotFound, TokentuiError

        app = self.app
        assert app.service is not None and app.actor is not None
        try:
            token = await to_thread(app.service.find_secret, app.actor, secret)
        except InvalidInput as error:
            self._show(error=_sentence(str(error)))
        except NotFound:
            self._show(error=NOT_FOUND)
        except TokentuiError as error:
            self._show(error=_sentence(str(error)))
        else:
            self._show(token=token)

    def _show(self, *, token: TokenView | None = None, error: str = "") -> None:
        self.token = token
        self.query_one("#find-error", Static).update(error)
        answer = self.query_one("#find-answer", Static)
        revoke = self.query_one("#find-revoke", Button)
        if token is None:
            answer.update("")
            revoke.disabled = True
            return
        now = self.app.service.now() if self.app.service is not None else token.created_at
        answer.update(
            fields_table(
                [
                    ("Name", token.name),
                    ("Kind", token.kind.label),
                    ("Author", token.author),
                    ("Status", token.status_label),
                    ("Last used", both(token.last_used_at, now)),
                    ("Space", token.space or "- (tied to its user)"),
                    ("Last four", token.last4),
                    ("Created", both(token.created_at, now)),
                    ("Expires", both(token.expires_at, now)),
                ]
            )
        )
        revoke.disabled = token.revoked_at is not None
        if not revoke.disabled:
            revoke.focus()

    def action_revoke(self) -> None:
        from tokentui.console.screens.confirm import ConfirmScreen

        token = self.token
        if token is None:
            return
        if (refusal := why_not_revoke(token)) is not None:
            self.notify(refusal, severity="warning", timeout=4)
            return
        question = Text.assemble(
            f"Revoke the {token.kind.label.lower()} ",
            inert(repr(token.name), "bold"),
            inert(f" (…{token.last4})? It stops working at once; this cannot be undone."),
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._revoke(token), group="write")

        self.app.push_screen(ConfirmScreen("Revoke token", question, "Revoke"), confirmed)

    async def _revoke(self, token: TokenView) -> None:
        app = self.app
        assert app.service is not None and app.actor is not None
        revoked = await app.call(app.service.revoke, app.actor, token.id)
        if revoked is not None:
            self.changed = True
            self._show(token=revoked)
            self.notify(f"Revoked {revoked.name!r} (…{revoked.last4}).")

    @on(Button.Pressed, "#find-revoke")
    def _revoke_pressed(self) -> None:
        self.action_revoke()

    @on(Button.Pressed, "#find-close")
    def _close_pressed(self) -> None:
        self.action_close()

    def action_close(self) -> None:
        self._field.value = ""
        self.dismiss(self.changed)

    def on_unmount(self) -> None:
        # Rich measured every prefix of the secret as it was typed, and keeps those texts in
        # its caches: dropped once the screen under this one has been painted again.
        from tokentui.console.screens.reveal import forget_rendered

        self.app.call_after_refresh(forget_rendered)


def _sentence(message: str) -> str:
    """A core message as a sentence: a capital first, a full stop last."""
    message = message.strip()
    if not message:
        return message
    message = message[0].upper() + message[1:]
    return message if message.endswith((".", "!", "?")) else message + "."
