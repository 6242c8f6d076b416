"""CORS: preflights answered and Contentful's ``Access-Control-*`` headers on every answer to a page.

Pure ASGI (no per-request objects beyond a header list) so it costs next to
nothing on the hot path. The default origin is ``*``, as Contentful's API
sends: the API authenticates with bearer tokens in the Authorization header,
never cookies, so a page on another origin gains nothing a script could not
already do with the token it holds (credentials are never allowed). A request
that names no origin (not from a browser's page) gets no CORS headers, as
Starlette's own CORS middleware does, except ``Vary`` when origins are listed.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# The lists Contentful's Content Management API answers with.
ALLOW_HEADERS = (
    b"Accept,Accept-Language,Authorization,Cache-Control,Content-Length,Content-Range,Content-Type,"
    b"DNT,Destination,Expires,If-Match,If-Modified-Since,If-None-Match,Keep-Alive,Last-Modified,"
    b"Origin,Pragma,Range,User-Agent,X-Http-Method-Override,X-Mx-ReqToken,X-Requested-With,"
    b"X-Contentful-Version,X-Contentful-Content-Type,X-Contentful-Organization,"
    b"X-Contentful-Skip-Transformation,X-Contentful-User-Agent,X-Contentful-Enable-Alpha-Feature"
)
ALLOW_METHODS = b"DELETE,GET,HEAD,POST,PUT,PATCH,OPTIONS"
EXPOSE_HEADERS = (
    b"Etag,X-Contentful-Request-Id,X-Contentful-RateLimit-Second-Limit,"
    b"X-Contentful-RateLimit-Second-Remaining,X-Contentful-RateLimit-Reset,Retry-After"
)
MAX_AGE = b"86400"
DEFAULT_ORIGINS = ("*",)


class Cors:
    """Answers ``OPTIONS`` preflights itself and adds the CORS headers to every other answer."""

    def __init__(self, app: ASGIApp, *, origins: Sequence[str] = DEFAULT_ORIGINS) -> None:
        self.app = app
        self.any_origin = "*" in origins
        self.origins = frozenset(o.rstrip("/").encode("latin-1") for o in origins if o != "*")

    def _allowed(self, origin: bytes) -> bytes | None:
        """The Access-Control-Allow-Origin value for a request from ``origin``, or None when it is not allowed."""
        if self.any_origin:
            return b"*"
        return origin if origin in self.origins else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sent_origin = next((value for name, value in scope["headers"] if name == b"origin"), None)
        if sent_origin is None and self.any_origin:
            # Not from a browser's page (a browser names the page's origin on every cross-origin
            # request, and every answer says no-store, so none is kept for one that would): a
            # service calling /verify, the CLI, an SDK outside a browser. CORS headers would be
            # read by nobody, and the expose list is the longest header of every answer.
            await self.app(scope, receive, send)
            return
        origin = None if sent_origin is None else self._allowed(sent_origin)
        headers: list[tuple[bytes, bytes]] = []
        if origin is not None:
            headers.append((b"access-control-allow-origin", origin))
            headers.append((b"access-control-expose-headers", EXPOSE_HEADERS))
        if not self.any_origin:
            headers.append((b"vary", b"Origin"))
        if scope["method"] == "OPTIONS":
            if origin is not None:
                headers += [
                    (b"access-control-allow-headers", ALLOW_HEADERS),
                    (b"access-control-allow-methods", ALLOW_METHODS),
                    (b"access-control-max-age", MAX_AGE),
                ]
            # A preflight from an origin not allowed gets no CORS headers: the browser then refuses.
            await send(
                {
                    "type": "http.response.start",
                    "status": 200 if origin else 403,
                    "headers": [(b"content-length", b"0"), *headers],
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start" and headers:
                message = {**message, "headers": [*message.get("headers", []), *headers]}
            await send(message)

        await self.app(scope, receive, send_with_cors)
