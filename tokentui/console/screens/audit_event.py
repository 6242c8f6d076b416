"""One audit event in full: when (the minute and how long ago), who, what was done to which thing."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from tokentui.console.screens.details import fields_table
from tokentui.core.dates import minute_utc, relative

if TYPE_CHECKING:
    from datetime import datetime

    from tokentui.core.results import AuditView


def event_fields(event: AuditView, now: datetime) -> list[tuple[str, str]]:
    """(label, value) pairs of everything the log holds of ``event``."""
    return [
        ("When", f"{minute_utc(event.at)} ({relative(event.at, now)})"),
        ("Who", event.actor or "tokentui itself (no user: a sweep or a bulk load)"),
        ("Action", event.action),
        ("Target", f"{event.target_type} {event.target_id}"),
        ("Summary", event.summary),
        ("Event", f"#{event.id}"),
    ]


class AuditEventScreen(ModalScreen[None]):
    """An audit event's every field, each shown literally (names and e-mails are anyone's)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,enter", "dismiss(None)", "Back")]

    def __init__(self, event: AuditView, now: datetime) -> None:
        super().__init__()
        self.event = event
        self.now = now

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog details"):
            yield Label("Audit event", classes="dialog-title")
            with VerticalScroll():
                yield Static(fields_table(event_fields(self.event, self.now)), id="event-fields")
            with Horizontal(classes="buttons"):
                yield Button("Back (esc)", id="back", compact=True)

    @on(Button.Pressed, "#back")
    def _back(self) -> None:
        self.dismiss(None)
