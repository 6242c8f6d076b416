"""Token operations: create, list, show, revoke, reset, and the expiry sweep.

Each write is one transaction holding the rule check, the change and its audit
event, so a crash leaves either all three or none.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from tokentui.core.base import Actor, ServiceBase
from tokentui.core.errors import Conflict, InvalidInput, LimitReached, NotAllowed, NotFound
from tokentui.core.expiry import check_expiry, parse_expiry
from tokentui.core.kinds import OrgRole, RevokeReason, Status, TokenKind, parse_enum
from tokentui.core.models import Environment, Organization, Space, Token, User
from tokentui.core.queries import (
    TokenQuery,
    conditions,
    searches_name_index,
    status_condition,
    token_count,
    token_records,
    token_rows,
    visible,
)
from tokentui.core.rules import (
    SpaceStanding,
    check_may_create_authtoken,
    check_may_create_space_token,
    check_may_reset,
    check_may_revoke,
    check_name,
    normalise_name,
    normalise_scopes,
)
from tokentui.core.views import CreatedToken, TokenView, to_view
from tokentui.settings import LIMITS

# What create_token takes as an expiry: text ("30d", "2027-01-31", "never"), an instant,
# or None for the kind's default (30 days for personal and OAuth tokens, none otherwise).
Expiry = str | datetime | None


def default_expiry_text(kind: TokenKind) -> str:
    """The expiry a kind gets when none is chosen: the console dropdown's default."""
    if kind in (TokenKind.PERSONAL, TokenKind.OAUTH):
        return f"{LIMITS.default_expiry_days}d"
    return "never"


