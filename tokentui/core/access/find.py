"""Finding the token a leaked secret belongs to, without telling anyone else anything.

Owners and admins find any token of their organization (its spaces' tokens and its
members' user tokens); any user finds their own. Everyone else, and a secret no token
has, get the same NotFound, so the answer never says whether the secret exists.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlmodel import Session, col, select

from tokentui.core import lookups
from tokentui.core.dates import Clock
from tokentui.core.errors import InvalidInput, NotFound
from tokentui.core.listing.reading import view_of
from tokentui.core.models import Token
from tokentui.core.people.actors import Actor
from tokentui.core.results import TokenView
from tokentui.core.store import Store
from tokentui.core.tokens import secret_format
from tokentui.core.vocabulary import OrgRole, TokenKind

NOT_FOUND = "no token you may see has this secret"
# Well under every database's limit on bound parameters (SQLite's was 999).
_HASHES_PER_QUERY = 500


def may_find(session: Session, actor: Actor, token: Token) -> bool:
    """Whether ``actor`` may learn that ``token`` is the one behind a secret."""
    if token.author_id == actor.user_id:
        return True
    membership = lookups.membership(session, actor.org_id, actor.user_id)
    if membership is None or not OrgRole(membership.role).is_admin:
        return False
    if token.org_id is not None:
        return token.org_id == actor.org_id
    return lookups.membership(session, actor.org_id, token.author_id) is not None


def find_secret(store: Store, clock: Clock, actor: Actor, secret: str) -> TokenView:
    """The token ``secret`` belongs to, as verify finds it (its hash), or NotFound."""
    secret = secret.strip()
    kind = secret_format.parse(secret)
    if kind is None:
        # Decided without the store: the prefix, length or checksum is wrong.
        raise InvalidInput("that is not a tokentui secret (wrong prefix, length or checksum)")
    found = find_hashes(store, clock, actor, {secret_format.hash_secret(secret): kind})
    if not found:
        raise NotFound(NOT_FOUND)
    return next(iter(found.values()))


def find_hashes(
    store: Store, clock: Clock, actor: Actor, wanted: Mapping[str, TokenKind]
) -> dict[str, TokenView]:
    """The tokens behind many secrets at once, by hash: ``{hash: token}`` for those ``actor`` may find.

    ``wanted`` maps each secret's hash to the kind its prefix names. A hash no token has,
    a token of another kind, and a token the actor may not find are all simply absent, so
    the answer says nothing of them. One query per batch of hashes, not one per secret.
    """
    now = clock()
    hashes = list(wanted)
    found: dict[str, TokenView] = {}
    with store.read() as session:
        for start in range(0, len(hashes), _HASHES_PER_QUERY):
            batch = hashes[start : start + _HASHES_PER_QUERY]
            for token in session.exec(select(Token).where(col(Token.secret_hash).in_(batch))):
                if token.kind == wanted[token.secret_hash].value and may_find(session, actor, token):
                    found[token.secret_hash] = view_of(session, token, now)
    return found
