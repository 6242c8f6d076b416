"""Issue 22 item 4: ctrl+r reads the token table again, so tokens made elsewhere show."""

from __future__ import annotations

import pytest

from tests.conftest import OWNER, Clock, Org
from tests.console.conftest import SIZE, said, settle, table_text
from tokentui.console import live
from tokentui.console.screens.help import help_table
from tokentui.console.widgets.token_table import TokenTable
from tokentui.core.service import Service
from tokentui.core.store import Store

READ = ["content_management_read"]


@pytest.fixture(autouse=True)
def _no_live_updates(monkeypatch: pytest.MonkeyPatch) -> None:
    # The console shows changes made elsewhere by itself (test_live.py): here only ctrl+r may.
    monkeypatch.setattr(live, "POLL_SECONDS", 24 * 3600.0)


async def test_ctrl_r_shows_tokens_made_elsewhere_and_keeps_the_cursor_on_its_token(
    org: Org, console, db_url: str, clock: Clock
) -> None:
    for name in ("alpha", "bravo", "charlie"):
        clock.advance(minutes=1)
        org.service.create_token(org.owner, "personal", name=name, scopes=READ)
    before = org.service.count_tokens(org.owner)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = app.home.query_one(TokenTable)
        await pilot.press("down")  # newest first: charlie, then bravo
        assert table.current is not None and table.current.name == "bravo"
        assert f"{before} tokens" in said(app)
        # Another process (the CLI, the API) makes three tokens in the same store.
        elsewhere = Service(Store(db_url), clock)
        try:
            for name in ("from cli 1", "from cli 2", "from cli 3"):
                clock.advance(minutes=1)
                elsewhere.create_token(elsewhere.actor(OWNER), "personal", name=name, scopes=READ)
        finally:
            elsewhere.store.dispose()
        await settle(pilot)
        assert "from cli" not in table_text(app)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert f"{before + 3} tokens" in said(app)
        assert "from cli 3" in table_text(app)
        # The cursor stayed on the token it was on, three rows further down now.
        assert table.current is not None and table.current.name == "bravo"
        assert table.cursor == 4


def test_help_lists_the_refresh_key() -> None:
    from rich.console import Console

    console = Console(width=100, record=True)
    console.print(help_table())
    assert any("ctrl+r" in line and "Refresh" in line for line in console.export_text().splitlines())
