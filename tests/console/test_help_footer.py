"""Issue 22 item 12: the footer keeps the main keys at 80 columns; help follows the screen."""

from __future__ import annotations

from rich.console import Console

from tests.conftest import OWNER, Org
from tests.console.conftest import settle
from tokentui.console.screens.audit import AuditScreen
from tokentui.console.screens.help import HelpScreen, help_table


def _footer_line(app) -> str:
    strips = app.screen._compositor.render_strips()
    return "".join(segment.text for segment in strips[-1])


async def test_the_footer_at_80_columns_keeps_help_quit_and_the_main_keys(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        footer = _footer_line(app)
        for key in ("? Help", "q Quit", "n New", "r Revoke", "l Audit", "/ Search"):
            assert key in footer, footer


async def test_the_footer_at_200_columns_shows_every_key(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        footer = _footer_line(app)
        for key in ("⏎ Details", "a Author", "R Reset", "f Filters", "? Help", "q Quit"):
            assert key in footer, footer


def _text(table) -> str:
    console = Console(width=100, record=True)
    console.print(table)
    return console.export_text()


async def test_help_on_the_audit_log_starts_with_the_audit_logs_keys(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        help_screen = app.screen
        assert isinstance(help_screen, HelpScreen)
        text = _text(help_table(help_screen.here))
        headings = [line.strip() for line in text.splitlines() if line.strip() and "  " not in line.strip()]
        assert headings[0] == "Audit log (this screen)", headings


def test_help_names_the_dialogs_keys() -> None:
    text = _text(help_table())
    assert "New token" in text and "ctrl+s" in text and "Create" in text
    assert "Toggle the highlighted box" in text
    assert "Filters" in text and "Apply" in text


async def test_the_footer_is_composed_once_as_the_console_starts_and_again_for_a_new_width(
    org: Org, console, monkeypatch
) -> None:
    """Each move of the focus and the first layout ask the footer to compose its keys again while the
    console starts: only a change of its keys or of the width does (hundreds of refreshes each)."""
    from tokentui.console.widgets.key_footer import KeyFooter

    composed: list[int] = []
    compose = KeyFooter.compose

    def counted(self: KeyFooter):  # type: ignore[no-untyped-def]
        widgets = list(compose(self))
        if widgets:
            composed.append(self.app.size.width)
        return iter(widgets)

    monkeypatch.setattr(KeyFooter, "compose", counted)
    app = console(OWNER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert composed == [80]
        assert "? Help" in _footer_line(app) and "R Reset" not in _footer_line(app)  # dropped at 80
        await pilot.resize_terminal(200, 50)
        await settle(pilot)
        assert composed == [80, 200]
        assert "R Reset" in _footer_line(app) and "? Help" in _footer_line(app)


async def test_a_footer_asked_to_fit_after_its_screen_closed_does_nothing(org: Org, console) -> None:
    """A resize queues the footer's fitting after the next refresh; the screen may be gone by then
    (closed, or the console quitting): that footer has nothing to fit, and no error."""
    from tokentui.console.widgets.key_footer import KeyFooter

    app = console(OWNER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        footer = app.screen.query_one(KeyFooter)
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, AuditScreen)
        await footer.recompose()
        assert app.error is None
