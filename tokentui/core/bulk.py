"""Bulk token generation for scale tests: many tokens in few, large transactions."""

from __future__ import annotations

import hashlib
import os
import random
from datetime import timedelta
from typing import Any

from sqlalchemy import insert
from sqlmodel import col, select

from tokentui.core.base import ServiceBase
from tokentui.core.errors import NotFound
from tokentui.core.kinds import DEFAULT_SCOPES, FIXED_SCOPES, RevokeReason, TokenKind
from tokentui.core.models import Environment, Membership, Organization, Space, Token

_KIND_WEIGHTS = [
    (TokenKind.PERSONAL, 55),
    (TokenKind.OAUTH, 10),
    (TokenKind.SESSION, 15),
    (TokenKind.DELIVERY, 15),
    (TokenKind.MANAGEMENT, 5),
]
_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
BATCH = 20_000


def bulk_tokens(service: ServiceBase, org_name: str, count: int, *, seed: int = 7) -> int:
    """Insert ``count`` tokens spread over the organization's members, spaces, kinds and dates.

    The secrets are random bytes hashed and thrown away: nobody can ever use these
    tokens, but they look, sort and filter like real ones. Limits are not applied
    (this fills a store for measurement; it is not how tokens are created).
    """
    rng = random.Random(seed)
    now = service.now()
    with service.store.read() as session:
        org = session.exec(select(Organization).where(Organization.name == org_name)).first()
        if org is None:
            raise NotFound(f"no organization {org_name!r}")
        members = list(session.exec(select(Membership.user_id).where(Membership.org_id == org.id)).all())
        spaces = list(session.exec(select(Space).where(Space.org_id == org.id)).all())
        envs: dict[int, list[str]] = {}
        for env in session.exec(select(Environment).where(col(Environment.is_branch).is_(False))).all():
            envs.setdefault(env.space_id, []).append(env.name)
    kinds = [k for k, _ in _KIND_WEIGHTS]
    weights = [w for _, w in _KIND_WEIGHTS]
    span = timedelta(days=900).total_seconds()
    done = 0
    while done < count:
        rows: list[dict[str, Any]] = []
        for kind in rng.choices(kinds, weights, k=min(BATCH, count - done)):
            created = now - timedelta(seconds=rng.random() * span)
            space = rng.choice(spaces) if not kind.is_user_token and spaces else None
            if space is None and not kind.is_user_token:
                kind = TokenKind.PERSONAL
            expires = None
            if kind.may_expire and rng.random() < 0.8:
                expires = created + timedelta(days=rng.choice((7, 30, 60, 90, 180, 365)))
            revoked = created + (now - created) * rng.random() if rng.random() < 0.12 else None
            digest = hashlib.sha256(os.urandom(32)).hexdigest()
            scopes = FIXED_SCOPES.get(kind) or DEFAULT_SCOPES[kind]
            rows.append(
                {
                    "id": "".join(rng.choices(_ALPHABET, k=22)),
                    "kind": kind.value,
                    "name": f"{kind.value} token {done + len(rows)}",
                    "author_id": rng.choice(members),
                    "org_id": org.id if space else None,
                    "space_id": space.id if space else None,
                    "environment": rng.choice(envs.get(space.id or 0, ["master"]))
                    if kind is TokenKind.DELIVERY and space
                    else None,
                    "branches": "",
                    "scopes": " ".join(s.value for s in scopes),
                    "app_name": "Bulk app" if kind is TokenKind.OAUTH else None,
                    "secret_hash": digest,
                    "last4": "".join(rng.choices(_ALPHABET, k=4)),
                    "notify": True,
                    "created_at": created,
                    "updated_at": revoked or created,
                    "expires_at": expires,
                    "revoked_at": revoked,
                    "revoked_reason": RevokeReason.BY_USER.value if revoked else None,
                }
            )
        with service.store.write() as session:
            session.execute(insert(Token), rows)
        done += len(rows)
    return done
