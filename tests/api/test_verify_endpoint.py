"""POST /verify: services behind tokentui ask whether a secret may do an action, as the CLI's verify answers."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.api.conftest import RunningApi, pat, store_state
from tests.conftest import Org, run_cli
from tokentui.core.tokens import secret_format
from tokentui.core.vocabulary import TokenKind


def ask(api: RunningApi, secret: str | None, **question: Any) -> tuple[int, dict[str, Any]]:
    response = api.request("POST", "/verify", secret=secret, json=question)
    return response.status_code, response.json()


def test_an_allowed_action_answers_200_with_the_user(api: RunningApi, org: Org) -> None:
    delivery = org.service.create_token(org.developer, "delivery", space="Website", environment="production")

    status, answer = ask(
        api, delivery.secret, action="content.read", space="Website", environment="production"
    )

    assert status == 200
    assert answer == {"allowed": True, "reason": None, "tokenId": delivery.token.id, "user": "dev@acme.test"}
    assert org.service.get_token(org.developer, delivery.token.id).last_used_at == api.clock.now


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        ({"action": "content.read", "space": "Website", "environment": "staging"}, "wrong_environment"),
        ({"action": "content.write", "space": "Website", "environment": "production"}, "kind_not_allowed"),
        ({"action": "content.read", "space": "Legacy"}, "no_access"),
    ],
)
def test_a_denied_action_answers_403_with_the_reason(
    api: RunningApi, org: Org, question: dict[str, str], reason: str
) -> None:
    delivery = org.service.create_token(org.developer, "delivery", space="Website", environment="production")
    before = store_state(api.service)

    status, answer = ask(api, delivery.secret, **question)

    assert (status, answer) == (403, {"allowed": False, "reason": reason})
    assert store_state(api.service) == before


def test_unknown_revoked_and_expired_secrets_answer_401(api: RunningApi, org: Org) -> None:
    revoked = org.service.create_token(org.developer, "personal", scopes=["content_management_manage"])
    org.service.revoke(org.developer, revoked.token.id)
    expiring = pat(org, org.developer, expires="1h")
    api.clock.advance(hours=1)
    question = {"action": "tokens.manage"}

    answers = {
        "none": ask(api, None, **question),
        "unknown": ask(api, secret_format.generate(TokenKind.PERSONAL), **question),
        "revoked": ask(api, revoked.secret, **question),
        "expired": ask(api, expiring, **question),
    }

    assert answers == {
        "none": (401, {"allowed": False, "reason": "unknown"}),
        "unknown": (401, {"allowed": False, "reason": "unknown"}),
        "revoked": (401, {"allowed": False, "reason": "revoked"}),
        "expired": (401, {"allowed": False, "reason": "expired"}),
    }


def test_a_read_scope_token_is_denied_writes(api: RunningApi, org: Org) -> None:
    reader = pat(org, org.developer, "content_management_read")

    assert ask(api, reader, action="content.read", space="Website")[0] == 200
    assert ask(api, reader, action="content.write", space="Website") == (
        403,
        {"allowed": False, "reason": "scope"},
    )


def test_the_api_and_the_cli_give_the_same_answer(api: RunningApi, org: Org, db_url: str) -> None:
    management = org.service.create_token(org.owner, "management", space="Website", scopes=["read"])
    for action in ("content.read", "content.write", "users.manage"):
        _, answer = ask(api, management.secret, action=action, space="Website")
        cli = run_cli(
            "verify", "--action", action, "--space", "Website", db=db_url, stdin=management.secret + "\n"
        )
        assert json.loads(cli.out) == {"allowed": answer["allowed"], "reason": answer["reason"]}
