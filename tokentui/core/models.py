"""SQLModel tables of the store.

Instants are aware UTC datetimes (SQLModel's ``UTCDateTime`` stores them as
UTC on SQLite and as ``timestamptz`` on PostgreSQL). Lists
(scopes, branches) are stored as space-separated words: they are short, never
queried by element, and stay portable between SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel


class Organization(SQLModel, table=True):
    """The top-level tenant."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True)
    sso_enabled: bool = False
    created_at: datetime


class User(SQLModel, table=True):
    """A person, known by e-mail."""

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(index=True, unique=True)
    name: str = ""
    created_at: datetime


class Membership(SQLModel, table=True):
    """A user in an organization, with a role."""

    __table_args__ = (UniqueConstraint("org_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str
    sso_bypass: bool = False
    created_at: datetime


class Team(SQLModel, table=True):
    """A named group of members of an organization."""

    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    name: str


class TeamMember(SQLModel, table=True):
    """A user's place in a team."""

    team_id: int = Field(foreign_key="team.id", primary_key=True)
    user_id: int = Field(foreign_key="user.id", primary_key=True, index=True)


class Space(SQLModel, table=True):
    """A content workspace (Contentful space, Contentstack stack)."""

    __table_args__ = (UniqueConstraint("org_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    org_id: int = Field(foreign_key="organization.id", index=True)
    name: str
    api_key: str = Field(unique=True)
    owner_id: int = Field(foreign_key="user.id")
    created_at: datetime


class Environment(SQLModel, table=True):
    """An environment of a space; ``is_branch`` rows are branches, ``alias_of`` makes an alias."""

    __table_args__ = (UniqueConstraint("space_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    space_id: int = Field(foreign_key="space.id", index=True)
    name: str
    is_branch: bool = False
    alias_of: str | None = None


class SpaceMembership(SQLModel, table=True):
    """A member's role in a space."""

    __table_args__ = (UniqueConstraint("space_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    space_id: int = Field(foreign_key="space.id", index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    role: str


class Token(SQLModel, table=True):
    """A token. The secret itself is never stored: only its hash and last four characters.

    ``org_id`` is set for space tokens (the space's organization); user tokens
    reach every organization their author belongs to, so theirs is null.
    """

    # The *_order indexes serve the token list's sorts (migration 0002 says why; 0005 and 0009 why
    # the created order also carries names and statuses; 0008 the last-used and access orders;
    # 0009 the live authtokens by author).
    __table_args__ = (
        Index("ix_token_author_created", "author_id", "created_at"),
        Index("ix_token_space_kind", "space_id", "kind"),
        Index("ix_token_name_order", text("lower(name)"), "id", "org_id", "author_id"),
        Index("ix_token_kind_order", "kind", "id", "org_id", "author_id"),
        Index("ix_token_author_order", "author_id", "id", "org_id"),
        Index(
            "ix_token_created_order",
            *("created_at", "id", "org_id", "author_id", "name", "last4", "kind", "revoked_at", "expires_at"),
        ),
        Index("ix_token_expires_order", "expires_at", "id", "org_id", "author_id"),
        Index("ix_token_status_order", "revoked_at", "expires_at", "id", "org_id", "author_id"),
        Index("ix_token_last4_order", "last4", "id", "org_id", "author_id"),
        Index("ix_token_space_order", "space_id", "id", "org_id", "author_id"),
        Index("ix_token_visibility", "org_id", "author_id"),
        Index("ix_token_last_used_order", "last_used_at", "id", "org_id", "author_id"),
        Index("ix_token_access_order", "kind", "scopes", "id", "org_id", "author_id"),
        Index("ix_token_live_authtokens", "kind", "revoked_at", "author_id", "expires_at"),
    )

    id: str = Field(primary_key=True, max_length=32)
    kind: str = Field(max_length=16)
    name: str = Field(sa_column=Column(Text, nullable=False))
    author_id: int = Field(foreign_key="user.id")
    org_id: int | None = Field(default=None, foreign_key="organization.id")
    space_id: int | None = Field(default=None, foreign_key="space.id")
    environment: str | None = None
    branches: str = ""
    scopes: str = ""
    app_name: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    secret_hash: str = Field(unique=True, max_length=64)
    last4: str = Field(max_length=4)
    notify: bool = True
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_reason: str | None = None
    revoked_by_id: int | None = Field(default=None, foreign_key="user.id")
    last_used_at: datetime | None = None
    # Set by the expiry sweep once it has written the token's "expired" audit event.
    expiry_recorded_at: datetime | None = None


class AuditEvent(SQLModel, table=True):
    """One append-only line of the audit log: who did what to which thing, when.

    ``prev_hash`` and ``chain_hash`` link it into the log's hash chain
    (``tokentui.core.audit_chain``), which fills them, and its id, as it is inserted.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_org_at", "org_id", "at"),
        # No two events chain onto the same one.
        Index("ux_audit_event_prev_hash", "prev_hash", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(index=True)
    org_id: int | None = Field(default=None, foreign_key="organization.id")
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    action: str = Field(max_length=32, index=True)
    target_type: str = Field(max_length=16)
    target_id: str = Field(max_length=64)
    summary: str = Field(sa_column=Column(Text, nullable=False))
    prev_hash: str | None = Field(default=None, max_length=64)
    chain_hash: str | None = Field(default=None, max_length=64)


class ReminderSent(SQLModel, table=True):
    """A reminder e-mail that went out; the key makes sending idempotent."""

    __tablename__ = "reminder_sent"

    token_id: str = Field(foreign_key="token.id", primary_key=True, max_length=32)
    window_days: int = Field(primary_key=True)
    sent_at: datetime
