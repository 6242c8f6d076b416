"""Creating a token in the dialog, the one-time reveal, and copying the secret."""

from __future__ import annotations

import base64
from datetime import date, timedelta

import pytest
from textual.widgets import Input

from tests.conftest import CONTENT_MANAGER, DEVELOPER, OWNER, Clock, Org
from tests.console.conftest import SIZE, choose, queue_keys, said, screen_text, settle
from tokentui.console.screens.create import CreateScreen
from tokentui.console.screens.reveal import RevealScreen
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.tokens import secret_format
from tokentui.core.tokens.expiry import end_of_day
from tokentui.core.vocabulary import TokenKind

# The expiry dropdown, top to bottom, and what each choice means.
EXPIRY_CHOICES = [
    ("7 days", "7d", timedelta(days=7)),
    ("30 days (default)", "30d", timedelta(days=30)),
    ("60 days", "60d", timedelta(days=60)),
    ("90 days", "90d", timedelta(days=90)),
    ("180 days", "180d", timedelta(days=180)),
    ("1 year", "365d", timedelta(days=365)),
    ("Custom date…", "custom", "custom"),
    ("No expiry", "never", None),
]


async def _open_dialog(pilot, name: str) -> CreateScreen:
    await pilot.press("n")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, CreateScreen)
    await pilot.click("#name")
    await pilot.press(*name)
    return screen


def _secret_on_screen(app) -> str:
    reveal = app.screen
    assert isinstance(reveal, RevealScreen)
    secret = str(reveal.query_one("#secret").render()).strip()
    assert secret_format.parse(secret) is not None
    return secret


@pytest.mark.parametrize(("label", "value", "expiry"), EXPIRY_CHOICES, ids=[c[0] for c in EXPIRY_CHOICES])
async def test_create_a_personal_token_with_each_expiry_choice(
    org: Org, console, clock: Clock, label: str, value: str, expiry: object
) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        dialog = await _open_dialog(pilot, f"expiry {len(label)}")
        await choose(pilot, "#expiry", value)
        if expiry == "custom":
            await pilot.click("#custom-date")
            await pilot.press(*"2027-03-15")
        assert not dialog.query_one("#create").disabled
        await pilot.click("#create")
        await settle(pilot)
        secret = _secret_on_screen(app)
        assert "This is the only time the secret is shown" in said(app)
    made = org.service.list_tokens(org.developer, TokenQuery(search=f"expiry {len(label)}"))
    assert len(made) == 1 and made[0].kind is TokenKind.PERSONAL and made[0].last4 == secret[-4:]
    if expiry == "custom":
        assert made[0].expires_at == end_of_day(date(2027, 3, 15))
    elif expiry is None:
        assert made[0].expires_at is None
    else:
        assert made[0].expires_at == clock.now + expiry


async def test_create_stays_disabled_until_the_form_is_valid(org: Org, console) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        dialog = app.screen
        assert dialog.query_one("#create").disabled
        assert "Give the token a name." in screen_text(app)
        await pilot.click("#name")
        await pilot.press(*"ok")
        assert not dialog.query_one("#create").disabled
        await choose(pilot, "#expiry", "custom")
        assert dialog.query_one("#create").disabled
        await pilot.click("#custom-date")
        await pilot.press(*"2020-01-01")
        assert dialog.query_one("#create").disabled
        assert "must be in the future" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
    assert org.service.count_tokens(org.developer) == 0


async def test_a_delivery_token_needs_a_space_and_an_environment(org: Org, console) -> None:
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        dialog = await _open_dialog(pilot, "site")
        await choose(pilot, "#kind", "delivery")
        assert dialog.kind is TokenKind.DELIVERY
        assert "Choose a space." in screen_text(app)
        await choose(pilot, "#space", "Website")
        await choose(pilot, "#environment", "staging")
        await pilot.click("#branches", offset=(4, 0))  # the first branch: main
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, RevealScreen), said(app)
    token = org.service.list_tokens(org.developer, TokenQuery(search="site"))[0]
    assert (token.kind, token.space, token.environment) == (TokenKind.DELIVERY, "Website", "staging")
    assert token.branches == ("main",)


