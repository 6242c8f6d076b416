"""Issue 22's defects in the console's dialogs: say what will happen, and offer only what can be done."""

from __future__ import annotations

from tests.conftest import DEVELOPER, OWNER, Clock, Org
from tests.console.conftest import SIZE, choose, said, screen_text, settle
from tokentui.console.screens.author import AuthorScreen
from tokentui.console.screens.confirm import ConfirmScreen
from tokentui.console.screens.create import CreateScreen
from tokentui.console.screens.details import DetailsScreen
from tokentui.console.screens.reveal import RevealScreen
from tokentui.core.listing.queries import TokenQuery


async def test_a_21st_authtoken_names_the_one_it_revokes_before_and_after(
    org: Org, console, clock: Clock
) -> None:
    for n in range(20):
        org.service.create_token(org.developer, "session", name=f"login {n}")
        clock.advance(seconds=1)
    oldest = org.service.list_tokens(org.developer, TokenQuery(search="login 0"))[0]
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"one more")
        await choose(pilot, "#kind", "session")
        await settle(pilot)
        assert isinstance(app.screen, CreateScreen)
        before = " ".join(str(app.screen.query_one("#kind-note").render()).split())
        assert f"revokes your oldest, 'login 0' (…{oldest.last4})" in before, before
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RevealScreen)
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert f"Revoked your oldest, 'login 0' (…{oldest.last4})" in toasts, toasts
    events = org.service.audit(org.owner, action="token.revoke")
    summary = next(e.summary for e in events if oldest.last4 in e.summary and "exceeded" in e.summary)
    assert "revoked" in summary and "expired" not in summary


MANAGE = ["content_management_manage"]


async def _select(pilot, last4: str) -> None:
    await pilot.press("slash", *last4, "enter")
    await settle(pilot)


async def test_r_on_a_revoked_token_says_why_not_instead_of_asking(org: Org, console) -> None:
    made = org.service.create_token(org.developer, "personal", name="gone", scopes=MANAGE)
    org.service.revoke(org.developer, made.token.id)
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        await pilot.press("r")
        await settle(pilot)
        assert not isinstance(app.screen, ConfirmScreen)
        assert "was already revoked on" in said(app)


async def test_details_of_a_revoked_token_offer_no_revoke(org: Org, console) -> None:
    made = org.service.create_token(org.developer, "personal", name="gone", scopes=MANAGE)
    org.service.revoke(org.developer, made.token.id)
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        assert not app.screen.query("#revoke")
        assert "Revoke (r)" not in said(app)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        assert "was already revoked on" in said(app)


async def test_removing_the_last_owner_says_no_before_listing_consequences(org: Org, console) -> None:
    org.service.create_token(org.owner, "personal", name="owner pat", scopes=MANAGE)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, "owner pat")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "the last owner cannot be removed" in toasts


async def test_author_modal_tab_reaches_back_first_and_enter_opens_a_token(org: Org, console) -> None:
    made = org.service.create_token(org.developer, "personal", name="dev pat", scopes=MANAGE)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        await pilot.press("a")
        await settle(pilot)
        author = app.screen
        assert isinstance(author, AuthorScreen)
        await pilot.press("tab")
        assert author.focused is not None and author.focused.id == "back"
        await pilot.press("shift+tab")
        assert author.focused is not None and author.focused.id == "author-tokens"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        assert app.screen.token.id == made.token.id


async def test_a_removed_user_shows_no_remove_button(org: Org, console) -> None:
    made = org.service.create_token(org.developer, "personal", name="dev pat", scopes=MANAGE)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        org.service.remove_member(org.owner, DEVELOPER)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)
        assert not app.screen.query_one("#remove").display
        assert "Remove from organization" not in said(app)


async def test_the_reveal_gives_the_export_line_with_the_secret_only_in_the_copy(
    org: Org, console, monkeypatch
) -> None:
    import pyperclip

    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"exported")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RevealScreen)
        secret = str(app.screen.query_one("#secret").render()).strip()
        text = said(app)
        assert "export CONTENTFUL_MANAGEMENT_TOKEN=…" in text
        assert "VCS ignore list" in text
        assert screen_text(app).count(secret) == 1  # never on screen twice
        await pilot.press("e")
        await pilot.pause()
        assert copied == [f"export CONTENTFUL_MANAGEMENT_TOKEN={secret}"]


async def test_clicking_an_author_cell_opens_the_author(org: Org, console) -> None:
    from tokentui.console.widgets.token_columns import GAP, column_widths
    from tokentui.console.widgets.token_table import TokenTable

    org.service.create_token(org.developer, "personal", name="dev pat", scopes=MANAGE)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = app.screen.query_one(TokenTable)
        x = 0
        for column, width in column_widths(table._table_width(), table.sort_key):
            if column.key == "author":
                break
            x += width + GAP
        await pilot.click(TokenTable, offset=(x + 1, 1))
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)
        assert app.screen.email == table.current.author


async def test_wording_an_authtoken_an_access_token(org: Org, console) -> None:
    from tokentui.console.screens.create import a_or_an

    assert a_or_an("access token (legacy)") == "an access token (legacy)"
    assert a_or_an("authtoken") == "an authtoken"
    assert a_or_an("delivery token") == "a delivery token"
    made = org.service.create_token(org.developer, "session", name="login")
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        await pilot.press("R")
        await settle(pilot)
        assert "this is an authtoken" in said(app)


async def test_the_first_run_toast_shows_no_backticks(console, tmp_path) -> None:
    from tokentui.console.app import TokentuiApp

    app = TokentuiApp(db=f"sqlite:///{tmp_path / 'fresh.db'}")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "tokentui init" in toasts and "`" not in toasts


async def test_no_email_reminder_switch_for_a_token_that_never_expires(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"forever")
        await choose(pilot, "#kind", "management")
        await choose(pilot, "#space", "Website")
        await choose(pilot, "#expiry", "30d")
        assert app.screen.query_one("#notify").display
        await choose(pilot, "#expiry", "never")
        assert not app.screen.query_one("#notify").display
        await pilot.press("ctrl+s")
        await settle(pilot)
    made = org.service.list_tokens(org.owner, TokenQuery(search="forever"))[0]
    assert made.expires_at is None


async def test_m_says_something_for_a_member(org: Org, console) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("m")
        await settle(pilot)
        toasts = " ".join(str(n.message) for n in app._notifications)
        assert "As a member you see only your own" in toasts


async def test_the_filters_cleared_toast_never_covers_the_details_buttons(org: Org, console) -> None:
    """Issue 22 item 19: c then enter at 80x24 showed the toast over Revoke; and c with nothing
    to clear said "Filters cleared." anyway."""
    app = console(OWNER)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert "Filters cleared." not in said(app)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)
        assert "Filters cleared." in said(app)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        assert "Filters cleared." not in said(app) and "Revoke" in said(app)
