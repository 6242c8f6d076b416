"""The rotate dialog: what will be re-issued, and when the old secret stops."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, RadioButton, RadioSet, Static

from tokentui.core.dates import minute_utc
from tokentui.core.tokens.expiry import lifetime
from tokentui.settings import LIMITS
from tokentui.text import inert

if TYPE_CHECKING:
    from tokentui.core.results import TokenView

NOW = timedelta(0)


def grace_choices() -> list[tuple[str, timedelta]]:
    """(label, grace) of each choice of when the old secret stops: now, or after a preset grace."""
    days = [
        (f"in {n} day{'s' if n != 1 else ''}", timedelta(days=n)) for n in LIMITS.rotation_grace_presets_days
    ]
    return [("now", NOW), *days]


def describe_lifetime(token: TokenView) -> str:
    """How long the replacement will live, in words: the old token's lifetime, from now."""
    span = lifetime(token.created_at, token.expires_at)
    if span is None:
        return "never expiring"
    if span >= timedelta(days=1):
        days = round(span / timedelta(days=1))
        return f"expiring {days} day{'s' if days != 1 else ''} from now"
    hours = max(1, round(span / timedelta(hours=1)))
    return f"expiring {hours} hour{'s' if hours != 1 else ''} from now"


def stops_in_words(old: TokenView, at_once: bool) -> str:
    """The toast's words on when the replaced secret stops working."""
    if at_once or old.expires_at is None:
        return f"The old secret (…{old.last4}) stopped working at once."
    return f"The old secret (…{old.last4}) keeps working until {minute_utc(old.expires_at)}."


class Choice(RadioButton):
    """A radio button whose chosen one differs in shape, "(•)" against "( )": Textual's differ
    only in colour, which NO_COLOR and a colour-blind eye do not see."""

    @property
    def _button(self) -> Content:
        return Content.assemble(("(•)" if self.value else "( )", self.get_visual_style("toggle--button")))


class RotateScreen(ModalScreen[timedelta | None]):
    """Asks when the old secret stops; dismisses with that grace (zero: at once), None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s", "rotate", "Rotate"),
    ]

    DEFAULT_CSS = """
    .rotate { max-width: 76; }
    .rotate .question { margin: 1 0 0 0; }
    .rotate Label { margin-top: 1; }
    .rotate RadioSet { width: 100%; height: auto; }
    """

    def __init__(self, token: TokenView) -> None:
        super().__init__()
        self.token = token
        self.choices = grace_choices()

    def compose(self) -> ComposeResult:
        token = self.token
        where = f" of space {token.space!r}" if token.space else ""
        with Vertical(classes="dialog rotate"):
            yield Label("Rotate token", classes="dialog-title")
            yield Static(
                Text.assemble(
                    f"Re-issue the {token.kind.label.lower()} ",
                    inert(repr(token.name), "bold"),
                    inert(
                        f"{where} (…{token.last4}): a new secret with the same settings, "
                        f"{describe_lifetime(token)}. It is shown once."
                    ),
                ),
                classes="question",
            )
            if token.kind.spec.resets:
                yield Static(
                    "A space keeps exactly one legacy access token, so it is reset: "
                    "the old secret stops working at once.",
                    id="rotate-reset",
                    markup=False,
                )
            else:
                yield Label("When does the old secret stop working?")
                with RadioSet(id="rotate-when"):
                    for index, (label, _grace) in enumerate(self.choices):
                        yield Choice(label, value=index == 0, id=f"grace-{index}")
            with Horizontal(classes="buttons"):
                yield Button("Rotate (ctrl+s)", variant="warning", id="rotate", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        if self.token.kind.spec.resets:
            self.query_one("#rotate", Button).focus()
        else:
            self.query_one(RadioSet).focus()

    def grace(self) -> timedelta:
        """The chosen grace period (zero: the old secret stops at once)."""
        if self.token.kind.spec.resets:
            return NOW
        index = self.query_one(RadioSet).pressed_index
        return self.choices[index][1] if index >= 0 else NOW

    @on(Button.Pressed, "#rotate")
    def action_rotate(self) -> None:
        self.dismiss(self.grace())

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
