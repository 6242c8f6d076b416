"""verify: may this secret do this action here? The library function other programs call.

This is the hot path of every service behind tokentui, so it reads with Core
statements compiled once and run on a driver connection the store holds
(:class:`tokentui.core.store.Prepared` and :meth:`~tokentui.core.store.Store.hot`:
no pool checkout, no ORM session, none of SQLAlchemy's per-execution work). With
a space named, that is one statement: the secret's hash by its unique index,
with the aimed-at space, its environments and the author's roles in its
organization and in it. With none, the token first, then (only for an active
token) the author's memberships, in one read transaction. ``lastUsedAt`` is
written on success but at most once per
:data:`~tokentui.core.access.last_used.LAST_USED_RESOLUTION` per token, so a busy
token costs no write per request.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import and_, bindparam, null, or_, select

from tokentui.core.access.last_used import is_stale
from tokentui.core.dates import Clock
from tokentui.core.models import Environment, Membership, Organization, Space, SpaceMembership, Token, User
from tokentui.core.results import Decision
from tokentui.core.rules import SpaceStanding, Target, TokenFacts, decide, normalise_name, token_status
from tokentui.core.store import FIRST_ROW, HotConnection, Prepared, Store
from tokentui.core.tokens import secret_format
from tokentui.core.vocabulary import (
    USER_KINDS,
    Action,
    DenyReason,
    OrgRole,
    SpaceRole,
    Status,
    TokenKind,
    parse_enum,
)

_T = Token.__table__  # type: ignore[attr-defined]
_U = User.__table__  # type: ignore[attr-defined]
_M = Membership.__table__  # type: ignore[attr-defined]
_S = Space.__table__  # type: ignore[attr-defined]
_E = Environment.__table__  # type: ignore[attr-defined]
_SM = SpaceMembership.__table__  # type: ignore[attr-defined]
_O = Organization.__table__  # type: ignore[attr-defined]

# The token's columns, in :class:`_TokenRow`'s order.
_TOKEN_COLUMNS = (
    _T.c.id,
    _T.c.kind,
    _T.c.revoked_at,
    _T.c.expires_at,
    _T.c.scopes,
    _T.c.space_id,
    _T.c.org_id,
    _T.c.environment,
    _T.c.branches,
    _T.c.author_id,
    _T.c.last_used_at,
    _U.c.email,
)
_BY_HASH = Prepared(
    select(*_TOKEN_COLUMNS).join(_U, _U.c.id == _T.c.author_id).where(_T.c.secret_hash == bindparam("hash"))
)


def _by_hash_in_space(with_environments: bool) -> Prepared:
    """The token with the named space (by name or API key), with the author's roles in its
    organization and in it: one row per environment of each space so named (``with_environments``,
    for a request that names an environment or a branch), else one per space, its environment
    columns NULL; one row with no space where none is named so. One statement, so one snapshot
    with no transaction around it, and one round trip. Only the first row's instants are
    converted: every row repeats the token's columns.
    """
    environment = (
        (_E.c.name, _E.c.is_branch, _E.c.alias_of) if with_environments else (null(), null(), null())
    )
    stmt = (
        select(
            *_TOKEN_COLUMNS,
            _S.c.id,
            _S.c.org_id,
            _S.c.owner_id,
            _O.c.name,
            _M.c.role,
            *environment,
            _SM.c.role,
        )
        .join(_U, _U.c.id == _T.c.author_id)
        .outerjoin(_S, or_(_S.c.name == bindparam("space"), _S.c.api_key == bindparam("space")))
        .outerjoin(_O, _O.c.id == _S.c.org_id)
        .outerjoin(_M, and_(_M.c.org_id == _S.c.org_id, _M.c.user_id == _T.c.author_id))
    )
    if with_environments:
        stmt = stmt.outerjoin(_E, _E.c.space_id == _S.c.id)
    stmt = stmt.outerjoin(_SM, and_(_SM.c.space_id == _S.c.id, _SM.c.user_id == _T.c.author_id))
    return Prepared(stmt.where(_T.c.secret_hash == bindparam("hash")), convert=FIRST_ROW)


# Most requests name no environment: their decision needs none of the space's environments.
_BY_HASH_IN_SPACE = _by_hash_in_space(with_environments=True)
_BY_HASH_IN_SPACE_ALONE = _by_hash_in_space(with_environments=False)
_TOKEN_WIDTH = len(_TOKEN_COLUMNS)
_MEMBERSHIPS = Prepared(select(_M.c.org_id, _M.c.role).where(_M.c.user_id == bindparam("user_id")))
_ORG_BY_NAME = Prepared(select(_O.c.id).where(_O.c.name == bindparam("org")))


# Enum members by value: a dict lookup, where calling the Enum costs a lookup and a frame each time.
_ACTIONS: dict[str, Action] = {a.value: a for a in Action}
_ORG_ROLES: dict[str, OrgRole] = {r.value: r for r in OrgRole}
_SPACE_ROLES: dict[str, SpaceRole] = {r.value: r for r in SpaceRole}
_REASONS: dict[DenyReason, str] = {r: r.value for r in DenyReason}
# Decisions are frozen, so the one for every unknown or malformed secret is made once.
_UNKNOWN = Decision(False, DenyReason.UNKNOWN.value)
_NO_NAMES: frozenset[str] = frozenset()
# Where a revoked or expired token is refused: its refusal depends on nothing aimed at.
_NOWHERE = Target(None, None, None, True)
# A token's scopes and branches as sets, by their stored text: tokens share a handful of texts.
# Cleared when full, so texts no longer in use cannot pile up.
_WORD_SETS: dict[str, frozenset[str]] = {}
_MAX_WORD_SETS = 1024


class _TokenRow(NamedTuple):
    """The token's columns of ``_BY_HASH`` and ``_BY_HASH_IN_SPACE``, in their order."""

    id: str
    kind: str
    revoked_at: datetime | None
    expires_at: datetime | None
    scopes: str
    space_id: int | None
    org_id: int | None
    environment: str | None
    branches: str
    author_id: int
    last_used_at: datetime | None
    email: str


