"""The audit screen says whether the log's hash chain is intact."""

from __future__ import annotations

from sqlalchemy import text

from tests.conftest import OWNER, Org
from tests.console.conftest import SIZE, said, settle


async def test_the_audit_screen_says_the_chain_is_intact_then_where_it_broke(org: Org, console) -> None:
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert "Audit chain intact" in said(app)
        await pilot.press("escape")
    with org.service.store.write() as session:
        session.execute(text("DROP TRIGGER audit_event_no_update"))
        session.execute(text("UPDATE audit_event SET summary = 'nothing to see' WHERE id = 2"))
    app = console(OWNER)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        assert "Audit chain broken at event 2" in said(app)
