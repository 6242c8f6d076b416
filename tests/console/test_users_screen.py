"""Issue 21: the users screen lists every member as ``users list`` does; f keeps those with no
space role, enter drills into one."""

from __future__ import annotations

from tests.conftest import CONTENT_MANAGER, DEVELOPER, OUTSIDER, OWNER, Org, run_cli
from tests.console.conftest import screen_text, settle
from tokentui.console.screens.author import AuthorScreen
from tokentui.console.screens.help import HelpScreen
from tokentui.console.screens.home import HomeScreen
from tokentui.console.screens.users import UsersScreen

HOSTILE = "[red]Eve[/red] [/]"


def _member_rows(app) -> list[str]:
    """The e-mails of the rows the users table shows, top to bottom."""
    table = app.screen.query_one("#users")
    return [str(key.value) for key in table.rows]


def _cli_emails(db_url: str, *flags: str) -> list[str]:
    import json

    result = run_cli("users", "list", "--json", *flags, db=db_url, actor=OWNER)
    assert result.code == 0, result.err
    return [row["email"] for row in json.loads(result.out)]


async def test_users_lists_every_member_and_f_keeps_those_with_no_space_role(
    org: Org, console, db_url: str
) -> None:
    org.service.add_member(org.owner, "eve@acme.test", "member", name=HOSTILE)
    org.service.create_token(org.developer, "personal", name="a", scopes=["content_management_read"])
    org.service.create_token(org.developer, "personal", name="b", scopes=["content_management_read"])
    app = console(OWNER)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        assert _member_rows(app) == _cli_emails(db_url)
        text = screen_text(app)
        # The hostile name is shown as typed, never read as markup.
        assert HOSTILE in text, text
        developer = next(line for line in text.splitlines() if DEVELOPER in line)
        for cell in ("member", " 2 ", "never", "Legacy, Website"):
            assert cell in developer, developer
        footer = text.splitlines()[-1]
        assert "f No space role" in footer and "esc Back" in footer, footer

        await pilot.press("f")
        await settle(pilot)
        expected = _cli_emails(db_url, "--no-space-role")
        assert expected == sorted([OUTSIDER, "eve@acme.test"])
        assert _member_rows(app) == expected
        assert "2 members with no space role" in screen_text(app)

        await pilot.press("f")
        await settle(pilot)
        assert _member_rows(app) == _cli_emails(db_url)

        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_enter_opens_the_author_drill_down_and_escape_comes_back(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        rows = _member_rows(app)
        for _ in range(rows.index(CONTENT_MANAGER)):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)
        assert app.screen.email == CONTENT_MANAGER
        assert "Website (content_manager)" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)


async def test_at_80_columns_the_e_mail_role_tokens_and_last_use_show(org: Org, console) -> None:
    org.service.add_member(org.owner, "someone.with.a.long.name@acme.test", "member", name="Someone Long")
    app = console(OWNER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "Member" in line and "Role" in line)
        for title in ("Spaces", "Tokens", "Last used"):
            assert title in header, header
        row = next(line for line in lines if "someone.with.a.long.name@acme.test" in line)
        assert "member" in row and "never" in row, row
        assert all(len(line) <= 80 for line in lines)


async def test_help_on_the_users_screen_starts_with_its_keys(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        assert "Users (this screen)" in text, text
        assert text.index("Users (this screen)") < text.index("Token table")


async def test_a_member_is_refused_the_users_screen(org: Org, console) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        said = [n.message for n in app._notifications]
        assert any("only organization owners and admins" in m for m in said), said


async def test_a_member_removed_in_the_drill_down_leaves_the_users_list(
    org: Org, console, db_url: str
) -> None:
    app = console(OWNER)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("u")
        await settle(pilot)
        for _ in range(_member_rows(app).index(OUTSIDER)):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, UsersScreen)
        assert OUTSIDER not in _member_rows(app)
        assert _member_rows(app) == _cli_emails(db_url)
        assert OUTSIDER not in [o.member.email for o in org.service.members_overview(org.owner)]
