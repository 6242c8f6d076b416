"""The filter dialog applies keys in the order they were typed, however fast."""

from __future__ import annotations

from textual.widgets import Input

from tests.conftest import OWNER, Org
from tests.console.conftest import SIZE, choose, queue_keys, settle


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
