"""Issue 22's defects in the create dialog: where the cursor starts, fast typing, leaving a filled form."""

from __future__ import annotations

from textual.widgets import Input, Select, SelectionList
from textual.widgets._select import SelectOverlay

from tests.conftest import DEVELOPER, Org
from tests.console.conftest import SIZE, choose, queue_keys, said, settle
from tokentui.console.screens.confirm import ConfirmScreen
from tokentui.console.screens.create import CreateScreen
from tokentui.console.screens.home import HomeScreen
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.vocabulary import TokenKind
from tokentui.settings import LIMITS


async def test_keys_typed_right_after_n_land_in_name_in_order(org: Org, console) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # `n` and the name in one burst, before the dialog has loaded its kinds.
        queue_keys(app, ("n", "n"), *(("space" if char == " " else char, char) for char in "ci deploys"))
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CreateScreen)
        assert dialog.query_one("#name", Input).value == "ci deploys"
        assert dialog.focused is dialog.query_one("#name", Input)


async def test_the_kind_dropdown_offers_no_loading_option(org: Org, console) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, CreateScreen)
        kinds = dialog.query_one("#kind", Select)
        assert kinds.value == "personal"
        await pilot.click("#kind")
        await pilot.pause()
        offered = [str(option.prompt) for option in kinds.query_one(SelectOverlay).options]
        assert offered[0] == TokenKind.PERSONAL.label, offered
        assert not any("Loading" in label for label in offered), offered


async def test_esc_on_a_filled_form_asks_before_discarding(org: Org, console) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"half typed")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Discard this token?" in said(app)
        await pilot.press("n")  # keep editing
        await settle(pilot)
        assert isinstance(app.screen, CreateScreen)
        assert app.screen.query_one("#name", Input).value == "half typed"
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert org.service.count_tokens(org.developer) == 0


async def test_esc_on_an_empty_form_just_closes(org: Org, console) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)


async def test_the_custom_date_field_is_on_screen_when_focused_at_80x24(org: Org, console) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"dated")
        await choose(pilot, "#expiry", "custom")
        await settle(pilot)
        dialog = app.screen
        field = dialog.query_one("#custom-date", Input)
        assert dialog.focused is field
        form = dialog.query_one("#form")
        assert form.content_region.contains_region(field.region), (form.content_region, field.region)


async def test_custom_date_errors_use_the_consoles_words_and_say_the_limit(org: Org, console, clock) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"dated")
        await choose(pilot, "#expiry", "custom")
        await pilot.press(*"tomorrow")
        await settle(pilot)
        error = " ".join(str(app.screen.query_one("#error").render()).split())
        assert "type it as YYYY-MM-DD" in error and "duration" not in error, error
        field = app.screen.query_one("#custom-date", Input)
        field.value = ""
        await pilot.press(*"2099-01-01")
        await settle(pilot)
        error = " ".join(str(app.screen.query_one("#error").render()).split())
        latest = (clock.now + LIMITS.max_expiry).date().isoformat()
        assert f"at most {LIMITS.max_expiry.days} days, so {latest} at the latest" in error, error


async def test_the_first_space_after_tabbing_into_branches_toggles_the_first_row(org: Org, console) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"site")
        await choose(pilot, "#kind", "delivery")
        await choose(pilot, "#space", "Website")
        await choose(pilot, "#environment", "staging")
        dialog = app.screen
        branches = dialog.query_one("#branches", SelectionList)
        for _ in range(10):
            if dialog.focused is branches:
                break
            await pilot.press("tab")
        assert dialog.focused is branches
        await pilot.press("space")
        await settle(pilot)
        assert branches.selected == ["main"]
        await pilot.press("ctrl+s")
        await settle(pilot)
    token = org.service.list_tokens(org.developer, TokenQuery(search="site"))[0]
    assert token.branches == ("main",)
