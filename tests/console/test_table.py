"""The token table: what admins and members see, search, filters, sorting, paging."""

from __future__ import annotations

import pytest

from tests.conftest import ADMIN, DEVELOPER, OWNER, Clock, Org
from tests.console.conftest import SIZE, queue_keys, screen_text, settle, table_text
from tokentui.console.app import TokentuiApp
from tokentui.console.widgets.table_loader import PAGE_SIZE
from tokentui.console.widgets.token_table import TokenTable
from tokentui.core.listing.queries import SortKey, TokenQuery
from tokentui.core.results import TokenView

MANAGE = ["content_management_manage"]


def _fill(org: Org) -> dict[str, str]:
    """A token of several kinds; returns name -> last four."""
    service = org.service
    made = {
        "ci deploy": service.create_token(
            org.developer, "personal", name="ci deploy", expires="90d", scopes=MANAGE
        ),
        "site delivery": service.create_token(
            org.developer, "delivery", name="site delivery", space="Website", environment="production"
        ),
        "owner pat": service.create_token(
            org.owner, "personal", name="owner pat", expires="never", scopes=MANAGE
        ),
        "weekly export": service.create_token(
            org.owner, "personal", name="weekly export", expires="5d", scopes=MANAGE
        ),
        "cms sync": service.create_token(
            org.space_admin, "management", name="cms sync", space="Website", scopes=["read"]
        ),
    }
    return {name: created.token.last4 for name, created in made.items()}


async def test_admin_table_shows_every_column_of_every_org_token(org: Org, console) -> None:
    last4 = _fill(org)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        text = table_text(app)
        titles = ("Name", "Kind", "Author", "Created", "Expires", "Status", "Last4", "Space/env", "Last used")
        for column in (*titles, "Access"):
            assert column in text
        # The kinds' short labels, at every width: the kind sort follows them.
        assert "ci deploy" in text and "Personal " in text and DEVELOPER[:9] in text
        # Ten columns at 120: Space/env is cut ("Website/production" whole in the details).
        assert "site delivery" in text and "Website/…" in text and "Delivery " in text
        assert last4["cms sync"] in text and "Management " in text
        assert "2026-11-22" in text and "2027-02-20" in text  # created, and 90 days later
        assert "● active" in text
        summary = screen_text(app)
        assert "6 tokens (organization)" in summary  # five made here, plus the Legacy space's access token
        assert "1 expires within 7 days (e)" in summary


async def test_member_sees_only_their_own_tokens(org: Org, console) -> None:
    _fill(org)
    app = console(DEVELOPER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        text = table_text(app)
        assert "ci deploy" in text and "site delivery" in text
        assert "owner pat" not in text and "cms sync" not in text
        assert "2 tokens (your tokens)" in screen_text(app)


async def test_search_by_last_four_characters_finds_the_token(org: Org, console) -> None:
    last4 = _fill(org)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *last4["owner pat"])
        await settle(pilot)
        assert "1 token (organization)" in screen_text(app)
        assert "owner pat" in table_text(app) and "ci deploy" not in table_text(app)
        await pilot.press("enter", "c")
        await settle(pilot)
        assert "6 tokens" in screen_text(app)


async def test_search_matches_names_too(org: Org, console) -> None:
    _fill(org)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"EXPORT")
        await settle(pilot)
        assert "weekly export" in table_text(app) and "1 token " in screen_text(app)


async def test_kind_and_status_filters_combine_and_clear_with_one_key(org: Org, console) -> None:
    _fill(org)
    org.service.revoke(
        org.developer, org.service.list_tokens(org.developer, TokenQuery(search="ci deploy"))[0].id
    )
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f")  # the audit list has focus, then the status list, then the kinds
        await pilot.press("tab", "space", "tab", "space")  # active, and Personal access token
        await pilot.press("ctrl+s")
        await settle(pilot)
        text = screen_text(app)
        assert "2 filters: kind: Personal access token; status: active" in text
        assert "2 tokens" in text  # owner pat and weekly export; ci deploy is revoked
        assert "ci deploy" not in table_text(app)
        await pilot.press("c")
        await settle(pilot)
        assert "6 tokens" in screen_text(app) and "filters:" not in screen_text(app)


