"""The audit's actions in the core: finding a leaked secret's token, and revoking many at once."""

from __future__ import annotations

import pytest

from tests.conftest import Org
from tests.store_state import store_state
from tokentui.core.errors import InvalidInput, NotFound
from tokentui.core.vocabulary import Status

MANAGE = ["content_management_manage"]


def test_an_admin_finds_any_token_of_the_organization_by_its_secret(org: Org) -> None:
    made = org.service.create_token(org.developer, "personal", name="ci", scopes=MANAGE)
    found = org.service.find_secret(org.admin, made.secret + "\n")
    assert (found.id, found.author, found.status) == (made.token.id, "dev@acme.test", Status.ACTIVE)


def test_a_member_finds_their_own_token_but_learns_nothing_of_anothers(org: Org) -> None:
    own = org.service.create_token(org.developer, "personal", name="mine", scopes=MANAGE)
    other = org.service.create_token(
        org.developer, "delivery", name="site", space="Website", environment="production"
    )
    assert org.service.find_secret(org.developer, own.secret).id == own.token.id
    with pytest.raises(NotFound) as refused:
        org.service.find_secret(org.content_manager, other.secret)
    unknown = other.secret[:4] + "0" * 43
    assert other.secret not in str(refused.value)
    with pytest.raises((NotFound, InvalidInput)):
        org.service.find_secret(org.content_manager, unknown)


def test_a_secret_with_a_bad_checksum_is_refused_without_a_lookup(org: Org) -> None:
    made = org.service.create_token(org.owner, "personal", name="ci", scopes=MANAGE)
    broken = made.secret[:-1] + ("A" if made.secret[-1] != "A" else "B")
    with pytest.raises(InvalidInput):
        org.service.find_secret(org.owner, broken)


def test_revoke_many_revokes_each_it_may_and_reports_each_refusal(org: Org, db_url: str) -> None:
    mine = org.service.create_token(org.admin, "personal", name="a", scopes=MANAGE)
    theirs = org.service.create_token(org.developer, "personal", name="b", scopes=MANAGE)
    delivery = org.service.create_token(
        org.developer, "delivery", name="site", space="Website", environment="production"
    )
    result = org.service.revoke_many(org.admin, [mine.token.id, theirs.token.id, "nope", delivery.token.id])
    assert {t.id for t in result.revoked} == {mine.token.id, delivery.token.id}
    assert [(r.token_id, r.exit_code) for r in result.refused] == [(theirs.token.id, 3), ("nope", 4)]
    assert "only its author" in result.refused[0].reason
    assert result.exit_code == 3
    before = store_state(db_url)
    again = org.service.revoke_many(org.admin, [theirs.token.id, "nope"])
    assert not again.revoked and len(again.refused) == 2
    assert store_state(db_url) == before
