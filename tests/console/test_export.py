"""x exports the table's view (filters, search, sort) to a CSV or JSON file, with nothing else in it."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from tests.conftest import OWNER, Org
from tests.console.conftest import SIZE, choose, paste, said, settle, table_text
from tokentui.console.screens.export import ExportScreen
from tokentui.console.screens.home import SORT_KEYS
from tokentui.core.listing.export import csv_fields
from tokentui.core.listing.queries import TokenQuery

MANAGE = ["content_management_manage"]
HOSTILE = 'exp-evil, "quoted"\nsecond line [b]bold[/b]'
# The test clock's instant, as the default file name writes it.
DEFAULT = "tokens-20261122-1200"


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The console runs in an empty folder: the default file lands there."""
    folder = tmp_path / "out"  # the store's files are in tmp_path
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def _tokens(org: Org) -> list[str]:
    """Ids of the tokens named exp-… (one with a hostile name), in the table's order; one other token."""
    for name in ("exp-a", "exp-b", HOSTILE):
        org.service.create_token(org.owner, "personal", name=name, scopes=MANAGE)
    org.service.create_token(org.owner, "personal", name="other", scopes=MANAGE)
    return [t.id for t in org.service.list_tokens(org.owner, TokenQuery(search="exp-"))]


async def _open_export(pilot) -> None:
    await pilot.press("slash", *"exp-", "enter")
    await settle(pilot)
    await pilot.press("x")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ExportScreen)


async def test_csv_export_holds_exactly_the_filtered_rows_under_a_header(
    org: Org, console, here: Path
) -> None:
    expected = _tokens(org)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _open_export(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        written = here / f"{DEFAULT}.csv"
        assert not isinstance(app.screen, ExportScreen)
        # The toast wraps a long path anywhere: compared without the spaces.
        assert "".join(f"Exported 3 tokens to {written}".split()) in "".join(said(app).split())
    with written.open(newline="", encoding="utf-8") as file:
        reader = csv.reader(file)
        header = next(reader)
        rows = list(reader)
    assert header == csv_fields()
    ids = [row[header.index("id")] for row in rows]
    assert ids == expected
    names = {row[header.index("name")] for row in rows}
    # The hostile name stays one cell of one row, exactly as stored.
    assert names == {"exp-a", "exp-b", HOSTILE}
    assert all(len(row) == len(header) for row in rows)
    assert [p.name for p in here.iterdir()] == [written.name]


async def test_json_export_holds_exactly_the_filtered_rows(org: Org, console, here: Path) -> None:
    expected = _tokens(org)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _open_export(pilot)
        await choose(pilot, "#export-format", "json")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Exported 3 tokens" in said(app)
    tokens = json.loads((here / f"{DEFAULT}.json").read_text(encoding="utf-8"))
    assert [t["id"] for t in tokens] == expected
    assert {t["name"] for t in tokens} == {"exp-a", "exp-b", HOSTILE}
    assert all("token" not in t for t in tokens)


async def test_an_unwritable_path_says_so_and_writes_nothing(org: Org, console, here: Path) -> None:
    _tokens(org)
    (here / "taken.csv").write_text("keep me", encoding="utf-8")
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _open_export(pilot)
        missing = here / "no such folder" / "out.csv"
        await pilot.press("ctrl+a", "ctrl+k")
        await paste(pilot, str(missing))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExportScreen)
        assert "".join(f"Cannot write {missing}: No such file or directory.".split()) in "".join(
            said(app).split()
        )
        await pilot.press("ctrl+a", "ctrl+k", *"taken.csv", "enter")
        await settle(pilot)
        assert "".join(f"{here / 'taken.csv'} already exists: choose another name.".split()) in "".join(
            said(app).split()
        )
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, ExportScreen)
    assert [p.name for p in here.iterdir()] == ["taken.csv"]
    assert (here / "taken.csv").read_text(encoding="utf-8") == "keep me"


async def test_a_long_view_is_exported_whole_in_the_tables_sort(org: Org, console, here: Path) -> None:
    from tokentui.console.screens.export import PROGRESS_EVERY

    names = [f"exp-{n:03}" for n in range(PROGRESS_EVERY + 5)]
    ids = {}
    for name in reversed(names):
        ids[name] = org.service.create_token(org.owner, "personal", name=name, scopes=MANAGE).token.id
    expected = [ids[name] for name in names]  # by name, A to Z
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        # s steps the sort to the next column, until it reaches Name (ascending).
        for _ in range(len(SORT_KEYS)):
            if "Name ▲" in table_text(app).splitlines()[0]:
                break
            await pilot.press("s")
            await settle(pilot)
        assert "Name ▲" in table_text(app).splitlines()[0]
        await _open_export(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert f"Exported {PROGRESS_EVERY + 5} tokens" in said(app)
    with (here / f"{DEFAULT}.csv").open(newline="", encoding="utf-8") as file:
        assert [row["id"] for row in csv.DictReader(file)] == expected
