"""The create dialog: a kind, the fields that kind takes (its KindSpec says which), and an expiry."""

from __future__ import annotations

from asyncio import to_thread
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, SelectionList, Static

from tokentui.console.type_ahead import route_to_input
from tokentui.console.widgets.text_input import TextInput
from tokentui.core.tokens.expiry import NEVER, end_of_day
from tokentui.core.vocabulary import TokenField, TokenKind
from tokentui.settings import LIMITS
from tokentui.text import a_or_an, inert

if TYPE_CHECKING:
    from tokentui.console.app import TokentuiApp
    from tokentui.core.results import CreatedToken  # noqa: F401 (the base class names it in a string)
    from tokentui.core.tokens.choices import CreationChoices

CUSTOM = "custom"


def expiry_options() -> list[tuple[str, str]]:
    """The expiry dropdown: the preset days, a custom date, or no expiry."""
    options = [(_days_label(days), f"{days}d") for days in LIMITS.expiry_presets_days]
    return [*options, ("Custom date…", CUSTOM), ("No expiry", NEVER)]


def _days_label(days: int) -> str:
    if days == 365:
        return "1 year"
    suffix = " (default)" if days == LIMITS.default_expiry_days else ""
    return f"{days} days{suffix}"


def custom_expiry(text: str, now: datetime) -> datetime:
    """The end of the typed day, or InvalidInput in the console's words (the CLI's name its
    options and durations, which this field does not take)."""
    from tokentui.core.errors import InvalidInput

    if not text:
        raise InvalidInput("Type the expiry date as YYYY-MM-DD.")
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{text!r} is not a date: type it as YYYY-MM-DD, e.g. 2027-01-31.") from None
    instant = end_of_day(day)
    latest = (now + LIMITS.max_expiry).date()
    if instant <= now:
        raise InvalidInput("The expiry date must be in the future.")
    if instant - now > LIMITS.max_expiry:
        raise InvalidInput(
            f"{day.isoformat()} is too far away: at most {LIMITS.max_expiry.days} days, "
            f"so {latest.isoformat()} at the latest."
        )
    return instant


