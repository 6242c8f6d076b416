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

It is the one endpoint a service calls on every request it serves, so it has a
path of its own (:class:`VerifyPath`) past Starlette's router, and its reads
run on the event loop rather than in a worker thread (:func:`_verify_on_loop`).
"""

from __future__ import annotations

from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from tokentui.api.auth import bearer_secret, service_of
from tokentui.api.body import Fields, read_json
from tokentui.api.errors import ApiError, handle_api_error, handle_core_error
from tokentui.api.params import refuse_secret_in_url
from tokentui.core.access import verify as verifying
from tokentui.core.errors import TokentuiError
from tokentui.core.results import Decision
from tokentui.core.service import Service
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
    service = service_of(request)
    if service.store.is_sqlite:
        decision = await _verify_on_loop(service, secret, action, space, environment, branch)
    else:
        decision = await run_in_threadpool(
            service.verify, secret, action, space=space, environment=environment, branch=branch
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


async def _verify_on_loop(
    service: Service, secret: str, action: str, space: str | None, environment: str | None, branch: str | None
) -> Decision:
    """``service.verify`` with its reads on the event loop and only its write in a worker thread.

    Verify's reads on SQLite are two indexed lookups on a held connection (tens of
    microseconds), never blocked by a writer in WAL mode, and cheaper than the hop to
    a worker thread and back; and one caller at a time keeps the store's held
    connections from being outgrown by the worker threads (each one past them is a new
    connection, opened and closed). The write (``lastUsedAt``, at most once a minute a
    token) can wait for the write lock, so it goes to a worker thread, and is done
    before the answer as with ``service.verify``. On PostgreSQL every read is a round
    trip: the whole of verify runs in a worker thread there.
    """
    stale: list[tuple[list[str], datetime]] = []
    decision = verifying.verify(
        service.store,
        service.clock,
        lambda ids, at: stale.append((ids, at)),
        secret,
        action,
        space=space,
        environment=environment,
        branch=branch,
    )
    for ids, at in stale:
        await run_in_threadpool(service.mark_used, ids, at)
    return decision


class VerifyPath:
    """ASGI middleware sending ``POST /verify`` straight to :func:`verify`, past Starlette's router.

    The innermost of the app's middleware, so the request envelope, CORS and the
    rate limit apply as to every other request; what it skips is the route
    matching over every route and Starlette's per-request exception wrappers,
    whose work it does itself with the same handlers for the only errors verify
    raises. Any other request, and ``/verify`` under a root path or with another
    method (the router's 405), goes on to the app.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != "/verify"
            or scope["method"] != "POST"
            or scope.get("root_path")
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope, receive, send)
        try:
            response = await verify(request)
        except ApiError as exc:
            response = await handle_api_error(request, exc)
        except TokentuiError as exc:
            response = await handle_core_error(request, exc)
        await response(scope, receive, send)
