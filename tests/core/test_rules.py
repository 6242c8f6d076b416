"""Every rule of SPEC.md's token-kinds table, driven through the core service.

A rule the database takes part in (limits, listings, lookups, revocation) is marked
``both_databases``; input refused before any query runs on SQLite alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.conftest import ADMIN, CONTENT_MANAGER, DEVELOPER, OWNER, Clock, Org
from tokentui.core.errors import Conflict, InvalidInput, LimitReached, NotAllowed, NotFound
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.service import Service
from tokentui.core.vocabulary import Status, TokenKind
from tokentui.settings import LIMITS


def audit_count(org: Org) -> int:
    return len(org.service.audit(org.owner, limit=100_000))


# -- personal access tokens ---------------------------------------------------------


def test_personal_token_needs_at_least_one_scope(org: Org) -> None:
    with pytest.raises(InvalidInput, match="at least one scope"):
        org.service.create_token(org.developer, "personal", name="x", scopes=[])


def test_personal_token_refuses_unknown_scope(org: Org) -> None:
    with pytest.raises(InvalidInput, match="unknown scope 'admin'"):
        org.service.create_token(org.developer, "personal", scopes=["admin"])


def test_manage_scope_implies_read(org: Org) -> None:
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_manage"])
    assert org.service.verify(created.secret, "content.read", space="Website").allowed
    assert org.service.verify(created.secret, "content.write", space="Website").allowed


@pytest.mark.both_databases
def test_read_scope_allows_only_reads(org: Org) -> None:
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    assert org.service.verify(created.secret, "content.read", space="Website").allowed
    assert org.service.verify(created.secret, "content.read_draft", space="Website").allowed
    denied = org.service.verify(created.secret, "content.write", space="Website")
    assert (denied.allowed, denied.reason) == (False, "scope")


@pytest.mark.parametrize(
    "choice, days", [("7d", 7), ("30d", 30), ("60d", 60), ("90d", 90), ("180d", 180), ("365d", 365)]
)
def test_personal_expiry_presets(org: Org, clock: Clock, choice: str, days: int) -> None:
    created = org.service.create_token(
        org.developer, "personal", scopes=["content_management_read"], expires=choice
    )
    assert created.token.expires_at == clock.now + timedelta(days=days)


def test_personal_expiry_defaults_to_thirty_days(org: Org, clock: Clock) -> None:
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    assert created.token.expires_at == clock.now + timedelta(days=30)


def test_personal_expiry_custom_date_means_end_of_that_day(org: Org) -> None:
    created = org.service.create_token(
        org.developer, "personal", scopes=["content_management_read"], expires="2027-03-01"
    )
    assert created.token.expires_at == datetime(2027, 3, 1, 23, 59, 59, tzinfo=UTC)


def test_personal_token_may_never_expire(org: Org) -> None:
    created = org.service.create_token(
        org.developer, "personal", scopes=["content_management_read"], expires="never"
    )
    assert created.token.expires_at is None


@pytest.mark.parametrize("bad", ["2020-01-01", "0d", "-5d", "soon", "30x", "99999d", ""])
def test_expiry_in_the_past_or_malformed_is_refused(org: Org, bad: str) -> None:
    before = audit_count(org)
    with pytest.raises(InvalidInput):
        org.service.create_token(org.developer, "personal", scopes=["content_management_read"], expires=bad)
    assert audit_count(org) == before


def test_expiry_is_chosen_only_at_creation(org: Org) -> None:
    """No operation changes an expiry: the service offers none, and revoke keeps it."""
    created = org.service.create_token(
        org.developer, "personal", scopes=["content_management_read"], expires="7d"
    )
    assert not any("expir" in name and name.startswith(("set", "update", "change")) for name in dir(Service))
    revoked = org.service.revoke(org.developer, created.token.id)
    assert revoked.expires_at == created.token.expires_at


@pytest.mark.both_databases
def test_personal_token_has_its_users_permissions_in_every_organization(org: Org) -> None:
    service = org.service
    service.init_org("Globex", "boss@globex.test")
    boss = service.actor("boss@globex.test")
    service.add_member(boss, DEVELOPER, "member")
    service.add_space(boss, "Shop")
    service.grant(boss, "Shop", DEVELOPER, "content_manager")
    developer = service.actor(DEVELOPER, "Acme")
    created = service.create_token(developer, "personal", scopes=["content_management_manage"])
    assert service.verify(created.secret, "content.write", space="Website").allowed
    assert service.verify(created.secret, "content.write", space="Shop").allowed
    # ... and only with the user's role: a member is no admin in either.
    assert service.verify(created.secret, "users.manage", org="Globex").reason == "no_access"


@pytest.mark.both_databases
def test_only_its_author_revokes_a_personal_token(org: Org) -> None:
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    with pytest.raises(NotAllowed, match="remove the author from the organization"):
        org.service.revoke(org.owner, created.token.id)
    revoked = org.service.revoke(org.developer, created.token.id)
    assert revoked.status is Status.REVOKED and revoked.revoked_reason == "revoked"


@pytest.mark.both_databases
def test_revoking_twice_is_a_conflict(org: Org) -> None:
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    org.service.revoke(org.developer, created.token.id)
    with pytest.raises(Conflict, match="already revoked"):
        org.service.revoke(org.developer, created.token.id)


@pytest.mark.both_databases
def test_removing_the_author_cuts_personal_token_access_to_the_organization(org: Org) -> None:
    service = org.service
    created = service.create_token(org.developer, "personal", scopes=["content_management_manage"])
    session = service.create_token(org.developer, "session")
    assert service.verify(created.secret, "content.read", space="Website").allowed
    removed = service.remove_member(org.owner, DEVELOPER)
    assert removed.tokens_cut_off == 2
    assert service.verify(created.secret, "content.read", space="Website").reason == "no_access"
    assert service.verify(session.secret, "content.read", space="Website").reason == "no_access"
    org_ids = {t.id for t in service.list_tokens(org.owner, limit=1000)}
    assert created.token.id not in org_ids and session.token.id not in org_ids
    # The token stays in its author's own list.
    mine = service.list_tokens(service.actor(DEVELOPER), TokenQuery(mine=True))
    assert created.token.id in {t.id for t in mine}


@pytest.mark.both_databases
def test_admins_cannot_remove_owners_and_the_last_owner_stays(org: Org) -> None:
    with pytest.raises(NotAllowed, match="only owners can remove an owner"):
        org.service.remove_member(org.admin, OWNER)
    with pytest.raises(NotAllowed, match="last owner"):
        org.service.remove_member(org.owner, OWNER)


@pytest.mark.both_databases
def test_members_cannot_remove_members(org: Org) -> None:
    with pytest.raises(NotAllowed, match="owners and admins"):
        org.service.remove_member(org.developer, CONTENT_MANAGER)


# -- OAuth application tokens ------------------------------------------------------


def test_oauth_token_needs_an_application_name(org: Org) -> None:
    with pytest.raises(InvalidInput, match="needs --app"):
        org.service.create_token(org.developer, "oauth", scopes=["content_management_read"])
    created = org.service.create_token(
        org.developer, "oauth", scopes=["content_management_read"], app="Zapier"
    )
    assert created.token.app_name == "Zapier" and created.token.kind is TokenKind.OAUTH


@pytest.mark.both_databases
def test_oauth_tokens_are_listed_beside_personal_tokens_with_a_kind_filter(org: Org) -> None:
    org.service.create_token(org.developer, "oauth", scopes=["content_management_read"], app="Zapier")
    org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    everything = org.service.list_tokens(org.owner)
    assert {t.kind for t in everything} >= {TokenKind.OAUTH, TokenKind.PERSONAL}
    only_oauth = org.service.list_tokens(org.owner, TokenQuery(kinds=frozenset({TokenKind.OAUTH})))
    assert [t.kind for t in only_oauth] == [TokenKind.OAUTH]


def test_app_is_refused_for_other_kinds(org: Org) -> None:
    with pytest.raises(InvalidInput, match="--app"):
        org.service.create_token(org.developer, "personal", scopes=["content_management_read"], app="X")


# -- delivery tokens -------------------------------------------------------------------


def test_delivery_token_serves_exactly_one_environment(org: Org) -> None:
    with pytest.raises(InvalidInput, match="exactly one environment"):
        org.service.create_token(org.developer, "delivery", space="Website")
    created = org.service.create_token(org.developer, "delivery", space="Website", environment="production")
    service = org.service
    assert service.verify(created.secret, "content.read", space="Website", environment="production").allowed
    other = service.verify(created.secret, "content.read", space="Website", environment="staging")
    assert other.reason == "wrong_environment"


def test_delivery_token_in_a_single_environment_space_needs_no_env(org: Org) -> None:
    created = org.service.create_token(org.owner, "delivery", space="Legacy")
    assert created.token.environment == "master"


def test_delivery_token_unknown_environment_is_refused(org: Org) -> None:
    with pytest.raises(InvalidInput, match="no environment 'prod'"):
        org.service.create_token(org.developer, "delivery", space="Website", environment="prod")


@pytest.mark.both_databases
def test_delivery_token_limit_is_twenty_per_space(org: Org) -> None:
    for index in range(LIMITS.delivery_tokens_per_space):
        org.service.create_token(
            org.developer, "delivery", name=f"d{index}", space="Website", environment="production"
        )
    before = audit_count(org)
    with pytest.raises(LimitReached, match="already has 20 delivery tokens"):
        org.service.create_token(org.developer, "delivery", space="Website", environment="production")
    assert audit_count(org) == before
    # Another space has its own allowance.
    org.service.create_token(org.owner, "delivery", space="Legacy")


@pytest.mark.both_databases
def test_revoked_delivery_tokens_free_their_place_under_the_limit(org: Org) -> None:
    tokens = [
        org.service.create_token(org.developer, "delivery", space="Website", environment="production")
        for _ in range(LIMITS.delivery_tokens_per_space)
    ]
    org.service.revoke(org.developer, tokens[0].token.id)
    org.service.create_token(org.developer, "delivery", space="Website", environment="production")


@pytest.mark.both_databases
def test_delivery_tokens_are_created_by_owner_admins_and_developers_only(org: Org) -> None:
    for actor in (org.owner, org.admin, org.space_admin, org.developer):
        org.service.create_token(actor, "delivery", space="Website", environment="production")
    with pytest.raises(NotAllowed, match="owner, space admins and developers"):
        org.service.create_token(org.content_manager, "delivery", space="Website", environment="production")
    with pytest.raises(NotAllowed):
        org.service.create_token(org.outsider, "delivery", space="Website", environment="production")


def test_delivery_token_cannot_be_reset(org: Org) -> None:
    created = org.service.create_token(org.developer, "delivery", space="Website", environment="production")
    with pytest.raises(NotAllowed, match="delivery tokens cannot be reset"):
        org.service.reset(org.developer, created.token.id)


@pytest.mark.both_databases
def test_delivery_token_cannot_read_drafts_or_write(org: Org) -> None:
    created = org.service.create_token(org.developer, "delivery", space="Website", environment="production")
    for action in ("content.read_draft", "content.write", "tokens.manage", "users.manage"):
        decision = org.service.verify(created.secret, action, space="Website", environment="production")
        assert decision.reason == "kind_not_allowed", action


@pytest.mark.both_databases
def test_delivery_token_cannot_serve_another_space(org: Org) -> None:
    created = org.service.create_token(org.developer, "delivery", space="Website", environment="production")
    assert org.service.verify(created.secret, "content.read", space="Legacy").reason == "no_access"


@pytest.mark.both_databases
def test_delivery_token_does_not_expire(org: Org) -> None:
    with pytest.raises(InvalidInput, match="do not expire"):
        org.service.create_token(
            org.developer, "delivery", space="Website", environment="production", expires="7d"
        )


@pytest.mark.both_databases
def test_delivery_token_limited_to_a_branch_serves_it_and_its_aliases_only(org: Org) -> None:
    created = org.service.create_token(
        org.developer, "delivery", space="Website", environment="production", branches=["main"]
    )
    service = org.service
    assert service.verify(created.secret, "content.read", space="Website", branch="main").allowed
    assert service.verify(created.secret, "content.read", space="Website", branch="live").allowed
    assert service.verify(created.secret, "content.read", space="Website", branch="next").reason == (
        "wrong_environment"
    )


def test_unknown_branch_is_refused_at_creation(org: Org) -> None:
    with pytest.raises(InvalidInput, match="no branch or alias 'dev'"):
        org.service.create_token(
            org.developer, "delivery", space="Website", environment="production", branches=["dev"]
        )


# -- management tokens -----------------------------------------------------------------


@pytest.mark.both_databases
def test_management_token_limit_is_ten_per_space(org: Org) -> None:
    for index in range(LIMITS.management_tokens_per_space):
        org.service.create_token(
            org.space_admin, "management", name=f"m{index}", space="Website", scopes=["read"]
        )
    with pytest.raises(LimitReached, match="already has 10 management tokens"):
        org.service.create_token(org.space_admin, "management", space="Website", scopes=["read"])


@pytest.mark.both_databases
def test_only_space_owner_and_admins_create_management_tokens(org: Org) -> None:
    org.service.create_token(org.owner, "management", space="Website", scopes=["read"])
    org.service.create_token(org.space_admin, "management", space="Website", scopes=["read"])
    for actor in (org.developer, org.content_manager):
        with pytest.raises(NotAllowed, match="developers and content managers cannot"):
            org.service.create_token(actor, "management", space="Website", scopes=["read"])


def test_management_token_is_read_only_or_write_only(org: Org) -> None:
    service = org.service
    reader = service.create_token(org.space_admin, "management", space="Website", scopes=["read"])
    writer = service.create_token(org.space_admin, "management", space="Website", scopes=["write"])
    assert service.verify(reader.secret, "content.read", space="Website").allowed
    assert service.verify(reader.secret, "content.write", space="Website").reason == "scope"
    assert service.verify(writer.secret, "content.write", space="Website").allowed
    assert service.verify(writer.secret, "content.read", space="Website").reason == "scope"


@pytest.mark.both_databases
@pytest.mark.parametrize(
    "action", ["tokens.manage", "users.manage", "publish.review", "org.manage", "space.manage"]
)
def test_management_token_cannot_act_on_organization_space_users_tokens_or_publishing(
    org: Org, action: str
) -> None:
    created = org.service.create_token(
        org.space_admin, "management", space="Website", scopes=["read", "write"]
    )
    assert org.service.verify(created.secret, action, space="Website").reason == "kind_not_allowed"


def test_management_token_may_expire_on_a_date(org: Org, clock: Clock) -> None:
    created = org.service.create_token(
        org.space_admin, "management", space="Website", scopes=["read"], expires="2027-01-31"
    )
    assert created.token.expires_at == datetime(2027, 1, 31, 23, 59, 59, tzinfo=UTC)
    never = org.service.create_token(org.space_admin, "management", space="Website", scopes=["read"])
    assert never.token.expires_at is None


def test_management_token_email_switch(org: Org) -> None:
    quiet = org.service.create_token(
        org.space_admin, "management", space="Website", scopes=["read"], notify=False
    )
    assert quiet.token.notify is False
    with pytest.raises(InvalidInput, match="notification switch belongs to management tokens"):
        org.service.create_token(org.developer, "personal", scopes=["content_management_read"], notify=False)


# -- authtokens ------------------------------------------------------------------------


@pytest.mark.both_databases
def test_twenty_first_authtoken_expires_the_oldest(org: Org, clock: Clock) -> None:
    created = []
    for _ in range(LIMITS.active_authtokens_per_user):
        created.append(org.service.create_token(org.developer, "session"))
        clock.advance(seconds=1)
    assert all(org.service.verify(c.secret, "content.read", space="Website").allowed for c in created)
    newest = org.service.create_token(org.developer, "session")
    oldest = org.service.get_token(org.developer, created[0].token.id)
    assert oldest.status is Status.REVOKED and oldest.revoked_reason == "authtoken_limit"
    assert org.service.verify(created[0].secret, "content.read", space="Website").reason == "revoked"
    assert org.service.verify(created[1].secret, "content.read", space="Website").allowed
    assert org.service.verify(newest.secret, "content.read", space="Website").allowed
    active = org.service.list_tokens(
        org.developer,
        TokenQuery(mine=True, kinds=frozenset({TokenKind.SESSION}), statuses=frozenset({Status.ACTIVE})),
    )
    assert len(active) == LIMITS.active_authtokens_per_user


@pytest.mark.both_databases
def test_sso_organization_lets_only_owner_and_bypass_members_create_authtokens(service: Service) -> None:
    service.init_org("Secure", "root@secure.test", sso=True)
    owner = service.actor("root@secure.test")
    service.add_member(owner, "idp@secure.test", "admin")
    service.add_member(owner, "bypass@secure.test", "member", sso_bypass=True)
    service.create_token(owner, "session")
    service.create_token(service.actor("bypass@secure.test"), "session")
    with pytest.raises(NotAllowed, match="uses SSO"):
        service.create_token(service.actor("idp@secure.test"), "session")
    # Management tokens remain the way in for SSO users (as the seed says).
    service.add_space(owner, "Site")
    service.create_token(service.actor("idp@secure.test"), "management", space="Site", scopes=["read"])


@pytest.mark.both_databases
def test_authtoken_acts_with_its_users_role(org: Org) -> None:
    editor = org.service.create_token(org.content_manager, "session")
    assert org.service.verify(editor.secret, "content.write", space="Website").allowed
    assert org.service.verify(editor.secret, "users.manage", space="Website").reason == "no_access"
    owner = org.service.create_token(org.owner, "session")
    assert org.service.verify(owner.secret, "org.manage").allowed
    assert org.service.verify(owner.secret, "users.manage").allowed


@pytest.mark.both_databases
def test_authtoken_does_not_expire(org: Org) -> None:
    with pytest.raises(InvalidInput, match="do not expire"):
        org.service.create_token(org.developer, "session", expires="30d")


# -- legacy access tokens ----------------------------------------------------------------


@pytest.mark.both_databases
def test_legacy_access_token_comes_only_with_spaces_created_before_the_cutoff(org: Org) -> None:
    _, old = org.service.add_space(org.owner, "Old", created=LIMITS.legacy_access_cutoff - timedelta(days=1))
    _, new = org.service.add_space(org.owner, "New", created=LIMITS.legacy_access_cutoff)
    assert old is not None and old.token.kind is TokenKind.LEGACY_ACCESS
    assert new is None


def test_legacy_access_tokens_are_not_created_on_request(org: Org) -> None:
    with pytest.raises(NotAllowed, match="exactly one"):
        org.service.create_token(org.owner, "legacy_access", space="Legacy")


@pytest.mark.both_databases
def test_exactly_one_legacy_access_token_per_space(org: Org) -> None:
    legacy = org.service.list_tokens(org.owner, TokenQuery(kinds=frozenset({TokenKind.LEGACY_ACCESS})))
    assert [t.space for t in legacy] == ["Legacy"]


@pytest.mark.both_databases
def test_legacy_access_token_reset_gives_a_new_secret_and_the_old_stops_working(org: Org) -> None:
    _, legacy = org.service.add_space(org.owner, "Archive", created=date(2018, 1, 1))
    assert legacy is not None
    assert org.service.verify(legacy.secret, "content.read_draft", space="Archive").allowed
    fresh = org.service.reset(org.owner, legacy.token.id)
    assert fresh.secret != legacy.secret
    assert org.service.verify(legacy.secret, "content.read", space="Archive").reason == "revoked"
    assert org.service.verify(fresh.secret, "content.read_draft", space="Archive").allowed
    old = org.service.get_token(org.owner, legacy.token.id)
    assert (old.status, old.revoked_reason) == (Status.REVOKED, "reset")
    active = org.service.list_tokens(
        org.owner,
        TokenQuery(
            kinds=frozenset({TokenKind.LEGACY_ACCESS}), space="Archive", statuses=frozenset({Status.ACTIVE})
        ),
    )
    assert [t.id for t in active] == [fresh.token.id]


@pytest.mark.both_databases
def test_legacy_access_token_is_reset_by_owner_admins_and_developers_only(org: Org) -> None:
    legacy = org.service.list_tokens(org.owner, TokenQuery(kinds=frozenset({TokenKind.LEGACY_ACCESS})))[0]
    org.service.grant(org.owner, "Legacy", CONTENT_MANAGER, "content_manager")
    with pytest.raises(NotAllowed, match="owner, space admins and developers"):
        org.service.reset(org.service.actor(CONTENT_MANAGER), legacy.id)
    org.service.reset(org.developer, legacy.id)


@pytest.mark.both_databases
def test_legacy_access_token_reads_drafts_in_every_environment_but_cannot_write(org: Org) -> None:
    _, legacy = org.service.add_space(org.owner, "Multi", created=date(2019, 1, 1), environments=["a", "b"])
    assert legacy is not None
    for env in ("a", "b"):
        assert org.service.verify(legacy.secret, "content.read_draft", space="Multi", environment=env).allowed
    assert org.service.verify(legacy.secret, "content.write", space="Multi").reason == "kind_not_allowed"


@pytest.mark.both_databases
def test_legacy_access_token_cannot_be_revoked(org: Org) -> None:
    legacy = org.service.list_tokens(org.owner, TokenQuery(kinds=frozenset({TokenKind.LEGACY_ACCESS})))[0]
    with pytest.raises(NotAllowed, match="reset it"):
        org.service.revoke(org.owner, legacy.id)


# -- statuses --------------------------------------------------------------------------


@pytest.mark.both_databases
def test_token_expires_at_its_instant_whether_or_not_a_sweep_ran(org: Org, clock: Clock) -> None:
    created = org.service.create_token(
        org.developer, "personal", scopes=["content_management_read"], expires="12h"
    )
    clock.now = created.token.expires_at - timedelta(microseconds=1)  # type: ignore[operator]
    assert org.service.verify(created.secret, "content.read", space="Website").allowed
    clock.now = created.token.expires_at  # type: ignore[assignment]
    assert org.service.verify(created.secret, "content.read", space="Website").reason == "expired"
    assert org.service.get_token(org.developer, created.token.id).status is Status.EXPIRED


@pytest.mark.both_databases
def test_revocation_reason_is_kept(org: Org) -> None:
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    revoked = org.service.revoke(org.developer, created.token.id)
    assert revoked.revoked_reason == "revoked" and revoked.revoked_at is not None


@pytest.mark.both_databases
def test_space_admin_revokes_a_space_token_but_not_a_developers_personal_token(org: Org) -> None:
    delivery = org.service.create_token(org.developer, "delivery", space="Website", environment="production")
    personal = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    org.service.revoke(org.space_admin, delivery.token.id)
    with pytest.raises(NotFound):
        org.service.revoke(org.space_admin, personal.token.id)
    with pytest.raises(NotAllowed, match="author, the space owner and space admins"):
        other = org.service.create_token(org.owner, "delivery", space="Website", environment="production")
        org.service.revoke(org.content_manager, other.token.id)


# -- verify ------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_member_reaches_a_space_only_through_a_space_role(org: Org) -> None:
    created = org.service.create_token(org.outsider, "personal", scopes=["content_management_manage"])
    assert org.service.verify(created.secret, "content.read", space="Website").reason == "no_access"


@pytest.mark.both_databases
def test_organization_owners_and_admins_reach_every_space(org: Org) -> None:
    for actor in (org.owner, org.admin):
        created = org.service.create_token(actor, "personal", scopes=["content_management_manage"])
        for space in ("Website", "Legacy"):
            assert org.service.verify(created.secret, "content.write", space=space).allowed


@pytest.mark.both_databases
def test_only_owners_and_admins_manage_users_and_the_organization(org: Org) -> None:
    admin = org.service.create_token(org.admin, "personal", scopes=["content_management_manage"])
    dev = org.service.create_token(org.developer, "personal", scopes=["content_management_manage"])
    for action in ("users.manage", "org.manage"):
        assert org.service.verify(admin.secret, action).allowed
        assert org.service.verify(dev.secret, action).reason == "no_access"


@pytest.mark.both_databases
def test_space_admins_review_publish_requests_and_developers_do_not(org: Org) -> None:
    admin = org.service.create_token(org.space_admin, "personal", scopes=["content_management_manage"])
    dev = org.service.create_token(org.developer, "personal", scopes=["content_management_manage"])
    assert org.service.verify(admin.secret, "publish.review", space="Website").allowed
    assert org.service.verify(dev.secret, "publish.review", space="Website").reason == "no_access"


def test_malformed_secret_is_unknown(org: Org) -> None:
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    typo = created.secret[:-8] + ("A" if created.secret[-8] != "A" else "B") + created.secret[-7:]
    for presented in ("", "hello", typo, created.secret + "x", "ttx_" + created.secret[4:]):
        assert org.service.verify(presented, "content.read", space="Website").reason == "unknown"


@pytest.mark.both_databases
def test_unknown_well_formed_secret_is_unknown(org: Org) -> None:
    from tokentui.core.tokens import secret_format

    assert org.service.verify(secret_format.generate(TokenKind.PERSONAL), "content.read").reason == "unknown"


@pytest.mark.both_databases
def test_verify_records_last_used_at_on_success_only(org: Org, clock: Clock) -> None:
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    clock.advance(minutes=5)
    org.service.verify(created.secret, "content.write", space="Website")
    assert org.service.get_token(org.developer, created.token.id).last_used_at is None
    org.service.verify(created.secret, "content.read", space="Website")
    assert org.service.get_token(org.developer, created.token.id).last_used_at == clock.now


def test_unknown_action_is_refused(org: Org) -> None:
    with pytest.raises(InvalidInput, match="unknown action"):
        org.service.verify("x", "content.delete")


# -- listing -------------------------------------------------------------------------------


@pytest.mark.both_databases
def test_admin_sees_the_organizations_tokens_and_a_member_their_own(org: Org) -> None:
    mine = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    theirs = org.service.create_token(org.content_manager, "personal", scopes=["content_management_read"])
    admin_view = {t.id for t in org.service.list_tokens(org.admin, limit=500)}
    assert {mine.token.id, theirs.token.id} <= admin_view
    member_view = {t.id for t in org.service.list_tokens(org.developer, limit=500)}
    assert mine.token.id in member_view and theirs.token.id not in member_view
    assert org.service.count_tokens(org.developer) == len(member_view)


@pytest.mark.both_databases
def test_last_four_search_finds_the_token(org: Org) -> None:
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    found = org.service.list_tokens(org.owner, TokenQuery(last4=created.token.last4))
    assert created.token.id in {t.id for t in found}
    assert all(t.last4 == created.token.last4 for t in found)


@pytest.mark.both_databases
def test_filters_combine(org: Org, clock: Clock) -> None:
    org.service.create_token(
        org.developer, "personal", name="alpha", scopes=["content_management_read"], expires="7d"
    )
    org.service.create_token(
        org.developer, "personal", name="beta", scopes=["content_management_read"], expires="never"
    )
    revoked = org.service.create_token(
        org.developer, "personal", name="alphabet", scopes=["content_management_read"], expires="7d"
    )
    org.service.revoke(org.developer, revoked.token.id)
    query = TokenQuery(
        search="alpha",
        statuses=frozenset({Status.ACTIVE}),
        kinds=frozenset({TokenKind.PERSONAL}),
        expires_before=clock.now + timedelta(days=8),
    )
    assert [t.name for t in org.service.list_tokens(org.owner, query)] == ["alpha"]
    assert org.service.count_tokens(org.owner, query) == 1
    assert [
        t.name for t in org.service.list_tokens(org.owner, TokenQuery(no_expiry=True, search="beta"))
    ] == ["beta"]


@pytest.mark.both_databases
def test_user_in_several_organizations_must_choose_one(org: Org) -> None:
    org.service.init_org("Second", ADMIN)
    with pytest.raises(InvalidInput, match="several organizations"):
        org.service.actor(ADMIN)
    assert org.service.actor(ADMIN, "Second").org_name == "Second"


@pytest.mark.parametrize(
    "text", ["9999-12-31", "99999999999d", "9" * 5000 + "h", "999999y"], ids=lambda t: t[:12]
)
def test_an_expiry_beyond_any_instant_is_invalid_input_not_an_overflow(org: Org, text: str) -> None:
    with pytest.raises(InvalidInput, match="too far away"):
        org.service.create_token(org.developer, "personal", scopes=["content_management_read"], expires=text)


def test_a_day_option_stops_at_the_last_day_with_a_next_one() -> None:
    from tokentui.core.tokens.expiry import LAST_DAY, parse_day, start_of_next_day

    assert start_of_next_day(parse_day("9999-12-30", "--until")) == datetime(9999, 12, 31, tzinfo=UTC)
    assert parse_day("9999-12-30", "--until") == LAST_DAY
    with pytest.raises(InvalidInput, match="--until '9999-12-31' is out of range"):
        parse_day("9999-12-31", "--until")


@pytest.mark.both_databases
def test_names_are_looked_up_trimmed_as_they_were_created(org: Org) -> None:
    service = org.service
    owner = service.actor(f" {OWNER} ", "\tAcme ")
    service.grant(owner, " Website ", DEVELOPER, "admin")
    created = service.create_token(
        org.developer, "delivery", space=" Website", environment="production ", branches=[" next "]
    )
    assert (created.token.space, created.token.environment, created.token.branches) == (
        "Website",
        "production",
        ("next",),
    )
    found = service.list_tokens(owner, TokenQuery(space=" Website ", kinds=frozenset({TokenKind.DELIVERY})))
    assert [t.id for t in found] == [created.token.id]
    decision = service.verify(created.secret, "content.read", space=" Website ", environment=" production")
    assert decision.allowed


@pytest.mark.parametrize("kind", list(TokenKind), ids=lambda k: k.value)
def test_a_token_name_holding_a_secret_of_any_kind_is_refused(org: Org, kind: TokenKind) -> None:
    from tokentui.core.tokens import secret_format

    secret = secret_format.generate(kind)
    before = audit_count(org)
    for name in (secret, f"X{secret}", f"{secret}0", f"deploy key: 9{secret}Z (prod)"):
        with pytest.raises(InvalidInput, match="looks like it contains a tokentui secret") as refusal:
            org.service.create_token(org.developer, "personal", name=name, scopes=["content_management_read"])
        assert secret[4:] not in str(refusal.value) and secret[-6:] not in str(refusal.value)
    assert audit_count(org) == before
    assert org.service.list_tokens(org.developer, TokenQuery(search="deploy key")) == []


def test_a_name_shaped_like_a_secret_without_its_checksum_is_a_name() -> None:
    from tokentui.core.rules import check_name
    from tokentui.core.tokens import secret_format

    secret = secret_format.generate(TokenKind.PERSONAL)
    typo = secret[:-1] + ("a" if secret[-1] != "a" else "b")
    assert check_name(f" {typo} ", 200) == typo
    assert check_name("ttp_ and tto_ are prefixes", 200) == "ttp_ and tto_ are prefixes"
    assert secret_format.find_in(f"a{secret}b{typo}{secret}") == [
        (1, TokenKind.PERSONAL),
        (2 + 2 * secret_format.SECRET_LENGTH, TokenKind.PERSONAL),
    ]


def test_refusals_name_a_kind_with_its_right_article() -> None:
    """Issue 22 item 19: "an authtoken", never "a authtoken"."""
    import re

    from tokentui.core.rules import SpaceStanding, check_may_reset
    from tokentui.core.vocabulary import OrgRole, SpaceRole

    developer = SpaceStanding(org_role=OrgRole.MEMBER, space_role=SpaceRole.DEVELOPER, is_owner=False)
    said = []
    for kind in (TokenKind.SESSION, TokenKind.OAUTH, TokenKind.MANAGEMENT):
        with pytest.raises(NotAllowed) as refusal:
            check_may_reset(kind, developer)
        said.append(str(refusal.value))
    assert said[0].endswith("not an authtoken")
    assert said[1].endswith("not an oauth application token")
    assert said[2].endswith("not a management token")
    assert not any(re.search(r"\ba [aeiou]", line) for line in said)
