"""Issue 21 item 2: changes made elsewhere show in the console without a key, and nothing else reloads."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable

from tests.conftest import OWNER, Clock, Org
from tests.console.conftest import SIZE, settle, table_text
from tokentui.console import live
from tokentui.console.screens.audit import AuditScreen
from tokentui.console.widgets.token_table import TokenTable
from tokentui.core.service import Service
from tokentui.core.store import Store

READ = ["content_management_read"]
# A poll this often keeps the test short; the test waits for polls, never for an amount of time.
POLL = 0.05
# Rounds of waiting before a test gives up: far more polls than it needs.
PATIENCE = 400


@pytest.fixture(autouse=True)
def _fast_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "POLL_SECONDS", POLL)


def _create_elsewhere(db_url: str, clock: Clock, *names: str) -> None:
    """Tokens made by another process (the CLI, the API, another admin) in the same store."""
    elsewhere = Service(Store(db_url), clock)
    try:
        for name in names:
            clock.advance(minutes=1)
            elsewhere.create_token(elsewhere.actor(OWNER), "personal", name=name, scopes=READ)
    finally:
        elsewhere.store.dispose()


def _counting(target: Any, name: str) -> list[int]:
    """Count the calls of ``target.name`` (the calls go on as before)."""
    calls: list[int] = []
    original: Callable[..., Any] = getattr(target, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return original(*args, **kwargs)

    setattr(target, name, counted)
    return calls


async def _until(pilot: Pilot[int], done: Callable[[], bool]) -> None:
    for _ in range(PATIENCE):
        if done():
            return
        await pilot.pause(POLL)
    raise AssertionError("never happened")


async def test_a_token_made_elsewhere_shows_without_a_key_and_the_cursor_stays_on_its_token(
    org: Org, console, db_url: str, clock: Clock
) -> None:
    for name in ("alpha", "bravo", "charlie"):
        clock.advance(minutes=1)
        org.service.create_token(org.owner, "personal", name=name, scopes=READ)
    app = console(OWNER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.home.query_one(TokenTable)
        await pilot.press("down")  # newest first: charlie, then bravo
        assert table.current is not None and table.current.name == "bravo"
        _create_elsewhere(db_url, clock, "made elsewhere")
        await _until(pilot, lambda: "made elsewhere" in table_text(app))
        await settle(pilot)
        assert table.current is not None and table.current.name == "bravo"
        assert table.cursor == 2


async def test_polls_that_find_nothing_new_reload_nothing(
    org: Org, console, db_url: str, clock: Clock
) -> None:
    org.service.create_token(org.owner, "personal", name="alpha", scopes=READ)
    app = console(OWNER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.service is not None
        polls = _counting(app.service, "change_counter")
        loads = _counting(app.home.table, "show")
        await _until(pilot, lambda: len(polls) >= 5)
        await settle(pilot)
        assert loads == []
        # A use recorded by a verify elsewhere is a change (the Last used column shows it).
        token = org.service.list_tokens(org.owner)[0]
        org.service.mark_used([token.id], clock.advance(minutes=5))
        await _until(pilot, lambda: len(loads) == 1)
        await settle(pilot)
        seen = len(polls)
        await _until(pilot, lambda: len(polls) >= seen + 5)
        assert len(loads) == 1


async def test_the_audit_log_shows_new_events_as_they_are_written(
    org: Org, console, db_url: str, clock: Clock
) -> None:
    app = console(OWNER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        log = app.screen.query_one("#audit", DataTable)
        await pilot.press("down")
        followed = log.coordinate_to_cell_key(log.cursor_coordinate).row_key
        before = log.row_count
        _create_elsewhere(db_url, clock, "logged elsewhere")
        await _until(pilot, lambda: log.row_count == before + 1)
        await settle(pilot)
        top = log.get_row_at(0)
        assert "logged elsewhere" in str(top[-1])
        # The cursor stayed on its event, a row further down now.
        assert log.coordinate_to_cell_key(log.cursor_coordinate).row_key == followed
        assert log.cursor_row == 2
