"""Rotating a token from the console (issue 21): `t` on the table, or Rotate in the details."""

from __future__ import annotations

from datetime import timedelta

from rich.console import Console

from tests.conftest import OWNER, Clock, Org
from tests.console.conftest import said, screen_text, settle
from tokentui.console.screens.details import DetailsScreen
from tokentui.console.screens.help import help_table
from tokentui.console.screens.reveal import RevealScreen
from tokentui.console.screens.rotate import RotateScreen
from tokentui.console.widgets.token_table import TokenTable
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.vocabulary import Status, TokenKind

MANAGE = ["content_management_manage"]


async def test_rotating_with_a_7_day_grace_reveals_the_new_secret_and_moves_the_old_expiry(
    org: Org, console, clock: Clock
) -> None:
    clock.advance(minutes=1)
    old = org.service.create_token(org.owner, "personal", name="ci deploy", scopes=MANAGE, expires="30d")
    clock.advance(minutes=1)
    app = console(OWNER)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        table = app.home.query_one(TokenTable)
        assert table.current is not None and table.current.id == old.token.id  # the newest comes first
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, RotateScreen)
        text = said(app)
        assert "Re-issue the personal access token 'ci deploy'" in text and "30 days from now" in text
        for choice in ("now", "in 1 day", "in 7 days", "Rotate (ctrl+s)", "Cancel (esc)"):
            assert choice in text
        assert "(•) now" in screen_text(app) and "( ) in 7 days" in screen_text(app)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        # The choice differs in shape, not only in colour (NO_COLOR, a colour-blind eye).
        assert "( ) now" in screen_text(app) and "(•) in 7 days" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RevealScreen)
        [new] = [
            t
            for t in org.service.list_tokens(org.owner, TokenQuery(statuses=frozenset({Status.ACTIVE})))
            if t.name == "ci deploy" and t.id != old.token.id
        ]
        assert f"ends …{new.last4}" in said(app) and old.secret not in said(app)
        assert "keeps working until 2026-11-29 12:02 UTC" in said(app)
        stored = org.service.get_token(org.owner, old.token.id)
        assert stored.status is Status.ACTIVE and stored.expires_at == clock.now + timedelta(days=7)
        assert new.expires_at == clock.now + timedelta(days=30)
        await pilot.press("c", "escape")
        await settle(pilot)
        assert table.current is not None and table.current.id == new.id


async def test_the_key_on_a_revoked_token_says_why_not_and_opens_nothing(org: Org, console) -> None:
    gone = org.service.create_token(org.owner, "personal", name="old laptop", scopes=MANAGE)
    org.service.revoke(org.owner, gone.token.id)
    app = console(OWNER)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *gone.token.last4, "enter")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert not isinstance(app.screen, RotateScreen)
        assert f"'old laptop' (…{gone.token.last4}) was revoked on" in said(app)
        assert "nothing to rotate" in said(app)
    assert len(org.service.list_tokens(org.owner, TokenQuery(search="old laptop"))) == 1


async def test_rotate_from_the_details_and_cancel_changes_nothing(org: Org, console) -> None:
    made = org.service.create_token(org.owner, "personal", name="bot", scopes=MANAGE)
    app = console(OWNER)
    async with app.run_test(size=(120, 35), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *made.token.last4, "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen) and "Rotate (t)" in said(app)
        await pilot.click("#rotate")
        await settle(pilot)
        assert isinstance(app.screen, RotateScreen)
        await pilot.press("escape")
        await settle(pilot)
    assert org.service.get_token(org.owner, made.token.id).status is Status.ACTIVE
    assert len(org.service.list_tokens(org.owner, TokenQuery(search="bot"))) == 1


async def test_a_legacy_access_token_is_rotated_as_a_reset_at_once(org: Org, console) -> None:
    legacy = org.service.list_tokens(org.owner, TokenQuery(kinds=frozenset({TokenKind.LEGACY_ACCESS})))[0]
    app = console(OWNER)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *legacy.last4, "enter")
        await settle(pilot)
        await pilot.press("t")
        await settle(pilot)
        assert "so it is reset: the old secret stops working at once" in said(app)
        assert "in 7 days" not in said(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RevealScreen)
        assert f"The old secret (…{legacy.last4}) stopped working at once." in said(app)
    assert org.service.get_token(org.owner, legacy.id).revoked_reason == "reset"


def test_help_lists_the_rotate_key_and_the_dialog() -> None:
    console = Console(width=100, record=True)
    console.print(help_table())
    text = console.export_text()
    assert "Rotate token" in text
    assert any(line.split()[:2] == ["t", "Rotate"] for line in text.splitlines() if line.strip())


async def test_a_wide_footer_shows_the_rotate_key(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        footer = "".join(segment.text for segment in app.screen._compositor.render_strips()[-1])
        assert "t Rotate" in footer, footer
