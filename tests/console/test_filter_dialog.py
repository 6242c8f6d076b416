"""The filter dialog applies keys in the order they were typed, however fast."""

from __future__ import annotations

from textual.widgets import Input

from tests.conftest import OWNER, Org
from tests.console.conftest import SIZE, choose, queue_keys, said, settle


def _typed(text: str) -> list[tuple[str, str | None]]:
    return [("minus" if c == "-" else c, c) for c in text]


async def test_keys_typed_after_tab_in_the_custom_range_fill_the_next_field(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await choose(pilot, "#expiry", "custom")
        await pilot.click("#expires-from")
        queue_keys(app, *_typed("2026-12-31"), ("tab", None), *_typed("2026-12-01"))
        await settle(pilot)
        assert app.screen.query_one("#expires-from", Input).value == "2026-12-31"
        assert app.screen.query_one("#expires-to", Input).value == "2026-12-01"


async def test_an_inverted_range_is_named_and_an_empty_result_says_how_to_clear(org: Org, console) -> None:
    """Issue 22 item 13: 31 Dec to 1 Dec matches nothing, and the summary says why and what to do."""
    app = console(OWNER)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        assert "nothing matches" not in said(app)
        await pilot.press("f")
        await settle(pilot)
        await choose(pilot, "#expiry", "custom")
        await pilot.click("#expires-from")
        queue_keys(app, *_typed("2026-12-31"), ("tab", None), *_typed("2026-12-01"))
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        shown = said(app)
        assert "0 tokens" in shown
        assert "Nothing can match: expires from 2026-12-31 is after 2026-12-01." in shown
        assert "nothing matches; c clears the filters" in shown
        await pilot.press("c")
        await settle(pilot)
        shown = said(app)
        assert "nothing matches" not in shown and "0 tokens" not in shown
