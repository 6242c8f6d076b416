"""The author drill-down: a member's role, spaces, teams and tokens, and removal."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, Static

from tokentui.console.screens.details import fields_table, when
from tokentui.console.widgets.list_table import ListTable
from tokentui.console.widgets.token_columns import short_date
from tokentui.core.vocabulary import SPACE_KINDS, USER_KINDS, Status
from tokentui.text import inert

if TYPE_CHECKING:
    from tokentui.console.app import TokentuiApp
    from tokentui.core.results import MemberView, TokenView

SHOWN_TOKENS = 200


def describe_spaces(member: MemberView) -> str:
    """The member's spaces with their roles, folded when one role covers them all."""
    if not member.spaces:
        return "none"
    roles = {access.role for access in member.spaces}
    if len(member.spaces) > 1 and len(roles) == 1:
        names = ", ".join(access.space for access in member.spaces)
        return f"{roles.pop()} in {len(member.spaces)} spaces: {names}"
    return ", ".join(f"{access.space} ({access.role})" for access in member.spaces)


class AuthorScreen(ModalScreen[bool]):
    """One author; dismisses with True when something changed (they were removed, a token revoked)."""

    app: TokentuiApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("x", "remove", "Remove from organization"),
    ]

    # The token list has the focus first; Tab reaches Back before the destructive Remove.
    AUTO_FOCUS = "#author-tokens"

    def __init__(self, email: str) -> None:
        super().__init__()
        self.email = email
        self.member: MemberView | None = None
        self.user_tokens = 0
        self.space_tokens = 0
        self.refusal: str | None = None  # why the actor may not remove this author
        self.tokens: dict[str, TokenView] = {}
        self.changed = False  # a token was revoked here: the table behind reloads

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog author"):
            yield Label(inert(self.email), classes="dialog-title")
            yield Static("Loading…", id="member", markup=False)
            yield Static("", id="token-count", markup=False)
            table = ListTable(id="author-tokens", cursor_type="row", zebra_stripes=True)
            for label in ("Name", "Kind", "Status", "Expires", "Last 4", "Space"):
                table.add_column(label, key=label.lower())
            yield table
            with Horizontal(classes="buttons"):
                yield Button("Back (esc)", id="back", compact=True)
                yield Button(
                    "Remove from organization (x)", variant="error", id="remove", disabled=True, compact=True
                )

    def on_mount(self) -> None:
        self.run_worker(self._load(), exclusive=True)

    async def _load(self) -> None:
        from asyncio import to_thread

        from tokentui.core.errors import TokentuiError
        from tokentui.core.listing.queries import TokenQuery

        app = self.app
        service, actor = app.service, app.actor
        assert service is not None and actor is not None
        try:
            self.member = await to_thread(service.member, actor, self.email)
            self.refusal = await to_thread(service.removal_refusal, actor, self.email)
        except TokentuiError as refused:  # not a member any more, or the actor no longer may look
            self.query_one("#member", Static).update(inert(f"{refused}.", "bold"))
            # Nothing to remove: no Remove button (only what can be done is offered).
            self.query_one("#remove", Button).display = False
        mine = TokenQuery(author=self.email)
        tokens = await app.call(service.list_tokens, actor, mine, limit=SHOWN_TOKENS)
        active = frozenset({Status.ACTIVE})
        self.user_tokens = (
            await app.call(service.count_tokens, actor, mine.with_(kinds=USER_KINDS, statuses=active)) or 0
        )
        self.space_tokens = (
            await app.call(service.count_tokens, actor, mine.with_(kinds=SPACE_KINDS, statuses=active)) or 0
        )
        total = await app.call(service.count_tokens, actor, mine) or 0
        if self.member is not None:
            self._show_member(self.member)
        self._show_tokens(tokens or [], total)

    def _show_member(self, member: MemberView) -> None:
        org = self.app.actor.org_name if self.app.actor else ""
        spaces = describe_spaces(member)
        rows = [
            ("Name", member.name or "-"),
            ("Role", f"{member.role.value} of {org}"),
            ("SSO bypass", "yes" if member.sso_bypass else "no"),
            ("Member since", when(member.joined_at)),
            ("Spaces", spaces),
            ("Teams", ", ".join(member.teams) or "none"),
        ]
        self.query_one("#member", Static).update(fields_table(rows))
        self.query_one("#remove", Button).disabled = False

    def _show_tokens(self, tokens: list[TokenView], total: int) -> None:
        shown = f" (the newest {len(tokens)} below)" if total > len(tokens) else ""
        self.query_one("#token-count", Static).update(
            inert(
                f"{total} token{'s' if total != 1 else ''} you can see{shown}; "
                f"{self.user_tokens} active personal/OAuth/authtokens, {self.space_tokens} active space tokens."
            )
        )
        table = self.query_one("#author-tokens", DataTable)
        self.tokens = {token.id: token for token in tokens}
        for token in tokens:
            table.add_row(
                *(
                    inert(cell)
                    for cell in (
                        token.name,
                        token.kind.spec.short_label,
                        token.status_label,
                        short_date(token.expires_at),
                        token.last4,
                        token.space or "-",
                    )
                ),
                key=token.id,
            )

    @on(DataTable.RowSelected, "#author-tokens")
    def _open_token(self, event: DataTable.RowSelected) -> None:
        """Enter on a token row shows its details, as in the token table."""
        from tokentui.console.screens.details import DetailsScreen

        token = self.tokens.get(str(event.row_key.value))
        if token is not None:
            self.app.push_screen(DetailsScreen(token), lambda action: self._after_details(token, action))

    def _after_details(self, token: TokenView, action: str | None) -> None:
        from tokentui.console.screens.confirm import ConfirmScreen

        if action != "revoke":
            return

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._revoke(token), group="write")

        question = Text.assemble(
            f"Revoke the {token.kind.label.lower()} ",
            inert(repr(token.name), "bold"),
            inert(f" (…{token.last4})? It stops working at once; this cannot be undone."),
        )
        self.app.push_screen(ConfirmScreen("Revoke token", question, "Revoke"), confirmed)

    async def _revoke(self, token: TokenView) -> None:
        app = self.app
        assert app.service is not None and app.actor is not None
        revoked = await app.call(app.service.revoke, app.actor, token.id)
        if revoked is not None:
            self.notify(f"Revoked {revoked.name!r} (…{revoked.last4}).")
            self.tokens[token.id] = revoked
            table = self.query_one("#author-tokens", DataTable)
            table.update_cell(token.id, "status", inert(revoked.status_label))
            self.changed = True

    @on(Button.Pressed, "#back")
    def action_back(self) -> None:
        self.dismiss(self.changed)

    @on(Button.Pressed, "#remove")
    def action_remove(self) -> None:
        from tokentui.console.screens.confirm import ConfirmScreen

        if self.member is None or self.app.actor is None:
            return
        if self.refusal is not None:
            # Say no before listing what a removal would do.
            self.notify(
                f"You cannot remove {self.member.email}: {self.refusal}.", severity="warning", timeout=6
            )
            return
        org = self.app.actor.org_name or "this organization"
        question = Text.assemble(
            "Remove ",
            inert(self.member.email, "bold"),
            inert(f" from {org}?"),
            "\n\n",
            inert(
                f"• Their {self.user_tokens} active personal, OAuth and authtokens lose access to {org} "
                "at once and leave this organization's token list (they still work in the author's other "
                "organizations)."
            ),
            "\n",
            f"• Their {self.space_tokens} active space tokens stay with their spaces; revoke them separately "
            "if needed.\n",
            "• Their space roles and team memberships here are removed.",
        )

        def confirmed(yes: bool | None) -> None:
            if yes:
                self.run_worker(self._remove(), exclusive=True)

        self.app.push_screen(ConfirmScreen("Remove from organization", question, "Remove"), confirmed)

    async def _remove(self) -> None:
        app = self.app
        assert app.service is not None and app.actor is not None
        removed = await app.call(app.service.remove_member, app.actor, self.email)
        if removed is not None:
            self.notify(
                f"Removed {removed.email}; {removed.tokens_cut_off} of their tokens no longer reach "
                f"{app.actor.org_name}.",
            )
            self.dismiss(True)
