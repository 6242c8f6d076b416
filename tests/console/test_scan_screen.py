"""$ scans files for secrets in the console: the tokens found, never a secret, and revoking them."""

from __future__ import annotations

import asyncio
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import DEVELOPER, OWNER, Org
from tests.console.conftest import SIZE, paste, said, screen_text, settle
from tokentui.console.screens.confirm import ConfirmScreen
from tokentui.console.screens.details import DetailsScreen
from tokentui.console.screens.scan import ScanPathScreen, ScanScreen
from tokentui.core.scan import Scan
from tokentui.core.tokens.secret_format import generate
from tokentui.core.vocabulary import Status, TokenKind

MANAGE = ["content_management_manage"]
# A cursor move, an OSC 52 that would write the clipboard, and a bell: in a file's name.
EVIL_NAME = "evil\x1b[31mred\x1b]52;c;aGk=\x07.txt"


@dataclass
class Tree:
    """A folder with leaks in it, and every secret written anywhere under it."""

    root: Path
    active_id: str  # the owner's active token: in .env and in the file with the hostile name
    revoked_id: str  # the owner's revoked token: in deep/config/settings.yaml
    secrets: list[str]


@pytest.fixture
def tree(org: Org, tmp_path: Path) -> Tree:
    active = org.service.create_token(org.owner, "personal", name="ci deploy laptop", scopes=MANAGE)
    revoked = org.service.create_token(org.owner, "personal", name="old one", scopes=MANAGE)
    org.service.revoke(org.owner, revoked.token.id)
    unknown = generate(TokenKind.PERSONAL)  # well formed, but no token has it
    root = tmp_path / "work"
    (root / "deep" / "config").mkdir(parents=True)
    (root / ".env").write_text(f"TOKEN={active.secret}\n")
    (root / "deep" / "config" / "settings.yaml").write_text(f"a: 1\nb: 2\nold: {revoked.secret}\n")
    # A file whose very name holds a secret: the name is shown with the secret redacted.
    (root / "deep" / f"leak-{unknown}.txt").write_text(f"again {unknown}\n")
    (root / EVIL_NAME).write_text(f"copy {active.secret}\n")
    return Tree(root, active.token.id, revoked.token.id, [active.secret, revoked.secret, unknown])


def _no_secret_on_screen(app, secrets: list[str]) -> None:
    text = screen_text(app)
    for secret in secrets:
        half = len(secret) // 2
        assert secret[:half] not in text
        assert secret[half:] not in text


async def _scan(pilot, path: Path) -> None:
    """$, the path typed over the default one, enter."""
    await pilot.press("$")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ScanPathScreen)
    await pilot.press("ctrl+u")
    await paste(pilot, str(path))
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ScanScreen)


def _row(app, text: str) -> int:
    """The index of the table row whose sighting's path ends with ``text``."""
    screen = app.screen
    assert isinstance(screen, ScanScreen)
    return next(i for i, s in enumerate(screen.sightings) if s.path.endswith(text))


async def test_a_scan_shows_each_secret_found_with_its_token_and_never_the_secret(
    org: Org, tree: Tree, console
) -> None:
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("$")
        await settle(pilot)
        # The dialog starts on the current folder.
        assert os.getcwd() in said(app)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ScanPathScreen)
        await _scan(pilot, tree.root)
        text = said(app)
        assert "Found 4 secrets in 4 files (0.0 MiB): 1 active token, 1 unknown to the store." in text, text
        lines = screen_text(app).splitlines()
        env = next(line for line in lines if ".env:1" in line)
        for shown in ("Personal", f"…{tree.secrets[0][-4:]}", "ci deploy laptop", OWNER, "active"):
            assert shown in env
        settings = next(line for line in lines if "deep/config/settings.yaml:3" in line)
        assert "old one" in settings and "revoked" in settings
        leak = next(line for line in lines if "leak-" in line)
        assert "[REDACTED]" in leak and "unknown to the store" in leak
        # The hostile name is shown inert: its escapes written out, none reaching the terminal.
        assert "evil\\x1b[31mred\\x1b]52;c;aGk=\\x07.txt:1" in screen_text(app)
        assert "\x1b" not in screen_text(app) and "\x07" not in screen_text(app)
        _no_secret_on_screen(app, tree.secrets)

        # Enter on a row with a known token opens its details.
        screen = app.screen
        await pilot.press(*["down"] * _row(app, "settings.yaml"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, DetailsScreen)
        assert app.screen.token.id == tree.revoked_id
        _no_secret_on_screen(app, tree.secrets)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ScanScreen)
    assert org.service.get_token(org.owner, tree.active_id).status is Status.ACTIVE


async def test_r_revokes_every_active_token_found_after_one_question(org: Org, tree: Tree, console) -> None:
    # Another's personal token: the owner may see it, not revoke it (the core says why).
    other = org.service.create_token(org.developer, "personal", name="dev laptop", scopes=MANAGE)
    (tree.root / "dev.txt").write_text(f"{other.secret}\n")
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _scan(pilot, tree.root)
        assert "2 active tokens" in said(app)
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        # The active token found in two files is one token.
        assert "Revoke 2 tokens found in files: 2 personal access tokens?" in said(app)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ScanScreen)
        text = said(app)
        assert "Revoked 1 of 2 tokens. Refused 1:" in text, text
        assert (
            f"'dev laptop' (…{other.secret[-4:]}): only its author can revoke a personal access token" in text
        )
        assert "2 active tokens, 1 revoked now" in text
        lines = screen_text(app).splitlines()
        assert "revoked now" in next(line for line in lines if ".env:1" in line)
        assert "active" in next(line for line in lines if "dev.txt:1" in line)
        # What is left active is asked about again, alone.
        await pilot.press("r")
        await settle(pilot)
        assert "Revoke 1 token found in files: 1 personal access token?" in said(app)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ScanScreen)
        _no_secret_on_screen(app, [*tree.secrets, other.secret])
    assert org.service.get_token(org.owner, tree.active_id).status is Status.REVOKED
    assert org.service.get_token(org.owner, other.token.id).status is Status.ACTIVE


