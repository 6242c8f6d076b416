"""The users screen: every member with their role, spaces, teams and tokens (owners and admins)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from tokentui.console.screens.author import describe_spaces
from tokentui.console.widgets.key_footer import KeyFooter
from tokentui.console.widgets.list_table import ListTable
from tokentui.core.dates import relative
from tokentui.text import inert

if TYPE_CHECKING:
    from datetime import datetime

    from tokentui.console.app import TokentuiApp
    from tokentui.core.people.members import MemberOverview

# Below this width the columns of least use (SSO bypass, teams) leave the table; the author
# drill-down (enter) still shows them.
WIDE = 110

ALL_COLUMNS = (
    ("Member", "member"),
    ("Role", "role"),
    ("SSO", "sso"),
    ("Spaces", "spaces"),
    ("Teams", "teams"),
    ("Tokens", "tokens"),
    ("Last used", "last_used"),
)
NARROW_DROPS = frozenset({"sso", "teams"})


def _member_width(table_width: int) -> int:
    """The widest the Member column gets: on a narrow screen what Role, Spaces (at its least),
    Tokens and Last used leave; on a wide one no more than an e-mail and a name need."""
    if table_width < WIDE:
        return max(24, table_width - 46)
    return min(56, table_width * 3 // 8)


def _teams_width(table_width: int) -> int:
    return max(8, table_width // 10)


def _cut(text: Text) -> Text:
    """``text`` kept to one line, cut with an ellipsis where its column ends."""
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def spaces_cell(overview: MemberOverview) -> str:
    """What the member reaches: owners and admins every space, anyone else their roles."""
    member = overview.member
    if member.role.is_admin and not member.spaces:
        return f"every space (org {member.role.value})"
    return describe_spaces(member)


def cells(overview: MemberOverview, now: datetime, *, names: bool = True) -> dict[str, Text]:
    """One member's row, every cell inert text (names and e-mails are untrusted).

    Without ``names`` (a narrow screen) the member is their e-mail alone: the drill-down names them.
    """
    member = overview.member
    name = f" ({member.name})" if member.name and names else ""
    who = Text.assemble(inert(member.email), inert(name, "dim"))
    return {
        "member": _cut(who),
        "role": inert(member.role.value),
        "sso": inert("yes" if member.sso_bypass else "no"),
        "spaces": _cut(inert(spaces_cell(overview))),
        "teams": _cut(inert(", ".join(member.teams) or "-")),
        "tokens": Text(str(overview.tokens), justify="right"),
        "last_used": inert(relative(overview.last_used_at, now)),
    }


class UsersScreen(Screen[None]):
    """The organization's members; `f` keeps those with no space role, enter drills into one."""

    app: TokentuiApp

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("f", "no_space_role", "No space role / all"),
        Binding("enter", "open", "Member", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.no_space_role = False
        self.overview: list[MemberOverview] = []
        self.wide: bool | None = None  # which set of columns the table has

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the members…", id="users-summary", markup=False)
        yield ListTable(
            id="users",
            cursor_type="row",
            zebra_stripes=True,
            flex="spaces",
            flex_min=10,
            caps={"member": _member_width, "teams": _teams_width},
        )
        yield KeyFooter()

    @property
    def table(self) -> ListTable:
        """The members table."""
        return self.query_one("#users", ListTable)

    def on_mount(self) -> None:
        self.table.focus()
        self.reload()

    def on_resize(self, event: events.Resize) -> None:
        if (event.size.width >= WIDE) != self.wide:
            self._fill()

    @work(exclusive=True, group="users")
    async def reload(self) -> None:
        """Read the members again, with the current filter."""
        app = self.app
        assert app.service is not None and app.actor is not None
        overview = await app.call(app.service.members_overview, app.actor, no_space_role=self.no_space_role)
        if overview is None:  # refused (not an owner or admin): the toast says why
            self.dismiss()
            return
        self.overview = overview
        self._fill()

    def _fill(self) -> None:
        """Show ``self.overview`` with the columns the width has room for, the cursor kept on its member."""
        app = self.app
        if app.service is None:
            return
        table = self.table
        current = self.current
        self.wide = self.size.width >= WIDE
        columns = [(t, k) for t, k in ALL_COLUMNS if self.wide or k not in NARROW_DROPS]
        table.clear(columns=True)
        for title, key in columns:
            table.add_column(title, key=key)
        now = app.service.now()
        for overview in self.overview:
            row = cells(overview, now, names=self.wide)
            table.add_row(*(row[key] for _, key in columns), key=overview.member.email)
        if current is not None:
            emails = [o.member.email for o in self.overview]
            if current in emails:
                table.move_cursor(row=emails.index(current))
        count = len(self.overview)
        noun = "member" if count == 1 else "members"
        if self.no_space_role:
            words = f"{count} {noun} with no space role (f shows everyone)"
        else:
            words = f"{count} {noun} (f: only those with no space role) · enter shows a member"
        self.query_one("#users-summary", Static).update(inert(words))

    @property
    def current(self) -> str | None:
        """The e-mail of the member under the cursor."""
        table = self.table
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key
        return str(key.value)

    def action_no_space_role(self) -> None:
        self.no_space_role = not self.no_space_role
        self.reload()

    def action_back(self) -> None:
        self.dismiss()

    @on(DataTable.RowSelected, "#users")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self._open(str(event.row_key.value))

    def action_open(self) -> None:
        if (email := self.current) is not None:
            self._open(email)

    def _open(self, email: str) -> None:
        from tokentui.console.screens.author import AuthorScreen

        def closed(changed: bool | None) -> None:
            if changed:
                # A member removed or a token revoked: both lists behind show it.
                self.reload()
                self.app.home.reload(keep_cursor=True)

        self.app.push_screen(AuthorScreen(email), closed)