class CreateScreen(ModalScreen["CreatedToken | None"]):
    """Create a token; the Create button stays disabled until the form is valid."""

    app: TokentuiApp

    # The cursor starts in Name, from the first frame: keys typed right after `n` land there in
    # order, while the kinds load in the background.
    AUTO_FOCUS = "#name"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+s", "create", "Create"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.choices: CreationChoices | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog create"):
            yield Label("New token", classes="dialog-title")
            with VerticalScroll(id="form"):
                yield Label("Kind")
                # Every kind from the start (the load only says which the user may create), so the
                # dropdown never offers a "loading" option that would empty the form when chosen.
                yield Select[str](
                    [(kind.label, kind.value) for kind in TokenKind],
                    id="kind",
                    allow_blank=False,
                    value=TokenKind.PERSONAL.value,
                    compact=True,
                )
                yield Static("", id="kind-note", markup=False)
                yield Label("Name")
                yield TextInput(placeholder="what the token is for, e.g. CI deploys", id="name", compact=True)
                with Vertical(id="app-field", classes="field"):
                    yield Label("Application")
                    yield TextInput(placeholder="the application acting for you", id="app", compact=True)
                with Vertical(id="scopes-field", classes="field"):
                    yield Label("Scopes")
                    yield SelectionList[str](id="scopes", compact=True)
                with Vertical(id="space-field", classes="field"):
                    yield Label("Space")
                    yield Select[str]([], id="space", prompt="Choose a space", compact=True)
                with Vertical(id="env-field", classes="field"):
                    yield Label("Environment")
                    yield Select[str]([], id="environment", prompt="Choose an environment", compact=True)
                with Vertical(id="branches-field", classes="field"):
                    yield Label("Branches and aliases (none chosen: all)")
                    yield SelectionList[str](id="branches", compact=True)
                with Vertical(id="expiry-field", classes="field"):
                    yield Label("Expires")
                    yield Select[str](
                        expiry_options(),
                        id="expiry",
                        allow_blank=False,
                        value=TokenKind.PERSONAL.spec.default_expiry,
                        compact=True,
                    )
                    yield TextInput(
                        placeholder="YYYY-MM-DD (end of that day, UTC)", id="custom-date", compact=True
                    )
                yield Checkbox("E-mail notification before it expires", value=True, id="notify")
            yield Static("", id="error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Create (ctrl+s)", variant="success", id="create", disabled=True, compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_key(self, event: events.Key) -> None:
        # Keys typed right after `n` arrive before the dialog is built, when nothing has the
        # focus: once Name has the cursor they belong there, in order.
        route_to_input(self, self.query_one("#name", TextInput), event)

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        # A list tabbed into highlights its first row, so the first Space toggles it (a
        # delivery token was created with no branch when that Space did nothing).
        widget = event.widget
        if isinstance(widget, SelectionList) and widget.highlighted is None and widget.option_count:
            widget.highlighted = 0

    def on_mount(self) -> None:
        self._show_fields(self.kind)
        self.run_worker(self._load_choices(), exclusive=True)

    async def _load_choices(self) -> None:
        app = self.app
        assert app.service is not None and app.actor is not None
        choices = await app.call(app.service.creation_options, app.actor)
        if choices is None:
            self.dismiss(None)
            return
        self.choices = choices
        kind_select = self.query_one("#kind", Select)
        kind_select.set_options(
            (
                kind.kind.label if kind.allowed else f"{kind.kind.label} (not available to you)",
                kind.kind.value,
            )
            for kind in choices.kinds
        )
        kind_select.value = TokenKind.PERSONAL.value
        # Select.Changed does not fire when the value stays the same: fill the kind's fields now.
        self._kind_changed()

    # -- which fields a kind needs ---------------------------------------------

    @property
    def kind(self) -> TokenKind | None:
        """The chosen kind."""
        value = self.query_one("#kind", Select).value
        return TokenKind(value) if isinstance(value, str) else None

    @on(Select.Changed, "#kind")
    def _kind_changed(self) -> None:
        kind = self.kind
        self._show_fields(kind)
        if kind is None or self.choices is None:
            return
        choice = self.choices.kind(kind)
        note = self.query_one("#kind-note", Static)
        if choice.reason:
            note.update(inert(f"Not available: {choice.reason}", "bold"))
        elif choice.retires:
            # A per-user limit: one more revokes the oldest. Say which, before Create.
            note.update(
                inert(
                    f"You have {choice.limit} active {kind.label.lower()}s, the most allowed: creating "
                    f"this one revokes your oldest, {', '.join(choice.retires)}.",
                    "bold",
                )
            )
        else:
            note.update("")
        scopes = self.query_one("#scopes", SelectionList)
        scopes.clear_options()
        scopes.add_options([(scope, scope, scope in choice.default_scopes) for scope in choice.scopes])
        spaces = self.query_one("#space", Select)
        allowed = self.choices.spaces_for(kind)
        spaces.set_options((inert(space.space.name), space.space.name) for space in allowed)
        if len(allowed) == 1:
            spaces.value = allowed[0].space.name
        self.query_one("#expiry", Select).value = kind.spec.default_expiry
        self._validate()

    def _show_fields(self, kind: TokenKind | None) -> None:
        spec = kind.spec if kind is not None else None

        def takes(field: TokenField) -> bool:
            return spec is not None and spec.takes(field)

        self.query_one("#app-field").display = takes(TokenField.APP)
        self.query_one("#scopes-field").display = spec is not None and bool(spec.choosable_scopes)
        self.query_one("#space-field").display = takes(TokenField.SPACE)
        self.query_one("#env-field").display = takes(TokenField.ENVIRONMENT)
        self.query_one("#branches-field").display = takes(TokenField.BRANCHES) and bool(
            self.query_one("#branches", SelectionList).option_count
        )
        self.query_one("#expiry-field").display = spec is not None and spec.may_expire
        self.query_one("#custom-date").display = self.query_one("#expiry", Select).value == CUSTOM
        # A reminder before expiry only means something for a token that expires.
        self.query_one("#notify").display = takes(TokenField.NOTIFY) and self._expires()

    def _expires(self) -> bool:
        return self.query_one("#expiry", Select).value != NEVER

    @on(Select.Changed, "#space")
    def _space_changed(self) -> None:
        space = self._space()
        environments = self.query_one("#environment", Select)
        branches = self.query_one("#branches", SelectionList)
        branches.clear_options()
        if space is None:
            environments.set_options([])
        else:
            environments.set_options((inert(name), name) for name in space.environments)
            if space.environments:
                environments.value = space.environments[0]
            branches.add_options(
                [(inert(b), b) for b in space.branches] + [(inert(f"{a} → {t}"), a) for a, t in space.aliases]
            )
        self._show_fields(self.kind)
        self._validate()

    def _space(self) -> Any:
        value = self.query_one("#space", Select).value
        if self.choices is None or not isinstance(value, str):
            return None
        return next((c.space for c in self.choices.spaces if c.space.name == value), None)

    @on(Select.Changed, "#expiry")
    def _expiry_changed(self) -> None:
        self._show_fields(self.kind)
        if self.query_one("#expiry", Select).value == CUSTOM:
            field = self.query_one("#custom-date", Input)
            field.focus()
            # The field has just been shown: once laid out, scroll the form so it is on screen
            # (at 80x24 only its label was).
            self.call_after_refresh(field.scroll_visible, animate=False)
        self._validate()

    @on(Input.Changed)
    @on(SelectionList.SelectedChanged)
    @on(Select.Changed, "#environment")
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        self._validate()

    # -- validation ---------------------------------------------------------------

    def _validate(self) -> dict[str, Any] | None:
        """The create_token arguments, or None with the first problem shown inline."""
        from tokentui.core.errors import InvalidInput

        error = self.query_one("#error", Static)
        button = self.query_one("#create", Button)
        try:
            request = self._request()
        except InvalidInput as problem:
            error.update(inert(str(problem)))
            button.disabled = True
            return None
        error.update("")
        button.disabled = False
        return request

    def _request(self) -> dict[str, Any]:
        from tokentui.core.errors import InvalidInput
        from tokentui.core.rules import check_name, normalise_scopes

        kind = self.kind
        if kind is None or self.choices is None:
            raise InvalidInput("Choose a kind of token.")
        choice = self.choices.kind(kind)
        if not choice.allowed:
            raise InvalidInput(f"You cannot create {a_or_an(kind.label.lower())}: {choice.reason}")
        name = self.query_one("#name", Input).value
        if not name.strip():
            raise InvalidInput("Give the token a name.")
        request: dict[str, Any] = {"kind": kind, "name": check_name(name, LIMITS.max_name_length)}
        if choice.scopes:
            request["scopes"] = normalise_scopes(kind, self.query_one("#scopes", SelectionList).selected)
        spec = kind.spec
        if spec.takes(TokenField.APP):
            request["app"] = check_name(
                self.query_one("#app", Input).value, LIMITS.max_app_name_length, "application name"
            )
        if spec.takes(TokenField.SPACE):
            space = self._space()
            if space is None:
                raise InvalidInput("Choose a space.")
            request["space"] = space.name
        if spec.takes(TokenField.BRANCHES):
            request["branches"] = tuple(self.query_one("#branches", SelectionList).selected)
        if spec.takes(TokenField.ENVIRONMENT):
            environment = self.query_one("#environment", Select).value
            if not isinstance(environment, str):
                raise InvalidInput("Choose the environment the token serves.")
            request["environment"] = environment
        if spec.may_expire:
            expiry = self.query_one("#expiry", Select).value
            if expiry == CUSTOM:
                text = self.query_one("#custom-date", Input).value.strip()
                assert self.app.service is not None
                custom_expiry(text, self.app.service.now())
                request["expires"] = text
            else:
                request["expires"] = str(expiry)
        if spec.takes(TokenField.NOTIFY):
            request["notify"] = self._expires() and self.query_one("#notify", Checkbox).value
        return request

    # -- create -------------------------------------------------------------------

    @on(Button.Pressed, "#create")
    def action_create(self) -> None:
        request = self._validate()
        if request is not None:
            self.query_one("#create", Button).disabled = True
            self.run_worker(self._create(request), exclusive=True)

    async def _create(self, request: dict[str, Any]) -> None:
        from tokentui.core.errors import TokentuiError

        app = self.app
        assert app.service is not None and app.actor is not None
        kind = request.pop("kind")
        try:
            created = await to_thread(app.service.create_token, app.actor, kind, **request)
        except TokentuiError as refusal:
            self.query_one("#error", Static).update(inert(str(refusal)))
            self.notify(str(refusal), title="Refused", severity="error")
            self.query_one("#create", Button).disabled = False
            return
        self.dismiss(created)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        """Close; a form with something typed in it asks first, as GitHub's and GitLab's forms do."""
        typed = any(
            self.query_one(f"#{field}", Input).value.strip() for field in ("name", "app", "custom-date")
        )
        if not typed:
            self.dismiss(None)
            return
        from tokentui.console.screens.confirm import ConfirmScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen(
                "Discard this token?", "What you typed in the form is lost.", "Discard", cancel="Keep editing"
            ),
            answered,
        )
