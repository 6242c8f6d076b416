"""verify with a space named: the token and the space are read together, and decide as before."""

from __future__ import annotations

import pytest

from tests.conftest import Org

pytestmark = pytest.mark.both_databases


def _reader(org: Org) -> str:
    return org.service.create_token(org.developer, "personal", scopes=["content_management_read"]).secret


def test_a_space_no_one_has_is_no_access_for_a_known_token(org: Org) -> None:
    decision = org.service.verify(_reader(org), "content.read", space="No such space")
    assert (decision.allowed, decision.reason) == (False, "no_access")
    assert decision.token_id is not None


def test_an_unknown_secret_naming_a_space_is_unknown(org: Org) -> None:
    from tokentui.core.tokens import secret_format

    decision = org.service.verify(secret_format.generate(org_kind()), "content.read", space="Website")
    assert (decision.allowed, decision.reason, decision.token_id) == (False, "unknown", None)


def test_a_revoked_token_naming_a_space_is_revoked_whatever_the_space(org: Org) -> None:
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    org.service.revoke(org.developer, created.token.id)
    for space in ("Website", "No such space"):
        assert org.service.verify(created.secret, "content.read", space=space).reason == "revoked"


def test_the_same_answer_with_a_space_and_its_environment_named(org: Org) -> None:
    secret = _reader(org)
    assert org.service.verify(secret, "content.read", space="Website").allowed
    assert org.service.verify(secret, "content.read", space="Website", environment="production").allowed
    denied = org.service.verify(secret, "content.read", space="Website", environment="no-such-env")
    assert (denied.allowed, denied.reason) == (False, "wrong_environment")


def org_kind():  # type: ignore[no-untyped-def]
    from tokentui.core.vocabulary import TokenKind

    return TokenKind.PERSONAL


@pytest.mark.sqlite_only
def test_a_space_named_alone_reads_none_of_its_environments(org: Org) -> None:
    """Most requests name a space and no environment: their answer needs none of its environments."""
    secret = _reader(org)
    store = org.service.store
    assert org.service.verify(secret, "content.read", space="Website").allowed  # a connection is held now
    ran: list[str] = []
    for held in store._held:
        held._dbapi.set_trace_callback(ran.append)
    try:
        assert org.service.verify(secret, "content.read", space="Website").allowed
        alone = list(ran)
        ran.clear()
        assert org.service.verify(secret, "content.read", space="Website", environment="production").allowed
    finally:
        for held in store._held:
            held._dbapi.set_trace_callback(None)
    assert len(alone) == 1 and "JOIN environment" not in alone[0], alone
    assert any("JOIN environment" in statement for statement in ran), ran
