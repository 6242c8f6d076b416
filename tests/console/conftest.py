"""Driving the console with Textual's pilot, and reading the screen as a user would."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from textual import events
from textual.pilot import Pilot
from textual.widgets import DataTable, Select
from textual.widgets._select import SelectOverlay

from tests.conftest import Clock
from tokentui.console.app import TokentuiApp
from tokentui.console.widgets.token_table import TokenTable

SIZE = (120, 35)


async def paste(pilot: Pilot[int], text: str) -> None:
    """Paste ``text`` as a terminal's bracketed paste delivers it: one Paste event, to the focused widget.

    A path or a secret is pasted more often than typed, and a key at a time costs the
    suite a repaint per character.
    """
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()


async def settle(pilot: Pilot[int]) -> None:
    """Wait until the store is open, every worker has finished and the screen is painted."""
    app = pilot.app
    quiet = 0
    for _ in range(300):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        busy = app.home.is_mounted and app.home.query_one(TokenTable).is_loading
        # A DataTable sizes its columns for new rows when idle; a busy machine may not have been yet.
        busy = busy or any(table._require_update_dimensions for table in app.screen.query(DataTable))
        opened = app.service is not None or app.error is not None or app._exit
        # Quiet for a few rounds in a row: a repaint may still ask for a page.
        quiet = quiet + 1 if opened and not busy and not app.workers else 0
        if quiet >= 3:
            return
        if quiet:
            # A loaded machine may still owe a layout (a count resizes the table): give it time.
            await pilot.pause(0.02)
    raise AssertionError(f"the console did not settle: {app.service=} {list(app.workers)=} {busy=}")


def queue_keys(app: TokentuiApp, *keys: tuple[str, str | None]) -> None:
    """Post ``(key, character)`` presses all at once, as a terminal sends fast typing or a paste.

    Unlike ``pilot.press``, nothing is handled between them.
    """
    for key, char in keys:
        event = events.Key(key, char)
        event.set_sender(app)  # as the terminal driver sends keys
        app.post_message(event)


def screen_text(app: TokentuiApp) -> str:
    """The characters on screen, line by line, as the terminal would show them."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def said(app: TokentuiApp) -> str:
    """The screen's words with borders dropped and line breaks and runs of spaces made one space,
    so a sentence the terminal wrapped over two lines is still found whole."""
    return " ".join(re.sub(r"[█▌▐│╭╮╰╯─▀▄▔▁]", " ", screen_text(app)).split())


async def choose(pilot: Pilot[int], selector: str, value: str) -> None:
    """Pick ``value`` in a dropdown the way a user does: click it, arrow to the option, press enter."""
    select = pilot.app.screen.query_one(selector, Select)
    await pilot.click(selector)
    await pilot.pause()
    overlay = select.query_one(SelectOverlay)
    values = [getattr(option, "id", None) for option in overlay.options]
    target = next(i for i, option in enumerate(select._options) if option[1] == value)
    for _ in range(len(values) + 1):
        if overlay.highlighted == target:
            break
        await pilot.press("down" if overlay.highlighted is None or overlay.highlighted < target else "up")
    await pilot.press("enter")
    await pilot.pause()
    assert select.value == value, (values, select.value)


def table_text(app: TokentuiApp) -> str:
    """The token table's visible lines (header first)."""
    table = app.home.query_one(TokenTable)
    return "\n".join(table.render_line(y).text for y in range(table.scrollable_content_region.height))


@pytest.fixture
def console(db_url: str, clock: Clock) -> Callable[..., TokentuiApp]:
    """A factory of consoles on the test's store, with the test's clock."""

    def make(actor: str | None = None, org: str | None = None) -> TokentuiApp:
        return TokentuiApp(db=db_url, actor=actor, org=org, clock=clock)

    return make
