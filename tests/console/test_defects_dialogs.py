"""Issue 22's defects in the console's dialogs: say what will happen, and offer only what can be done."""

from __future__ import annotations

from tests.conftest import DEVELOPER, Clock, Org
from tests.console.conftest import SIZE, choose, settle
from tokentui.console.screens.create import CreateScreen
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
