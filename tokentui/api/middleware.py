"""The request envelope: an id, a body limit, no caching, the access log, and no 500 without a trace.

Pure ASGI, wrapped around the whole app:

- every request gets an id, sent back as ``X-Contentful-Request-Id`` and put in
  error bodies and log lines, so a user's report can be matched to the log;
- a body announced larger than the limit is refused with 413 before a byte of
  it is read, and a chunked body is cut off the moment it passes the limit;
- every answer says ``Cache-Control: no-store`` (the answer to create holds a
  secret, and no proxy should keep any of them);
- the access log has method, path, query, status and time, with every
  secret-shaped run redacted; headers (so ``Authorization``) are never logged;
- an unexpected exception is logged (redacted) and answered with Contentful's
  ServerError object instead of a bare 500.
"""

from __future__ import annotations

import logging
import time
import traceback
import uuid
from typing import Any
from urllib.parse import unquote_plus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tokentui.api.body import too_large
from tokentui.api.errors import ApiError, error_response
from tokentui.core.redact import redact

access_log = logging.getLogger("tokentui.api.access")
log = logging.getLogger("tokentui.api")


class RequestEnvelope:
    """ASGI middleware giving every HTTP request the treatment described in the module docstring."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        started = time.perf_counter()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-contentful-request-id", request_id.encode()))
                headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            announced = _content_length(scope)
            if announced is not None and announced > self.max_body_bytes:
                await error_response(too_large(self.max_body_bytes), request_id)(
                    scope, receive, send_with_headers
                )
            else:
                await self.app(scope, self._bounded(receive), send_with_headers)
        except Exception:
            log.error("unexpected error [%s]\n%s", request_id, redact(traceback.format_exc()))
            if status == 0:
                error = ApiError(
                    500, "ServerError", "Something went wrong on the server; nothing was changed."
                )
                await error_response(error, request_id)(scope, receive, send_with_headers)
        finally:
            _log_access(scope, status, time.perf_counter() - started, request_id)

    def _bounded(self, receive: Receive) -> Receive:
        """``receive`` that raises a 413 ApiError once the body passes the limit."""
        received = 0
        limit = self.max_body_bytes

        async def bounded() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise too_large(limit)
            return message

        return bounded


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _log_access(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    client: Any = scope.get("client")
    who = client[0] if client else "-"
    target = scope.get("path", "")
    query = scope.get("query_string", b"")
    if query:
        target += "?" + unquote_plus(query.decode("latin-1"))
    token = scope.get("state", {}).get("token_id")
    access_log.info(
        '%s "%s %s" %d %.1fms token=%s [%s]',
        who,
        scope.get("method", "-"),
        redact(target),
        status,
        seconds * 1000,
        token or "-",
        request_id,
    )
