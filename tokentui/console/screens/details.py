"""One token's every field, with the actions that apply to it."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.table import Table
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tokentui.core.dates import minute_utc, relative
from tokentui.core.vocabulary import Status, TokenField
from tokentui.text import inert

if TYPE_CHECKING:
    from tokentui.console.app import TokentuiApp
    from tokentui.core.results import TokenView


def when(instant: datetime | None, empty: str = "-", now: datetime | None = None) -> str:
    """``YYYY-MM-DD HH:MM UTC``, and how far from ``now`` when given ("(in 3 days)"), or ``empty``."""
    if instant is None:
        return empty
    return minute_utc(instant) if now is None else f"{minute_utc(instant)} ({relative(instant, now)})"


def why_not_revoke(token: TokenView) -> str | None:
    """Why ``token`` cannot be revoked (it already was), or None: said instead of asking."""
    if token.revoked_at is None:
        return None
    return (
        f"{token.name!r} (…{token.last4}) was already revoked on {when(token.revoked_at)}: nothing to revoke."
    )


def why_not_rotate(token: TokenView, now: datetime | None = None) -> str | None:
    """Why ``token`` cannot be rotated (revoked, or expired at ``now``), or None: said instead of asking."""
    if token.revoked_at is not None:
        return f"{token.name!r} (…{token.last4}) was revoked on {when(token.revoked_at)}: nothing to rotate."
    if now is not None and token.expires_at is not None and token.expires_at <= now:
        return (
            f"{token.name!r} (…{token.last4}) expired on {when(token.expires_at)}: "
            "an expired token is not rotated; n creates a new one."
        )
    return None


def token_fields(token: TokenView, now: datetime | None = None) -> list[tuple[str, str]]:
    """(label, value) pairs of everything known about ``token``; dates read both ways at ``now``."""
    status = token.status_label
    if token.status.value == "expired" and token.expires_at is not None:
        status = f"expired on {when(token.expires_at)}"
    return [
        ("Name", token.name),
        ("Kind", token.kind.label),
        ("Status", status),
        ("Author", token.author),
        ("Scopes", ", ".join(token.scopes) or "-"),
        ("Space", token.space or "- (tied to its user)"),
        ("Environment", token.environment or "-"),
        ("Branches", ", ".join(token.branches) or ("all" if token.space else "-")),
        ("Application", token.app_name or "-"),
        ("Last four", token.last4),
        ("Created", when(token.created_at, now=now)),
        ("Expires", when(token.expires_at, "never", now)),
        ("Revoked", when(token.revoked_at, now=now)),
        ("Last used", when(token.last_used_at, "never", now)),
        ("E-mail notification", "on" if token.notify else "off")
        if token.kind.spec.takes(TokenField.NOTIFY)
        else ("ID", token.id),
    ]


def fields_table(rows: list[tuple[str, str]]) -> Table:
    """A two-column table with every value shown literally."""
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column(overflow="fold")
    for label, value in rows:
        table.add_row(label, inert(value))
    return table


class DetailsScreen(ModalScreen[str | None]):
    """A token's details; dismisses with the action the user picked."""

    app: TokentuiApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Back"),
        Binding("a", "dismiss('author')", "Author"),
        Binding("r", "revoke", "Revoke"),
        Binding("R", "dismiss('reset')", "Reset", key_display="R"),
        Binding("t", "rotate", "Rotate"),
    ]

    def __init__(self, token: TokenView) -> None:
        super().__init__()
        self.token = token

    def compose(self) -> ComposeResult:
        token = self.token
        with Vertical(classes="dialog details"):
            yield Label(inert(f"{token.kind.label} …{token.last4}"), classes="dialog-title")
            with VerticalScroll():
                service = getattr(self.app, "service", None)
                now = service.now() if service is not None else None
                yield Static(fields_table(token_fields(token, now)), id="fields")
            with Horizontal(classes="buttons"):
                yield Button("Author (a)", id="author", compact=True)
                if token.status is Status.ACTIVE:
                    # A new secret with the same settings; a legacy access token is reset by it.
                    yield Button("Rotate (t)", variant="warning", id="rotate", compact=True)
                if token.kind.spec.resets:
                    yield Button("Reset (R)", variant="warning", id="reset", compact=True)
                elif token.revoked_at is None:
                    # Only what can be done: a revoked token offers no Revoke (its Status says when).
                    yield Button("Revoke (r)", variant="error", id="revoke", compact=True)
                yield Button("Back (esc)", id="back", compact=True)

    def action_revoke(self) -> None:
        refusal = why_not_revoke(self.token)
        if refusal is not None:
            self.notify(refusal, severity="warning", timeout=4)
        else:
            self.dismiss("revoke")

    def action_rotate(self) -> None:
        refusal = why_not_rotate(self.token, self.app.service.now() if self.app.service else None)
        if refusal is not None:
            self.notify(refusal, severity="warning", timeout=4)
        else:
            self.dismiss("rotate")

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "back" else event.button.id)
