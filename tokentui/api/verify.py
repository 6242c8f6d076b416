"""POST /verify: the ``verify`` question, for services that sit behind tokentui.

A service receives a secret from its own client and asks whether it may do an
action, here, by forwarding it::

    POST /verify
    Authorization: Bearer <the secret the service received>
    {"action": "content.read", "space": "Website", "environment": "production"}

The answer is the CLI's ``verify`` JSON, ``{"allowed": bool, "reason": ...}``
(with ``tokenId`` and ``user`` when allowed). Its status follows the decision,
so a service that only looks at the status still fails closed: 200 allowed;
401 when the secret is unknown, revoked or expired; 403 for every other denial.
Any kind of token can be checked, delivery and management tokens included.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tokentui.api.auth import bearer_secret, service_of
from tokentui.api.body import Fields, read_json
from tokentui.api.params import refuse_secret_in_url
from tokentui.core.vocabulary import DenyReason

_CREDENTIAL_REASONS = frozenset(
    {DenyReason.UNKNOWN.value, DenyReason.REVOKED.value, DenyReason.EXPIRED.value}
)


async def verify(request: Request) -> Response:
    """Answer allow, or deny with one reason, for the presented secret."""
    refuse_secret_in_url(request.query_params)
    fields = Fields(await read_json(request), {"action", "space", "environment", "branch"})
    action = fields.text("action", required=True)
    space = fields.text("space")
    environment = fields.text("environment")
    branch = fields.text("branch")
    assert action is not None
    secret = bearer_secret(request) or ""
    decision = await run_in_threadpool(
        service_of(request).verify, secret, action, space=space, environment=environment, branch=branch
    )
    body: dict[str, object] = {"allowed": decision.allowed, "reason": decision.reason}
    headers: dict[str, str] = {}
    if decision.allowed:
        body.update(tokenId=decision.token_id, user=decision.user)
        request.state.token_id = decision.token_id
        status = 200
    elif decision.reason in _CREDENTIAL_REASONS:
        status = 401
        headers["WWW-Authenticate"] = 'Bearer realm="tokentui", error="invalid_token"'
    else:
        status = 403
    return JSONResponse(body, status_code=status, headers=headers)
