"""The audit log: every create, revoke, reset, rotation, expiry and removal, newest first.

Filtered by who acted (``w``), the action (``a``), the time (``1`` the last 24 hours, ``7``
the last 7 days, ``t`` a range of days) and text (``/``); ``enter`` opens an event in full.
New events show as they are written (:mod:`tokentui.console.live`).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Button, DataTable, Header, Input, Label, Select, Static

from tokentui.console.live import ChangeWatch
from tokentui.console.type_ahead import FieldInput, TypeAheadScreen, route_to_search
from tokentui.console.widgets.key_footer import KeyFooter
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
    ("token rotated", "token.rotate"),
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


class AuditTable(ListTable):
    """The log's table: enter opens the event (and says so in the footer)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("enter", "select_cursor", "Open")]


class AuditScreen(Screen[None]):
    """The organization's audit log, filterable by who, action, time and text."""

    app: TokentuiApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("enter", "open_event", "Open"),
        Binding("1", "last(1)", "Last 24h"),
        Binding("7", "last(7)", "Last 7d"),
        Binding("t", "time_range", "Days from/to"),
        Binding("w", "who", "Who"),
        Binding("a", "action_filter", "Action"),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("c", "clear", "Clear filters"),
        Binding("m", "more", "More"),
    ]
    # On a narrow screen the footer drops these first (KeyFooter); help lists every key.
    FOOTER_DROPS_FIRST: ClassVar[tuple[str, ...]] = ("more", "search", "action_filter", "time_range", "clear")

    DEFAULT_CSS = """
    #audit-who { width: 26; }
    .audit-range { max-width: 60; }
    .audit-range Horizontal { height: auto; }
    .audit-range Input { width: 1fr; }
    .audit-range #range-error { color: $text-error; height: auto; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.loaded = 0
        self.exhausted = False
        # The time filter: events at or after ``since`` and before ``until``, in a few words.
        self.since: datetime | None = None
        self.until: datetime | None = None
        self.when = ""
        self.inverted: str | None = None
        # "The last N days": ``since`` is taken again at each load, so the window moves with the clock.
        self.last_days: int | None = None
        self.who = ""
        self.events: dict[str, AuditView] = {}
        self.live = ChangeWatch(self, self.refresh_log)

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="audit-bar"):
            yield SearchBox(placeholder="/ search the log", id="audit-search", compact=True)
            yield SearchBox(placeholder="w who: e-mail, enter", id="audit-who", compact=True)
            yield Select[str](ACTIONS, value="", allow_blank=False, id="audit-action", compact=True)
        yield Static("", id="audit-summary", markup=False)
        yield Static("Checking the audit chain...", id="audit-chain", markup=False)
        # Who before Action and What, What taking the rest of the width and cut: the actor stays
        # on screen at 80 columns whatever the summaries' lengths.
        table = AuditTable(
            id="audit", cursor_type="row", zebra_stripes=True, flex="what", caps={"who": _who_width}
        )
        for title, key in (("When (UTC)", "when"), ("Who", "who"), ("Action", "action"), ("What", "what")):
            table.add_column(title, key=key)
        yield table
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#audit", DataTable).focus()
        self.reload()
        self.live.prime()
        self.live.start()
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
        self.events.clear()
        self.loaded = 0
        self.exhausted = False
        self._load()

    def refresh_log(self) -> None:
        """Read the rows shown again (new events written elsewhere come in on top), the cursor
        kept on its event."""
        self._load(again=True)

    # Through @work, not run_worker(self._load()): a load superseded before it starts
    # (typing fast) is then never made, rather than made and left un-awaited.
    @work(exclusive=True, group="audit")
    async def _load(self, *, again: bool = False) -> None:
        app = self.app
        assert app.service is not None and app.actor is not None
        search = self.query_one("#audit-search", Input).value
        action = self.query_one("#audit-action", Select).value
        if self.last_days is not None:
            self.since = app.service.now() - timedelta(days=self.last_days)
        events = await app.call(
            app.service.audit,
            app.actor,
            action=str(action) or None,
            search=search,
            offset=0 if again else self.loaded,
            limit=max(PAGE, self.loaded) if again else PAGE,
            since=self.since,
            until=self.until,
            actor_email=self.who or None,
        )
        if events is None:
            if not again:
                self.app.pop_screen()
            return
        if again:
            self._replace(events)
        else:
            self._add(events)

    def _replace(self, events: list[AuditView]) -> None:
        table = self.query_one("#audit", DataTable)
        current = self.current
        table.clear()
        self.events.clear()
        self.loaded = 0
        self._add(events)
        if current is not None and str(current.id) in self.events:
            table.move_cursor(row=table.get_row_index(str(current.id)), animate=False)

    @property
    def current(self) -> AuditView | None:
        """The event under the cursor, if any."""
        table = self.query_one("#audit", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return self.events.get(key or "")

    def _add(self, events: list[AuditView]) -> None:
        table = self.query_one("#audit", DataTable)
        for event in events:
            self.events[str(event.id)] = event
            table.add_row(
                inert(minute(event.at)),
                _cut(inert(event.actor or "tokentui")),
                inert(event.action),
                _cut(inert(event.summary)),
                key=str(event.id),
            )
        self.loaded += len(events)
        self.exhausted = len(events) < PAGE
        self._show_summary()

    def _show_summary(self) -> None:
        more = "" if self.exhausted else " (m loads more)"
        noun = "event" if self.loaded == 1 else "events"
        parts = [f"{self.loaded:,} {noun}{self.when}, newest first{more}"]
        if self.inverted:
            parts.insert(0, f"nothing can match: {self.inverted}")
        filters = self._described()
        if filters:
            parts.append("filters: " + "; ".join(filters) + " (c clears)")
        elif self.when:
            parts.append("c clears")
        self.query_one("#audit-summary", Static).update(inert(" · ".join(parts)))

    def _described(self) -> list[str]:
        described = []
        if self.who:
            described.append(f"by {self.who}")
        action = self.query_one("#audit-action", Select).value
        if action:
            described.append(f"action {action}*")
        if self.query_one("#audit-search", Input).value.strip():
            described.append("text " + repr(self.query_one("#audit-search", Input).value.strip()))
        return described

    @on(Input.Changed, "#audit-search")
    @on(Select.Changed, "#audit-action")
    def _filter_changed(self) -> None:
        self.reload()

    @on(Input.Submitted, "#audit-search")
    def _search_done(self) -> None:
        self.query_one("#audit", DataTable).focus()

    @on(Input.Submitted, "#audit-who")
    def _who_done(self, event: Input.Submitted) -> None:
        self.who = event.value.strip()
        self.query_one("#audit", DataTable).focus()
        self.reload()

    @on(Input.Changed, "#audit-who")
    def _who_changed(self, event: Input.Changed) -> None:
        # An e-mail names one person exactly: the filter waits for enter, but emptying the box clears it.
        if not event.value.strip() and self.who:
            self.who = ""
            self.reload()

    def action_who(self) -> None:
        self.set_focus(self.query_one("#audit-who", Input))

    # -- time -------------------------------------------------------------------

    def action_last(self, days: int) -> None:
        """Events of the last ``days`` days (the same instant ``audit --since`` takes); again: any time."""
        words = " in the last 24 hours" if days == 1 else f" in the last {days} days"
        if self.when == words:
            self._set_time(None, None, "")
            return
        self._set_time(None, None, words, last_days=days)

    def _set_time(
        self,
        since: datetime | None,
        until: datetime | None,
        words: str,
        inverted: str | None = None,
        *,
        last_days: int | None = None,
    ) -> None:
        self.since, self.until, self.when, self.inverted = since, until, words, inverted
        self.last_days = last_days
        if inverted:
            self.notify(f"Nothing can match: {inverted}.", severity="warning")
        self.reload()

    def action_time_range(self) -> None:
        def chosen(days: tuple[date | None, date | None] | None) -> None:
            if days is None:
                return
            first, last = days
            from tokentui.core.tokens.expiry import start_of_day, start_of_next_day

            if first is None and last is None:
                self._set_time(None, None, "")
                return
            words = f" from {first.isoformat() if first else 'the start'} to {last.isoformat() if last else 'now'}"
            inverted = None
            if first and last and first > last:
                inverted = f"from {first.isoformat()} is after {last.isoformat()}"
            self._set_time(
                start_of_day(first) if first else None,
                start_of_next_day(last) if last else None,
                words,
                inverted,
            )

        self.app.push_screen(AuditRangeScreen(), chosen)

    def action_clear(self) -> None:
        self.who = ""
        self.query_one("#audit-who", Input).value = ""
        self.query_one("#audit-search", Input).value = ""
        self.query_one("#audit-action", Select).value = ""
        self.since, self.until, self.when, self.inverted = None, None, "", None
        self.last_days = None
        self.reload()
        self.notify("Filters cleared.", timeout=2)

    # -- one event --------------------------------------------------------------

    @on(DataTable.RowSelected, "#audit")
    def _row_chosen(self) -> None:
        self.action_open_event()

    def action_open_event(self) -> None:
        from tokentui.console.screens.audit_event import AuditEventScreen

        event = self.current
        if event is None:
            self.notify("No event selected.", severity="warning", timeout=3)
            return
        assert self.app.service is not None
        self.app.push_screen(AuditEventScreen(event, self.app.service.now()))

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


class AuditRangeScreen(TypeAheadScreen[tuple[date | None, date | None] | None]):
    """Choose the days of the log to show: from and to, each a YYYY-MM-DD or empty."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "dismiss(None)", "Cancel"),
        Binding("ctrl+s", "apply", "Apply"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog audit-range"):
            yield Label("Days of the log", classes="dialog-title")
            yield Label("From and to (YYYY-MM-DD, UTC, both days included; either may be empty)")
            with Horizontal():
                yield FieldInput(placeholder="from", id="range-from", compact=True)
                yield FieldInput(placeholder="to", id="range-to", compact=True)
            yield Static("", id="range-error", markup=False)
            with Horizontal(classes="buttons"):
                yield Button("Apply (enter)", variant="primary", id="apply", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)

    def on_mount(self) -> None:
        self.set_focus(self.query_one("#range-from", Input))
        self.ready()

    def _chosen(self) -> tuple[date | None, date | None] | None:
        """The days on the form, or None with the problem shown."""
        from tokentui.core.errors import InvalidInput
        from tokentui.core.tokens.expiry import parse_day

        def day(widget_id: str, what: str) -> date | None:
            text = self.query_one(f"#{widget_id}", Input).value.strip()
            return parse_day(text, what) if text else None

        try:
            days = (day("range-from", "from"), day("range-to", "to"))
        except InvalidInput as problem:
            self.query_one("#range-error", Static).update(inert(str(problem)))
            return None
        self.query_one("#range-error", Static).update("")
        return days

    @on(Input.Submitted)
    @on(Button.Pressed, "#apply")
    def action_apply(self) -> None:
        days = self._chosen()
        if days is not None:
            self.dismiss(days)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
