"""Issue 22 item 3: the audit log shows who acted at 80 columns, whatever the summaries' lengths."""

from __future__ import annotations

from tests.conftest import DEVELOPER, OWNER, Org
from tests.console.conftest import screen_text, settle
from tokentui.console.screens.audit import AuditScreen


async def test_who_is_on_screen_at_80_columns_beside_a_200_character_summary(org: Org, console) -> None:
    long_name = "quarterly export " + "x" * 150
    org.service.create_token(org.developer, "personal", name=long_name, scopes=["content_management_read"])
    event = org.service.audit(org.owner, limit=1)[0]
    assert len(event.summary) >= 160 and event.actor == DEVELOPER
    app = console(OWNER)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, AuditScreen)
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "When (UTC)" in line)
        for title in ("Who", "Action", "What"):
            assert title in header, header
        rows = [line for line in lines if "created personal" in line]
        assert rows, "\n".join(lines)
        row = rows[0]
        assert DEVELOPER in row, row
        assert "token.create" in row, row
        # The summary is cut with an ellipsis at the screen's edge, not wrapped or scrolled.
        assert row.rstrip().endswith("…") and "x" * 20 not in row, row
        assert len(row) <= 80
