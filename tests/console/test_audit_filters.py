"""Issue 21 item 1: the audit log opens an event in full and filters by who, action and time."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import DataTable

from tests.conftest import DEVELOPER, OWNER, Clock, Org
from tests.console.conftest import choose, said, screen_text, settle
from tokentui.console.screens.audit import AuditRangeScreen, AuditScreen
from tokentui.console.screens.audit_event import AuditEventScreen

READ = ["content_management_read"]


def _shown(app) -> list[int]:
    """The ids of the events in the audit table, top to bottom."""
    table = app.screen.query_one("#audit", DataTable)
    return [int(str(row.key.value)) for row in table.ordered_rows]


def _history(org: Org, clock: Clock) -> None:
    """Events three days ago, two days ago and within the last hours, by the owner and the developer."""
    svc = org.service
    clock.advance(days=-3)
    svc.create_token(org.owner, "personal", name="three days old", scopes=READ)
    clock.advance(days=1)
    old = svc.create_token(org.developer, "personal", name="two days old", scopes=READ)
    clock.advance(days=2, hours=-5)
    svc.create_token(org.developer, "personal", name="fresh", scopes=READ)
    svc.revoke(org.developer, old.token.id)
    owners = svc.create_token(org.owner, "personal", name="owners fresh", scopes=READ)
    svc.revoke(org.owner, owners.token.id)
    clock.advance(hours=5)


async def _open_log(app, pilot) -> None:
    await settle(pilot)
    await pilot.press("l")
    await settle(pilot)
    assert isinstance(app.screen, AuditScreen)


async def test_enter_opens_the_event_in_full_with_its_names_shown_literally(
    org: Org, console, clock: Clock
) -> None:
    hostile = "[red]boom[/] " + "long " * 30 + "end"
    org.service.create_token(org.developer, "personal", name=hostile, scopes=READ)
    event = org.service.audit(org.owner, limit=1)[0]
    clock.advance(hours=3)
    app = console(OWNER)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_log(app, pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditEventScreen)
        text = said(app)
        assert "2026-11-22 12:00 UTC (3 hours ago)" in text, text
        assert DEVELOPER in text and "token.create" in text
        assert f"token {event.target_id}" in text
        # The whole summary, markup and all, as it was written: nothing cut, nothing coloured.
        assert "[red]boom[/]" in text and "long long" in text and "end'" in text, text
        assert f"#{event.id}" in text
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)


async def test_1_shows_exactly_the_events_of_audit_since_24h_and_again_shows_all(
    org: Org, console, clock: Clock
) -> None:
    _history(org, clock)
    everything = [e.id for e in org.service.audit(org.owner, limit=1000)]
    recent = [e.id for e in org.service.audit(org.owner, since="24h", limit=1000)]
    assert 0 < len(recent) < len(everything)
    app = console(OWNER)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_log(app, pilot)  # from the home screen: "l", then "1"
        assert _shown(app) == everything
        footer = screen_text(app).splitlines()[-1]
        for key in ("⏎ Open", "1 Last 24h", "7 Last 7d", "w Who", "esc Back", "? Help"):
            assert key in footer, footer
        await pilot.press("1")
        await settle(pilot)
        assert _shown(app) == recent
        assert f"{len(recent)} events in the last 24 hours" in said(app)
        # The actor is on screen at 80 columns.
        rows = [line for line in screen_text(app).splitlines() if "token.revoke" in line]
        assert any(DEVELOPER in row for row in rows) and any(OWNER in row for row in rows), rows
        await pilot.press("7")
        await settle(pilot)
        assert _shown(app) == [e.id for e in org.service.audit(org.owner, since="7d", limit=1000)]
        await pilot.press("7")
        await settle(pilot)
        assert _shown(app) == everything


async def test_who_and_action_filters_keep_one_persons_events_of_one_kind(
    org: Org, console, clock: Clock
) -> None:
    _history(org, clock)
    app = console(OWNER)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_log(app, pilot)
        await pilot.press("w", *DEVELOPER.upper(), "enter")
        await settle(pilot)
        by_developer = org.service.audit(org.owner, actor_email=DEVELOPER, limit=1000)
        assert _shown(app) == [e.id for e in by_developer]
        assert {e.actor for e in by_developer} == {DEVELOPER}
        assert f"by {DEVELOPER.upper()}" in said(app)
        await choose(pilot, "#audit-action", "token.revoke")
        await settle(pilot)
        revoked = org.service.audit(org.owner, actor_email=DEVELOPER, action="token.revoke", limit=1000)
        assert len(revoked) == 1 and _shown(app) == [revoked[0].id]
        await pilot.press("c")
        await settle(pilot)
        assert _shown(app) == [e.id for e in org.service.audit(org.owner, limit=1000)]


async def test_a_range_of_days_keeps_those_days_and_an_inverted_one_says_so(
    org: Org, console, clock: Clock
) -> None:
    _history(org, clock)
    day = (clock.now - timedelta(days=2)).date().isoformat()
    app = console(OWNER)
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_log(app, pilot)
        await pilot.press("t")
        await settle(pilot)
        assert isinstance(app.screen, AuditRangeScreen)
        await pilot.press(*day, "tab", *day, "enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        everything = org.service.audit(org.owner, limit=1000)
        on_that_day = [e.id for e in everything if e.at.date().isoformat() == day]
        assert on_that_day and _shown(app) == on_that_day
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*"2026-11-25", "tab", *"2026-11-20", "enter")
        await settle(pilot)
        assert _shown(app) == []
        assert "nothing can match: from 2026-11-25 is after 2026-11-20" in said(app)
        await pilot.press("t")
        await settle(pilot)
        await pilot.press(*"yesterday", "enter")
        await settle(pilot)
        assert isinstance(app.screen, AuditRangeScreen)
        assert "from 'yesterday' is not a date (YYYY-MM-DD)" in said(app)


def test_help_lists_the_audit_logs_filter_keys() -> None:
    from rich.console import Console

    from tokentui.console.screens.help import help_table

    console = Console(width=100, record=True)
    console.print(help_table())
    lines = console.export_text().splitlines()
    for key, words in (
        ("1", "Last 24h"),
        ("7", "Last 7d"),
        ("t", "Days from/to"),
        ("w", "Who"),
        ("c", "Clear"),
    ):
        assert any(line.split()[:1] == [key] and words in line for line in lines), words
