"""Contentful error objects, and the one mapping from the core's errors to them.

Every refusal leaves the server as ``{"sys": {"type": "Error", "id": ...},
"message": ..., "details": ..., "requestId": ...}`` with the matching status.
``details`` takes the shape Contentful's SDKs read for that status (403:
``reasons``; 404: ``type``; 400 and 422: ``errors``), so their exceptions
carry a readable message. Every message passes through
:func:`tokentui.core.access.redact.redact`: an error never quotes a secret back.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Match

from tokentui.api.shapes import MEDIA_TYPE
from tokentui.core.access.bearer import InvalidCredentials
from tokentui.core.access.redact import redact
from tokentui.core.errors import StoreError, TokentuiError
from tokentui.text import printable

log = logging.getLogger("tokentui.api")

INVALID_TOKEN_MESSAGE = "The access token you sent could not be found or is invalid."
_SAFE_ID = re.compile(r"[0-9A-Za-z]{1,64}")


class ApiError(Exception):
    """A refusal the API renders as a Contentful error object."""

    def __init__(
        self,
        status: int,
        error_id: str,
        message: str,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message
        self.details = details
        self.headers = dict(headers or {})


def bad_request(message: str) -> ApiError:
    """400 BadRequest: the request cannot be read (not JSON, wrong shape, a secret in the URL)."""
    return ApiError(400, "BadRequest", message, message)


def invalid_query(message: str, parameter: str) -> ApiError:
    """400 InvalidQuery: a query parameter is unknown or its value unusable."""
    return ApiError(
        400,
        "InvalidQuery",
        message,
        {"errors": [{"name": "invalid", "path": [parameter], "details": message}]},
    )


def validation_failed(message: str, path: list[str | int], name: str = "invalid") -> ApiError:
    """422 ValidationFailed: the body is JSON but a field is missing, of the wrong type or refused."""
    return ApiError(
        422, "ValidationFailed", message, {"errors": [{"name": name, "path": path, "details": message}]}
    )


def not_found(resource_type: str, resource_id: str | None = None) -> ApiError:
    """404 NotFound for a resource; the id is echoed only when it is a plain identifier."""
    details: dict[str, str] = {"type": resource_type}
    if resource_id is not None and _SAFE_ID.fullmatch(resource_id):
        details["id"] = resource_id
    return ApiError(404, "NotFound", "The resource could not be found.", details)


def invalid_token() -> ApiError:
    """401 AccessTokenInvalid, the same whatever was wrong with the secret."""
    return ApiError(
        401,
        "AccessTokenInvalid",
        INVALID_TOKEN_MESSAGE,
        headers={"WWW-Authenticate": 'Bearer realm="tokentui", error="invalid_token"'},
    )


def from_core(exc: TokentuiError, resource_type: str | None = None) -> ApiError:
    """A core refusal as a Contentful error: its class's status and id, the details that status takes."""
    message = str(exc)
    status, error_id = exc.http_status, exc.api_error
    if status == 401:
        return invalid_token()
    if status == 503:
        return ApiError(status, error_id, "The token store is unavailable; try again shortly.")
    if status == 404 and resource_type is not None:
        return not_found(resource_type)
    if status == 422:
        return validation_failed(message, [])
    if status == 403:
        return ApiError(status, error_id, message, {"reasons": [message]})
    return ApiError(status, error_id, message, message)


def error_body(error: ApiError, request_id: str | None) -> dict[str, Any]:
    """The Contentful error object for ``error``, with every string redacted."""
    body: dict[str, Any] = {"sys": {"type": "Error", "id": error.error_id}, "message": redact(error.message)}
    if error.details is not None:
        body["details"] = _redacted(error.details)
    if request_id:
        body["requestId"] = request_id
    return body


def error_response(error: ApiError, request_id: str | None) -> Response:
    """The HTTP response for ``error``."""
    return JSONResponse(
        error_body(error, request_id), status_code=error.status, headers=error.headers, media_type=MEDIA_TYPE
    )


def _redacted(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_redacted(v) for v in value]
    if isinstance(value, dict):
        return {k: _redacted(v) for k, v in value.items()}
    return value


def request_id(request: Request) -> str | None:
    """The id the request-context middleware gave this request."""
    return getattr(request.state, "request_id", None)


# -- exception handlers (registered by the app factory) ----------------------------


async def handle_api_error(request: Request, exc: Exception) -> Response:
    """Render an ApiError."""
    assert isinstance(exc, ApiError)
    return error_response(exc, request_id(request))


async def handle_core_error(request: Request, exc: Exception) -> Response:
    """Render a core refusal; a refused credential is logged with its reason (never the secret)."""
    assert isinstance(exc, TokentuiError)
    if isinstance(exc, InvalidCredentials):
        which = f" (token {exc.token_id})" if exc.token_id else ""
        log.info("refused an access token: %s%s [%s]", exc.reason, which, request_id(request))
    elif isinstance(exc, StoreError):
        log.error("store error: %s [%s]", printable(redact(str(exc))), request_id(request))
    resource_type = getattr(request.state, "resource_type", None)
    return error_response(from_core(exc, resource_type), request_id(request))


def allowed_methods(request: Request) -> list[str]:
    """Every method the request's path takes, over all its routes.

    Starlette's own ``Allow`` names only the first route that matches the path,
    and one path can have a route per method.
    """
    methods: set[str] = set()
    for route in request.app.router.routes:
        match, _ = route.matches(request.scope)
        if match is not Match.NONE:
            methods.update(getattr(route, "methods", None) or ())
    return sorted(methods)


async def handle_http_exception(request: Request, exc: Exception) -> Response:
    """Starlette's own 404 (no such route) and 405 (wrong method) as Contentful errors."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        error = ApiError(404, "NotFound", "The resource could not be found.", "no such endpoint")
    elif exc.status_code == 405:
        error = ApiError(
            405,
            "MethodNotAllowed",
            "This endpoint does not accept that method.",
            None,
            {"Allow": ", ".join(allowed_methods(request))},
        )
    else:
        error = ApiError(exc.status_code, "BadRequest", str(exc.detail), None, exc.headers)
    return error_response(error, request_id(request))
