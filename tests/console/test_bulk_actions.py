"""Marks and bulk revoke: space marks a row, * marks every match, r revokes the marked after one question."""

from __future__ import annotations

from tests.conftest import ADMIN, Org
from tests.console.conftest import SIZE, said, settle, table_text
from tokentui.console.screens.confirm import ConfirmScreen
from tokentui.core.vocabulary import Status

MANAGE = ["content_management_manage"]


def _tokens(org: Org) -> dict[str, str]:
    """Four tokens named ci-…, one the admin may not revoke, and one that matches no search."""
    service = org.service
    made = {
        "ci-a": service.create_token(org.admin, "personal", name="ci-a", scopes=MANAGE),
        "ci-b": service.create_token(org.admin, "personal", name="ci-b", scopes=MANAGE),
        "ci-site": service.create_token(
            org.developer, "delivery", name="ci-site", space="Website", environment="staging"
        ),
        "ci-dev": service.create_token(org.developer, "personal", name="ci-dev", scopes=MANAGE),
        "other": service.create_token(org.admin, "personal", name="other", scopes=MANAGE),
    }
    return {name: created.token.id for name, created in made.items()}


def _status(org: Org, token_id: str) -> Status:
    return org.service.get_token(org.owner, token_id).status


async def test_space_marks_and_unmarks_the_row_with_a_shape(org: Org, console) -> None:
    _tokens(org)
    app = console(ADMIN)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"other", "enter")
        await settle(pilot)
        await pilot.press("space")
        await settle(pilot)
        assert "* other" in table_text(app)
        assert "1 marked (r revokes, U clears)" in said(app)
        await pilot.press("space")
        await settle(pilot)
        assert "* other" not in table_text(app)
        assert "marked" not in said(app)


async def test_star_marks_every_match_and_r_revokes_them_after_one_question(org: Org, console) -> None:
    ids = _tokens(org)
    app = console(ADMIN)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ci-", "enter")
        await settle(pilot)
        await pilot.press("asterisk")
        await settle(pilot)
        assert "Marked 4 tokens (every match)" in said(app)
        assert table_text(app).count("* ci-") == 4
        await pilot.press("r")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        assert "Revoke 4 tokens: 3 personal access tokens, 1 delivery token?" in said(app)
        await pilot.press("n")
        await settle(pilot)
        assert all(_status(org, token_id) is Status.ACTIVE for token_id in ids.values())
        await pilot.press("r", "y")
        await settle(pilot)
        text = said(app)
        assert "Revoked 3 of 4 tokens." in text
        assert "Refused 1:" in text
        # One line each, not one line with its breaks shown as escapes.
        assert "\\x0a" not in text and "\\n" not in text
        assert "'ci-dev'" in text and "only its author can revoke a personal access token" in text
        assert "marked" not in text
    for name in ("ci-a", "ci-b", "ci-site"):
        assert _status(org, ids[name]) is Status.REVOKED
    assert _status(org, ids["ci-dev"]) is Status.ACTIVE
    assert _status(org, ids["other"]) is Status.ACTIVE


async def test_mark_all_takes_rows_not_loaded_yet_and_shift_u_clears(org: Org, console) -> None:
    from tokentui.console.widgets.table_loader import PAGE_SIZE

    for n in range(PAGE_SIZE + 5):
        org.service.create_token(org.admin, "personal", name=f"bulk {n:03}", scopes=MANAGE)
    app = console(ADMIN)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"bulk", "enter")
        await settle(pilot)
        await pilot.press("asterisk")
        await settle(pilot)
        assert f"{PAGE_SIZE + 5} marked" in said(app)
        await pilot.press("U")
        await settle(pilot)
        assert "marked" not in said(app).replace("Marks cleared", "")


async def test_without_marks_r_revokes_the_row_under_the_cursor(org: Org, console) -> None:
    ids = _tokens(org)
    app = console(ADMIN)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"other", "enter")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "Revoke the personal access token 'other'" in said(app)
        await pilot.press("y")
        await settle(pilot)
    assert _status(org, ids["other"]) is Status.REVOKED
    assert _status(org, ids["ci-a"]) is Status.ACTIVE


def test_help_names_the_bulk_find_and_export_keys() -> None:
    from rich.console import Console

    from tokentui.console.screens.help import help_table

    console = Console(width=120, record=True)
    console.print(help_table())
    text = console.export_text()
    for line in (
        "space",
        "Mark / unmark the row",
        "Mark every token that matches",
        "Clear the marks",
        "Find the token a leaked secret belongs to",
        "Export the view to CSV or JSON",
        "Find a leaked secret",
    ):
        assert line in text, line


async def test_revoke_from_the_details_revokes_that_token_not_the_marked(org: Org, console) -> None:
    ids = _tokens(org)
    app = console(ADMIN)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"ci-a", "enter")
        await settle(pilot)
        await pilot.press("space")
        await pilot.press("slash", "ctrl+a", "ctrl+k", *"other", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("r")
        await settle(pilot)
        assert "Revoke the personal access token 'other'" in said(app)
        await pilot.press("y")
        await settle(pilot)
        assert "1 marked" in said(app)
    assert _status(org, ids["other"]) is Status.REVOKED
    assert _status(org, ids["ci-a"]) is Status.ACTIVE


async def test_mark_all_beyond_the_limit_says_so_and_marks_nothing(org: Org, console, monkeypatch) -> None:
    """On a million tokens * would hold every row and revoke for minutes: it says how to do it."""
    from dataclasses import replace

    import tokentui.settings

    monkeypatch.setattr(tokentui.settings, "LIMITS", replace(tokentui.settings.LIMITS, max_marks=3))
    for n in range(5):
        org.service.create_token(org.admin, "personal", name=f"bulk {n}", scopes=MANAGE)
    app = console(ADMIN)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"bulk", "enter")
        await settle(pilot)
        await pilot.press("asterisk")
        await settle(pilot)
        shown = said(app)
        assert "5 tokens match: * marks at most 3." in shown and "tokens revoke -" in shown
        assert "marked" not in shown
        assert app.home.marks == {}
