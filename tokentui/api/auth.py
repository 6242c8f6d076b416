"""Reading the bearer secret of a request and handing it to the core.

Only ``Authorization: Bearer <secret>`` is read, and only when it is the one Authorization header. The secret goes straight to
:func:`tokentui.core.access.bearer.authenticate` and is not kept: the request's state
holds the token's id (for the access log), never the secret.
"""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from tokentui.api.errors import bad_request
from tokentui.api.params import refuse_secret_in_url
from tokentui.core.access.bearer import Bearer, InvalidCredentials, authenticate
from tokentui.core.service import Service
from tokentui.core.tokens.secret_format import SECRET_LENGTH
from tokentui.core.vocabulary import DenyReason


def bearer_secret(request: Request) -> str | None:
    """The secret of an ``Authorization: Bearer`` header, or None when there is none worth checking.

    Two Authorization headers are refused (400): a proxy and the server could
    each read a different one, so neither is taken.
    """
    return bearer_of(request.headers.getlist("authorization"))


def bearer_of(headers: list[str]) -> str | None:
    """:func:`bearer_secret` from the request's Authorization header values."""
    if len(headers) > 1:
        raise bad_request(f"Send one Authorization header; this request has {len(headers)}.")
    header = headers[0] if headers else None
    # Anything much longer than a secret is not one; don't spend work on it.
    if header is None or len(header) > SECRET_LENGTH + 64:
        return None
    scheme, _, value = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip() or None


def service_of(request: Request) -> Service:
    """The service the app was created over."""
    service: Service = request.app.state.service
    return service


async def authenticated(request: Request) -> Bearer:
    """The request's Bearer, or InvalidCredentials (rendered as 401 AccessTokenInvalid)."""
    refuse_secret_in_url(request.query_params)
    secret = bearer_secret(request)
    if secret is None:
        raise InvalidCredentials(DenyReason.UNKNOWN)
    bearer = await run_in_threadpool(authenticate, service_of(request), secret)
    request.state.token_id = bearer.token_id
    return bearer
