"""Paint first: the console's first frame waits for neither the database layer nor a query."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading

import pytest

from tests.conftest import OWNER, Org
from tests.console.conftest import SIZE, screen_text, settle, table_text
from tokentui.console.app import TokentuiApp

DATABASE_LAYER = ("sqlmodel", "sqlalchemy", "alembic", "psycopg")


def test_importing_the_console_loads_no_database_layer() -> None:
    code = (
        "import sys\n"
        "import tokentui.console.app\n"
        f"print(','.join(sorted(m for m in sys.modules if m.split('.')[0] in {DATABASE_LAYER!r})))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""


async def test_the_first_frame_is_painted_while_the_store_is_still_opening(
    org: Org, console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Opening is held back until the test lets it go; the console is on screen meanwhile."""
    release = threading.Event()
    opening = TokentuiApp._open

    def held_open(self: TokentuiApp):  # type: ignore[no-untyped-def]
        assert release.wait(30), "the test never let the store open"
        return opening(self)

    monkeypatch.setattr(TokentuiApp, "_open", held_open)
    app = console(OWNER)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(5):
            await pilot.pause()
        assert app.service is None
        before = screen_text(app)
        assert "Opening the store…" in before
        assert "Quit" in before and "Search" in before  # the footer's keys are there already
        release.set()
        await settle(pilot)
        assert app.service is not None
        assert "Opening the store…" not in screen_text(app)
        newest = org.service.list_tokens(org.owner, limit=1)
        assert not newest or newest[0].name[:8] in table_text(app)


async def test_the_console_sets_its_startup_objects_aside_from_the_collector_while_it_runs(
    org: Org, console
) -> None:
    """Full collections over what lives as long as the app stalled keystrokes (gc.freeze), and so
    did those a keystroke's short-lived objects brought on (the young generation's threshold)."""
    from tokentui.console.app import YOUNG_OBJECTS

    before = gc.get_threshold()
    app = console(OWNER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # The store's layer, loaded for this console, is among what was set aside.
        assert gc.get_freeze_count() > 10_000
        assert gc.get_threshold() == (YOUNG_OBJECTS, *before[1:])
    # Given back when the console ends.
    assert gc.get_freeze_count() == 0
    assert gc.get_threshold() == before


async def test_the_collector_waits_while_the_store_opens(
    org: Org, console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Importing the database layer makes objects that all live as long as the app: no collection
    passes over them while the store opens; the collector runs again once it is open."""
    enabled_while_opening: list[bool] = []
    opening = TokentuiApp._open

    def watched(self: TokentuiApp):  # type: ignore[no-untyped-def]
        enabled_while_opening.append(gc.isenabled())
        return opening(self)

    monkeypatch.setattr(TokentuiApp, "_open", watched)
    app = console(OWNER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert enabled_while_opening == [False]
        assert gc.isenabled()
        newest = org.service.list_tokens(org.owner, limit=1)
        assert not newest or newest[0].name[:8] in table_text(app)
    assert gc.isenabled()


async def test_a_count_that_comes_back_as_the_console_closes_is_dropped_quietly(org: Org, console) -> None:
    """The tokens expiring soon may be counted still when the console quits: nobody reads the line."""
    app = console(OWNER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    app.home.expiring_soon = 3
    app.home._show_summary()  # the screen's widgets are gone: no error


async def test_the_tokens_expiring_soon_are_counted_once_the_table_is_as_the_console_opens(
    org: Org, console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Both count the organization's tokens: the row total, which the first screen needs, goes first."""
    from tokentui.core.service import Service

    table_counting: list[bool] = []  # for each count of the tokens expiring soon, as it starts
    counting = Service.count_tokens

    def watched(self: Service, actor, query=None):  # type: ignore[no-untyped-def]
        if query is not None and query.expires_before is not None:
            table_counting.append(app.home.table.is_counting)
        return counting(self, actor, query)

    monkeypatch.setattr(Service, "count_tokens", watched)
    app = console(OWNER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
    assert table_counting == [False]
