"""SVG snapshots of the main screens (pytest-textual-snapshot); `--snapshot-update` re-pins them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.console.conftest import settle
from tests.console.scene import demo_app, seeded


@pytest.fixture(autouse=True)
def _seeded() -> Iterator[None]:
    with seeded():
        yield


async def _settled(pilot: Pilot[int]) -> None:
    """Settled, and settled again after a moment: a loaded machine may still owe a repaint."""
    await settle(pilot)
    await pilot.pause(0.1)
    await settle(pilot)


def test_home_screen(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(demo_app(tmp_path), terminal_size=(120, 35), run_before=_settled)


def test_home_screen_at_80_by_24(snap_compare, tmp_path: Path) -> None:
    assert snap_compare(demo_app(tmp_path), terminal_size=(80, 24), run_before=_settled)


def test_create_dialog(snap_compare, tmp_path: Path) -> None:
    async def open_create(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("n")
        await _settled(pilot)
        # Name has the cursor: a blinking one would be caught on or off by chance.
        for field in pilot.app.screen.query(Input):
            field.cursor_blink = False
        await _settled(pilot)

    assert snap_compare(demo_app(tmp_path), terminal_size=(100, 35), run_before=open_create)


def test_author_drill_down(snap_compare, tmp_path: Path) -> None:
    async def open_author(pilot: Pilot[int]) -> None:
        await settle(pilot)
        await pilot.press("a")
        await _settled(pilot)

    assert snap_compare(demo_app(tmp_path), terminal_size=(120, 35), run_before=open_author)
