"""The endpoints of SPEC.md's "HTTP API" table, plus the two a client needs to find ids.

Each handler authenticates, checks what the request may do, validates it, asks
the service (in a worker thread: the service is synchronous), records the
token's use, and renders the answer. Refusals are raised and rendered by the
handlers in :mod:`tokentui.api.errors`. ``lastUsedAt`` is recorded last, only
for a request whose answer has been computed (every lookup of the route
included), so a refused or malformed request changes nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from tokentui.api.auth import authenticated, service_of
from tokentui.api.body import Fields, read_json
from tokentui.api.errors import invalid_query, not_found, validation_failed
from tokentui.api.limits import bounded_listing
from tokentui.api.params import Listing, Paging, parse_listing, parse_paging
from tokentui.api.shapes import (
    MEDIA_TYPE,
    array_json,
    membership_json,
    organization_json,
    token_json,
    user_json,
)
from tokentui.core.access.bearer import Bearer, org_actor, record_use, require, user_actor
from tokentui.core.dates import iso_millis
from tokentui.core.errors import Conflict, InvalidInput, StoreError
from tokentui.core.listing.api_filters import Page, list_page, own_user_token
from tokentui.core.people.actors import Actor
from tokentui.core.results import TokenView
from tokentui.core.service import Service
from tokentui.core.vocabulary import USER_KINDS, Action, TokenKind

TOKEN = "PersonalAccessToken"
_TOKEN_ID = re.compile(r"[0-9A-Za-z]{1,32}")
_ORG_ID = re.compile(r"[0-9]{1,12}")
ALL_KINDS = frozenset(TokenKind)
_ORG_ORDERS = ("name", "sys.id")
# Which field of POST /users/me/access_tokens a core refusal is about, by the words of its message.
_FIELD_WORDS = (("scope", "scopes"), ("expir", "expiresIn"), ("name", "name"))
log = logging.getLogger("tokentui.api")


def answer(body: dict[str, Any], status: int = 200) -> Response:
    """A JSON answer in Contentful's media type."""
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE)


async def used(request: Request, bearer: Bearer) -> None:
    """Record the bearer's use: call it last, once the answer is computed and nothing can refuse it.

    Every check (authentication, scopes, the route's own lookups and validation)
    comes first, so a request that ends in a 4xx or a 5xx records nothing.
    """
    await run_in_threadpool(record_use, service_of(request), bearer)


def used_after_change(service: Service, bearer: Bearer) -> None:
    """Record the use after a change has committed; a failure here must not turn it into an error.

    The change cannot be undone, and the answer to create holds the only copy of the secret.
    """
    try:
        record_use(service, bearer)
    except StoreError as exc:
        log.warning("could not record the use of token %s: %s", bearer.token_id, exc)


# -- /users/me/access_tokens --------------------------------------------------------------


async def create_token(request: Request) -> Response:
    """POST /users/me/access_tokens: a new personal access token; the only answer with a secret."""
    bearer = await authenticated(request)
    require(bearer, Action.TOKENS_MANAGE)
    fields = Fields(await read_json(request), {"name", "scopes", "expiresIn"})
    name = fields.text("name", required=True)
    scopes = fields.text_list("scopes", required=True)
    expires_in = fields.positive_int("expiresIn")
    service = service_of(request)

    def create() -> tuple[TokenView, str]:
        expires: str | datetime = "never" if expires_in is None else _expiry(service.now(), expires_in)
        actor = user_actor(service, bearer)
        try:
            created = service.create_token(
                actor, TokenKind.PERSONAL, name=name, scopes=scopes or (), expires=expires
            )
        except InvalidInput as exc:
            raise validation_failed(str(exc), [_field_of(str(exc))]) from None
        used_after_change(service, bearer)
        return created.token, created.secret

    view, secret = await run_in_threadpool(create)
    return answer(token_json(view, secret=secret), 201)


