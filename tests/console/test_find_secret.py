"""F finds the token a leaked secret belongs to, never showing the secret, and r revokes it."""

from __future__ import annotations

from textual.widgets import Input

from tests.conftest import DEVELOPER, OWNER, Org
from tests.console.conftest import SIZE, paste, said, screen_text, settle
from tokentui.console.screens.confirm import ConfirmScreen
from tokentui.console.screens.find_secret import FindSecretScreen
from tokentui.core.vocabulary import Status

MANAGE = ["content_management_manage"]


def _answer(app) -> str:
    """What the dialog says of the token found (empty when none was)."""
    from textual.widgets import Static

    answer = app.screen.query_one("#find-answer", Static)
    lines = answer.render_lines(answer.size.region)
    return " ".join(" ".join(line.text for line in lines).split())


async def _find(pilot, secret: str) -> None:
    await pilot.press("F")
    await settle(pilot)
    assert isinstance(pilot.app.screen, FindSecretScreen)
    await paste(pilot, secret)  # as a leaked secret is given: pasted (typing one is in the tests below)
    # Pasted in full, the field shows dots only.
    assert secret[:8] not in screen_text(pilot.app)
    await pilot.press("enter")
    await settle(pilot)


async def test_a_secret_finds_its_token_and_is_never_shown(org: Org, console) -> None:
    made = org.service.create_token(org.developer, "personal", name="leaked laptop", scopes=MANAGE)
    org.service.verify(made.secret, "content.read")
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _find(pilot, made.secret)
        text = said(app)
        assert "leaked laptop" in _answer(app)
        for shown in ("leaked laptop", "Personal access token", DEVELOPER, "active", "2026-11-22 (just now)"):
            assert shown in text
        assert made.secret not in screen_text(app)
        assert made.secret[:12] not in screen_text(app)
        # The field no longer holds it once sent.
        assert app.screen.query_one("#secret-input", Input).value == ""


async def test_r_revokes_the_token_found_after_a_question(org: Org, console) -> None:
    made = org.service.create_token(org.owner, "personal", name="pasted in chat", scopes=MANAGE)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _find(pilot, made.secret)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Revoke the personal access token 'pasted in chat'" in said(app)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, FindSecretScreen)
        assert "Revoked 'pasted in chat'" in said(app)
        assert "revoked" in said(app)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, FindSecretScreen)
    assert org.service.get_token(org.owner, made.token.id).status is Status.REVOKED


async def test_an_unknown_secret_says_so_and_a_malformed_one_gets_one_line(org: Org, console) -> None:
    from tokentui.core.tokens.secret_format import generate
    from tokentui.core.vocabulary import TokenKind

    made = org.service.create_token(org.owner, "personal", name="mine", scopes=MANAGE)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _find(pilot, "not-a-secret")
        assert "That is not a tokentui secret (wrong prefix, length or checksum)." in said(app)
        await pilot.press(*made.secret[:-1], "enter")
        await settle(pilot)
        assert "not a tokentui secret" in said(app)
        assert _answer(app) == ""
        # Well formed, but no token has it.
        await paste(pilot, generate(TokenKind.PERSONAL))
        await pilot.press("enter")
        await settle(pilot)
        assert "No token you can see has this secret." in said(app)
    assert org.service.get_token(org.owner, made.token.id).status is Status.ACTIVE


async def test_a_member_cannot_find_another_users_token(org: Org, console) -> None:
    made = org.service.create_token(org.owner, "personal", name="owner's own", scopes=MANAGE)
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _find(pilot, made.secret)
        text = said(app)
        assert "No token you can see has this secret." in text
        assert _answer(app) == ""
    assert org.service.get_token(org.owner, made.token.id).status is Status.ACTIVE


async def test_once_the_dialog_closes_nothing_holds_the_secret(org: Org, console) -> None:
    from tests.console.test_reveal_memory import fragments, holders_of

    made = org.service.create_token(org.owner, "personal", name="looked up", scopes=MANAGE)
    secret = made.secret
    wanted = fragments(secret)
    del made
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("F")
        await settle(pilot)
        await pilot.press(*secret, "enter")
        del secret
        await settle(pilot)
        assert "looked up" in _answer(app)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.home
        held = holders_of(wanted)
        assert held == [], "\n".join(held)
