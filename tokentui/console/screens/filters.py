"""The filter dialog: kind, status, creation date, expiry date, and the audit's questions."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.strip import Strip
from textual.widgets import Button, Input, Label, OptionList, Select, SelectionList, Static
from textual.widgets.option_list import OptionDoesNotExist

from tokentui.console.filters import ExpiryChoice, Filters, duration_text, parse_unused_for
from tokentui.console.type_ahead import FieldInput as TextInput
from tokentui.console.type_ahead import TypeAheadScreen
from tokentui.core.vocabulary import Status, TokenKind
from tokentui.text import inert


class Checklist(SelectionList[str]):
    """A selection list whose boxes differ in shape, "[x]" and "[ ]": colour alone does not
    tell them apart under NO_COLOR or to a colour-blind eye."""

    DEFAULT_CSS = """
    Checklist { height: auto; max-height: 8; }
    """

    def render_line(self, y: int) -> Strip:
        # The option list's line without the selection list's coloured button, which is
        # the same shape checked or not; its gutter is as wide as these marks.
        line = OptionList.render_line(self, y)
        index = self.scroll_offset.y + y
        try:
            selection = self.get_option_at_index(index)
        except OptionDoesNotExist:
            return line
        mark = "[x] " if selection.value in self._selected else "[ ] "
        base = next(iter(line)).style or self.rich_style
        return Strip([Segment(mark, base + Style(meta={"option": index})), *line])


# The audit list's options: (label, the Filters field it sets).
AUDIT_CHOICES = (("never used", "never_used"), ("can write", "can_write"))


class FiltersScreen(TypeAheadScreen[Filters | None]):
    """Choose filters; Apply stays disabled while a date is malformed."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s", "apply", "Apply"),
    ]

    def __init__(self, filters: Filters) -> None:
        super().__init__()
        self.filters = filters

    def compose(self) -> ComposeResult:
        f = self.filters
        with Vertical(classes="dialog filters"):
            yield Label("Filters", classes="dialog-title")
            with VerticalScroll():
                with Horizontal(id="lists"):
                    with Vertical():
                        yield Label("Use and access")
                        yield Checklist(
                            *((label, field, getattr(f, field)) for label, field in AUDIT_CHOICES),
                            id="use",
                            compact=True,
                        )
                    with Vertical():
                        yield Label("Status")
                        yield Checklist(
                            *((s.value, s.value, s in f.statuses) for s in Status),
                            id="statuses",
                            compact=True,
                        )
                    with Vertical():
                        yield Label("Kind")
                        yield Checklist(
                            *((k.label, k.value, k in f.kinds) for k in TokenKind), id="kinds", compact=True
                        )
                yield Label("Created between (YYYY-MM-DD, either may be empty)")
                with Horizontal(classes="range"):
                    yield TextInput(_day(f.created_from), placeholder="from", id="created-from", compact=True)
                    yield TextInput(_day(f.created_to), placeholder="to", id="created-to", compact=True)
                yield Label("Expiry")
                yield Select[str](
                    ((c.label, c.value) for c in ExpiryChoice),
                    value=f.expiry.value,
                    allow_blank=False,
                    id="expiry",
                )
                with Horizontal(classes="range", id="expiry-range"):
                    yield TextInput(_day(f.expires_from), placeholder="from", id="expires-from", compact=True)
                    yield TextInput(_day(f.expires_to), placeholder="to", id="expires-to", compact=True)
                # One line for both: the dialog fits 24 rows with its buttons.
                with Horizontal(classes="range"):
                    yield Label("Unused for ")
                    yield TextInput(
                        duration_text(f.unused_for) if f.unused_for else "",
                        placeholder="days: 90, or 12h, 2w",
                        id="unused-for",
                        compact=True,
                    )
                    yield Label(" Author ")
                    yield TextInput(
                        f.author, placeholder="part of an e-mail or name", id="author", compact=True
                    )
            yield Static("", id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Apply (ctrl+s)", variant="primary", id="apply", compact=True)
                yield Button("Clear all", id="clear", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self._show_range()
        # The audit's questions first: "never used" is f, space, ctrl+s; "expired" f, tab, down, space, ctrl+s.
        self.set_focus(self.query_one("#use", SelectionList))
        self.ready()

    def _show_range(self) -> None:
        self.query_one("#expiry-range").display = (
            self.query_one("#expiry", Select).value == ExpiryChoice.CUSTOM
        )

    @on(Select.Changed, "#expiry")
    def _expiry_changed(self) -> None:
        self._show_range()
        self._chosen()

    @on(Input.Changed)
    def _date_changed(self) -> None:
        self._chosen()

    @on(SelectionList.SelectedChanged)
    def _ticked(self) -> None:
        self._chosen()

    def _chosen(self) -> Filters | None:
        """The filters on the form, or None with the problem shown."""
        from tokentui.core.errors import InvalidInput
        from tokentui.core.tokens.expiry import parse_day

        def day(widget_id: str, what: str) -> date | None:
            text = self.query_one(f"#{widget_id}", Input).value.strip()
            return parse_day(text, what) if text else None

        error = self.query_one("#error", Static)
        apply = self.query_one("#apply", Button)
        try:
            expiry = ExpiryChoice(str(self.query_one("#expiry", Select).value))
            custom = expiry is ExpiryChoice.CUSTOM
            audit = set(self.query_one("#use", SelectionList).selected)
            chosen = self.filters.with_(
                kinds=frozenset(TokenKind(v) for v in self.query_one("#kinds", SelectionList).selected),
                statuses=frozenset(Status(v) for v in self.query_one("#statuses", SelectionList).selected),
                created_from=day("created-from", "created from"),
                created_to=day("created-to", "created to"),
                expiry=expiry,
                expires_from=day("expires-from", "expires from") if custom else None,
                expires_to=day("expires-to", "expires to") if custom else None,
                never_used="never_used" in audit,
                can_write="can_write" in audit,
                unused_for=parse_unused_for(self.query_one("#unused-for", Input).value),
                author=self.query_one("#author", Input).value.strip(),
            )
        except InvalidInput as problem:
            error.update(inert(str(problem)))
            apply.disabled = True
            return None
        error.update("")
        apply.disabled = False
        return chosen

    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        chosen = self._chosen()
        if chosen is not None:
            self.dismiss(chosen)

    @on(Button.Pressed, "#clear")
    def _clear(self) -> None:
        self.dismiss(self.filters.cleared())

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""
