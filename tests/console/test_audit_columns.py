"""The token table's Last used and Access columns, narrow screens, and the filter dialog's
audit filters (issues 21 and 22), driven as a user drives them."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import OWNER, Clock, Org
from tests.console.conftest import SIZE, choose, queue_keys, screen_text, settle, table_text
from tokentui.console.widgets.token_table import TokenTable
from tokentui.core.listing.queries import SortKey, TokenQuery
from tokentui.core.vocabulary import Status

MANAGE = ["content_management_manage"]
READ = ["content_management_read"]
NARROW = (80, 24)
LONG_NAME = "nightly contentful sync!"  # 24 characters


@pytest.fixture
def audited(org: Org, clock: Clock) -> Org:
    """Tokens that tell each audit filter's right answer from its near misses (as tests/cli's)."""
    svc = org.service
    start = clock.now
    clock.now = start - timedelta(days=200)
    stale = svc.create_token(org.developer, "personal", scopes=MANAGE, name="stale writer", expires="never")
    svc.create_token(org.developer, "personal", scopes=READ, name=LONG_NAME, expires="never")
    svc.mark_used([stale.token.id], clock.now)
    clock.now = start - timedelta(days=2)
    recent = svc.create_token(org.developer, "personal", scopes=READ, name="busy reader", expires="30d")
    svc.mark_used([recent.token.id], clock.now)
    clock.now = start
    svc.create_token(org.owner, "management", name="cma writer", space="Website", scopes=["write"])
    svc.create_token(org.owner, "management", name="cma reader", space="Website", scopes=["read"])
    return org


def _rows(app) -> list[str]:
    """The table's rows as on screen (the header left out)."""
    table = app.home.query_one(TokenTable)
    return table_text(app).splitlines()[1 : 1 + table.total]


def _cells(app, key: str) -> list[str]:
    """The ``key`` column's cell of each row on screen, in order, cut where the columns lie."""
    from tokentui.console.widgets.token_columns import GAP, column_widths

    table = app.home.query_one(TokenTable)
    left = 0
    for column, width in column_widths(table._table_width(), table.sort_key):
        if column.key == key:
            return [row[left : left + width].strip() for row in _rows(app)]
        left += width + GAP
    raise AssertionError(f"no {key} column on screen")


def _names(app) -> list[str]:
    return _cells(app, "name")


def _header(app) -> str:
    return table_text(app).splitlines()[0]


async def _sort_by(pilot, title: str, arrow: str) -> None:
    """Press s until ``title`` carries the sort arrow, then S if it points the other way."""
    app = pilot.app
    for _ in range(12):
        if f"{title} ▲" in _header(app) or f"{title} ▼" in _header(app):
            break
        await pilot.press("s")
        await settle(pilot)
    if f"{title} {arrow}" not in _header(app):
        await pilot.press("S")
        await settle(pilot)
    assert f"{title} {arrow}" in _header(app), _header(app)


@pytest.mark.parametrize("size", [NARROW, SIZE])
@pytest.mark.parametrize(("title", "key"), [("Last used", SortKey.LAST_USED), ("Access", SortKey.ACCESS)])
@pytest.mark.parametrize("arrow", ["▲", "▼"])
async def test_last_used_and_access_show_and_sort_with_s(
    audited: Org, console, size, title: str, key: SortKey, arrow: str
) -> None:
    app = console(OWNER)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await _sort_by(pilot, title, arrow)
        expected = audited.service.list_tokens(audited.owner, TokenQuery(sort=key, descending=arrow == "▼"))
        assert _names(app) == [t.name for t in expected]
        by_name = dict(zip(_names(app), _rows(app), strict=True))
        # What the user reads in the sorted column (it stays shown however narrow).
        if key is SortKey.LAST_USED:
            assert "2 days ago" in by_name["busy reader"] and "6 months ago" in by_name["stale writer"]
            assert "never" in by_name["cma writer"].split("active")[1]
        else:
            assert by_name["stale writer"].rstrip().endswith("manage")
            assert by_name["cma writer"].rstrip().endswith("write")
            assert by_name["busy reader"].rstrip().endswith("read")


