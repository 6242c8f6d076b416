"""The home screen: every token with access to the organization, filtered and sorted."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Header, Input, Label, Static

from tokentui.console.filters import ExpiryChoice, Filters
from tokentui.console.type_ahead import route_to_dialog, route_to_search
from tokentui.console.widgets.key_footer import KeyFooter
from tokentui.console.widgets.search_box import SearchBox
from tokentui.console.widgets.token_columns import COLUMNS
from tokentui.console.widgets.token_table import TokenTable
from tokentui.core.vocabulary import OrgRole, Status, TokenKind
from tokentui.text import inert

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel

    from tokentui.console.app import StoreReady, TokentuiApp
    from tokentui.core.findings import Finding
    from tokentui.core.listing.queries import TokenQuery
    from tokentui.core.results import CreatedToken, TokenView

SORT_KEYS = tuple(column.key for column in COLUMNS)


class HomeScreen(Screen[None]):
    """The token table with its search box, filters and summary."""

    app: TokentuiApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "search", "Search", key_display="/"),
        Binding("f", "filters", "Filters"),
        Binding("n", "new", "New"),
        Binding("a", "author", "Author"),
        Binding("r", "revoke", "Revoke"),
        Binding("R", "reset", "Reset", key_display="R"),
        Binding("t", "rotate", "Rotate"),
        Binding("l", "audit", "Audit"),
        Binding("ctrl+r", "refresh_table", "Refresh: show changes made elsewhere", show=False),
        Binding("e", "expiring", "Expiring", show=False),
        Binding("c", "clear", "Clear filters", show=False),
        Binding("m", "mine", "Mine / all", show=False),
        Binding("s", "sort", "Next sort column", show=False),
        Binding("S", "reverse", "Reverse sort", show=False, key_display="S"),
        Binding("o", "orgs", "Switch organization", show=False),
        Binding("escape", "back", "Back to table", show=False),
        Binding("u", "users", "Users"),
        Binding("exclamation_mark", "findings", "Findings", key_display="!"),
        Binding("space", "mark", "Mark / unmark the row (r then revokes every marked one)", show=False),
        Binding("asterisk", "mark_all", "Mark every token that matches", key_display="*", show=False),
        Binding("U", "unmark", "Clear the marks", key_display="U", show=False),
        Binding("F", "find_secret", "Find the token a leaked secret belongs to", key_display="F", show=False),
        Binding("x", "export", "Export the view to CSV or JSON", show=False),
        Binding(
            "dollar_sign",
            "scan",
            "Scan files for secrets, and revoke the tokens found",
            key_display="$",
            show=False,
        ),
    ]
    # On a narrow screen the footer drops these first (KeyFooter); help lists every key.
    FOOTER_DROPS_FIRST: ClassVar[tuple[str, ...]] = ("reset", "rotate", "author", "select", "filters")

    def __init__(self) -> None:
        super().__init__()
        self.filters = Filters()
        self.expiring_soon = 0
        self._expiring_after_count = False  # count those once the table's count is in
        # The tokens marked for a bulk revoke, by id (the table shows their ids' marks).
        self.marks: dict[str, TokenView] = {}

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="searchbar"):
            yield Label("/", id="search-prompt")
            yield SearchBox(
                placeholder="search by name or last four characters; @ for an author",
                id="search",
                compact=True,
            )
        yield Static("Opening the store…", id="summary", markup=False)
        yield TokenTable(id="tokens")
        yield KeyFooter()

    @property
    def table(self) -> TokenTable:
        """The token table."""
        return self.query_one(TokenTable)

    def on_mount(self) -> None:
        self.table.focus()
        from tokentui.console.live import ChangeWatch

        self.live = ChangeWatch(self, self.reload_if_changed_elsewhere)
        self.live.start()

    def on_store_ready(self, _message: StoreReady) -> None:
        # A new organization's first screen: its row total is as much a part of it as its rows.
        self.reload(count_now=True)
        self.live.prime()

    # -- loading ----------------------------------------------------------------

    def reload(
        self,
        *,
        keep_cursor: bool = False,
        expiring: bool = True,
        follow: str | None = None,
        count_now: bool = False,
    ) -> None:
        """Show the tokens matching the current filters (fetched in workers).

        ``expiring`` recounts the tokens expiring within 7 days, which a new search
        leaves as they were: a keystroke costs no count but its own. With ``keep_cursor``,
        ``follow`` names the token the cursor goes to (default: the one it is on).
        ``count_now`` counts them alongside the first page (:meth:`TokenTable.show`), and
        the tokens expiring soon after that.
        """
        from tokentui.console.pages import TokenPages

        app = self.app
        if app.service is None or app.actor is None:
            return
        query = self._with_finding(self.filters.to_query(app.service.now()))
        current = self.table.current if keep_cursor else None
        self.table.show(
            TokenPages(app.service, app.actor, query),
            sort_key=self.filters.sort,
            descending=self.filters.descending,
            keep_cursor=keep_cursor,
            follow=follow or (current.id if current is not None else None),
            count_now=count_now,
        )
        if expiring and count_now:
            # After the table's count, not beside it: both count the organization's tokens, and
            # the table's row total is the one the first screen cannot do without.
            self._expiring_after_count = True
        elif expiring:
            self._count_expiring_soon()

    def _count_expiring_soon(self) -> None:
        self.run_worker(self._count_expiring(), group="expiring", exclusive=True)

    async def _count_expiring(self) -> None:
        from tokentui.core.listing.queries import TokenQuery

        app = self.app
        assert app.service is not None and app.actor is not None
        now = app.service.now()
        soon = TokenQuery(
            mine=self.filters.mine,
            statuses=frozenset({Status.ACTIVE}),
            expires_before=now + timedelta(days=7),
        )
        count = await app.call(app.service.count_tokens, app.actor, soon)
        if count is not None:
            self.expiring_soon = count
            self._show_summary()

    def on_token_table_counted(self, _message: TokenTable.Counted) -> None:
        self._show_summary()
        if self._expiring_after_count:
            self._expiring_after_count = False
            self._count_expiring_soon()

    def _show_summary(self) -> None:
        try:
            summary, table = self.query_one("#summary", Static), self.table
        except NoMatches:  # a count came back while the app shuts down: nobody is there to read it
            return
        actor = self.app.actor
        total = table.total
        whose = "your tokens" if (self.filters.mine or not (actor and actor.is_admin)) else "organization"
        parts = [f"{total:,} token{'s' if total != 1 else ''} ({whose})"]
        described = self._finding_words() + self.filters.describe()
        if described and total == 0:
            # Said first, where even 80 columns show it: a blank table alone reads as a fault.
            parts += ["nothing matches; c clears the filters", *self.filters.inverted()]
        if described:
            # Early: a line cut short still says it is filtered (a finding shown is one of them).
            parts.append(self.filters.summary(*self._finding_words()))
        if table.hidden:
            parts.append("hidden: " + ", ".join(table.hidden))
        if self.expiring_soon and self.finding is None:  # a finding shown leaves the line its name
            soon = self.expiring_soon
            parts.append(f"{soon:,} expire{'s' if soon == 1 else ''} within 7 days (e)")
        if not described and total == 0:
            parts.append("no tokens yet: n creates one")
        if self.marks:
            parts.append(f"{len(self.marks):,} marked (r revokes, U clears)")
        # One line of fixed height: no layout of the screen is needed (a layout costs several repaints).
        if summary.styles.text_overflow != "ellipsis":  # cut cleanly at any width; f shows the filters
            summary.styles.text_wrap, summary.styles.text_overflow = "nowrap", "ellipsis"
        summary.update(inert(" · ".join(parts)), layout=False)

    def on_token_table_columns_hidden(self, _message: TokenTable.ColumnsHidden) -> None:
        self._show_summary()

    def action_refresh_table(self) -> None:
        """Read the table again: tokens made, revoked or expired elsewhere (the CLI, the API) show."""
        self.reload(keep_cursor=True)
        self.notify("Refreshed.", timeout=2)

    def _apply(self, filters: Filters) -> None:
        self.filters = filters
        for inverted in filters.inverted():
            # Nothing can match such a range: say so where any width shows it, not only in the summary.
            self.notify(f"Nothing can match: {inverted}.", severity="warning")
        self.reload()

    # -- search and filters -----------------------------------------------------

    def action_search(self) -> None:
        self.set_focus(self.query_one("#search", Input))

    def on_key(self, event: events.Key) -> None:
        if route_to_dialog(self, event):
            return
        if event.key == "f" and self.focused is self.table:
            # Opened here, not by the binding: the keys queued behind "f" then reach the dialog.
            event.stop()
            event.prevent_default()
            self.action_filters()
            return
        # "/dep" typed or pasted faster than the focus moves must search, not toggle filters.
        route_to_search(self, self.query_one("#search", SearchBox), event)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if event.value.strip() != self.filters.search:
            self.filters = self.filters.with_(search=event.value.strip())
            self.reload(expiring=False)

    @on(Input.Submitted, "#search")
    def _search_done(self) -> None:
        self.table.focus()

    def action_back(self) -> None:
        self.table.focus()

    def action_filters(self) -> None:
        from tokentui.console.screens.filters import FiltersScreen

        def chosen(filters: Filters | None) -> None:
            if filters is not None:
                self._apply(filters)

        self.app.push_screen(FiltersScreen(self.filters), chosen)

    def action_clear(self) -> None:
        cleared = self.filters.is_filtered or self.finding is not None
        self.finding = None
        self.query_one("#search", Input).value = ""
        self._apply(self.filters.cleared())
        if cleared:  # nothing to say when nothing was narrowed: the summary line shows it
            self.notify("Filters cleared.", timeout=2)

    def action_expiring(self) -> None:
        if self.filters.expiry is ExpiryChoice.WITHIN_7_DAYS:
            self._apply(self.filters.with_(expiry=ExpiryChoice.ANY, statuses=frozenset()))
        else:
            self._apply(
                self.filters.with_(expiry=ExpiryChoice.WITHIN_7_DAYS, statuses=frozenset({Status.ACTIVE}))
            )

    def action_mine(self) -> None:
        mine = not self.filters.mine
        self._apply(self.filters.with_(mine=mine))
        actor = self.app.actor
        if actor is not None and actor.role is OrgRole.MEMBER:
            # A member sees only their own tokens either way: say so, or `m` looks dead.
            self.notify("Your tokens only. (As a member you see only your own either way.)", timeout=3)
        else:
            self.notify("Your tokens only." if mine else "Everyone's tokens.", timeout=2)

    # -- sorting ----------------------------------------------------------------

    def sort_by(self, key: str) -> None:
        """Sort by ``key``; choosing the current column again reverses the order."""
        if key == self.filters.sort:
            self._apply(self.filters.with_(descending=not self.filters.descending))
        else:
            self._apply(self.filters.with_(sort=key, descending=key in ("created", "expires")))

    def on_token_table_sort_requested(self, message: TokenTable.SortRequested) -> None:
        self.sort_by(message.key)

    def action_sort(self) -> None:
        following = SORT_KEYS[(SORT_KEYS.index(self.filters.sort) + 1) % len(SORT_KEYS)]
        self.sort_by(following)

    def action_reverse(self) -> None:
        self.sort_by(self.filters.sort)

    # -- the selected token -----------------------------------------------------

    def _selected(self) -> TokenView | None:
        token = self.table.current
        if token is None:
            self.notify("No token selected.", severity="warning", timeout=3)
        return token

    def on_token_table_selected(self, message: TokenTable.Selected) -> None:
        self.open_details(message.token)

    def on_token_table_author_clicked(self, message: TokenTable.AuthorClicked) -> None:
        self.action_author()

    def open_details(self, token: TokenView | None = None) -> None:
        """Show the details of ``token`` (default: the selected one)."""
        from tokentui.console.screens.details import DetailsScreen

        token = token or self._selected()
        if token is not None:
            # A toast of what was done before would cover the dialog's buttons at 80 columns.
            self.app.clear_notifications()
            self.app.push_screen(DetailsScreen(token), self._after_details)

    def _after_details(self, action: str | None) -> None:
        if action == "author":
            self.action_author()
        elif action == "revoke":
            self.action_revoke(marked=False)  # the token the details showed, not the marked ones
        elif action == "reset":
            self.action_reset()
        elif action == "rotate":
            self.action_rotate()

    def action_author(self) -> None:
        from tokentui.console.screens.author import AuthorScreen

        token = self._selected()
        if token is not None:
            self.app.push_screen(
                AuthorScreen(token.author), lambda changed: self.reload() if changed else None
            )

    def action_revoke(self, marked: bool = True) -> None:
        from tokentui.console.screens.confirm import ConfirmScreen
        from tokentui.console.screens.details import why_not_revoke

        if marked and self.marks:
            self._revoke_marked()
            return
        token = self._selected()
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
            self.notify(f"Revoked {revoked.name!r} (…{revoked.last4}).")
            self.reload(keep_cursor=True)

    def action_reset(self) -> None:
        from tokentui.console.screens.confirm import ConfirmScreen

        token = self._selected()
        if token is None:
            return
        from tokentui.text import a_or_an

        if token.kind is not TokenKind.LEGACY_ACCESS:
            self.notify(
                f"Only legacy access tokens can be reset; this is {a_or_an(token.kind.label.lower())}.",
                severity="warning",
            )
            return
        question = Text.assemble(
            "Reset the access token ",
            inert(repr(token.name), "bold"),
            inert(
                f" of space {token.space!r}? The secret ending …{token.last4} stops working at once; "
                "the new secret is shown once."
            ),
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._reset(token), group="write")

        self.app.push_screen(ConfirmScreen("Reset token", question, "Reset"), confirmed)

    async def _reset(self, token: TokenView) -> None:
        app = self.app
        assert app.service is not None and app.actor is not None
        created = await app.call(app.service.reset, app.actor, token.id)
        if created is not None:
            if created.retired:
                self.notify(
                    f"Revoked your oldest, {', '.join(created.retired)}, to make way for it.", timeout=10
                )
            self.reveal(created)

    def action_rotate(self) -> None:
        from tokentui.console.screens.details import why_not_rotate
        from tokentui.console.screens.rotate import RotateScreen

        token = self._selected()
        if token is None:
            return
        if (
            refusal := why_not_rotate(token, self.app.service.now() if self.app.service else None)
        ) is not None:
            self.notify(refusal, severity="warning", timeout=4)
            return

        def chosen(grace: timedelta | None) -> None:
            if grace is not None:
                self.run_worker(self._rotate(token, grace), group="write")

        self.app.push_screen(RotateScreen(token), chosen)

    async def _rotate(self, token: TokenView, grace: timedelta) -> None:
        from tokentui.console.screens.reveal import RevealScreen
        from tokentui.console.screens.rotate import stops_in_words

        app = self.app
        assert app.service is not None and app.actor is not None
        rotated = await app.call(app.service.rotate, app.actor, token.id, grace or None)
        if rotated is None:
            return
        self.notify(stops_in_words(rotated.old, rotated.at_once), title="Rotated", timeout=10)
        new_id = rotated.created.token.id
        self.app.push_screen(
            RevealScreen(rotated.created), lambda _: self.reload(keep_cursor=True, follow=new_id)
        )

    # -- create -----------------------------------------------------------------

    def action_new(self) -> None:
        from tokentui.console.screens.create import CreateScreen

        if self.app.service is None:
            return
        self.app.push_screen(CreateScreen(), self._created)

    def _created(self, created: CreatedToken | None) -> None:
        if created is not None:
            if created.retired:
                self.notify(
                    f"Revoked your oldest, {', '.join(created.retired)}, to make way for it.", timeout=10
                )
            self.reveal(created)

    def reveal(self, created: CreatedToken) -> None:
        """Show a new secret once, then refresh the table."""
        from tokentui.console.screens.reveal import RevealScreen

        self.app.push_screen(RevealScreen(created), lambda _: self.reload(keep_cursor=True))

    # -- other screens ----------------------------------------------------------

    def action_audit(self) -> None:
        from tokentui.console.screens.audit import AuditScreen

        if self.app.actor is not None:
            self.app.push_screen(AuditScreen())

    def action_orgs(self) -> None:
        from tokentui.console.screens.orgs import OrgsScreen

        if len(self.app.organizations) < 2:
            self.notify("You belong to one organization only.", timeout=3)
            return
        self.app.push_screen(OrgsScreen(self.app.organizations), self._org_chosen)

    def _org_chosen(self, name: str | None) -> None:
        if name is not None and self.app.actor is not None and name != self.app.actor.org_name:
            self.filters = self.filters.cleared()
            self.finding = None
            self._set_marks({})
            self.app.switch_org(name)

    # -- users and findings -----------------------------------------------------

    # The finding the table shows (findings screen, enter), on top of the filters; c clears it.
    finding: Finding | None = None
    # At 80 columns Findings, then Users, leave the footer after the keys above (help lists them).
    FOOTER_DROPS_FIRST = (*FOOTER_DROPS_FIRST, "findings", "users")

    def action_users(self) -> None:
        from tokentui.console.screens.users import UsersScreen

        if self.app.actor is not None:
            self.app.push_screen(UsersScreen())

    def action_findings(self) -> None:
        from tokentui.console.screens.findings import FindingsScreen

        if self.app.actor is not None:
            self.app.push_screen(FindingsScreen(), self._finding_chosen)

    def _finding_chosen(self, finding: Finding | None) -> None:
        if finding is None:
            return
        self.finding = finding
        self.query_one("#search", Input).value = ""
        # Exactly the finding's tokens, everyone's as its count was: no other filter narrows them.
        self._apply(self.filters.cleared().with_(mine=False))

    def _with_finding(self, query: TokenQuery) -> TokenQuery:
        """``query`` narrowed by the finding shown: its questions replace the filters' answers to them."""
        from dataclasses import fields

        from tokentui.core.listing.queries import TokenQuery

        if self.finding is None:
            return query
        asked, plain = self.finding.query, TokenQuery()
        kept = {"mine", "sort", "descending"}
        return query.with_(
            **{
                field.name: getattr(asked, field.name)
                for field in fields(TokenQuery)
                if field.name not in kept and getattr(asked, field.name) != getattr(plain, field.name)
            }
        )

    def _finding_words(self) -> list[str]:
        """The finding shown, named as the findings screen names it, for the summary's filters."""
        return [self.finding.label] if self.finding is not None else []

    # -- live ---------------------------------------------------------------------

    def reload_if_changed_elsewhere(self) -> None:
        """The store changed (another admin, the CLI, the API, a sweep): read the table again as
        ctrl+r does, the cursor kept on its token, without a toast (nobody asked)."""
        self.reload(keep_cursor=True)

    # -- marks and bulk revoke (issue 21) -----------------------------------------

    def _set_marks(self, marks: dict[str, TokenView]) -> None:
        self.marks = marks
        self.table.marked = set(marks)
        self.table.refresh()
        self._show_summary()

    def action_mark(self) -> None:
        token = self._selected()
        if token is None:
            return
        marks = dict(self.marks)
        if marks.pop(token.id, None) is None:
            marks[token.id] = token
        self._set_marks(marks)

    def action_unmark(self) -> None:
        if self.marks:
            self._set_marks({})
            self.notify("Marks cleared.", timeout=2)

    def action_mark_all(self) -> None:
        self.run_worker(self._mark_all(), group="marks", exclusive=True)

    async def _mark_all(self) -> None:
        app = self.app
        if app.service is None or app.actor is None:
            return
        # Every match, not only the rows loaded: the ids come from the core for the same query.
        query = self._with_finding(self.filters.to_query(app.service.now()))
        service, actor = app.service, app.actor
        from tokentui.settings import LIMITS

        matching = await app.call(lambda: service.count_tokens(actor, query))
        if matching is None:
            return
        if matching > LIMITS.max_marks:
            self.notify(
                f"{matching:,} tokens match: * marks at most {LIMITS.max_marks:,}. Narrow the filter, "
                "or revoke them with the CLI (tokens revoke - reads their ids on standard input).",
                severity="warning",
                timeout=8,
            )
            return
        found = await app.call(lambda: {t.id: t for t in service.iter_tokens(actor, query)})
        if found is None:
            return
        self._set_marks({**self.marks, **found})
        noun = "token" if len(found) == 1 else "tokens"
        self.notify(f"Marked {len(found):,} {noun} (every match). r revokes them; U clears.", timeout=4)

    def _revoke_marked(self) -> None:
        from tokentui.console.bulk_revoke import ask_to_revoke

        marked = list(self.marks.values())
        ask_to_revoke(self, marked, lambda: self.run_worker(self._revoke_many(marked), group="write"))

    async def _revoke_many(self, marked: list[TokenView]) -> None:
        from tokentui.console.bulk_revoke import result_lines

        app = self.app
        assert app.service is not None and app.actor is not None
        result = await app.call(app.service.revoke_many, app.actor, [t.id for t in marked])
        if result is None:
            return
        self._set_marks({})
        lines = result_lines(result, marked)
        severity: SeverityLevel = "warning" if result.refused else "information"
        self.app.notify_lines(lines, title="Bulk revoke", severity=severity, timeout=12)
        self.reload(keep_cursor=True)

    # -- find a leaked secret, scan files for secrets, export (issue 21) ----------------------------------

    def action_find_secret(self) -> None:
        from tokentui.console.screens.find_secret import FindSecretScreen

        if self.app.service is not None:
            self.app.push_screen(
                FindSecretScreen(), lambda changed: self.reload(keep_cursor=True) if changed else None
            )

    def action_scan(self) -> None:
        from tokentui.console.screens.scan import ScanPathScreen, ScanScreen

        if self.app.service is None:
            return

        def chosen(path: str | None) -> None:
            if path is not None:
                self.app.push_screen(
                    ScanScreen(path), lambda changed: self.reload(keep_cursor=True) if changed else None
                )

        self.app.push_screen(ScanPathScreen(), chosen)

    def action_export(self) -> None:
        from tokentui.console.screens.export import ExportScreen

        if self.app.service is not None:
            self.app.push_screen(
                ExportScreen(self._with_finding(self.filters.to_query(self.app.service.now())))
            )