class Tokens(ServiceBase):
    """Operations on tokens."""

    def create_token(
        self,
        actor: Actor,
        kind: TokenKind | str,
        *,
        name: str | None = None,
        space: str | None = None,
        environment: str | None = None,
        scopes: Iterable[str] = (),
        app: str | None = None,
        expires: Expiry = None,
        branches: Iterable[str] = (),
        notify: bool = True,
    ) -> CreatedToken:
        """Create a token of ``kind`` as ``actor``; the answer holds the secret, shown once."""
        kind = kind if isinstance(kind, TokenKind) else parse_enum(TokenKind, kind, "token kind")
        if kind is TokenKind.LEGACY_ACCESS:
            raise NotAllowed(
                "legacy access tokens are not created on request: a space created before "
                f"{LIMITS.legacy_access_cutoff.isoformat()} has exactly one; reset it to get a new secret"
            )
        now = self.now()
        token_name = check_name(
            name if name is not None else f"{kind.label} {now.date().isoformat()}", LIMITS.max_name_length
        )
        chosen_scopes = normalise_scopes(kind, scopes)
        branch_list = tuple(dict.fromkeys(normalise_name(b) for b in branches if normalise_name(b)))
        expires_at = self._expiry_for(kind, expires, now)
        app_name = self._app_for(kind, app)
        if kind.is_user_token:
            if space is not None or environment is not None or branch_list:
                raise InvalidInput(
                    f"a {kind.label.lower()} is tied to its user, not to a space; omit --space"
                )
        elif not space:
            raise InvalidInput(f"a {kind.label.lower()} needs --space")
        if kind is not TokenKind.DELIVERY and environment is not None:
            raise InvalidInput(
                f"only delivery tokens are tied to one environment; omit --env for a {kind.label.lower()}"
            )
        if kind is not TokenKind.MANAGEMENT and not notify:
            raise InvalidInput("the e-mail notification switch belongs to management tokens")

        with self.store.write() as session:
            if kind.is_user_token:
                return self._create_user_token(
                    session, actor, kind, token_name, chosen_scopes, app_name, expires_at, now
                )
            org_role = self._current_role(session, actor)
            assert space is not None
            space_row = self._space(session, actor.org_id, space, lock=True)
            check_may_create_space_token(kind, self._standing(session, space_row, actor.user_id, org_role))
            env = self._environment_for(session, kind, space_row, environment)
            self._check_branches(session, space_row, branch_list)
            self._check_space_limit(session, kind, space_row, now)
            return self._insert_token(
                session,
                kind=kind,
                name=token_name,
                author_id=actor.user_id,
                org_id=space_row.org_id,
                space=space_row,
                environment=env,
                branches=branch_list,
                scopes=chosen_scopes,
                app_name=None,
                expires_at=expires_at,
                notify=notify,
                author_email=actor.email,
            )

    def _create_user_token(
        self,
        session: Session,
        actor: Actor,
        kind: TokenKind,
        name: str,
        scopes: tuple[str, ...],
        app_name: str | None,
        expires_at: datetime | None,
        now: datetime,
    ) -> CreatedToken:
        # Lock the author's row: concurrent creations for one user queue here (PostgreSQL).
        session.exec(select(User).where(col(User.id) == actor.user_id).with_for_update()).one()
        if kind is TokenKind.SESSION and actor.org_id is not None:
            org = session.get(Organization, actor.org_id)
            membership = self._membership(session, actor.org_id, actor.user_id)
            if org is None or membership is None:
                raise NotAllowed(f"{actor.email} is not a member of this organization")
            check_may_create_authtoken(OrgRole(membership.role), org.sso_enabled, membership.sso_bypass)
        if kind is TokenKind.SESSION:
            self._expire_oldest_authtokens(session, actor, now)
        return self._insert_token(
            session,
            kind=kind,
            name=name,
            author_id=actor.user_id,
            org_id=None,
            space=None,
            environment=None,
            branches=(),
            scopes=scopes,
            app_name=app_name,
            expires_at=expires_at,
            notify=True,
            author_email=actor.email,
        )

    def _expire_oldest_authtokens(self, session: Session, actor: Actor, now: datetime) -> None:
        """Creating the 21st active authtoken revokes the oldest active one."""
        active = session.exec(
            select(Token)
            .where(
                col(Token.author_id) == actor.user_id,
                col(Token.kind) == TokenKind.SESSION.value,
                status_condition(Status.ACTIVE, now),
            )
            .order_by(col(Token.created_at), col(Token.id))
        ).all()
        excess = len(active) - (LIMITS.active_authtokens_per_user - 1)
        for token in active[: max(excess, 0)]:
            token.revoked_at = now
            token.updated_at = now
            token.revoked_reason = RevokeReason.AUTHTOKEN_LIMIT.value
            session.add(token)
            for org_id in self._audit_orgs(session, token):
                self._record(
                    session,
                    org_id=org_id,
                    actor_id=actor.user_id,
                    action="token.revoke",
                    target_type="token",
                    target_id=token.id,
                    summary=(
                        f"authtoken …{token.last4} expired: a new authtoken exceeded "
                        f"{LIMITS.active_authtokens_per_user} active"
                    ),
                )

    # -- checks ---------------------------------------------------------------

    @staticmethod
    def _expiry_for(kind: TokenKind, expires: Expiry, now: datetime) -> datetime | None:
        if expires is None:
            expires = default_expiry_text(kind)
        if not kind.may_expire:
            if isinstance(expires, str) and expires.strip().lower() == "never":
                return None
            raise InvalidInput(f"{kind.label.lower()}s do not expire; omit --expires")
        if isinstance(expires, datetime):
            return check_expiry(expires, now)
        return parse_expiry(expires, now)

    @staticmethod
    def _app_for(kind: TokenKind, app: str | None) -> str | None:
        if kind is TokenKind.OAUTH:
            if app is None:
                raise InvalidInput("an OAuth application token needs --app, the application's name")
            return check_name(app, LIMITS.max_app_name_length, "application name")
        if app is not None:
            raise InvalidInput("--app names the application of an OAuth token; omit it for other kinds")
        return None

    @staticmethod
    def _environment_for(
        session: Session, kind: TokenKind, space: Space, environment: str | None
    ) -> str | None:
        if kind is not TokenKind.DELIVERY:
            return None
        names = session.exec(
            select(col(Environment.name)).where(
                col(Environment.space_id) == space.id, col(Environment.is_branch).is_(False)
            )
        ).all()
        if environment is not None:
            environment = normalise_name(environment)
        if environment is None:
            if len(names) == 1:
                return names[0]
            raise InvalidInput(
                f"a delivery token serves exactly one environment; choose one with --env ({', '.join(names)})"
            )
        if environment not in names:
            raise InvalidInput(
                f"space {space.name!r} has no environment {environment!r} ({', '.join(names)})"
            )
        return environment

    @staticmethod
    def _check_branches(session: Session, space: Space, branches: tuple[str, ...]) -> None:
        if not branches:
            return
        known = set(
            session.exec(
                select(col(Environment.name)).where(
                    col(Environment.space_id) == space.id, col(Environment.is_branch)
                )
            ).all()
        )
        for branch in branches:
            if branch not in known:
                raise InvalidInput(f"space {space.name!r} has no branch or alias {branch!r}")

    @staticmethod
    def _check_space_limit(session: Session, kind: TokenKind, space: Space, now: datetime) -> None:
        limit = (
            LIMITS.delivery_tokens_per_space
            if kind is TokenKind.DELIVERY
            else LIMITS.management_tokens_per_space
        )
        count = session.exec(
            select(func.count())
            .select_from(Token)
            .where(
                col(Token.space_id) == space.id,
                col(Token.kind) == kind.value,
                status_condition(Status.ACTIVE, now),
            )
        ).one()
        if count >= limit:
            raise LimitReached(
                f"space {space.name!r} already has {limit} {kind.label.lower()}s, the most allowed; "
                "revoke one first"
            )

    # -- reading --------------------------------------------------------------

    def _visibility(
        self, actor: Actor, query: TokenQuery, session: Session, *, rows: bool = True
    ) -> list[Any]:
        """The WHERE clauses of what ``actor`` sees of ``query``: for a sorted page, or (not ``rows``) a count."""
        org_wide = actor.is_admin and not query.mine
        name_index = searches_name_index(session, query, rows=rows)
        return [
            visible(actor.user_id, actor.org_id, org_wide),
            *conditions(query, self.now(), name_index=name_index),
        ]

    def list_tokens(
        self, actor: Actor, query: TokenQuery | None = None, *, offset: int = 0, limit: int = LIMITS.page_size
    ) -> list[TokenView]:
        """One page of the tokens the actor may see, filtered and sorted in SQL."""
        query = query or TokenQuery()
        if offset < 0 or limit < 0:
            raise InvalidInput("offset and limit must not be negative")
        now = self.now()
        with self.store.read() as session:
            stmt = token_rows(self._visibility(actor, query, session), query, now).offset(offset).limit(limit)
            return [to_view(t, email, space, now) for t, email, space in session.execute(stmt).all()]

    def iter_tokens(
        self, actor: Actor, query: TokenQuery | None = None, *, batch: int = 1000
    ) -> Iterator[TokenView]:
        """Every matching token, streamed from the database in batches (constant memory)."""
        query = query or TokenQuery()
        now = self.now()
        with self.store.read() as session:
            where = self._visibility(actor, query, session, rows=False)
            stmt = token_records(where, query, now).execution_options(yield_per=batch)
            for row in session.execute(stmt):
                yield to_view(row, row.author_email, row.space_name, now)

    def count_tokens(self, actor: Actor, query: TokenQuery | None = None) -> int:
        """How many tokens match (for the table's row count and scrollbar)."""
        query = query or TokenQuery()
        with self.store.read() as session:
            where = self._visibility(actor, query, session, rows=False)
            return int(session.execute(token_count(where)).scalar_one())

    def get_token(self, actor: Actor, token_id: str) -> TokenView:
        """One token the actor may see, or NotFound."""
        now = self.now()
        with self.store.read() as session:
            token = self._visible_token(session, actor, token_id)
            return self._view(session, token, now)

    def _visible_token(self, session: Session, actor: Actor, token_id: str, *, lock: bool = False) -> Token:
        stmt = select(Token).where(col(Token.id) == token_id.strip())
        if lock:
            stmt = stmt.with_for_update()
        token = session.exec(stmt).first()
        if token is None or not self._may_see(session, actor, token):
            raise NotFound(f"no token {token_id!r}")
        return token

    def _may_see(self, session: Session, actor: Actor, token: Token) -> bool:
        if token.author_id == actor.user_id:
            return True
        membership = self._membership(session, actor.org_id, actor.user_id)
        if membership is None:
            return False
        role = OrgRole(membership.role)
        if token.org_id is not None:
            if token.org_id != actor.org_id:
                return False
            space = session.get(Space, token.space_id)
            return space is not None and self._standing(session, space, actor.user_id, role).reaches_space
        # A user token: an admin sees it while its author is a member.
        return role in (OrgRole.OWNER, OrgRole.ADMIN) and (
            self._membership(session, actor.org_id, token.author_id) is not None
        )

    @staticmethod
    def _view(session: Session, token: Token, now: datetime) -> TokenView:
        author = session.get(User, token.author_id)
        space = session.get(Space, token.space_id) if token.space_id else None
        return to_view(token, author.email if author else "", space.name if space else None, now)

    # -- revoke and reset -----------------------------------------------------

    def revoke(self, actor: Actor, token_id: str) -> TokenView:
        """Revoke a token: it stops working at once; the reason is kept."""
        now = self.now()
        with self.store.write() as session:
            token = self._visible_token(session, actor, token_id, lock=True)
            kind = TokenKind(token.kind)
            standing = None
            if token.space_id is not None:
                space = session.get(Space, token.space_id)
                role = self._current_role(session, actor)
                standing = self._standing(session, space, actor.user_id, role) if space else None
            check_may_revoke(kind, token.author_id == actor.user_id, standing)
            if token.revoked_at is not None:
                raise Conflict(
                    f"token {token.id} was already revoked at {token.revoked_at:%Y-%m-%d %H:%M} UTC"
                )
            token.revoked_at = now
            token.updated_at = now
            token.revoked_reason = RevokeReason.BY_USER.value
            token.revoked_by_id = actor.user_id
            session.add(token)
            for org_id in self._audit_orgs(session, token):
                self._record(
                    session,
                    org_id=org_id,
                    actor_id=actor.user_id,
                    action="token.revoke",
                    target_type="token",
                    target_id=token.id,
                    summary=f"revoked {kind.label.lower()} {token.name!r} …{token.last4}",
                )
            return self._view(session, token, now)

    def reset(self, actor: Actor, token_id: str) -> CreatedToken:
        """Reset a legacy access token: a new secret; the old one stops working."""
        now = self.now()
        with self.store.write() as session:
            token = self._visible_token(session, actor, token_id, lock=True)
            kind = TokenKind(token.kind)
            space = session.get(Space, token.space_id) if token.space_id else None
            standing = None
            if space is not None:
                standing = self._standing(session, space, actor.user_id, self._current_role(session, actor))
            check_may_reset(kind, standing or _NO_STANDING)
            if token.revoked_at is not None:
                raise Conflict(f"token {token.id} was already replaced or revoked; reset the current one")
            token.revoked_at = now
            token.updated_at = now
            token.revoked_reason = RevokeReason.RESET.value
            token.revoked_by_id = actor.user_id
            session.add(token)
            return self._insert_token(
                session,
                kind=kind,
                name=token.name,
                author_id=actor.user_id,
                org_id=token.org_id,
                space=space,
                environment=None,
                branches=(),
                scopes=tuple(token.scopes.split()),
                app_name=None,
                expires_at=None,
                notify=False,
                author_email=actor.email,
                replaces=f"…{token.last4}",
            )

    # -- expiry sweep ---------------------------------------------------------

    def record_expiries(self) -> list[TokenView]:
        """Write one audit event for each token that has expired since the last sweep.

        Safe to run from cron: the ``expiry_recorded_at`` mark is set in the same
        transaction as the event, so a token is recorded once however often this runs.
        """
        now = self.now()
        recorded: list[TokenView] = []
        with self.store.write() as session:
            due = session.exec(
                select(Token)
                .where(
                    col(Token.revoked_at).is_(None),
                    col(Token.expires_at) <= now,
                    col(Token.expiry_recorded_at).is_(None),
                )
                .order_by(col(Token.expires_at))
                # PostgreSQL: a sweep running alongside takes other rows, never these.
                .with_for_update(skip_locked=True)
            ).all()
            for token in due:
                token.expiry_recorded_at = now
                session.add(token)
                for org_id in self._audit_orgs(session, token):
                    self._record(
                        session,
                        org_id=org_id,
                        actor_id=None,
                        action="token.expire",
                        target_type="token",
                        target_id=token.id,
                        summary=f"{TokenKind(token.kind).label.lower()} {token.name!r} …{token.last4} expired",
                        at=token.expires_at,
                    )
                recorded.append(self._view(session, token, now))
        return recorded


_NO_STANDING = SpaceStanding(org_role=OrgRole.MEMBER, space_role=None, is_owner=False)
