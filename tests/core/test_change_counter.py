"""Issue 21 item 2: the change counter the console polls moves on every write to the tokens, and only then."""

from __future__ import annotations

from tests.conftest import OUTSIDER, Clock, Org

READ = ["content_management_read"]


def test_every_write_to_the_tokens_moves_the_counter_and_reading_does_not(org: Org, clock: Clock) -> None:
    svc = org.service
    seen = [svc.change_counter()]

    def moved() -> bool:
        now = svc.change_counter()
        changed = now != seen[-1]
        seen.append(now)
        return changed

    svc.list_tokens(org.owner)
    svc.audit(org.owner)
    assert not moved()
    created = svc.create_token(org.developer, "personal", name="a", scopes=READ, expires="1d")
    assert moved()
    svc.mark_used([created.token.id], clock.advance(minutes=5))  # a verify: no event, a last use
    assert moved()
    svc.mark_used([created.token.id], clock.advance(seconds=10))  # within the minute: nothing written
    assert not moved()
    svc.revoke(org.developer, created.token.id)
    assert moved()
    legacy = next(t for t in svc.list_tokens(org.owner) if t.kind.value == "legacy_access")
    svc.reset(org.owner, legacy.id)
    assert moved()
    svc.create_token(org.outsider, "personal", name="b", scopes=READ, expires="1d")
    assert moved()
    clock.advance(days=2)
    assert not moved()  # time passing writes nothing
    assert svc.record_expiries()
    assert moved()
    svc.remove_member(org.owner, OUTSIDER)
    assert moved()