async def test_every_column_shows_at_120_and_nothing_is_said_hidden(audited: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        header = _header(app)
        titles = ("Name", "Kind", "Author", "Created", "Expires", "Status", "Last4", "Space/env", "Last used")
        for title in (*titles, "Access"):
            assert title in header
        assert "hidden:" not in screen_text(app)


async def test_at_80_a_24_character_name_shows_whole_and_the_hidden_columns_are_named(
    audited: Org, console
) -> None:
    app = console(OWNER)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await settle(pilot)
        assert LONG_NAME in table_text(app)
        header = _header(app)
        for title in ("Name", "Kind", "Author", "Created ▼", "Expires", "Status"):
            assert title in header
        summary = screen_text(app).splitlines()[2]
        assert "hidden: Last4, Space/env, Last used, Access" in summary
        for title in ("Last4", "Space/env", "Last used", "Access"):
            assert title not in header
        # Sorting by a hidden column shows it (with its arrow), and the note no longer names it.
        await _sort_by(pilot, "Last used", "▼")
        assert LONG_NAME in table_text(app)
        summary = screen_text(app).splitlines()[2]
        assert "hidden:" in summary and "Last used" not in summary


@pytest.mark.parametrize("size", [NARROW, SIZE])
async def test_the_sort_arrow_shows_on_every_column_at_every_width(audited: Org, console, size) -> None:
    from tokentui.console.screens.home import SORT_KEYS

    app = console(OWNER)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        seen = []
        for _ in SORT_KEYS:
            await pilot.press("s")
            await settle(pilot)
            header = _header(app)
            assert header.count("▲") + header.count("▼") == 1, header
            seen.append(app.home.filters.sort)
        assert sorted(seen) == sorted(SORT_KEYS)


@pytest.mark.parametrize("size", [NARROW, SIZE])
async def test_kind_sorts_by_the_label_shown(audited: Org, console, size) -> None:
    audited.service.create_token(audited.owner, "session", name="login")
    app = console(OWNER)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(pilot)
        await _sort_by(pilot, "Kind", "▲")
        kinds = _cells(app, "kind")
        assert kinds == sorted(kinds, key=str.lower), kinds
        assert kinds[0] == "Authtoken" and "Legacy" in kinds  # not the stored "session", "legacy_access"


def _typed(text: str) -> list[tuple[str, str | None]]:
    return [(c if c.isalnum() else {"@": "at", ".": "full_stop"}[c], c) for c in text]


async def _audit_option(pilot, label: str) -> None:
    """Tick an option of the dialog's "Use and access" list by clicking it."""
    from tokentui.console.screens.filters import AUDIT_CHOICES

    row = [choice for choice, _ in AUDIT_CHOICES].index(label)
    await pilot.click("#use", offset=(2, row))
    await settle(pilot)


async def _filtered(pilot, fill) -> None:
    await pilot.press("f")
    await settle(pilot)
    await fill(pilot)
    await pilot.press("ctrl+s")
    await settle(pilot)


async def _tick(label: str, pilot) -> None:
    await _audit_option(pilot, label)


async def _type_into(selector: str, text: str, pilot) -> None:
    field = pilot.app.screen.query_one(selector)
    field.scroll_visible(animate=False, immediate=True)  # the user scrolls the dialog down to it
    await settle(pilot)
    await pilot.click(selector)
    queue_keys(pilot.app, *_typed(text))
    await settle(pilot)


async def _never_expires(pilot) -> None:
    await choose(pilot, "#expiry", "never")


FILTERS = {
    "never used": (lambda p: _tick("never used", p), TokenQuery(never_used=True)),
    "can write": (lambda p: _tick("can write", p), TokenQuery(can_write=True)),
    "unused for 90": (
        lambda p: _type_into("#unused-for", "90", p),
        TokenQuery(unused_for=timedelta(days=90)),
    ),
    "unused for 90d": (
        lambda p: _type_into("#unused-for", "90d", p),
        TokenQuery(unused_for=timedelta(days=90)),
    ),
    "author": (lambda p: _type_into("#author", "dev@", p), TokenQuery(author="dev@")),
    "never expires": (_never_expires, TokenQuery(no_expiry=True)),
}


@pytest.mark.parametrize("name", list(FILTERS))
async def test_each_audit_filter_lists_what_the_cli_lists(audited: Org, console, name: str) -> None:
    fill, query = FILTERS[name]
    expected = [t.name for t in audited.service.list_tokens(audited.owner, query)]
    everyone = audited.service.list_tokens(audited.owner)
    assert 0 < len(expected) < len(everyone)  # the filter narrows, and something is left
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await _filtered(pilot, fill)
        assert _names(app) == expected
        assert "1 filter: " in screen_text(app)


async def test_ticked_boxes_differ_in_shape_and_the_summary_fits_at_80(audited: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await _audit_option(pilot, "never used")
        await _audit_option(pilot, "can write")
        text = screen_text(app)
        assert "[x] never used" in text and "[x] can write" in text
        assert "[ ] Personal access t" in text and "[ ] active" in text
        await _type_into("#author", "owner@", pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
        expected = audited.service.list_tokens(
            audited.owner, TokenQuery(never_used=True, can_write=True, author="owner@")
        )
        assert [t.name for t in expected] == ["cma writer"]
        summary = screen_text(app).splitlines()[2]
        assert summary.strip().startswith(f"{len(expected)} token")
        assert "3 filters: never used; can write" in summary
        assert len(summary.rstrip()) <= 80 and summary.rstrip().endswith("…")
        # The whole of them is on f: the dialog reopens with them ticked and typed.
        await pilot.press("f")
        await settle(pilot)
        text = screen_text(app)
        assert "[x] never used" in text and "[x] can write" in text and "owner@" in text


async def test_a_malformed_unused_for_is_named_and_apply_waits(audited: Org, console) -> None:
    from textual.widgets import Button

    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await _type_into("#unused-for", "soon", pilot)
        assert "unused for 'soon' is not a duration" in screen_text(app)
        assert app.screen.query_one("#apply", Button).disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "unused for 'soon' is not a duration" in screen_text(app)  # still the dialog


@pytest.mark.parametrize(
    ("keys", "query"),
    [
        (("f", "space", "ctrl+s"), TokenQuery(never_used=True)),
        (("f", "down", "space", "ctrl+s"), TokenQuery(can_write=True)),
        (("f", "tab", "down", "space", "ctrl+s"), TokenQuery(statuses=frozenset({Status.EXPIRED}))),
    ],
    ids=["never-used", "can-write", "expired"],
)
async def test_audit_questions_of_the_filter_dialog_take_at_most_five_keys(
    audited: Org, clock: Clock, console, keys: tuple[str, ...], query: TokenQuery
) -> None:
    """The dialog opens on its audit list: each question is a few keys, the CLI's rows."""
    svc = audited.service
    clock.now -= timedelta(days=60)
    svc.create_token(audited.developer, "personal", scopes=READ, name="lapsed reader", expires="30d")
    clock.now += timedelta(days=60)
    expected = sorted(t.name for t in svc.list_tokens(audited.owner, query))
    assert expected and len(expected) < svc.count_tokens(audited.owner)
    app = console(OWNER)
    async with app.run_test(size=NARROW, notifications=True) as pilot:
        await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        assert sorted(_names(app)) == expected


async def test_at_in_the_search_box_searches_by_author(audited: Org, console) -> None:
    """'/@dev' lists the tokens of authors whose e-mail or name has "dev", as --author does."""
    svc = audited.service
    part = audited.developer.email.split("@")[0][:3]
    expected = sorted(t.name for t in svc.list_tokens(audited.owner, TokenQuery(author=part)))
    assert expected and len(expected) < svc.count_tokens(audited.owner)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", "@", *part)
        await settle(pilot)
        assert sorted(_names(app)) == expected
        assert f"author '{part}'" in screen_text(app)
        await pilot.press("backspace", *["backspace"] * len(part))
        await settle(pilot)
        assert len(_names(app)) == svc.count_tokens(audited.owner)


async def test_a_use_minutes_ago_fits_its_last_used_cell(org: Org, clock: Clock, console) -> None:
    """The column is as wide as "11 months ago"; "59 minutes ago" would be cut, so minutes are "min"."""
    svc = org.service
    for minutes in (1, 26, 59):
        made = svc.create_token(
            org.developer, "personal", scopes=READ, name=f"used {minutes}", expires="never"
        )
        svc.mark_used([made.token.id], clock.now - timedelta(minutes=minutes))
    app = console(OWNER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        used = dict(zip(_names(app), _cells(app, "last_used"), strict=True))
        assert (used["used 1"], used["used 26"], used["used 59"]) == ("1 min ago", "26 min ago", "59 min ago")
