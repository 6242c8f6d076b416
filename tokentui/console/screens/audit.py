"""The audit log: every create, revoke, reset, expiry and removal, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

from tokentui.console.type_ahead import route_to_search
from tokentui.console.widgets.list_table import ListTable
from tokentui.console.widgets.search_box import SearchBox
from tokentui.core.dates import minute
from tokentui.text import inert

if TYPE_CHECKING:
    from tokentui.console.app import TokentuiApp
    from tokentui.core.results import AuditView

PAGE = 200


def _who_width(table_width: int) -> int:
    """The widest the Who column gets (longer e-mails are cut): a quarter of the table, so
    What keeps room at 80 columns, and no more than an e-mail needs on a wide screen."""
    return max(16, min(36, table_width // 4))


ACTIONS = (
    ("every action", ""),
    ("token created", "token.create"),
    ("token revoked", "token.revoke"),
    ("token reset", "token.reset"),
    ("token expired", "token.expire"),
    ("member removed", "member.remove"),
    ("member added", "member.add"),
    ("space events", "space."),
)


def _cut(text: Text) -> Text:
    """``text`` kept to one line, cut with an ellipsis where its column ends."""
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


class AuditScreen(Screen[None]):
    """The organization's audit log, filterable by action and text."""

    app: TokentuiApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("a", "action_filter", "Action"),
        Binding("m", "more", "More"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.loaded = 0
        self.exhausted = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="audit-bar"):
            yield SearchBox(placeholder="/ search the log", id="audit-search", compact=True)
            yield Select[str](ACTIONS, value="", allow_blank=False, id="audit-action", compact=True)
        yield Static("", id="audit-summary", markup=False)
        yield Static("Checking the audit chain...", id="audit-chain", markup=False)
        # Who before Action and What, What taking the rest of the width and cut: the actor stays
        # on screen at 80 columns whatever the summaries' lengths.
        table = ListTable(
            id="audit", cursor_type="row", zebra_stripes=True, flex="what", caps={"who": _who_width}
        )
        for title, key in (("When (UTC)", "when"), ("Who", "who"), ("Action", "action"), ("What", "what")):
            table.add_column(title, key=key)
        yield table
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#audit", DataTable).focus()
        self.reload()
        self._check_chain()

    @work(exclusive=True, group="audit-chain")
    async def _check_chain(self) -> None:
        app = self.app
        assert app.service is not None
        check = await app.call(app.service.verify_audit_chain)
        if check is not None:
            line = "Audit chain intact" if check.intact else f"Audit chain broken at event {check.broken_at}"
            self.query_one("#audit-chain", Static).update(line)

    def reload(self) -> None:
        """Load the newest page for the current filters."""
        self.query_one("#audit", DataTable).clear()
        self.loaded = 0
        self.exhausted = False
        self._load()

    # Through @work, not run_worker(self._load()): a load superseded before it starts
    # (typing fast) is then never made, rather than made and left un-awaited.
    @work(exclusive=True, group="audit")
    async def _load(self) -> None:
        app = self.app
        assert app.service is not None and app.actor is not None
        search = self.query_one("#audit-search", Input).value
        action = self.query_one("#audit-action", Select).value
        events = await app.call(
            app.service.audit,
            app.actor,
            action=str(action) or None,
            search=search,
            offset=self.loaded,
            limit=PAGE,
        )
        if events is None:
            self.app.pop_screen()
            return
        self._add(events)

    def _add(self, events: list[AuditView]) -> None:
        table = self.query_one("#audit", DataTable)
        for event in events:
            table.add_row(
                inert(minute(event.at)),
                _cut(inert(event.actor or "tokentui")),
                inert(event.action),
                _cut(inert(event.summary)),
                key=str(event.id),
            )
        self.loaded += len(events)
        self.exhausted = len(events) < PAGE
        more = "" if self.exhausted else " (m loads more)"
        noun = "event" if self.loaded == 1 else "events"
        self.query_one("#audit-summary", Static).update(f"{self.loaded:,} {noun}, newest first{more}")

    @on(Input.Changed, "#audit-search")
    @on(Select.Changed, "#audit-action")
    def _filter_changed(self) -> None:
        self.reload()

    @on(Input.Submitted, "#audit-search")
    def _search_done(self) -> None:
        self.query_one("#audit", DataTable).focus()

    def action_search(self) -> None:
        self.set_focus(self.query_one("#audit-search", Input))

    def on_key(self, event: events.Key) -> None:
        route_to_search(self, self.query_one("#audit-search", SearchBox), event)

    def action_action_filter(self) -> None:
        self.query_one("#audit-action", Select).focus()

    def action_more(self) -> None:
        if not self.exhausted:
            self._load()

    @on(DataTable.RowHighlighted, "#audit")
    def _near_end(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= self.loaded - 1:
            self.action_more()