async def test_expiring_within_seven_days_is_one_key(org: Org, console) -> None:
    _fill(org)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert "1 token " in screen_text(app) and "expires within 7 days" in screen_text(app)
        assert "weekly export" in table_text(app)


async def test_expiry_filter_custom_range_and_malformed_date(org: Org, console, clock: Clock) -> None:
    _fill(org)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        screen = app.screen
        await pilot.click("#expiry")
        await pilot.press("end", "enter")  # the last preset: custom range
        await pilot.click("#expires-from")
        await pilot.press(*"2027-13-01")
        assert "is not a date" in screen_text(app)
        assert screen.query_one("#apply").disabled
        await pilot.press(*["backspace"] * 10, *"2027-02-01")
        await pilot.click("#expires-to")
        await pilot.press(*"2027-02-28")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "expires 2027-02-01 to 2027-02-28" in screen_text(app)
        assert "1 token " in screen_text(app) and "ci deploy" in table_text(app)


async def test_no_expiry_preset(org: Org, console) -> None:
    _fill(org)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("f")
        await settle(pilot)
        await pilot.click("#expiry")
        await pilot.press("down", "down", "down", "down", "enter")
        await pilot.press("ctrl+s")
        await settle(pilot)
        expected = org.service.count_tokens(org.owner, TokenQuery(no_expiry=True))
        assert "never expires" in screen_text(app)
        assert f"{expected} tokens" in screen_text(app)
        assert "never" in table_text(app) and "2027-" not in table_text(app)


async def test_clicking_a_column_title_sorts_by_it(org: Org, console) -> None:
    _fill(org)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.click(TokenTable, offset=(2, 0))  # the Name title
        await settle(pilot)
        first = table_text(app).splitlines()[1]
        assert "Name ▲" in table_text(app)
        assert first.startswith("ci deploy")
        await pilot.click(TokenTable, offset=(2, 0))
        await settle(pilot)
        assert "Name ▼" in table_text(app) and table_text(app).splitlines()[1].startswith("weekly export")


async def test_expired_tokens_show_their_status_in_words(org: Org, console, clock: Clock) -> None:
    _fill(org)
    clock.advance(days=6)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        row = next(line for line in table_text(app).splitlines() if "weekly export" in line)
        assert "◌ expired" in row


async def test_names_are_shown_literally_never_as_markup_or_escapes(org: Org, console) -> None:
    hostile = "[bold red]boom[/] \x1b]52;c;aGk=\x07 \x1b[2J"
    org.service.create_token(org.owner, "personal", name=hostile, scopes=MANAGE)
    app = console(OWNER)
    async with app.run_test(size=(200, 35), notifications=True) as pilot:
        await settle(pilot)
        text = table_text(app)
        assert "[bold red]boom[/]" in text
        assert "\\x1b]52;c;aGk=\\x07" in text
        assert "\x1b" not in screen_text(app)


def _names(tokens: list[TokenView]) -> list[str]:
    """The start of each token's name, as the table's name column shows it."""
    return [token.name[:8].rstrip() for token in tokens]


def _shown_names(app: TokentuiApp) -> list[str]:
    """The start of the name on each row the table shows, top to bottom."""
    return [line[:8].rstrip() for line in table_text(app).splitlines()[1:]]


def _layouts(app: TokentuiApp, monkeypatch: pytest.MonkeyPatch) -> list[None]:
    """One entry for every layout of the app's screen from now on."""
    layouts: list[None] = []
    refresh_layout = app.screen._refresh_layout

    def counted(*args: object, **kwargs: object) -> None:
        layouts.append(None)
        refresh_layout(*args, **kwargs)

    monkeypatch.setattr(app.screen, "_refresh_layout", counted)
    return layouts


@pytest.fixture
def many(org: Org) -> int:
    """Acme with 3,000 bulk tokens more (many pages of the table); how many its owner sees."""
    from tokentui.core.bulk import bulk_tokens

    bulk_tokens(org.service, "Acme", 3000, seed=3)
    return org.service.count_tokens(org.owner)


