"""The organization switcher, for users who belong to several."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from tokentui.text import inert

if TYPE_CHECKING:
    from tokentui.core.results import OrgView


class OrgsScreen(ModalScreen[str | None]):
    """Pick the organization to act in."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, organizations: tuple[OrgView, ...]) -> None:
        super().__init__()
        self.organizations = organizations

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog orgs"):
            yield Label("Switch organization", classes="dialog-title")
            yield OptionList(
                *(Option(inert(f"{org.name}  ({org.role.value})"), id=org.name) for org in self.organizations)
            )

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
