"""Rotating a token (issue 21): a new secret with every setting and the lifetime of the old one,
the old secret stopped at once or after a grace period, in one transaction with its audit event."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.conftest import DEVELOPER, Clock, Org
from tests.store_state import store_state
from tokentui.core.errors import Conflict, InvalidInput, LimitReached, NotAllowed, NotFound
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.results import TokenView
from tokentui.core.vocabulary import Status, TokenKind
from tokentui.settings import LIMITS

MANAGE = ["content_management_manage"]


def settings(token: TokenView) -> tuple[object, ...]:
    """What a rotation keeps: everything but the secret, the id and the instants."""
    return (
        token.kind,
        token.name,
        token.scopes,
        token.space,
        token.environment,
        token.branches,
        token.app_name,
        token.notify,
    )


@pytest.mark.both_databases
def test_rotation_keeps_every_setting_and_stops_the_old_secret_at_once(org: Org) -> None:
    service = org.service
    made = [
        service.create_token(
            org.developer,
            "delivery",
            name="site",
            space="Website",
            environment="staging",
            branches=["next", "live"],
        ),
        service.create_token(
            org.space_admin, "management", name="cms", space="Website", scopes=["read", "write"], notify=False
        ),
        service.create_token(
            org.developer, "oauth", name="app", app="Publisher", scopes=MANAGE, expires="90d"
        ),
        service.create_token(org.developer, "personal", name="ci", scopes=["content_management_read"]),
        service.create_token(org.developer, "session", name="laptop"),
    ]
    for old in made:
        author = org.developer if old.token.author == DEVELOPER else org.space_admin
        rotated = service.rotate(author, old.token.id)
        new = rotated.created.token
        assert settings(new) == settings(old.token)
        assert new.id != old.token.id and rotated.created.secret != old.secret
        assert new.status is Status.ACTIVE and new.author == old.token.author
        stored = service.get_token(author, old.token.id)
        assert (stored.status, stored.revoked_reason) == (Status.REVOKED, "rotated")
        assert rotated.at_once and rotated.old_stops_at == stored.revoked_at
        assert service.verify(old.secret, "content.read", space="Website").reason == "revoked"
        assert service.verify(rotated.created.secret, "content.read", space="Website").allowed


def test_the_new_token_lives_as_long_as_the_old_one_did_from_now(org: Org, clock: Clock) -> None:
    thirty = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE, expires="30d")
    endless = org.service.create_token(org.developer, "personal", name="bot", scopes=MANAGE, expires="never")
    clock.advance(days=10)
    renewed = org.service.rotate(org.developer, thirty.token.id).created.token
    assert renewed.expires_at == clock.now + timedelta(days=30)
    assert org.service.rotate(org.developer, endless.token.id).created.token.expires_at is None


@pytest.mark.both_databases
def test_a_grace_period_moves_the_old_expiry_and_both_secrets_work_until_then(org: Org, clock: Clock) -> None:
    old = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE, expires="30d")
    rotated = org.service.rotate(org.developer, old.token.id, "3d")
    assert not rotated.at_once and rotated.old_stops_at == clock.now + timedelta(days=3)
    stored = org.service.get_token(org.developer, old.token.id)
    assert stored.status is Status.ACTIVE and stored.expires_at == clock.now + timedelta(days=3)
    assert org.service.verify(old.secret, "content.read", space="Website").allowed
    assert org.service.verify(rotated.created.secret, "content.read", space="Website").allowed
    clock.advance(days=3)
    assert org.service.verify(old.secret, "content.read", space="Website").reason == "expired"
    assert org.service.verify(rotated.created.secret, "content.read", space="Website").allowed


def test_a_grace_period_never_makes_the_old_token_live_longer(org: Org, clock: Clock) -> None:
    old = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE, expires="2d")
    rotated = org.service.rotate(org.developer, old.token.id, timedelta(days=7))
    assert rotated.old_stops_at == old.token.expires_at
    assert org.service.get_token(org.developer, old.token.id).expires_at == old.token.expires_at
    # The replacement keeps the old lifetime, two days, from now.
    assert rotated.created.token.expires_at == clock.now + timedelta(days=2)


def test_the_old_token_gets_no_reminder_while_it_runs_out(org: Org, clock: Clock) -> None:
    old = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE, expires="30d")
    org.service.rotate(org.developer, old.token.id, "7d")
    assert [r.token.id for r in org.service.due_reminders()] == []


@pytest.mark.parametrize(
    "grace", ["8d", "169h", "2w", "0h", "0d", "-1d", "soon", "", timedelta(0), timedelta(days=8)]
)
def test_a_grace_period_beyond_seven_days_or_not_positive_is_refused_and_nothing_changes(
    org: Org, db_url: str, grace: str | timedelta
) -> None:
    old = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE)
    before = store_state(db_url)
    with pytest.raises(InvalidInput, match="grace period"):
        org.service.rotate(org.developer, old.token.id, grace)
    assert store_state(db_url) == before


def test_seven_days_is_the_longest_grace(org: Org, clock: Clock) -> None:
    old = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE)
    rotated = org.service.rotate(org.developer, old.token.id, "7d")
    assert rotated.old_stops_at == clock.now + LIMITS.max_rotation_grace


@pytest.mark.both_databases
def test_revoked_expired_and_already_rotated_tokens_are_refused(org: Org, clock: Clock, db_url: str) -> None:
    service = org.service
    revoked = service.create_token(org.developer, "personal", name="gone", scopes=MANAGE)
    service.revoke(org.developer, revoked.token.id)
    expired = service.create_token(org.developer, "personal", name="old", scopes=MANAGE, expires="1d")
    graced = service.create_token(org.developer, "personal", name="ci", scopes=MANAGE)
    service.rotate(org.developer, graced.token.id, "1d")
    clock.advance(days=1, hours=1)
    fresh = service.create_token(org.developer, "personal", name="fresh", scopes=MANAGE)
    service.rotate(org.developer, fresh.token.id, "12h")
    before = store_state(db_url)
    with pytest.raises(Conflict, match=r"was revoked at .*nothing to rotate"):
        service.rotate(org.developer, revoked.token.id)
    with pytest.raises(NotAllowed, match=r"expired at .*create a new one"):
        service.rotate(org.developer, expired.token.id)
    with pytest.raises(Conflict, match=r"already rotated .*rotate its replacement"):
        service.rotate(org.developer, fresh.token.id)
    assert store_state(db_url) == before


@pytest.mark.both_databases
def test_a_legacy_access_token_rotates_as_a_reset_and_takes_no_grace(org: Org, db_url: str) -> None:
    legacy_only = TokenQuery(kinds=frozenset({TokenKind.LEGACY_ACCESS}), statuses=frozenset({Status.ACTIVE}))
    legacy = org.service.list_tokens(org.owner, legacy_only)[0]
    before = store_state(db_url)
    with pytest.raises(NotAllowed, match="legacy access token is reset, not rotated with a grace period"):
        org.service.rotate(org.developer, legacy.id, "1d")
    assert store_state(db_url) == before
    rotated = org.service.rotate(org.developer, legacy.id)
    assert rotated.at_once and rotated.old.revoked_reason == "reset"
    assert [t.id for t in org.service.list_tokens(org.owner, legacy_only)] == [rotated.created.token.id]
    assert [e.action for e in org.service.audit(org.owner, limit=1)] == ["token.reset"]


@pytest.mark.both_databases
def test_an_authtoken_at_the_limit_rotates_without_revoking_the_oldest(
    org: Org, clock: Clock, db_url: str
) -> None:
    limit = LIMITS.active_authtokens_per_user
    made = []
    for n in range(limit):
        made.append(org.service.create_token(org.developer, "session", name=f"s{n}"))
        clock.advance(minutes=1)
    sessions = TokenQuery(
        mine=True, kinds=frozenset({TokenKind.SESSION}), statuses=frozenset({Status.ACTIVE})
    )
    before = store_state(db_url)
    # With a grace period the old one would still count: a 21st active authtoken is refused.
    with pytest.raises(LimitReached, match="rotate without a grace period"):
        org.service.rotate(org.developer, made[4].token.id, "1d")
    assert store_state(db_url) == before
    rotated = org.service.rotate(org.developer, made[4].token.id)
    assert rotated.created.retired == ()
    active = {t.id for t in org.service.list_tokens(org.developer, sessions)}
    assert active == {m.token.id for m in made if m is not made[4]} | {rotated.created.token.id}
    assert org.service.get_token(org.developer, made[0].token.id).status is Status.ACTIVE


def test_a_space_token_at_its_limit_rotates_at_once_but_not_with_a_grace_period(org: Org) -> None:
    made = [
        org.service.create_token(
            org.space_admin, "management", name=f"m{n}", space="Website", scopes=["read"]
        )
        for n in range(LIMITS.management_tokens_per_space)
    ]
    with pytest.raises(
        LimitReached, match=r"already has 10 management tokens.*rotate without a grace period"
    ):
        org.service.rotate(org.space_admin, made[0].token.id, "1d")
    assert org.service.rotate(org.space_admin, made[0].token.id).created.token.status is Status.ACTIVE


@pytest.mark.both_databases
def test_the_audit_log_links_the_old_token_and_the_new(org: Org) -> None:
    first = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE)
    now = org.service.rotate(org.developer, first.token.id)
    later = org.service.rotate(org.developer, now.created.token.id, "1d")
    rotations = org.service.audit(org.owner, action="token.rotate")
    assert [e.target_id for e in rotations] == [now.created.token.id, first.token.id]
    newest, oldest = rotations
    assert first.token.id in oldest.summary and now.created.token.id in oldest.summary
    assert oldest.summary.endswith("the old one stops at once")
    assert later.created.token.id in newest.summary
    assert newest.summary.endswith(f"stops at {later.old_stops_at:%Y-%m-%d %H:%M} UTC")
    # The new token has its creation event, as any token does.
    created = org.service.audit(org.owner, action="token.create", search=later.created.token.last4)
    assert [e.target_id for e in created] == [later.created.token.id]


@pytest.mark.both_databases
def test_only_who_may_revoke_the_old_token_and_create_the_new_one_rotates(org: Org, db_url: str) -> None:
    service = org.service
    pat = service.create_token(org.developer, "personal", name="dev pat", scopes=MANAGE)
    site = service.create_token(
        org.developer, "delivery", name="site", space="Website", environment="production"
    )
    before = store_state(db_url)
    with pytest.raises(NotAllowed, match="only its author can revoke a personal access token"):
        service.rotate(org.admin, pat.token.id)
    with pytest.raises(NotFound):
        service.rotate(org.content_manager, pat.token.id)
    with pytest.raises(NotAllowed, match="only the token's author, the space owner and space admins"):
        service.rotate(org.content_manager, site.token.id)
    # The author may revoke it, but no longer create one: a content manager makes no delivery tokens.
    service.grant(org.owner, "Website", DEVELOPER, "content_manager")
    before = store_state(db_url)
    with pytest.raises(NotAllowed, match="only the space owner, space admins and developers can create"):
        service.rotate(org.developer, site.token.id)
    assert store_state(db_url) == before
    # A space admin may do both: the new token is theirs.
    rotated = service.rotate(org.space_admin, site.token.id)
    assert rotated.created.token.author == org.space_admin.email