async def test_a_member_sees_only_their_own_tokens_and_revokes_nothing_of_others(
    org: Org, tree: Tree, console
) -> None:
    own = org.service.create_token(org.developer, "personal", name="dev laptop", scopes=MANAGE)
    (tree.root / "dev.txt").write_text(f"{own.secret}\n")
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _scan(pilot, tree.root)
        text = said(app)
        assert "1 active token, 4 unknown to the store" in text, text
        lines = screen_text(app).splitlines()
        env = next(line for line in lines if ".env:1" in line)
        assert "unknown to the store" in env and "ci deploy laptop" not in env and OWNER not in env
        assert "ci deploy laptop" not in text and "old one" not in text
        # Enter on another's secret opens nothing.
        await pilot.press(*["down"] * _row(app, ".env"), "enter")
        await settle(pilot)
        assert isinstance(app.screen, ScanScreen)
        assert "No token you can see has this secret." in said(app)
        await pilot.press("r")
        await settle(pilot)
        assert "Revoke 1 token found in files: 1 personal access token?" in said(app)
        await pilot.press("y")
        await settle(pilot)
        assert "Revoked 1 of 1 token." in said(app)
        _no_secret_on_screen(app, [*tree.secrets, own.secret])
    assert org.service.get_token(org.developer, own.token.id).status is Status.REVOKED
    assert org.service.get_token(org.owner, tree.active_id).status is Status.ACTIVE


async def test_esc_stops_a_long_scan_and_shows_what_it_read(
    org: Org, tmp_path: Path, console, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = org.service.create_token(org.owner, "personal", name="first file", scopes=MANAGE)
    root = tmp_path / "big"
    root.mkdir()
    (root / "a000.txt").write_text(f"{made.secret}\n")
    for number in range(1, 200):
        (root / f"a{number:03}.txt").write_text("nothing here\n")
    # A slow disk: after each file the walk waits for a stop, so it is still running when esc
    # comes, and ends early only if the stop reaches it (a bound keeps a broken stop from hanging).
    reached = threading.Event()
    original = Scan._file
    deadline = time.monotonic() + 30

    def slow_file(self, path, info, *, named):
        yield from original(self, path, info, named=named)
        reached.set()
        while not self.stopped and time.monotonic() < deadline:
            time.sleep(0.01)

    monkeypatch.setattr(Scan, "_file", slow_file)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("$")
        await settle(pilot)
        await pilot.press("ctrl+u")
        await paste(pilot, str(root))
        await pilot.press("enter")
        assert await asyncio.to_thread(reached.wait, 10)
        for _ in range(100):  # the progress line is redrawn a few times a second
            await pilot.pause(0.05)
            if "Scanning" in said(app):
                break
        assert "Scanning" in said(app) and "esc stops" in said(app)
        assert isinstance(app.screen, ScanScreen) and app.screen.running
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ScanScreen) and not screen.running
        assert screen.scanning.tally.files < 10
        text = said(app)
        assert "Stopped before the end: found 1 secret in" in text, text
        assert "first file" in text
        _no_secret_on_screen(app, [made.secret])
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ScanScreen)
    assert org.service.get_token(org.owner, made.token.id).status is Status.ACTIVE


async def test_a_path_that_is_not_there_is_one_line_and_tilde_is_home(
    org: Org, tmp_path: Path, console, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "project").mkdir()
    (tmp_path / "project" / "readme.txt").write_text("no secret here\n")
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("$")
        await settle(pilot)
        await pilot.press("ctrl+u")
        await paste(pilot, str(tmp_path / "gone"))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ScanPathScreen)
        assert "No such file or folder:" in said(app)
        await pilot.press("ctrl+u", *"~/project", "enter")
        await settle(pilot)
        assert isinstance(app.screen, ScanScreen)
        assert app.screen.path == str(tmp_path / "project")
        assert "No tokentui secrets in 1 file (0.0 MiB)." in said(app)


async def test_at_80_columns_the_path_is_cut_at_its_start_and_every_column_shows(
    org: Org, tree: Tree, console
) -> None:
    deep = tree.root / "a-rather-long-folder-name" / "and-another-one-below-it"
    deep.mkdir(parents=True)
    (deep / "settings.yaml").write_text(f"x\n{tree.secrets[2]}\n")
    app = console(OWNER)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await _scan(pilot, tree.root)
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "Where" in line)
        # Author goes first (enter shows it); the rest fit, the status whole.
        assert "Author" not in header and all(t in header for t in ("Kind", "Last 4", "Token", "Status"))
        row = next(line for line in lines if "settings.yaml:2" in line)
        assert "…" in row.split("settings.yaml:2")[0] and row.rstrip().endswith("unknown to the store")
        await pilot.press("question_mark")
        await settle(pilot)
        assert "Scan files for secrets (this screen)" in said(app)
        assert "Revoke every active token found" in said(app)