class _SpaceFacts:
    """One space as verify needs it: its organization, owner, environments and the author's role."""

    __slots__ = ("author_org_role", "author_role", "environments", "id", "org_id", "org_name", "owner_id")

    def __init__(
        self, space_id: int, org_id: int, owner_id: int, org_name: str, org_role: str | None
    ) -> None:
        self.id = space_id
        self.org_id = org_id
        self.owner_id = owner_id
        self.org_name = org_name
        self.author_org_role = _ORG_ROLES[org_role] if org_role is not None else None
        self.environments: list[tuple[str, bool, str | None]] = []
        self.author_role: SpaceRole | None = None


def verify(
    store: Store,
    clock: Clock,
    mark_used: Callable[[list[str], datetime], None],
    secret: str,
    action: Action | str,
    *,
    space: str | None = None,
    environment: str | None = None,
    org: str | None = None,
    branch: str | None = None,
    record_use: bool = True,
) -> Decision:
    """Decide whether ``secret`` may do ``action`` in ``space``/``environment``.

    A malformed secret (wrong prefix, length or checksum) is denied as
    ``unknown`` without touching the database. An allowed use records
    ``lastUsedAt`` through ``mark_used`` (to the minute: see :mod:`~tokentui.core.access.last_used`).
    ``space`` is a space's name or API key.
    """
    if not isinstance(action, Action):
        action = _ACTIONS.get(action) or parse_enum(Action, action, "action")
    secret = secret.strip()
    # Spelled out: a generator over the four names costs more than the names' checks.
    space = None if space is None else normalise_name(space)
    environment = None if environment is None else normalise_name(environment)
    org = None if org is None else normalise_name(org)
    branch = None if branch is None else normalise_name(branch)
    kind = secret_format.parse(secret)
    if kind is None:
        return _UNKNOWN
    now = clock()
    digest = secret_format.hash_secret(secret)
    if space is not None:
        named = environment is not None or branch is not None
        with store.hot(one_statement=True) as conn:
            rows = conn.all(_BY_HASH_IN_SPACE if named else _BY_HASH_IN_SPACE_ALONE, hash=digest, space=space)
        # A StrEnum member equals its value: the stored kind is compared as it comes.
        if not rows or rows[0][1] != kind:
            return _UNKNOWN
        row = _TokenRow._make(rows[0][:_TOKEN_WIDTH])
        facts = _facts(kind, row, now)
        reason = _decide_in_space(row, facts, action, rows, environment, org, branch)
    else:
        with store.hot() as conn:
            found = conn.first(_BY_HASH, hash=digest)
            if found is None or found[1] != kind:
                return _UNKNOWN
            row = _TokenRow._make(found)
            facts = _facts(kind, row, now)
            reason = _decide_without_space(conn, row, facts, action, environment, org)
    if reason is not None:
        return Decision(False, _REASONS[reason], row.id, row.email)
    # The same test as mark_used's, made here first so a busy token costs no write at all.
    if record_use and is_stale(row.last_used_at, now):
        mark_used([row.id], now)
    return Decision(True, None, row.id, row.email)


def _facts(kind: TokenKind, row: _TokenRow, now: datetime) -> TokenFacts:
    return TokenFacts(
        kind=kind,
        status=token_status(row.revoked_at, row.expires_at, now),
        scopes=_words(row.scopes),
        space_id=row.space_id,
        environment=row.environment,
        branches=_words(row.branches),
    )


def _words(text: str) -> frozenset[str]:
    """The space-separated words of a token's scopes or branches, as a set made once per distinct text."""
    words = _WORD_SETS.get(text)
    if words is None:
        if len(_WORD_SETS) >= _MAX_WORD_SETS:
            _WORD_SETS.clear()
        words = _WORD_SETS[text] = frozenset(text.split())
    return words