def _field_of(message: str) -> str:
    """The request field a core refusal of a new token names (every 422 names its field)."""
    lowered = message.lower()
    for word, field in _FIELD_WORDS:
        if word in lowered:
            return field
    return "name"


def _expiry(now: datetime, seconds: int) -> datetime:
    """``now`` plus ``seconds``; an instant past the calendar is refused, not a crash."""
    try:
        return now + timedelta(seconds=seconds)
    except OverflowError:
        raise validation_failed("expiresIn is too far away", ["expiresIn"], "range") from None


async def list_tokens(request: Request) -> Response:
    """GET /users/me/access_tokens: the user's personal, OAuth and session tokens, a page at a time."""
    bearer = await authenticated(request)
    listing = parse_listing(request.query_params, USER_KINDS)
    service = service_of(request)
    actor = await run_in_threadpool(user_actor, service, bearer)
    page = await bounded_listing(request, _page, service, actor, listing, False)
    await used(request, bearer)
    page = await run_in_threadpool(_showing_this_use, service, actor, bearer, page)
    return answer(_array(page, with_user=False))


async def get_token(request: Request) -> Response:
    """GET /users/me/access_tokens/{id}: one of the user's tokens, never its secret."""
    bearer = await authenticated(request)
    token_id = _token_id(request)
    service = service_of(request)
    actor = await run_in_threadpool(user_actor, service, bearer)
    view = await run_in_threadpool(own_user_token, service, actor, token_id)
    await used(request, bearer)
    if view.id == bearer.token_id:
        view = await run_in_threadpool(own_user_token, service, actor, token_id)
    return answer(token_json(view))


async def revoke_token(request: Request) -> Response:
    """PUT /users/me/access_tokens/{id}/revoked: revoke; answers the revoked token.

    PUT is idempotent: revoking a token that is already revoked answers it as it is.
    """
    bearer = await authenticated(request)
    require(bearer, Action.TOKENS_MANAGE)
    token_id = _token_id(request)
    service = service_of(request)

    def revoke() -> TokenView:
        actor = user_actor(service, bearer)
        own_user_token(service, actor, token_id)
        try:
            view = service.revoke(actor, token_id)
        except Conflict:
            view = own_user_token(service, actor, token_id)
        used_after_change(service, bearer)
        return view

    return answer(token_json(await run_in_threadpool(revoke)))


def _token_id(request: Request) -> str:
    request.state.resource_type = TOKEN
    token_id: str = request.path_params["token_id"]
    if not _TOKEN_ID.fullmatch(token_id):
        # Not an id tokentui ever gives out (and possibly a pasted secret): not found, not echoed.
        raise not_found(TOKEN)
    return token_id


# -- organizations ----------------------------------------------------------------------


async def organization_tokens(request: Request) -> Response:
    """GET /organizations/{org_id}/access_tokens: every token with access to the organization (admins)."""
    bearer = await authenticated(request)
    request.state.resource_type = "Organization"
    org_id = request.path_params["org_id"]
    if not _ORG_ID.fullmatch(org_id):
        raise not_found("Organization")
    listing = parse_listing(request.query_params, ALL_KINDS)
    service = service_of(request)
    actor = await run_in_threadpool(org_actor, service, bearer, int(org_id), admin=True)
    page = await bounded_listing(request, _page, service, actor, listing, True)
    await used(request, bearer)
    page = await run_in_threadpool(_showing_this_use, service, actor, bearer, page)
    return answer(_array(page, with_user=True))


