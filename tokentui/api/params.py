"""Query strings of the listing endpoints: paging, ordering and Contentful's filters.

Accepted, as on Contentful's access-token endpoints::

    skip=0 (skip + limit at most 10000)  limit=100 (1..1000)  order=-sys.createdAt
    sys.type[in]=PersonalAccessToken,OAuthApplication   (or sys.type=...)
    revokedAt=null          not revoked (revokedAt= too: axios's form of null)
    include=sys.user        accepted (the organization listing always includes its users)
    revokedAt[exists]=true  revoked (false: not revoked)
    revokedAt[lt|lte|gt|gte]=ISO-8601
    sys.expiresAt[...]  sys.createdAt[...]  sys.lastUsedAt[...]  (same comparisons)

An unknown parameter, a repeated one or an unreadable value is a 400
InvalidQuery naming the parameter, never silently ignored. A secret in the URL
(``access_token=``) is refused: URLs end up in logs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from starlette.datastructures import QueryParams

from tokentui.api.errors import bad_request, invalid_query
from tokentui.api.shapes import FOREIGN_TYPES, KIND_BY_TYPE
from tokentui.core.access.redact import redact
from tokentui.core.listing.api_filters import Bound, Comparison, Instant, TokenFilter
from tokentui.core.listing.queries import SortKey
from tokentui.core.vocabulary import TokenKind

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# The deepest a page may reach (skip + limit), as Elasticsearch bounds from + size: past it a
# client narrows the listing with a date filter (e.g. sys.createdAt[lt]) instead of skipping.
MAX_DEPTH = 10_000
_INSTANT_PARAMS = {
    "sys.createdAt": Instant.CREATED,
    "sys.expiresAt": Instant.EXPIRES,
    "sys.lastUsedAt": Instant.LAST_USED,
    "revokedAt": Instant.REVOKED,
    "sys.revokedAt": Instant.REVOKED,
}
_ORDERS = {
    "sys.createdAt": SortKey.CREATED,
    "sys.expiresAt": SortKey.EXPIRES,
    "name": SortKey.NAME,
}
_COMPARED = re.compile(r"^(?P<field>[A-Za-z.]+)\[(?P<op>lt|lte|gt|gte|exists|in)\]$")


@dataclass(frozen=True)
class Listing:
    """A parsed listing request: what to show and which page."""

    token_filter: TokenFilter
    skip: int
    limit: int
    # True when the type filter names only kinds this listing never holds: the page is empty.
    matches_nothing: bool = False


def _single_values(params: QueryParams) -> Iterator[tuple[str, str]]:
    """Each query parameter with its one value; one given more than once is a 400 InvalidQuery."""
    for name in dict.fromkeys(params.keys()):
        values = params.getlist(name)
        if len(values) > 1:
            raise invalid_query(f"the query parameter {_shown(name)} is given more than once", _shown(name))
        yield name, values[0]


def parse_listing(params: QueryParams, allowed_kinds: frozenset[TokenKind]) -> Listing:
    """The listing asked for by ``params``; kinds are narrowed to ``allowed_kinds``."""
    refuse_secret_in_url(params)
    kinds: frozenset[TokenKind] | None = None
    revoked: bool | None = None
    bounds: list[Bound] = []
    skip, limit = 0, DEFAULT_LIMIT
    sort, descending = SortKey.CREATED, True
    for name, value in _single_values(params):
        if name == "skip":
            skip = _whole(name, value, 0, MAX_DEPTH)
        elif name == "limit":
            limit = _whole(name, value, 1, MAX_LIMIT)
        elif name == "order":
            sort, descending = _order(value)
        elif name in ("sys.type", "sys.type[in]"):
            kinds = _types(name, value)
        elif name == "include":
            # The organization listing always includes its users; the SDKs and contentful-cli ask for them.
            if value != "sys.user":
                raise invalid_query("include takes only sys.user", name)
        elif name in ("revokedAt", "sys.revokedAt"):
            # An empty value is how axios sends ``revokedAt: null`` (contentful-cli's sec-check does).
            if value not in ("null", ""):
                raise invalid_query(f"{name} takes only null (not revoked)", name)
            revoked = False
        else:
            match = _COMPARED.match(name)
            field = match.group("field") if match else None
            if match is None or field not in _INSTANT_PARAMS:
                raise invalid_query(f"unknown query parameter {_shown(name)}", _shown(name))
            op = match.group("op")
            if op == "exists":
                if _INSTANT_PARAMS[field] is not Instant.REVOKED:
                    raise invalid_query(f"{name} is not supported; use revokedAt[exists]", name)
                revoked = _boolean(name, value)
            elif op == "in":
                raise invalid_query(f"{name} is not supported", name)
            else:
                bounds.append(Bound(_INSTANT_PARAMS[field], Comparison(op), _instant(name, value)))
    if skip + limit > MAX_DEPTH:
        raise invalid_query(
            f"skip + limit must be at most {MAX_DEPTH}; to go deeper, narrow the listing with a "
            "date filter such as sys.createdAt[lt]",
            "skip",
        )
    chosen = allowed_kinds if kinds is None else kinds & allowed_kinds
    return Listing(
        TokenFilter(kinds=chosen, revoked=revoked, bounds=tuple(bounds), sort=sort, descending=descending),
        skip,
        limit,
        matches_nothing=not chosen,
    )


def refuse_secret_in_url(params: QueryParams) -> None:
    """400 when a token is passed as ``access_token``: only the Authorization header is read."""
    if "access_token" in params:
        raise bad_request(
            "Send the access token in the Authorization header (Bearer); tokentui does not "
            "accept it in the URL, where it would end up in logs."
        )


def _shown(name: str) -> str:
    # Redacted before it is cut: a cut could leave part of a secret too short to recognise.
    name = redact(name)
    return name if len(name) <= 64 else name[:61] + "..."


def _whole(name: str, value: str, low: int, high: int) -> int:
    if not value.isascii() or not value.isdigit() or len(value) > 10:
        raise invalid_query(f"{name} must be a whole number from {low} to {high}", name)
    number = int(value)
    if not low <= number <= high:
        raise invalid_query(f"{name} must be a whole number from {low} to {high}", name)
    return number


def _order(value: str) -> tuple[SortKey, bool]:
    descending = value.startswith("-")
    key = _ORDERS.get(value.removeprefix("-"))
    if key is None:
        choices = ", ".join(f"[-]{k}" for k in _ORDERS)
        raise invalid_query(f"order takes one of {choices}", "order")
    return key, descending


def _types(name: str, value: str) -> frozenset[TokenKind]:
    kinds: set[TokenKind] = set()
    for raw in value.split(","):
        type_name = raw.strip()
        if type_name in KIND_BY_TYPE:
            kinds.add(KIND_BY_TYPE[type_name])
        elif type_name not in FOREIGN_TYPES:
            choices = ", ".join(sorted(KIND_BY_TYPE))
            raise invalid_query(f"{name} takes token types from: {choices}", name)
    return frozenset(kinds)


def _boolean(name: str, value: str) -> bool:
    if value not in ("true", "false"):
        raise invalid_query(f"{name} takes true or false", name)
    return value == "true"


def _instant(name: str, value: str) -> datetime:
    """The instant in UTC; one whose offset moves it past year 9999 or before year 1 is refused here.

    Such an instant parses, but the store converts every bound to UTC, which overflows.
    """
    try:
        instant = datetime.fromisoformat(value.strip())
    except ValueError:
        raise invalid_query(f"{name} takes an ISO 8601 instant, e.g. 2027-01-31T00:00:00Z", name) from None
    if instant.tzinfo is None:
        return instant.replace(tzinfo=UTC)
    try:
        return instant.astimezone(UTC)
    except OverflowError:
        raise invalid_query(
            f"{name} is outside the calendar in UTC (0001-01-01 to 9999-12-31)", name
        ) from None


@dataclass(frozen=True)
class Paging:
    """skip, limit and order of a listing that takes no filters (GET /organizations)."""

    skip: int
    limit: int
    order: str
    descending: bool


def parse_paging(params: QueryParams, orders: tuple[str, ...]) -> Paging:
    """skip/limit/order as the token listings take them; any other parameter is a 400 InvalidQuery."""
    refuse_secret_in_url(params)
    skip, limit = 0, DEFAULT_LIMIT
    order, descending = orders[0], False
    for name, value in _single_values(params):
        if name == "skip":
            skip = _whole(name, value, 0, MAX_DEPTH)
        elif name == "limit":
            limit = _whole(name, value, 1, MAX_LIMIT)
        elif name == "order":
            if value.removeprefix("-") not in orders:
                raise invalid_query(f"order takes one of {', '.join(f'[-]{o}' for o in orders)}", "order")
            order, descending = value.removeprefix("-"), value.startswith("-")
        else:
            raise invalid_query(f"unknown query parameter {_shown(name)}", _shown(name))
    if skip + limit > MAX_DEPTH:
        raise invalid_query(f"skip + limit must be at most {MAX_DEPTH}", "skip")
    return Paging(skip, limit, order, descending)
