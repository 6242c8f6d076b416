"""Who sees which tokens: the one place that decides it, as SQL for lists and in Python for one token.

A list (:func:`where`) shows a member their own tokens, and an owner or admin
(unless they ask for their own) every token with access to the organization: its
spaces' tokens and its members' user tokens. One token looked up by id
(:func:`may_see`) is shown to its author, to whoever reaches its space, and, for
a user token, to the organization's owners and admins while its author is a
member. The SQL is written for the token indexes (see :func:`org_access`); the
Python reads the roles afresh, since the token is about to be shown or changed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, false, or_
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, col, select

from tokentui.core import lookups
from tokentui.core.errors import NotFound
from tokentui.core.listing.queries import TokenQuery, conditions, searches_name_index
from tokentui.core.models import Membership, Space, Token
from tokentui.core.people.actors import Actor
from tokentui.core.vocabulary import OrgRole


def where(
    session: OrmSession, actor: Actor, query: TokenQuery, now: datetime, *, rows: bool = True
) -> list[ColumnElement[bool]]:
    """The WHERE clauses of what ``actor`` sees of ``query``: for a sorted page, or (not ``rows``) a count."""
    org_wide = actor.is_admin and not query.mine
    name_index = searches_name_index(session, query, rows=rows)
    return [
        visible(actor.user_id, actor.org_id, org_wide),
        *conditions(query, now, name_index=name_index, org_id=actor.org_id),
    ]


def visible(scope_user_id: int, org_id: int | None, org_wide: bool) -> ColumnElement[bool]:
    """Who sees what: an admin's organization view, or one user's own tokens."""
    if org_wide and org_id is not None:
        return org_access(org_id)
    if scope_user_id < 0:
        return false()
    return own_tokens(scope_user_id, org_id)


def org_access(org_id: int) -> ColumnElement[bool]:
    """Tokens with access to the organization: its spaces' tokens and its members' user tokens.

    Written as one CASE rather than ``org_id = ? OR (org_id IS NULL AND author_id IN
    ...)``: given an OR, SQLite answers with a multi-index union and then sorts the
    whole result, whereas one opaque condition lets it walk the sort's index in order
    and stop after a page (each sort index carries org_id and author_id for this test).
    """
    members = select(col(Membership.user_id)).where(col(Membership.org_id) == org_id)
    return case(
        (col(Token.org_id).is_(None), col(Token.author_id).in_(members)),
        else_=col(Token.org_id) == org_id,
    )


def own_tokens(user_id: int, org_id: int | None) -> ColumnElement[bool]:
    """The user's own tokens: their user tokens, and their space tokens in this organization."""
    in_org = (
        col(Token.org_id).is_(None)
        if org_id is None
        else or_(col(Token.org_id).is_(None), col(Token.org_id) == org_id)
    )
    return and_(col(Token.author_id) == user_id, in_org)


def may_see(session: Session, actor: Actor, token: Token) -> bool:
    """Whether ``actor`` may see ``token`` (and so act on it, as far as its rules allow)."""
    if token.author_id == actor.user_id:
        return True
    membership = lookups.membership(session, actor.org_id, actor.user_id)
    if membership is None:
        return False
    role = OrgRole(membership.role)
    if token.org_id is not None:
        if token.org_id != actor.org_id:
            return False
        space = session.get(Space, token.space_id)
        return space is not None and lookups.standing(session, space, actor.user_id, role).reaches_space
    # A user token: an admin sees it while its author is a member.
    return role.is_admin and lookups.membership(session, actor.org_id, token.author_id) is not None


def visible_token(session: Session, actor: Actor, token_id: str, *, lock: bool = False) -> Token:
    """The token ``token_id`` if ``actor`` may see it (locked for update with ``lock``), else NotFound."""
    stmt = select(Token).where(col(Token.id) == token_id.strip())
    if lock:
        stmt = stmt.with_for_update()
    token = session.exec(stmt).first()
    if token is None or not may_see(session, actor, token):
        raise NotFound(f"no token {token_id!r}")
    return token