async def test_the_table_loads_pages_never_every_row(org: Org, many: int, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = app.home.query_one(TokenTable)
        assert table.total == many and f"{many:,} tokens" in screen_text(app)
        # The first page, and those of the last screenful, read ahead for End.
        end_pages = range((many - table._visible_rows) // PAGE_SIZE, (many - 1) // PAGE_SIZE + 1)
        assert sorted(table.loader.kept) == [0, *end_pages]
        await pilot.press("G")  # jump to the last row
        await settle(pilot)
        last = org.service.list_tokens(org.owner, TokenQuery(sort=SortKey.CREATED), offset=many - 1, limit=1)[
            0
        ]
        assert table.current == last
        assert last.name[:8] in table_text(app).splitlines()[-1]
        assert len(table.loader.kept) * PAGE_SIZE < many
        await pilot.press("g")
        await settle(pilot)
        assert table.current == org.service.list_tokens(org.owner, limit=1)[0]


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, int]]:
    """Every (offset, limit) the console's table asks the store for, in order."""
    from tokentui.console.pages import TokenPages

    asked: list[tuple[int, int]] = []
    page = TokenPages.page

    def counted(self: TokenPages, offset: int, limit: int, total: int, stop: object = None) -> list[object]:
        asked.append((offset, limit))
        return page(self, offset, limit, total, stop)  # type: ignore[arg-type]

    monkeypatch.setattr(TokenPages, "page", counted)
    return asked


async def test_end_shows_the_last_rows_read_ahead_once_counted(
    org: Org, many: int, console, asked: list[tuple[int, int]]
) -> None:
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = app.home.query_one(TokenTable)
        first, last = (many - table._visible_rows) // PAGE_SIZE, (many - 1) // PAGE_SIZE
        assert asked == [(0, PAGE_SIZE), (first * PAGE_SIZE, (last - first + 1) * PAGE_SIZE)]
        asked.clear()
        await pilot.press("end")
        await settle(pilot)
        assert asked == []  # nothing left to read: the rows were already there
        oldest = org.service.list_tokens(
            org.owner, offset=many - table._visible_rows, limit=table._visible_rows
        )
        assert _names(oldest) == _shown_names(app)
        assert table.current == oldest[-1]
        # A search being typed reads no end ahead: each keystroke would pay for it.
        asked.clear()
        await pilot.press("slash", *"deploy")
        await settle(pilot)
        assert table.total > PAGE_SIZE and "deploy" in table_text(app).splitlines()[1].lower()
        assert asked and all(offset == 0 for offset, _ in asked)


async def test_a_view_across_two_unread_pages_reads_them_in_one_query(
    org: Org, many: int, console, asked: list[tuple[int, int]]
) -> None:
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = app.home.query_one(TokenTable)
        asked.clear()
        top = 11 * PAGE_SIZE - 5  # the view shows the end of page 10 and the start of page 11
        table.scroll_to(y=top, animate=False, immediate=True)  # a scrollbar drag
        await settle(pilot)
        assert asked == [(10 * PAGE_SIZE, 2 * PAGE_SIZE)]
        expected = org.service.list_tokens(org.owner, offset=top, limit=table._visible_rows)
        assert _names(expected) == _shown_names(app)[: len(expected)]


