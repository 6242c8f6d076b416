"""Once the reveal closes, the console keeps no reference to the secret it showed.

The secret lives in the reveal screen, its widgets and their rendered lines, the
compositor's cuts of them, Rich's caches keyed by text (a cell length, a split
segment), Textual's copy for in-app paste, and the OSC 52 sequence. The tests here
close the reveal the ways a user does and then look through every object the
collector knows, before any collection the test might run: a reference the console
dropped only to the collector would still be found.
"""

from __future__ import annotations

import base64
import gc
import re

import pytest

from tests.conftest import OWNER, Org
from tests.console.conftest import settle
from tokentui.console.screens.confirm import ConfirmScreen
from tokentui.console.screens.reveal import RevealScreen

# A fragment this long of the secret (or of its base64, as OSC 52 carries it) counts as the
# secret: eight characters carry 47 of its 256 bits, too many for other text to share by chance.
FRAGMENT = 8
RUNS = re.compile(rf"[0-9A-Za-z+/=_]{{{FRAGMENT},}}")


def fragments(text: str) -> set[str]:
    return {text[i : i + FRAGMENT] for i in range(len(text) - FRAGMENT + 1)}


def holders_of(wanted: set[str]) -> list[str]:
    """The type of every object that refers to text holding one of ``wanted`` (ignoring ``wanted`` itself)."""
    own = {id(fragment) for fragment in wanted} | {id(wanted)}
    gc.unfreeze()  # the console set its start-up objects aside from the collector; look at them too
    found: list[str] = []
    seen: set[int] = set()
    # Whether each text (by id) holds a fragment: a text many objects refer to (a name, a key)
    # is searched once. Every text stays alive, held by its holders, until the walk ends.
    holds: dict[int, bool] = {}
    for holder in gc.get_objects():
        if id(holder) in own:
            continue
        # Tuples and dicts of plain values are not tracked by the collector: look inside them too.
        inside = [holder]
        while inside:
            current = inside.pop()
            for ref in gc.get_referents(current):
                if isinstance(ref, (str, bytes, bytearray)):
                    if id(ref) in own:
                        continue
                    held = holds.get(id(ref))
                    if held is None:
                        text = ref if isinstance(ref, str) else ref.decode("latin-1")
                        held = holds[id(ref)] = any(
                            run[i : i + FRAGMENT] in wanted
                            for run in RUNS.findall(text)
                            for i in range(len(run) - FRAGMENT + 1)
                        )
                    if held:
                        found.append(f"{type(holder).__module__}.{type(holder).__qualname__} {holder!r:.120}")
                elif (
                    type(ref) in (tuple, dict, list, set, frozenset)
                    and not gc.is_tracked(ref)
                    and id(ref) not in seen
                ):
                    seen.add(id(ref))
                    inside.append(ref)
    return found


async def _reveal(pilot, name: str) -> set[str]:
    """Create a token and return the fragments of its secret as the reveal shows it."""
    app = pilot.app
    await pilot.press("n")
    await settle(pilot)
    await pilot.click("#name")
    await pilot.press(*name)
    await pilot.press("ctrl+s")
    await settle(pilot)
    reveal = app.screen
    assert isinstance(reveal, RevealScreen) and reveal._secret is not None
    wanted = fragments(reveal._secret) | fragments(base64.b64encode(reveal._secret.encode()).decode())
    return wanted


@pytest.mark.parametrize("size", [(120, 35), (50, 30)], ids=["wide", "narrow"])
async def test_a_copied_secret_leaves_no_reference_once_the_reveal_closes(
    org: Org, console, monkeypatch, size: tuple[int, int]
) -> None:
    import pyperclip

    monkeypatch.delenv("SSH_CONNECTION", raising=False)
    monkeypatch.delenv("SSH_TTY", raising=False)
    monkeypatch.setenv("DISPLAY", ":0")
    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    app = console(OWNER)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        wanted = await _reveal(pilot, "copied")
        await pilot.press("c")
        await settle(pilot)
        assert len(copied) == 1
        copied.clear()  # the local clipboard's copy, which is the user's to keep
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is app.home
        assert holders_of(wanted) == []


@pytest.mark.parametrize("size", [(120, 35), (50, 30)], ids=["wide", "narrow"])
async def test_a_secret_closed_without_copying_leaves_no_reference(
    org: Org, console, size: tuple[int, int]
) -> None:
    app = console(OWNER)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        wanted = await _reveal(pilot, "uncopied")
        await pilot.press("escape")  # the question is drawn over the secret
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert app.screen is app.home
        assert holders_of(wanted) == []
