"""Request bodies: bounded reading, strict JSON, typed fields.

A body is read in chunks and refused with 413 the moment it passes the limit;
JSON that Python would accept but other parsers read differently (NaN,
duplicate keys) is refused; a field of the wrong type or an unknown field is
a 422, so a typo such as ``expiresin`` never silently creates a token that
does not expire.
"""

from __future__ import annotations

import json
from collections.abc import Set as AbstractSet
from typing import Any

from starlette.requests import ClientDisconnect, Request
from starlette.types import Receive

from tokentui.api.errors import ApiError, bad_request, validation_failed
from tokentui.core.access.redact import redact

MAX_BODY_BYTES = 64 * 1024
_JSON_TYPES = ("application/json", "application/vnd.contentful.management.v1+json")


def too_large(limit: int) -> ApiError:
    """413 for a body over ``limit`` bytes."""
    return ApiError(413, "PayloadTooLarge", f"The request body is larger than {limit} bytes.")


async def read_json(request: Request, limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """The body as a JSON object, or an ApiError (400, 413, 415); never reads past ``limit``."""
    refuse_media_type(request.headers.get("content-type", ""))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return parse_object(b"".join(chunks))


async def receive_json(receive: Receive, content_type: str, limit: int = MAX_BODY_BYTES) -> dict[str, Any]:
    """:func:`read_json` straight from ASGI's ``receive``, for a path that makes no Request."""
    refuse_media_type(content_type)
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ClientDisconnect
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
        if not message.get("more_body", False):
            return parse_object(b"".join(chunks))


def refuse_media_type(content_type: str) -> None:
    """415 unless ``content_type`` is absent or JSON."""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type and media_type not in _JSON_TYPES and not media_type.endswith("+json"):
        raise ApiError(
            415,
            "UnsupportedMediaType",
            "Send the body as application/vnd.contentful.management.v1+json (or application/json).",
        )


def parse_object(raw: bytes) -> dict[str, Any]:
    """``raw`` as a JSON object, refusing what JSON parsers disagree on."""
    if not raw.strip():
        raise bad_request("The request body is empty; send a JSON object.")
    try:
        value = _DECODER.decode(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise bad_request("The request body is not UTF-8.") from None
    except json.JSONDecodeError as exc:
        raise bad_request(f"The request body is not valid JSON ({exc.msg} at line {exc.lineno}).") from None
    except (ValueError, RecursionError) as exc:
        # Duplicate keys, NaN, numbers too long to convert, nesting too deep.
        raise bad_request(f"The request body is not acceptable JSON ({_short(exc)}).") from None
    if not isinstance(value, dict):
        raise bad_request("The request body must be a JSON object.")
    return value


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"the key {key!r} appears twice")
        result[key] = value
    return result


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


# Made once: json.loads with these options builds a new decoder on every call.
_DECODER = json.JSONDecoder(object_pairs_hook=_unique_keys, parse_constant=_no_constants)


def _short(exc: BaseException) -> str:
    # Redacted before it is cut (the message may quote a key): a cut could hide part of a secret.
    text = redact(str(exc)) or type(exc).__name__
    return text if len(text) <= 120 else text[:117] + "..."


class Fields:
    """Typed access to the fields of a JSON object body, refusing fields nobody asked for."""

    def __init__(self, body: dict[str, Any], allowed: AbstractSet[str]) -> None:
        unknown = sorted(set(body) - allowed)
        if unknown:
            # Redacted before it is cut: a cut could leave part of a secret too short to recognise.
            shown = redact(unknown[0])[:64]
            raise validation_failed(
                f"unknown field {shown!r}; this endpoint takes {', '.join(sorted(allowed))}",
                [shown],
                "unknown",
            )
        self.body = body

    def text(self, name: str, *, required: bool = False) -> str | None:
        """A string field (None when absent or null, unless required)."""
        value = self.body.get(name)
        if value is None:
            if required:
                raise validation_failed(f"{name} is required", [name], "required")
            return None
        if not isinstance(value, str):
            raise validation_failed(f"{name} must be a string", [name], "type")
        return value

    def text_list(self, name: str, *, required: bool = False) -> list[str] | None:
        """A list of strings (None when absent or null, unless required)."""
        value = self.body.get(name)
        if value is None:
            if required:
                raise validation_failed(f"{name} is required", [name], "required")
            return None
        if not isinstance(value, list):
            raise validation_failed(f"{name} must be a list of strings", [name], "type")
        for index, item in enumerate(value):
            if not isinstance(item, str):
                raise validation_failed(f"{name} must be a list of strings", [name, index], "type")
        return list(value)

    def positive_int(self, name: str) -> int | None:
        """A whole number above zero (None when absent or null). ``3600.0`` counts as whole."""
        value = self.body.get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise validation_failed(f"{name} must be a whole number", [name], "type")
        if isinstance(value, float):
            if not value.is_integer():
                raise validation_failed(f"{name} must be a whole number", [name], "type")
            value = int(value)
        if value <= 0:
            raise validation_failed(f"{name} must be above zero; omit it for no expiry", [name], "range")
        return value
