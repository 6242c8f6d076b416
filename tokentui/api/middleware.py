"""The request envelope: an id, a body limit, no caching, the access log, and no 500 without a trace.

Pure ASGI, wrapped around the whole app:

- every request gets an id, sent back as ``X-Contentful-Request-Id`` and put in
  error bodies and log lines, so a user's report can be matched to the log;
- a body announced larger than the limit is refused with 413 before a byte of
  it is read, and a chunked body is cut off the moment it passes the limit;
- every answer says ``Cache-Control: no-store`` (the answer to create holds a
  secret, and no proxy should keep any of them);
- middleware inside it adds headers to the answer through :func:`answer_headers`
  (the rate limit's), so the answer's headers are put together once;
- the access log has client, method, path, query, status and time, with every
  secret-shaped run redacted; headers (so ``Authorization``) are never logged;
- every field of the access log comes from the client, so each is made inert
  before it is written (:func:`logged`): control characters are shown as
  escapes, as the console shows names, and quotes and backslashes as nginx's
  access log writes them, so no request can write a line or a field of its
  own; and each is cut at a bound, marked, so no request writes a huge line;
- an unexpected exception is logged (redacted, each line indented and escaped)
  and answered with Contentful's ServerError object instead of a bare 500.
"""

from __future__ import annotations

import logging
import os
import re
import time
import traceback
from typing import Any
from urllib.parse import unquote_plus

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tokentui.api.body import too_large
from tokentui.api.errors import ApiError, error_response
from tokentui.core.access.redact import redact
from tokentui.text import printable

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
        # 32 random hex digits, as uuid4().hex but without building a UUID on every request.
        request_id = os.urandom(16).hex()
        extra = [(b"x-contentful-request-id", request_id.encode()), _NO_STORE]
        state = scope.setdefault("state", {})
        state["request_id"] = request_id
        state[_ANSWER_HEADERS] = extra
        started = time.perf_counter()
        status = 0

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message = {**message, "headers": [*message.get("headers", ()), *extra]}
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
            log.error("unexpected error [%s]\n%s", request_id, indented(traceback.format_exc()))
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


_NO_STORE = (b"cache-control", b"no-store")
_ANSWER_HEADERS = "answer_headers"


def answer_headers(scope: Scope) -> list[tuple[bytes, bytes]]:
    """The headers the request envelope adds to this request's answer, for middleware inside it to add to."""
    headers: list[tuple[bytes, bytes]] = scope["state"][_ANSWER_HEADERS]
    return headers


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


# The longest a logged field may be: a request target (path and query) and anything else
# (a client address, a method). Longer text is cut and the cut is marked (see :func:`logged`).
TARGET_LOG_LIMIT = 1024
FIELD_LOG_LIMIT = 64
# Characters the log line itself uses, escaped in a client's text as nginx's access log does:
# quotes delimit the target, a backslash starts an escape, and (outside quotes) a space
# separates fields.
_IN_QUOTES = str.maketrans({'"': "\\x22", "\\": "\\x5c"})
_BARE = str.maketrans({'"': "\\x22", "\\": "\\x5c", " ": "\\x20"})
# Text that every step of :func:`logged` leaves as it is (most methods, addresses and paths):
# no quote, backslash, space or control character to escape, and no underscore, which every
# secret's shape has (:mod:`tokentui.core.access.redact`).
_PLAIN = re.compile(r"[0-9A-Za-z./:%?&=+,;@!$'()*~-]*")


def logged(text: str, limit: int, *, quoted: bool = True) -> str:
    """``text`` as one inert field of a log line: at most ``limit`` characters, and a visible mark past that.

    Secrets are redacted first, in the whole text as sent (a cut could leave part
    of one unrecognised); then the log's own delimiters are escaped and control
    characters become visible escapes (:func:`tokentui.text.printable`).
    """
    if len(text) <= limit and _PLAIN.fullmatch(text):
        return text
    redacted = redact(text)
    # Escaping only lengthens text, so nothing past this prefix can reach the bounded field.
    head = redacted[:limit]
    shown = printable(head.translate(_IN_QUOTES if quoted else _BARE))
    if len(shown) <= limit and len(head) == len(redacted):
        return shown
    return f"{shown[:limit]}...[cut: {len(text)} characters sent]"


def indented(report: str) -> str:
    """A multi-line report (a traceback) with secrets redacted and every line indented and escaped.

    A message inside it (which may quote a request) then cannot start a line that looks like a log line.
    """
    return "\n".join("    " + printable(line) for line in redact(report).splitlines())


def _log_access(scope: Scope, status: int, seconds: float, request_id: str) -> None:
    client: Any = scope.get("client")
    # The address may come from X-Forwarded-For (uvicorn's proxy_headers): a client's text.
    who = logged(str(client[0]), FIELD_LOG_LIMIT, quoted=False) if client else "-"
    target = scope.get("path", "")
    query = scope.get("query_string", b"")
    if query:
        target += "?" + unquote_plus(query.decode("latin-1"))
    token = scope.get("state", {}).get("token_id") or "-"
    method = logged(scope.get("method", "-"), FIELD_LOG_LIMIT, quoted=False)
    # Formatted here, once: a message with no arguments is not formatted again on its way out.
    access_log.info(
        f'{who} "{method} {logged(target, TARGET_LOG_LIMIT)}" {status} {seconds * 1000:.1f}ms '
        f"token={token} [{request_id}]"
    )