def _decide_in_space(
    token: _TokenRow,
    facts: TokenFacts,
    action: Action,
    rows: list[tuple[Any, ...]],
    environment: str | None,
    org_name: str | None,
    branch: str | None,
) -> DenyReason | None:
    # A revoked or expired token is refused whatever the space (read along with it).
    if facts.status is not Status.ACTIVE:
        return decide(facts, action, _NOWHERE, None, None)
    user_token = facts.kind in USER_KINDS
    space_row: _SpaceFacts | None = None
    for candidate in _spaces(rows):
        if _reaches(token, user_token, candidate) and (org_name is None or candidate.org_name == org_name):
            if space_row is not None:
                return DenyReason.NO_ACCESS  # the name is ambiguous
            space_row = candidate
    if space_row is None:
        return DenyReason.NO_ACCESS
    org_role: OrgRole | None = None
    standing: SpaceStanding | None = None
    if user_token and space_row.author_org_role is not None:
        org_role = space_row.author_org_role
        standing = SpaceStanding(
            org_role=org_role,
            space_role=space_row.author_role,
            is_owner=space_row.owner_id == token.author_id,
        )
    if environment is None and branch is None:
        env_known, branch_names = True, _NO_NAMES
    else:
        env_known, branch_names = _environment_facts(space_row, environment, branch)
    target = Target(
        org_id=space_row.org_id,
        space_id=space_row.id,
        environment=environment,
        environment_is_known=env_known,
        branch_names=branch_names,
    )
    return decide(facts, action, target, org_role, standing)


def _decide_without_space(
    conn: HotConnection,
    token: _TokenRow,
    facts: TokenFacts,
    action: Action,
    environment: str | None,
    org_name: str | None,
) -> DenyReason | None:
    # Revoked and expired tokens are refused before anything else is looked up.
    if facts.status is not Status.ACTIVE:
        return decide(facts, action, _NOWHERE, None, None)
    user_token = facts.kind in USER_KINDS
    roles: dict[int, str] = dict(conn.all(_MEMBERSHIPS, user_id=token.author_id)) if user_token else {}
    target_org = _target_org(conn, token, org_name, list(roles))
    if target_org is False:
        return DenyReason.NO_ACCESS
    org_id = target_org if isinstance(target_org, int) else None
    org_role: OrgRole | None = None
    if user_token and org_id is not None and roles.get(org_id):
        org_role = _ORG_ROLES[roles[org_id]]
    # With no space, an environment is known only when none is named; a branch names nothing.
    target = Target(
        org_id=org_id,
        space_id=None,
        environment=environment,
        environment_is_known=environment is None,
        branch_names=_NO_NAMES,
    )
    return decide(facts, action, target, org_role, None)


def _spaces(rows: list[tuple[Any, ...]]) -> list[_SpaceFacts]:
    """The spaces of ``_BY_HASH_IN_SPACE``'s rows, each with its environments and the author's roles."""
    spaces: dict[int, _SpaceFacts] = {}
    for row in rows:
        space_id, org_id, owner_id, org_name, org_role, env, is_branch, alias_of, role = row[_TOKEN_WIDTH:]
        if space_id is None:
            continue  # no space has the name
        facts = spaces.get(space_id)
        if facts is None:
            facts = spaces[space_id] = _SpaceFacts(space_id, org_id, owner_id, org_name, org_role)
        if env is not None:
            facts.environments.append((env, bool(is_branch), alias_of))
        if role is not None:
            facts.author_role = _SPACE_ROLES[role]
    return list(spaces.values())


def _target_org(
    conn: HotConnection, token: _TokenRow, org_name: str | None, user_org_ids: list[int]
) -> int | bool | None:
    """The organization aimed at when no space is; False when ``org_name`` names one the token cannot reach."""
    if org_name is not None:
        found = conn.first(_ORG_BY_NAME, org=org_name)
        if found is None:
            return False
        org_id = found[0]
        if TokenKind(token.kind).is_user_token:
            return int(org_id) if org_id in user_org_ids else False
        return int(org_id) if org_id == token.org_id else False
    if token.org_id is not None:
        return int(token.org_id)
    return user_org_ids[0] if len(user_org_ids) == 1 else None


def _reaches(token: _TokenRow, user_token: bool, space: _SpaceFacts) -> bool:
    """Whether the token's organization is the space's: its own, or one its author belongs to."""
    if token.org_id is not None:
        return space.org_id == token.org_id
    return user_token and space.author_org_role is not None


def _environment_facts(
    space_row: _SpaceFacts, environment: str | None, branch: str | None
) -> tuple[bool, frozenset[str]]:
    rows = space_row.environments
    env_known = environment is None or any(
        name == environment and not is_branch for name, is_branch, _ in rows
    )
    if branch is None:
        return env_known, _NO_NAMES
    target = next(((name, alias) for name, is_branch, alias in rows if is_branch and name == branch), None)
    if target is None:
        return False, frozenset({branch})
    real = target[1] or target[0]
    names = {real} | {name for name, _, alias in rows if alias == real}
    return env_known, frozenset(names)
