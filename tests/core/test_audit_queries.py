"""The audit's questions as token queries (SPEC.md, "Audit"): one definition each, shared by every face.

Each test builds the tokens that tell a right answer from a near miss, then asks the
core the question; the SQL differs by database where dates and LIKE are involved, so
the listing tests run on both.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.conftest import Clock, Org
from tokentui.core.dates import both, relative
from tokentui.core.listing.queries import SortKey, TokenQuery
from tokentui.core.service import Actor
from tokentui.core.vocabulary import ACCESS_LABELS, TokenKind, access_label, can_write, stored_scope_sets
from tokentui.settings import LIMITS

MANAGE = ["content_management_manage"]


def _names(org: Org, query: TokenQuery, actor: Actor | None = None) -> set[str]:
    """The names the owner (or ``actor``) gets for ``query``, checked against its count."""
    who = actor or org.owner
    # The standard org's Legacy space comes with a legacy access token: left out here.
    query = query.with_(kinds=query.kinds or frozenset(TokenKind) - {TokenKind.LEGACY_ACCESS})
    names = {t.name for t in org.service.iter_tokens(who, query)}
    assert org.service.count_tokens(who, query) == len(names)
    return names


@pytest.mark.both_databases
def test_never_used_and_unused_for_count_from_creation(org: Org, clock: Clock) -> None:
    svc = org.service
    old_unused = svc.create_token(
        org.developer, "personal", scopes=MANAGE, name="old never used", expires="never"
    )
    old_used = svc.create_token(
        org.developer, "personal", scopes=MANAGE, name="used long ago", expires="never"
    )
    svc.mark_used([old_used.token.id], clock.now)
    clock.advance(days=100)
    recent_used = svc.create_token(
        org.developer, "personal", scopes=MANAGE, name="used lately", expires="never"
    )
    fresh = svc.create_token(org.developer, "personal", scopes=MANAGE, name="new never used", expires="never")
    svc.mark_used([recent_used.token.id], clock.now)
    clock.advance(days=1)
    del old_unused, fresh

    assert _names(org, TokenQuery(never_used=True)) == {"old never used", "new never used"}
    assert _names(org, TokenQuery(unused_for=timedelta(days=90))) == {"old never used", "used long ago"}
    assert _names(org, TokenQuery(unused_for=timedelta(days=90), never_used=True)) == {"old never used"}


@pytest.mark.both_databases
def test_can_write_is_manage_write_and_authtokens(org: Org) -> None:
    svc = org.service
    svc.create_token(org.developer, "personal", name="pat read", scopes=["content_management_read"])
    svc.create_token(org.developer, "personal", name="pat manage", scopes=["content_management_manage"])
    svc.create_token(
        org.developer,
        "oauth",
        name="oauth both",
        app="CI",
        scopes=["content_management_read", "content_management_manage"],
    )
    svc.create_token(org.developer, "session", name="authtoken")
    svc.create_token(org.owner, "management", name="cma read", space="Website", scopes=["read"])
    svc.create_token(org.owner, "management", name="cma write", space="Website", scopes=["write"])
    svc.create_token(org.owner, "management", name="cma both", space="Website", scopes=["read", "write"])
    svc.create_token(org.developer, "delivery", name="cda", space="Website", environment="production")

    writers = {"pat manage", "oauth both", "authtoken", "cma write", "cma both"}
    assert _names(org, TokenQuery(can_write=True)) - {"Legacy access token"} == writers
    views = {t.name: t for t in svc.iter_tokens(org.owner, TokenQuery())}
    assert {n for n, t in views.items() if can_write(t.kind, t.scopes)} == writers
    assert views["pat read"].access == "read"
    assert views["oauth both"].access == "manage"
    assert views["cma both"].access == "read+write"
    assert views["cda"].access == "delivery"
    assert views["authtoken"].to_json()["access"] == "full"


def test_every_stored_scope_set_has_a_label() -> None:
    for kind in TokenKind:
        for scopes in stored_scope_sets(kind):
            assert access_label(kind, tuple(scopes.split())) in ACCESS_LABELS[1:]
    assert stored_scope_sets(TokenKind.MANAGEMENT) == ("read", "write", "read write")


@pytest.mark.both_databases
def test_expiring_within_counts_active_tokens_only(org: Org, clock: Clock) -> None:
    svc = org.service
    svc.create_token(org.developer, "personal", scopes=MANAGE, name="soon", expires="3d")
    revoked = svc.create_token(
        org.developer, "personal", scopes=MANAGE, name="soon but revoked", expires="3d"
    )
    svc.revoke(org.developer, revoked.token.id)
    svc.create_token(org.developer, "personal", scopes=MANAGE, name="later", expires="30d")
    svc.create_token(org.developer, "personal", scopes=MANAGE, name="gone", expires="1d")
    svc.create_token(org.developer, "personal", scopes=MANAGE, name="forever", expires="never")
    clock.advance(days=2)  # "gone" has expired

    assert _names(org, TokenQuery(expiring_within=timedelta(days=7))) == {"soon"}


@pytest.mark.both_databases
def test_expires_after_includes_tokens_that_never_expire(org: Org) -> None:
    svc = org.service
    svc.create_token(org.developer, "personal", scopes=MANAGE, name="forever", expires="never")
    svc.create_token(org.developer, "personal", scopes=MANAGE, name="month", expires="30d")
    far = datetime(2200, 1, 1, tzinfo=UTC)
    assert _names(org, TokenQuery(expires_after=far, kinds=frozenset({TokenKind.PERSONAL}))) == {"forever"}
    soon = datetime(2026, 12, 1, tzinfo=UTC)
    assert _names(org, TokenQuery(expires_after=soon, kinds=frozenset({TokenKind.PERSONAL}))) == {
        "forever",
        "month",
    }


@pytest.mark.both_databases
def test_author_matches_email_or_name_in_any_case(org: Org) -> None:
    svc = org.service
    svc.add_member(org.owner, "grace@else.test", "member", name="Grace Hopper")
    grace = svc.actor("grace@else.test")
    svc.create_token(grace, "personal", scopes=MANAGE, name="grace's")
    svc.create_token(org.developer, "personal", scopes=MANAGE, name="dev's")

    assert _names(org, TokenQuery(author="HOPPER")) == {"grace's"}
    assert _names(org, TokenQuery(author="Grace@Else")) == {"grace's"}
    assert _names(org, TokenQuery(author="dev@acme.test")) == {"dev's"}
    assert _names(org, TokenQuery(author="50%_")) == set()


@pytest.mark.both_databases
def test_authors_without_space_role_and_at_the_authtoken_limit(org: Org) -> None:
    svc = org.service
    svc.create_token(
        org.outsider, "personal", scopes=MANAGE, name="outsider's"
    )  # a member with no space role
    svc.create_token(org.admin, "personal", scopes=MANAGE, name="admin's")  # admins reach every space
    svc.create_token(org.developer, "personal", scopes=MANAGE, name="developer's")
    assert _names(org, TokenQuery(author_without_space_role=True)) == {"outsider's"}

    for i in range(LIMITS.active_authtokens_per_user):
        svc.create_token(org.developer, "session", name=f"dev session {i}")
    for i in range(LIMITS.active_authtokens_per_user - 1):
        svc.create_token(org.content_manager, "session", name=f"editor session {i}")
    at_limit = _names(org, TokenQuery(authors_at_limit=True))
    assert at_limit == {f"dev session {i}" for i in range(LIMITS.active_authtokens_per_user)}


@pytest.mark.both_databases
@pytest.mark.parametrize("descending", [False, True])
def test_sorts_by_last_use_and_by_access(org: Org, clock: Clock, descending: bool) -> None:
    svc = org.service
    first = svc.create_token(org.developer, "personal", name="a", scopes=["content_management_read"])
    second = svc.create_token(org.developer, "session", name="b")
    svc.create_token(org.developer, "personal", scopes=MANAGE, name="c")  # never used; manage
    svc.create_token(org.developer, "delivery", name="d", space="Website", environment="production")
    svc.mark_used([second.token.id], clock.now)
    clock.advance(hours=2)
    svc.mark_used([first.token.id], clock.now)
    mine = TokenQuery(mine=True, descending=descending)

    by_use = [t.name for t in svc.iter_tokens(org.developer, mine.with_(sort=SortKey.LAST_USED))]
    # Never used first ascending (id order among them), last descending.
    ascending_unused = sorted(["c", "d"], key=lambda n: _id(svc, org.developer, n))
    expected = [*ascending_unused, "b", "a"]
    assert by_use == (expected[::-1] if descending else expected)

    by_access = [t.access for t in svc.iter_tokens(org.developer, mine.with_(sort=SortKey.ACCESS))]
    expected_access = ["delivery", "read", "manage", "full"]
    assert by_access == (expected_access[::-1] if descending else expected_access)


def _id(svc: object, actor: Actor, name: str) -> str:
    from tokentui.core.service import Service

    assert isinstance(svc, Service)
    return next(t.id for t in svc.iter_tokens(actor, TokenQuery(mine=True)) if t.name == name)


def test_relative_and_both_dates() -> None:
    now = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert relative(None, now) == "never"
    assert relative(now + timedelta(seconds=30), now) == "just now"
    assert relative(now + timedelta(days=3, hours=2), now) == "in 3 days"
    assert relative(now - timedelta(days=1), now) == "1 day ago"
    assert relative(now - timedelta(days=125), now) == "4 months ago"
    assert relative(now - timedelta(days=45), now) == "45 days ago"
    assert relative(now - timedelta(minutes=5), now) == "5 minutes ago"
    assert relative(now - timedelta(minutes=59), now, short=True) == "59 min ago"
    assert relative(now - timedelta(days=330), now, short=True) == "11 months ago"
    assert relative(now + timedelta(hours=1), now) == "in 1 hour"
    assert relative(now - timedelta(days=800), now) == "2 years ago"
    assert both(now + timedelta(days=3), now) == "2026-12-05 (in 3 days)"
    assert both(None, now) == "never"
