"""Service.members_overview: the users screen's one read, a fixed few queries however many members."""

from __future__ import annotations

from sqlalchemy import event

from tests.conftest import CONTENT_MANAGER, OUTSIDER, OWNER, Org


def _statements(org: Org, no_space_role: bool = False) -> int:
    seen: list[str] = []

    def count(*args: object) -> None:
        seen.append(str(args[2]))

    event.listen(org.service.store.engine, "before_cursor_execute", count)
    try:
        org.service.members_overview(org.owner, no_space_role=no_space_role)
    finally:
        event.remove(org.service.store.engine, "before_cursor_execute", count)
    return len([s for s in seen if s.lstrip().upper().startswith("SELECT")])


def test_overview_reads_in_the_same_few_queries_for_six_members_or_twenty_six(org: Org) -> None:
    few = _statements(org)
    for n in range(20):
        org.service.add_member(org.owner, f"extra{n}@acme.test", "member")
    assert _statements(org) == few


def test_overview_gives_spaces_roles_and_tokens(org: Org) -> None:
    org.service.create_token(
        org.service.actor(CONTENT_MANAGER), "personal", name="a", scopes=["content_management_read"]
    )
    rows = {o.member.email: o for o in org.service.members_overview(org.owner)}
    assert [(s.space, s.role) for s in rows[CONTENT_MANAGER].member.spaces] == [
        ("Website", "content_manager")
    ]
    assert rows[CONTENT_MANAGER].tokens == 1 and rows[OUTSIDER].tokens == 0
    assert rows[OWNER].has_space_role and not rows[OUTSIDER].has_space_role
    assert [o.member.email for o in org.service.members_overview(org.owner, no_space_role=True)] == [OUTSIDER]
