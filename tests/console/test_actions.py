"""Details, revoke, reset, the author drill-down and removal, the audit log, help and the palette."""

from __future__ import annotations

from rich.console import Console

from tests.conftest import ADMIN, DEVELOPER, OWNER, Org
from tests.console.conftest import SIZE, queue_keys, said, settle, table_text
from tokentui.console.screens.author import AuthorScreen
from tokentui.console.screens.details import DetailsScreen
from tokentui.console.screens.help import HelpScreen, help_table
from tokentui.console.screens.reveal import RevealScreen
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.vocabulary import Status, TokenKind

MANAGE = ["content_management_manage"]


async def _select(pilot, last4: str) -> None:
    """Search for a token by its last four characters and put the cursor on it."""
    await pilot.press("slash", *last4, "enter")
    await settle(pilot)


async def test_enter_shows_every_field_of_a_token(org: Org, console) -> None:
    made = org.service.create_token(
        org.developer, "delivery", name="site", space="Website", environment="staging", branches=["next"]
    )
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        text = said(app)
        for shown in (
            "Delivery token",
            "dev@acme.test",
            "Website",
            "staging",
            "next",
            made.token.last4,
            "active",
        ):
            assert shown in text


async def test_details_read_dates_both_ways(org: Org, console, clock) -> None:
    """Issue 21: the date, and how far it is from now, where a person reads them."""
    from datetime import timedelta

    made = org.service.create_token(org.developer, "personal", name="dated", scopes=MANAGE, expires="30d")
    clock.advance(days=3)
    org.service.mark_used([made.token.id], clock.now - timedelta(hours=5))
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        await pilot.press("enter")
        await settle(pilot)
        text = said(app)
        assert f"{made.token.created_at:%Y-%m-%d %H:%M} UTC (3 days ago)" in text
        assert "UTC (in 27 days)" in text and "UTC (5 hours ago)" in text


async def test_revoke_asks_naming_the_token_then_revokes_it(org: Org, console) -> None:
    made = org.service.create_token(org.owner, "personal", name="old laptop", scopes=MANAGE)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        await pilot.press("r")
        await settle(pilot)
        assert f"Revoke the personal access token 'old laptop' (…{made.token.last4})?" in said(app)
        await pilot.press("n")
        await settle(pilot)
        assert org.service.get_token(org.owner, made.token.id).status is Status.ACTIVE
        await pilot.press("r", "y")
        await settle(pilot)
        assert org.service.get_token(org.owner, made.token.id).status is Status.REVOKED
        assert "✕ revoked" in table_text(app)
        assert "Revoked 'old laptop'" in said(app)


async def test_a_refused_revoke_says_why_and_changes_nothing(org: Org, console) -> None:
    made = org.service.create_token(org.developer, "personal", name="dev pat", scopes=MANAGE)
    app = console(ADMIN)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        await pilot.press("r", "y")
        await settle(pilot)
        assert "only its author can revoke a personal access token" in said(app)
    assert org.service.get_token(org.developer, made.token.id).status is Status.ACTIVE


async def test_reset_gives_the_legacy_access_token_a_new_secret_shown_once(org: Org, console) -> None:
    legacy = org.service.list_tokens(org.owner, TokenQuery(kinds=frozenset({TokenKind.LEGACY_ACCESS})))[0]
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, legacy.last4)
        await pilot.press("R")
        await settle(pilot)
        assert "stops working at once" in said(app) and "Legacy" in said(app)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, RevealScreen)
        await pilot.press("c", "escape")
        await settle(pilot)
    assert org.service.get_token(org.owner, legacy.id).revoked_reason == "reset"
    fresh = org.service.list_tokens(
        org.owner, TokenQuery(kinds=frozenset({TokenKind.LEGACY_ACCESS}), statuses=frozenset({Status.ACTIVE}))
    )
    assert len(fresh) == 1 and fresh[0].id != legacy.id


async def test_reset_is_only_for_legacy_access_tokens(org: Org, console) -> None:
    made = org.service.create_token(org.owner, "personal", name="not legacy", scopes=MANAGE)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        await pilot.press("R")
        await settle(pilot)
        assert "Only legacy access tokens can be reset" in said(app)


