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

It is the one endpoint a service calls on every request it serves, so it is a
plain ASGI app on a path of its own (:class:`VerifyPath`, past Starlette's
router), reading the request from the ASGI scope and writing its answer
without Starlette's request and response objects, and on SQLite its reads run
on the event loop rather than in a worker thread (:func:`_verify_on_loop`).
"""

from __future__ import annotations

import json
from datetime import datetime

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from tokentui.api.auth import bearer_of
from tokentui.api.body import Fields, receive_json
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
_FIELDS = frozenset({"action", "space", "environment", "branch"})
# As Starlette's JSONResponse renders, with the encoder made once rather than per answer.
_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))
_JSON = (b"content-type", b"application/json")
_INVALID_TOKEN = (b"www-authenticate", b'Bearer realm="tokentui", error="invalid_token"')


async def verify(scope: Scope, receive: Receive, send: Send) -> None:
    """Answer allow, or deny with one reason, for the presented secret (an ASGI app)."""
    try:
        status, body = await _decide(scope, receive)
    except (ApiError, TokentuiError) as exc:
        request = Request(scope, receive, send)
        handle = handle_api_error if isinstance(exc, ApiError) else handle_core_error
        await (await handle(request, exc))(scope, receive, send)
        return
    raw = _ENCODER.encode(body).encode()
    headers = [(b"content-length", str(len(raw)).encode()), _JSON]
    if status == 401:
        headers.append(_INVALID_TOKEN)
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw})


async def _decide(scope: Scope, receive: Receive) -> tuple[int, dict[str, object]]:
    """The status and body of the answer; refusals of the request itself are raised."""
    if scope["query_string"]:
        refuse_secret_in_url(QueryParams(scope["query_string"]))
    authorization: list[str] = []
    content_type = ""
    for name, value in scope["headers"]:
        if name == b"authorization":
            authorization.append(value.decode("latin-1"))
        elif name == b"content-type":
            content_type = content_type or value.decode("latin-1")
    fields = Fields(await receive_json(receive, content_type), _FIELDS)
    action = fields.text("action", required=True)
    space = fields.text("space")
    environment = fields.text("environment")
    branch = fields.text("branch")
    assert action is not None
    secret = bearer_of(authorization) or ""
    service: Service = scope["app"].state.service
    if service.store.is_sqlite:
        decision = await _verify_on_loop(service, secret, action, space, environment, branch)
    else:
        decision = await run_in_threadpool(
            service.verify, secret, action, space=space, environment=environment, branch=branch
        )
    body: dict[str, object] = {"allowed": decision.allowed, "reason": decision.reason}
    if decision.allowed:
        body.update(tokenId=decision.token_id, user=decision.user)
        scope.setdefault("state", {})["token_id"] = decision.token_id
        return 200, body
    return (401 if decision.reason in _CREDENTIAL_REASONS else 403), body


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
    matching over every route and Starlette's per-request exception wrappers
    (:func:`verify` renders its errors with the same handlers). Any other request,
    and ``/verify`` under a root path or with another method (the router's 405),
    goes on to the app, whose route for ``/verify`` is :func:`verify` too.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == "/verify"
            and scope["method"] == "POST"
            and not scope.get("root_path")
        ):
            await verify(scope, receive, send)
        else:
            await self.app(scope, receive, send)


class VerifyEndpoint:
    """:func:`verify` as an ASGI app object for the router's route (a plain function there is taken for a
    request handler)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await verify(scope, receive, send)