async def organizations(request: Request) -> Response:
    """GET /organizations: the organizations the user belongs to (so a client can find their ids)."""
    bearer = await authenticated(request)
    paging = parse_paging(request.query_params, _ORG_ORDERS)
    service = service_of(request)
    orgs = await run_in_threadpool(service.organizations, bearer.email)
    await used(request, bearer)
    # An organization's id is an integer in the store: sys.id orders by its number, not its text.
    key = (lambda o: o.id) if paging.order == "sys.id" else (lambda o: (o.name.casefold(), o.id))
    ordered = sorted(orgs, key=key, reverse=paging.descending)
    items = [organization_json(o) for o in ordered[paging.skip : paging.skip + paging.limit]]
    return answer(array_json(items, total=len(orgs), skip=paging.skip, limit=paging.limit))


async def me(request: Request) -> Response:
    """GET /users/me: the user the token acts for, with what the store knows of them.

    The store holds a display name but no sign-in history, avatar or second factor, so
    signInCount, avatarUrl and 2faEnabled are not sent rather than sent made up.
    """
    bearer = await authenticated(request)
    known = await run_in_threadpool(service_of(request).profile, bearer.user_id)
    await used(request, bearer)
    body = user_json(bearer.user_id, bearer.email)
    if known is not None:
        first, _, last = known.name.strip().partition(" ")
        body.update(firstName=first, lastName=last.strip(), activated=True)
        body["sys"]["createdAt"] = iso_millis(known.created_at)
    return answer(body)


async def organization_memberships(request: Request) -> Response:
    """GET /organizations/{org_id}/organization_memberships: the members, a page at a time (admins)."""
    bearer = await authenticated(request)
    request.state.resource_type = "Organization"
    org_id = request.path_params["org_id"]
    if not _ORG_ID.fullmatch(org_id):
        raise not_found("Organization")
    paging, query = _membership_paging(request)
    service = service_of(request)
    await run_in_threadpool(org_actor, service, bearer, int(org_id), admin=True)
    page = await run_in_threadpool(
        lambda: service.membership_page(int(org_id), skip=paging.skip, limit=paging.limit, query=query)
    )
    await used(request, bearer)
    items = [membership_json(org_id, m) for m in page.items]
    includes = {"User": [user_json(m.user_id, m.email) for m in page.items]}
    return answer(
        array_json(items, total=page.total, skip=paging.skip, limit=paging.limit, includes=includes)
    )


def _membership_paging(request: Request) -> tuple[Paging, str | None]:
    """Paging, and ``query`` (contentful-cli's sec-check finds its own membership with its user id)."""
    # The SDKs send include=sys.user; the users are always included, so it changes nothing.
    taken = ("include", "query")
    params = QueryParams([(k, v) for k, v in request.query_params.multi_items() if k not in taken])
    queries = request.query_params.getlist("query")
    if len(queries) > 1 or any(len(q) > 256 for q in queries):
        raise invalid_query("query is given more than once or is too long", "query")
    return parse_paging(params, ("sys.createdAt",)), (queries[0].strip() or None) if queries else None


# -- listing helpers ----------------------------------------------------------------------


def _page(service: Service, actor: Actor, listing: Listing, org_wide: bool) -> Page:
    if listing.matches_nothing:
        return Page(0, listing.skip, listing.limit, ())
    try:
        return list_page(
            service, actor, listing.token_filter, org_wide=org_wide, skip=listing.skip, limit=listing.limit
        )
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None


def _showing_this_use(service: Service, actor: Actor, bearer: Bearer, page: Page) -> Page:
    """``page`` with the bearer's own token read again, so the answer shows the use just recorded."""
    if not any(view.id == bearer.token_id for view in page.items):
        return page
    fresh = service.get_token(actor, bearer.token_id)
    return replace(page, items=tuple(fresh if view.id == fresh.id else view for view in page.items))


def _array(page: Page, *, with_user: bool) -> dict[str, Any]:
    items = [token_json(view, with_user=with_user) for view in page.items]
    includes = None
    if with_user:
        authors = {view.author_id: view.author for view in page.items}
        includes = {"User": [user_json(uid, email) for uid, email in sorted(authors.items())]}
    return array_json(items, total=page.total, skip=page.skip, limit=page.limit, includes=includes)