async def test_author_drill_down_then_removal_drops_their_tokens_from_the_table(org: Org, console) -> None:
    org.service.add_team(org.owner, "Platform", [DEVELOPER])
    made = org.service.create_token(org.developer, "personal", name="dev pat", scopes=MANAGE)
    org.service.create_token(
        org.developer, "delivery", name="dev site", space="Website", environment="production"
    )
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, AuthorScreen)
        text = said(app)
        assert "member of Acme" in text
        assert "developer in 2 spaces: Legacy, Website" in text
        assert "Platform" in text and "dev pat" in text and "dev site" in text
        await pilot.press("x")
        await settle(pilot)
        text = said(app)
        assert "Remove dev@acme.test from Acme?" in text
        assert "Their 1 active personal, OAuth and authtokens lose access to Acme" in text
        assert "Their 1 active space tokens stay with their spaces" in text
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is app.home
        await pilot.press("c")
        await settle(pilot)
        assert "dev pat" not in table_text(app)
        assert "dev site" in table_text(app)
    assert DEVELOPER not in [m.email for m in org.service.members(org.owner)]


async def test_an_author_refused_after_a_demotion_says_why_and_the_console_stays(org: Org, console) -> None:
    made = org.service.create_token(org.developer, "personal", name="dev pat", scopes=MANAGE)
    app = console(ADMIN)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        # Another owner makes this admin a member while the console is open.
        org.service.remove_member(org.owner, ADMIN)
        org.service.add_member(org.owner, ADMIN, "member")
        await pilot.press("a")
        await settle(pilot)
        assert app.is_running
        assert "only organization owners and admins" in said(app)


async def test_audit_log_lists_events_newest_first_and_filters(org: Org, console) -> None:
    made = org.service.create_token(org.owner, "personal", name="audited", scopes=MANAGE)
    org.service.revoke(org.owner, made.token.id)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        text = said(app)
        assert "token.revoke" in text and "token.create" in text and "member.add" in text
        assert text.index("token.revoke") < text.index("member.add")
        await pilot.press("slash", *"audited")
        await settle(pilot)
        text = said(app)
        assert "2 events" in text and "member.add" not in text
        await pilot.press(*["backspace"] * len("audited"), *"revoked")  # the revocation alone
        await settle(pilot)
        assert "1 event, newest first" in said(app)
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert app.screen is app.home


async def test_audit_search_typed_fast_after_slash_lands_in_the_search_box(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        # Queued together: "a" focuses the action filter and "m" loads more, had they reached the screen.
        queue_keys(app, ("slash", "/"), ("a", "a"), ("m", "m"))
        await settle(pilot)
        search = app.screen.query_one("#audit-search")
        assert search.value == "am" and app.screen.focused is search


async def test_members_cannot_open_the_audit_log(org: Org, console) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert "only organization owners and admins can read the audit log" in said(app)
        assert app.screen is app.home


async def test_help_lists_every_binding(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen) and "Keys" in said(app)
        console_ = Console(width=100, record=True)
        console_.print(help_table())  # what the screen's scrollable body shows
        text = " ".join(console_.export_text().split())
        for key, words in [
            ("/", "Search"),
            ("f", "Filters"),
            ("n", "New"),
            ("a", "Author"),
            ("r", "Revoke"),
            ("R", "Reset"),
            ("l", "Audit"),
            ("e", "Expiring"),
            ("c", "Clear filters"),
            ("ctrl+p", "Command palette"),
            ("q", "Quit"),
            ("esc", "Back"),
        ]:
            assert f"{key} {words}" in text, key


async def test_the_command_palette_offers_every_action(org: Org, console) -> None:
    made = org.service.create_token(org.owner, "personal", name="palette", scopes=MANAGE)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        await pilot.press("ctrl+p")
        await pilot.press(*"revoke the")
        await settle(pilot)
        assert "Revoke the selected token" in said(app)
        await pilot.press("enter")
        await settle(pilot)
        assert "Revoke the personal access token 'palette'" in said(app)
        await pilot.press("y")
        await settle(pilot)
    assert org.service.get_token(org.owner, made.token.id).status is Status.REVOKED


async def test_an_expired_token_says_when_it_expired(org: Org, console, clock) -> None:
    made = org.service.create_token(org.owner, "personal", name="lapsed", expires="2d", scopes=MANAGE)
    clock.advance(days=3)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _select(pilot, made.token.last4)
        assert "◌ expired" in table_text(app)
        await pilot.press("enter")
        await settle(pilot)
        assert "expired on 2026-11-24 12:00 UTC" in said(app)
