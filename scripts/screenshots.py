"""Make the SVG screenshots in screenshots/ from the real console on the demo organization.

    .venv/bin/python scripts/screenshots.py

Each picture is taken by driving the app with Textual's pilot, as a user would.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from textual.pilot import Pilot  # noqa: E402

from tests.console.conftest import settle  # noqa: E402
from tests.console.scene import demo_app, seeded  # noqa: E402

Steps = Callable[[Pilot[int]], Awaitable[None]]


async def _keys(pilot: Pilot[int], *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def _find_leaked(pilot: Pilot[int]) -> None:
    """A developer's token leaks; the owner pastes its secret into F's dialog."""
    app = pilot.app
    service = app.service  # type: ignore[attr-defined]
    developer = service.actor("grace.hopper@northwind.example")
    made = service.create_token(
        developer, "personal", name="pasted in #general", scopes=["content_management_manage"]
    )
    service.verify(made.secret, "content.read")
    await _keys(pilot, "F")
    await pilot.press(*made.secret)
    await _keys(pilot, "enter")


SCENES: dict[str, tuple[tuple[int, int], Steps]] = {
    "home": ((120, 35), lambda pilot: _keys(pilot)),
    "filters": ((120, 35), lambda pilot: _keys(pilot, "f")),
    "create": ((120, 35), lambda pilot: _keys(pilot, "n", "tab", *"CI deploys")),
    "reveal": ((120, 35), lambda pilot: _keys(pilot, "n", "tab", *"CI deploys", "ctrl+s", "c")),
    "author": ((120, 35), lambda pilot: _keys(pilot, "down", "down", "a")),
    "audit": ((120, 35), lambda pilot: _keys(pilot, "l")),
    "users": ((120, 35), lambda pilot: _keys(pilot, "u")),
    "findings": ((120, 35), lambda pilot: _keys(pilot, "!")),
    "leaked-secret": ((120, 35), lambda pilot: _find_leaked(pilot)),
}


async def shoot(name: str, size: tuple[int, int], steps: Steps, out: Path) -> None:
    """Open a fresh demo console, run ``steps``, save ``out/name.svg``."""
    with tempfile.TemporaryDirectory() as directory, seeded():
        app = demo_app(Path(directory))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await steps(pilot)
            app.save_screenshot(filename=f"{name}.svg", path=str(out))


def main() -> None:
    out = ROOT / "screenshots"
    out.mkdir(exist_ok=True)
    for name, (size, steps) in SCENES.items():
        asyncio.run(shoot(name, size, steps, out))
        print(f"screenshots/{name}.svg")


if __name__ == "__main__":
    main()