async def test_kinds_the_actor_may_not_create_are_explained(org: Org, console) -> None:
    app = console(CONTENT_MANAGER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        dialog = await _open_dialog(pilot, "try")
        labels = [str(o[0]) for o in dialog.query_one("#kind")._options]
        assert "Management token (not available to you)" in labels
        assert "Access token (legacy) (not available to you)" in labels
        await choose(pilot, "#kind", "management")
        text = said(app)
        assert "Not available: in none of your spaces: only the space owner and space admins" in text
        assert dialog.query_one("#create").disabled
    assert org.service.count_tokens(org.content_manager) == 0


async def test_a_refusal_from_the_core_is_shown_in_the_dialog(org: Org, console) -> None:
    for n in range(20):
        org.service.create_token(
            org.developer, "delivery", name=f"d{n}", space="Website", environment="production"
        )
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        dialog = await _open_dialog(pilot, "one too many")
        await choose(pilot, "#kind", "delivery")
        await choose(pilot, "#space", "Website")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is dialog
        assert "20 delivery tokens" in said(app)
    assert org.service.count_tokens(org.developer) == 20


async def test_copy_sends_the_secret_with_osc52_and_says_so(org: Org, console, monkeypatch) -> None:
    monkeypatch.setenv("SSH_CONNECTION", "10.0.0.1 5000 10.0.0.2 22")
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        written: list[str] = []
        monkeypatch.setattr(app._driver, "write", written.append)
        await _open_dialog(pilot, "copied")
        await pilot.press("ctrl+s")
        await settle(pilot)
        secret = _secret_on_screen(app)
        await pilot.press("c")
        await pilot.pause()
        expected = f"\x1b]52;c;{base64.b64encode(secret.encode()).decode()}\a"
        assert expected in written
        text = said(app)
        assert "Sent to your terminal's clipboard (OSC 52" in text
        assert "No local clipboard: this is an SSH session" in text
        await pilot.press("escape")  # copied: closes without asking
        await settle(pilot)
        assert not isinstance(app.screen, RevealScreen)
        assert secret not in screen_text(app) and app.clipboard == ""


async def test_copy_uses_the_local_clipboard_where_there_is_one(org: Org, console, monkeypatch) -> None:
    import pyperclip

    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _open_dialog(pilot, "local")
        await pilot.press("ctrl+s")
        await settle(pilot)
        secret = _secret_on_screen(app)
        await pilot.press("c")
        await pilot.pause()
        assert copied == [secret]
        assert "and copied to this machine's clipboard" in said(app)


async def test_closing_the_reveal_without_copying_asks_first_and_forgets_the_secret(
    org: Org, console
) -> None:
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _open_dialog(pilot, "uncopied")
        await pilot.press("ctrl+s")
        await settle(pilot)
        reveal = app.screen
        secret = _secret_on_screen(app)
        await pilot.press("escape")
        await pilot.pause()
        assert "Close without copying?" in screen_text(app)
        await pilot.press("n")  # go back: the secret is still there
        await pilot.pause()
        assert app.screen is reveal and secret in screen_text(app)
        await pilot.press("escape", "y")
        await settle(pilot)
        assert app.screen is app.home
        assert secret not in screen_text(app)
        assert reveal._secret is None
        assert "uncopied" in screen_text(app)


async def test_a_name_typed_fast_with_corrections_is_the_name_created(org: Org, console) -> None:
    """Keys that arrive together (fast typing, a slow link) edit the name in the order typed."""
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        dialog = await _open_dialog(pilot, "")
        queue_keys(
            app,
            *((c, c) for c in "ci deplyo"),
            *[("backspace", "\x7f")] * 2,
            *((c, c) for c in "oy"),
            ("home", None),
            *((c, c) for c in "my "),
        )
        await settle(pilot)
        assert dialog.query_one("#name", Input).value == "my ci deploy"
        await choose(pilot, "#expiry", "7d")
        await pilot.click("#create")
        await settle(pilot)
        _secret_on_screen(app)
    made = org.service.list_tokens(org.developer, TokenQuery(search="ci deploy"))
    assert [token.name for token in made] == ["my ci deploy"]
