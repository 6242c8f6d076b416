"""A store as an older tokentui left it: migrated to a revision only, written as that version wrote.

Today's service cannot write into an older schema (its audit events carry the
hash chain's columns), so the rows go in directly: an organization, its owner,
a personal token, and the audit events that version recorded for them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import create_engine, insert
from sqlmodel import Session

from tokentui.core.models import AuditEvent, Membership, Organization, Token, User
from tokentui.core.tokens import secret_format
from tokentui.core.tokens.secret_format import new_id
from tokentui.core.vocabulary import TokenKind

WRITTEN_AT = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
OWNER = "owner@acme.test"
_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]


def token_at(db_url: str, revision: str, name: str, *, scopes: str = "content_management_read") -> str:
    """A store at ``revision`` holding organization Acme, its owner and one token named ``name``: its id."""
    from tokentui.core.migrations.runner import upgrade

    engine = create_engine(db_url)
    try:
        upgrade(engine, revision)
        secret = secret_format.generate(TokenKind.PERSONAL)
        with Session(engine) as session:
            org = Organization(name="Acme", created_at=WRITTEN_AT)
            owner = User(email=OWNER, created_at=WRITTEN_AT)
            session.add_all([org, owner])
            session.flush()
            assert org.id is not None and owner.id is not None
            session.add(Membership(org_id=org.id, user_id=owner.id, role="owner", created_at=WRITTEN_AT))
            token = Token(
                id=new_id(),
                kind=TokenKind.PERSONAL.value,
                name=name,
                author_id=owner.id,
                scopes=scopes,
                secret_hash=secret_format.hash_secret(secret),
                last4=secret_format.last_four(secret),
                created_at=WRITTEN_AT,
                updated_at=WRITTEN_AT,
                expires_at=WRITTEN_AT + timedelta(days=30),
            )
            session.add(token)
            session.flush()
            # Without the chain's columns: the events as a version before it recorded them.
            session.execute(
                insert(_EVENTS),
                [
                    {
                        "at": WRITTEN_AT,
                        "org_id": org.id,
                        "actor_id": owner.id,
                        "action": "org.create",
                        "target_type": "organization",
                        "target_id": str(org.id),
                        "summary": "created organization 'Acme'",
                    },
                    {
                        "at": WRITTEN_AT,
                        "org_id": org.id,
                        "actor_id": owner.id,
                        "action": "token.create",
                        "target_type": "token",
                        "target_id": token.id,
                        "summary": f"created personal access token {name!r}",
                    },
                ],
            )
            session.commit()
            return token.id
    finally:
        engine.dispose()
