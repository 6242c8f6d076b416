"""Issue 21: the findings dialog (!) shows each finding with its count as ``findings`` does;
enter shows that finding's tokens in the table, the filter line naming it."""

from __future__ import annotations

from tests.conftest import OWNER, Org
from tests.console.conftest import said, screen_text, settle, table_text
from tokentui.console.screens.findings import FindingsScreen
from tokentui.console.screens.help import HelpScreen
from tokentui.console.screens.home import HomeScreen

READ = ["content_management_read"]
NO_SPACE_ROLE = "Tokens of members with no space role"


def _seed(org: Org) -> None:
    service = org.service
    service.create_token(org.outsider, "personal", name="outsider forever", expires="never", scopes=READ)
    service.create_token(org.outsider, "personal", name="outsider monthly", expires="30d", scopes=READ)
    service.create_token(
        org.developer, "personal", name="[red]dev[/red] forever", expires="never", scopes=READ
    )
    service.create_token(org.developer, "personal", name="dev soon", expires="3d", scopes=READ)


def _report(org: Org) -> dict[str, dict]:
    """The report as ``findings --json`` gives it, at the console's clock (the CLI reads the real one)."""
    return {
        finding.label: {"count": count, "tokens": org.service.list_tokens(org.owner, finding.query)}
        for finding, count in org.service.findings(org.owner)
    }


def _rows(app) -> dict[str, str]:
    table = app.screen.query_one("#findings")
    return {
        str(table.get_cell(key, "label")): str(table.get_cell(key, "count")).replace(",", "")
        for key in table.rows
    }


async def test_findings_show_the_reports_counts_and_enter_shows_the_findings_tokens(
    org: Org, console
) -> None:
    _seed(org)
    report = _report(org)
    assert report[NO_SPACE_ROLE]["count"] == 2
    app = console(OWNER)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        assert isinstance(app.screen, FindingsScreen)
        assert _rows(app) == {label: str(row["count"]) for label, row in report.items()}
        assert "esc Back" in screen_text(app).splitlines()[-1]
        labels = list(_rows(app))
        for _ in range(labels.index(NO_SPACE_ROLE)):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        home = app.home
        assert home.table.total == 2
        shown = table_text(app)
        for token in report[NO_SPACE_ROLE]["tokens"]:
            assert token.name in shown, shown
        assert "dev forever" not in shown and "dev soon" not in shown, shown
        summary = next(line for line in screen_text(app).splitlines() if "2 tokens" in line)
        assert f"2 tokens (organization) · 1 filter: {NO_SPACE_ROLE}" in summary, summary

        # c clears the finding with the filters: every token again.
        await pilot.press("c")
        await settle(pilot)
        assert NO_SPACE_ROLE not in said(app)
        assert home.table.total == org.service.count_tokens(org.owner)


async def test_a_finding_with_markup_in_a_token_name_and_escape_changes_nothing(org: Org, console) -> None:
    _seed(org)
    report = _report(org)
    never = "Tokens that never expire"
    app = console(OWNER)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        everything = app.home.table.total
        await pilot.press("exclamation_mark")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
        assert app.home.table.total == everything and app.home.finding is None

        await pilot.press("exclamation_mark")
        await settle(pilot)
        labels = list(_rows(app))
        for _ in range(labels.index(never)):
            await pilot.press("down")
        await pilot.press("enter")
        await settle(pilot)
        assert app.home.table.total == report[never]["count"]
        assert "[red]dev[/red] for" in table_text(app)  # the name cut at its column, never read as markup


async def test_at_80_columns_every_finding_shows_whole_with_its_count(org: Org, console) -> None:
    _seed(org)
    report = _report(org)
    app = console(OWNER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        lines = screen_text(app).splitlines()
        for label, row in report.items():
            line = next(line for line in lines if label in line)
            assert line.rstrip().endswith(f" {row['count']}"), line


async def test_help_on_the_findings_dialog_starts_with_its_keys(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=(120, 35)) as pilot:
        await settle(pilot)
        await pilot.press("exclamation_mark")
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        assert "Findings (this screen)" in screen_text(app)


async def test_the_home_footer_names_users_and_findings(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=(200, 50)) as pilot:
        await settle(pilot)
        footer = screen_text(app).splitlines()[-1]
        assert "u Users" in footer and "! Findings" in footer, footer
