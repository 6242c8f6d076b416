"""The app factory: routes, error handlers and the request envelope over one service."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.routing import Route

from tokentui.api import routes
from tokentui.api.body import MAX_BODY_BYTES
from tokentui.api.cors import DEFAULT_ORIGINS, Cors
from tokentui.api.errors import ApiError, handle_api_error, handle_core_error, handle_http_exception
from tokentui.api.limits import STATEMENT_SECONDS, install, slots
from tokentui.api.middleware import RequestEnvelope
from tokentui.api.rate_limit import DEFAULT_PER_SECOND, RateLimit
from tokentui.api.verify import VerifyEndpoint, VerifyPath
from tokentui.core.errors import TokentuiError
from tokentui.core.service import Service


def create_app(
    service: Service,
    *,
    max_body_bytes: int = MAX_BODY_BYTES,
    statement_seconds: float = STATEMENT_SECONDS,
    cors_origins: Sequence[str] = DEFAULT_ORIGINS,
    rate_limit: int = DEFAULT_PER_SECOND,
) -> Starlette:
    """The HTTP API over ``service`` (the same core and store as the console and the CLI).

    ``statement_seconds`` is the time limit of a listing's statements (:mod:`tokentui.api.limits`);
    ``cors_origins`` the origins a browser page may call from (:mod:`tokentui.api.cors`);
    ``rate_limit`` the requests a token may make per second (:mod:`tokentui.api.rate_limit`; 0: none).
    """
    app = Starlette(
        routes=[
            Route("/users/me", routes.me, methods=["GET"]),
            Route("/users/me/access_tokens", routes.list_tokens, methods=["GET"]),
            Route("/users/me/access_tokens", routes.create_token, methods=["POST"]),
            Route("/users/me/access_tokens/{token_id}", routes.get_token, methods=["GET"]),
            Route("/users/me/access_tokens/{token_id}/revoked", routes.revoke_token, methods=["PUT"]),
            Route("/organizations", routes.organizations, methods=["GET"]),
            Route("/organizations/{org_id}/access_tokens", routes.organization_tokens, methods=["GET"]),
            Route(
                "/organizations/{org_id}/organization_memberships",
                routes.organization_memberships,
                methods=["GET"],
            ),
            Route("/verify", VerifyEndpoint(), methods=["POST"]),
        ],
        # Outermost first: CORS headers go on every answer, the 429 too, and that carries a request id.
        middleware=[
            Middleware(Cors, origins=cors_origins),
            Middleware(RequestEnvelope, max_body_bytes=max_body_bytes),
            Middleware(RateLimit, per_second=rate_limit),
            Middleware(VerifyPath),
        ],
        exception_handlers={
            ApiError: handle_api_error,
            TokentuiError: handle_core_error,
            HTTPException: handle_http_exception,
        },
    )
    # A redirect would echo the URL, query string and all, back in its Location header.
    app.router.redirect_slashes = False
    app.state.service = service
    app.state.statement_seconds = statement_seconds
    app.state.listing_slots = slots()
    install(service.store)
    return app