async def test_a_read_for_rows_the_view_has_left_is_stopped(
    org: Org, many: int, console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scrollbar drag: the query for where the view was must not hold up the one for where it is."""
    import threading

    from tokentui.console.pages import TokenPages
    from tokentui.core.store import Cancelled

    page = TokenPages.page
    left_behind = 10 * PAGE_SIZE
    stopped: list[int] = []

    def slow_where_the_view_was(
        self: TokenPages, offset: int, limit: int, total: int, stop: threading.Event | None = None
    ) -> list[object]:
        if offset == left_behind and not stopped and stop is not None and stop.wait(10):
            stopped.append(offset)
            raise Cancelled
        return page(self, offset, limit, total, stop)  # type: ignore[return-value]

    monkeypatch.setattr(TokenPages, "page", slow_where_the_view_was)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = app.home.query_one(TokenTable)
        table.scroll_to(y=left_behind + 5, animate=False, immediate=True)
        for _ in range(50):
            await pilot.pause()
            if table.loader.view_reads:
                break
        assert table.loader.view_reads, "the view's read should have started"
        top = 40 * PAGE_SIZE + 5
        table.scroll_to(y=top, animate=False, immediate=True)  # the drag moves on
        await settle(pilot)
        assert stopped == [left_behind]
        expected = org.service.list_tokens(org.owner, offset=top, limit=table._visible_rows)
        assert _names(expected) == _shown_names(app)
        table.scroll_to(y=left_behind + 5, animate=False, immediate=True)  # and back: read again
        await settle(pilot)
        again = org.service.list_tokens(org.owner, offset=left_behind + 5, limit=table._visible_rows)
        assert _names(again) == _shown_names(app)


async def _positions_found(pilot, app: TokentuiApp) -> int | None:  # type: ignore[no-untyped-def]
    """Wait for the pass over the query shown to find where its rows are; how many it found."""
    positions = app.home.table.loader.source.positions
    for _ in range(500):
        if positions.total is not None or positions.stale:
            break
        await pilot.pause(0.01)
    return positions.total


async def test_a_scrollbar_drag_deep_into_the_list_reads_from_the_nearest_checkpoint(
    org: Org, many: int, console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Once counted, the table knows where every few rows of its query are: a drag to the middle
    shows the rows the store lists there, read from the nearest of them, in either order."""
    from tokentui.core.listing import pages as listing

    monkeypatch.setattr(listing, "EVERY", 64)  # many checkpoints in a few thousand rows
    page_at = listing.page_at
    from_checkpoints: list[int] = []

    def spied(*args: object, offset: int, limit: int) -> list[TokenView] | None:
        rows = page_at(*args, offset=offset, limit=limit)  # type: ignore[arg-type]
        if rows is not None:
            from_checkpoints.append(offset)
        return rows

    monkeypatch.setattr(listing, "page_at", spied)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = app.home.query_one(TokenTable)
        for choose in (None, "expires", "expires"):  # the default order; by expiry; reversed
            if choose is not None:
                app.home.sort_by(choose)
                await settle(pilot)
            assert await _positions_found(pilot, app) == many
            source = table.loader.source
            assert source is not None
            from_checkpoints.clear()
            top = many // 2 + 7
            table.scroll_to(y=top, animate=False, immediate=True)  # a scrollbar drag
            await settle(pilot)
            expected = org.service.list_tokens(org.owner, source.query, offset=top, limit=table._visible_rows)
            assert _names(expected) == _shown_names(app), source.query
            assert top // PAGE_SIZE * PAGE_SIZE in from_checkpoints
        assert source.query.sort is SortKey.EXPIRES and not source.query.descending


async def test_an_empty_store_opens_on_the_demo_organization(console) -> None:
    app = console()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "Northwind Media" in screen_text(app)
        assert app.home.query_one(TokenTable).total > 300
        assert any("demo organization" in n.message for n in app._notifications)


async def test_org_switcher_for_members_of_several(org: Org, console) -> None:
    org.service.init_org("Globex", ADMIN)
    org.service.create_token(org.service.actor(ADMIN, "Globex"), "personal", name="globex pat", scopes=MANAGE)
    app = console(ADMIN, "Acme")
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        assert "Acme · admin@acme.test (admin)" in screen_text(app)
        await pilot.press("o")
        await settle(pilot)
        await pilot.press("down", "enter")
        await settle(pilot)
        assert "Globex · admin@acme.test (owner)" in screen_text(app)
        assert "globex pat" in table_text(app)


async def test_a_store_error_ends_the_console_with_one_message(tmp_path, console) -> None:
    bad = tmp_path / "corrupt.db"
    bad.write_bytes(b"this is not a database" * 100)
    from tokentui.console.app import TokentuiApp

    app = TokentuiApp(db=f"sqlite:///{bad}", actor=OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
    assert app.return_code == 7 and app.error and "database" in app.error
    assert bad.read_bytes() == b"this is not a database" * 100


async def test_a_search_that_narrows_the_rows_moves_the_scroll_range_and_the_thumb(
    org: Org, many: int, console, monkeypatch
) -> None:
    """A new count keeps the scrollbar and only moves its range (no layout); the last row stays reachable."""
    import time

    from tokentui.console.pages import TokenPages

    # On a big store the count comes long after the keystroke's repaint; here too.
    count = TokenPages.count

    def slow_count(self: TokenPages) -> int:
        time.sleep(0.3)
        return count(self)

    monkeypatch.setattr(TokenPages, "count", slow_count)
    total = many
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        table = app.home.query_one(TokenTable)
        assert table.show_vertical_scrollbar and table.virtual_size.height == total + 1
        # A search with more rows than the screen holds, but fewer than all.
        word = next(
            w
            for w in ("deploy", "sync", "export", "bot", "ci", "zapier")
            if PAGE_SIZE < org.service.count_tokens(org.owner, TokenQuery(search=w)) < total
        )
        matches = org.service.count_tokens(org.owner, TokenQuery(search=word))
        await pilot.press("slash", *word)
        await settle(pilot)
        assert table.total == matches and f"{matches:,} tokens" in screen_text(app)
        assert table.show_vertical_scrollbar
        assert table.virtual_size.height == matches + 1
        assert table.vertical_scrollbar.window_virtual_size == matches + 1
        assert table.max_scroll_y == matches + 1 - table.scrollable_content_region.height
        await pilot.press("escape", "G")  # back to the table; the last row
        await settle(pilot)
        last = org.service.list_tokens(org.owner, TokenQuery(search=word), offset=matches - 1, limit=1)[0]
        assert table.current == last and int(table.scroll_y) == table.max_scroll_y
        assert last.name[:8] in table_text(app).splitlines()[-1]


async def test_a_search_typed_fast_after_slash_lands_in_the_search_box(org: Org, console) -> None:
    """Keys queued behind "/" (fast typing, a paste, a slow SSH link) go to the box, not the table's keys."""
    _fill(org)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        # All four queued before any is handled; c, m and s are the screen's clear, mine and sort keys.
        queue_keys(app, ("slash", "/"), ("c", "c"), ("m", "m"), ("s", "s"))
        await settle(pilot)
        assert app.home.query_one("#search").value == "cms"
        assert app.home.filters.sort == "created" and not app.home.filters.mine
        assert app.home.table.total == 1 and "cms sync" in table_text(app)


async def test_a_long_search_scrolls_in_its_box_and_typing_it_never_lays_the_screen_out(
    org: Org, console, monkeypatch: pytest.MonkeyPatch
) -> None:
    _fill(org)
    app = console(OWNER)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"nothing")
        await settle(pilot)
        assert app.home.table.total == 0
        layouts = _layouts(app, monkeypatch)
        tail = " is called like this token at all, however long the text typed into the box grows"
        await pilot.press(*(c if c != " " else "space" for c in " matches" + tail))
        await settle(pilot)
        search = app.home.query_one("#search")
        assert search.value == "nothing matches" + tail
        # The box is narrower than the text: it has scrolled so the end and the cursor show.
        assert search.scroll_x > 0
        line = screen_text(app).split("\n")[search.region.y]
        assert line.rstrip().endswith("typed into the box grows") and "nothing" not in line
        # Keystrokes that change neither the rows nor the count repaint the box, nothing more.
        assert layouts == []


async def test_a_search_whose_rows_outgrow_the_screen_and_shrink_again_lays_nothing_out(
    org: Org, many: int, console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scrollbar stays whatever the count: a scrollbar that came and went was a layout a keystroke."""
    app = console(OWNER)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await settle(pilot)
        table = app.home.query_one(TokenTable)
        await pilot.press("slash")
        await settle(pilot)
        layouts = _layouts(app, monkeypatch)
        shown: list[int] = []
        # Thousands of rows, none, then thousands again: "n" matches most names here.
        for key in ("n", "o", "t", "h", "i", "n", "g", "backspace", *["backspace"] * 6):
            await pilot.press(key)
            await settle(pilot)
            shown.append(table.total)
        assert shown[-1] == max(shown) and 0 in shown and max(shown) > table._visible_rows
        assert table.show_vertical_scrollbar and table.max_scroll_y == table.total + 1 - table.size.height
        assert layouts == []


async def test_a_searchs_rows_are_painted_before_its_count_is_asked_for(
    org: Org, many: int, console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The count (seconds on a big store) does not compete with the paint of the rows a user waits for."""
    from tokentui.console.pages import TokenPages

    # A word whose every prefix of three letters or more matches more than a page.
    word = next(
        w
        for w in ("deploy", "sync", "export", "zapier")
        if org.service.count_tokens(org.owner, TokenQuery(search=w)) > PAGE_SIZE
    )
    painted: list[str] = []  # the search of every paint that showed its first row
    asked: list[tuple[str, list[str]]] = []  # each count's search, and what had been painted by then
    count = TokenPages.count

    def counting(self: TokenPages) -> int:
        asked.append((self.query.search, list(painted)))
        return count(self)

    render_lines = TokenTable.render_lines

    def rendering(self: TokenTable, crop: object) -> object:
        if self.is_sized and self.row(0) is not None and self.loader.source is not None:
            painted.append(self.loader.source.query.search)
        return render_lines(self, crop)  # type: ignore[arg-type]

    monkeypatch.setattr(TokenPages, "count", counting)
    monkeypatch.setattr(TokenTable, "render_lines", rendering)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        for char in word:
            await pilot.press(char)
            await settle(pilot)
    typed = {search: before for search, before in asked if search}
    assert all(word[:n] in typed for n in range(3, len(word) + 1))
    for search, before in typed.items():
        assert search in before


async def test_a_new_search_keeps_the_rows_on_screen_until_its_own_come(
    org: Org, many: int, console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No flash of placeholders a keystroke: the rows shown stay until the new first page replaces
    them, and only a first page slower than ``OLD_ROWS_KEPT`` shows placeholders meanwhile."""
    import threading

    from tokentui.console.pages import TokenPages
    from tokentui.console.widgets import token_table

    # Two words the bulk tokens' names hold.
    first, second = [
        w
        for w in ("deploy", "sync", "export", "bot", "zapier")
        if org.service.count_tokens(org.owner, TokenQuery(search=w))
    ][:2]
    gate = threading.Event()
    page = TokenPages.page

    def gated(
        self: TokenPages, offset: int, limit: int, total: int, stop: threading.Event | None = None
    ) -> object:
        if self.query.search in (first, second):
            gate.wait(10)
        return page(self, offset, limit, total, stop)

    def on_screen() -> list[str]:
        table = app.home.query_one(TokenTable)
        lines = screen_text(app).splitlines()[table.region.y + 1 : table.region.bottom]
        return [line[:8].rstrip() for line in lines]

    monkeypatch.setattr(TokenPages, "page", gated)
    monkeypatch.setattr(token_table, "OLD_ROWS_KEPT", 30.0)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        everyone = on_screen()
        assert everyone[0] and "…" not in everyone
        app.home.query_one("#search").value = first  # as a paste comes: the whole search at once
        for _ in range(10):
            await pilot.pause()
        assert on_screen() == everyone  # still the rows before the search
        gate.set()
        await settle(pilot)
        found = org.service.list_tokens(org.owner, TokenQuery(search=first), limit=len(everyone))
        assert found and on_screen()[: len(found)] == _names(found)
        # A first page slower than OLD_ROWS_KEPT: placeholders while it comes.
        gate.clear()
        monkeypatch.setattr(token_table, "OLD_ROWS_KEPT", 0.05)
        app.home.query_one("#search").value = second
        for _ in range(20):
            await pilot.pause(0.05)
            if on_screen()[0] == "…":
                break
        assert on_screen()[0] == "…"
        gate.set()
        await settle(pilot)
        found = org.service.list_tokens(org.owner, TokenQuery(search=second), limit=len(everyone))
        assert found and on_screen()[: len(found)] == _names(found)


async def test_backspaces_queued_between_typed_characters_edit_the_search_in_order(org: Org, console) -> None:
    """Fast typing or a slow link delivers "/login", five backspaces and "cms" together: they edit in order."""
    _fill(org)
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        queue_keys(  # "/" too: the keys behind it reach the table first, the box once focused
            app,
            ("slash", "/"),
            *((c, c) for c in "login"),
            *[("backspace", "\x7f")] * 5,
            *((c, c) for c in "cms"),
            ("left", None),  # and an arrow between characters: "cm" then "x" then "s"
            ("x", "x"),
        )
        await settle(pilot)
        assert app.home.query_one("#search").value == "cmxs"
        assert app.home.filters.search == "cmxs"
