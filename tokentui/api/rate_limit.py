"""Rate limits per token: Contentful's ``X-Contentful-RateLimit-*`` headers and 429 RateLimitExceeded.

A fixed one-second window per bearer secret, kept in this process's memory
(keyed by a hash of the Authorization header, never the secret itself). Over
several instances each counts on its own: the limit is per token per instance.
Requests without a bearer share one bucket per client address. Pure ASGI so
the cost per request is one hash and one dict lookup; its headers go on the
answer with the request envelope's (:func:`~tokentui.api.middleware.answer_headers`),
inside which it runs.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable

from starlette.types import ASGIApp, Receive, Scope, Send

from tokentui.api.middleware import answer_headers
from tokentui.api.shapes import MEDIA_TYPE

# A busy CI job runs a few parallel workers, each a handful of calls a second: 50 leaves room for
# that (it is far above what Contentful grants a CMA token), and a runaway loop still meets a 429.
DEFAULT_PER_SECOND = 50
RATE_LIMIT_MESSAGE = (
    "You have exceeded the rate limit of this access token by making too many API requests "
    "within a short timespan. Please wait a moment before trying the request again."
)
# Buckets are dropped once this many have piled up (every one is past its window by then).
_MAX_BUCKETS = 10_000


class RateLimit:
    """Counts each token's requests per second; past the limit answers 429 with Retry-After."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        per_second: int = DEFAULT_PER_SECOND,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app = app
        self.per_second = per_second
        self.limit_header = str(per_second).encode()
        self.clock = clock
        self.buckets: dict[bytes, tuple[int, int]] = {}

    def _key(self, scope: Scope) -> bytes:
        for name, value in scope["headers"]:
            if name == b"authorization":
                return hashlib.blake2b(value, digest_size=16).digest()
        client = scope.get("client")
        return b"addr:" + (client[0].encode() if client else b"?")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS" or self.per_second <= 0:
            await self.app(scope, receive, send)
            return
        now = self.clock()
        window = int(now)
        key = self._key(scope)
        started, count = self.buckets.get(key, (window, 0))
        if started != window:
            started, count = window, 0
        count += 1
        if len(self.buckets) >= _MAX_BUCKETS and key not in self.buckets:
            self.buckets = {k: v for k, v in self.buckets.items() if v[0] == window}
        self.buckets[key] = (started, count)
        reset = max(1, math.ceil(window + 1 - now))
        remaining = max(0, self.per_second - count)
        answer_headers(scope).extend(
            (
                (b"x-contentful-ratelimit-second-limit", self.limit_header),
                (b"x-contentful-ratelimit-second-remaining", str(remaining).encode()),
                (b"x-contentful-ratelimit-reset", b"0" if count <= self.per_second else str(reset).encode()),
            )
        )
        if count > self.per_second:
            await self._refuse(scope, send, reset)
            return
        await self.app(scope, receive, send)

    async def _refuse(self, scope: Scope, send: Send, reset: int) -> None:
        request_id = scope["state"]["request_id"]
        body = json.dumps(
            {
                "sys": {"type": "Error", "id": "RateLimitExceeded"},
                "message": RATE_LIMIT_MESSAGE,
                "requestId": request_id,
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", MEDIA_TYPE.encode()),
                    (b"content-length", str(len(body)).encode()),
                    (b"retry-after", str(reset).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
