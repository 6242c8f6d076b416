"""verify: may this secret do this action here? The library function other programs call."""

from __future__ import annotations

from sqlmodel import Session, col, select

from tokentui.core import secrets
from tokentui.core.base import ServiceBase
from tokentui.core.kinds import Action, DenyReason, OrgRole, Status, TokenKind, parse_enum
from tokentui.core.models import Environment, Membership, Organization, Space, Token, User
from tokentui.core.rules import SpaceStanding, Target, TokenFacts, decide, token_status
from tokentui.core.views import Decision


class Verifier(ServiceBase):
    """Answers allow or deny-with-reason for a presented secret."""

    def verify(
        self,
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
        ``lastUsedAt``. ``space`` is a space's name or API key.
        """
        action = action if isinstance(action, Action) else parse_enum(Action, action, "action")
        secret = secret.strip()
        kind = secrets.parse(secret)
        if kind is None:
            return Decision(False, DenyReason.UNKNOWN.value)
        now = self.now()
        with self.store.read() as session:
            row = session.exec(
                select(Token, col(User.email))
                .join(User, col(User.id) == col(Token.author_id))
                .where(col(Token.secret_hash) == secrets.hash_secret(secret))
            ).first()
            if row is None or row[0].kind != kind.value:
                return Decision(False, DenyReason.UNKNOWN.value)
            token, email = row
            facts = TokenFacts(
                kind=kind,
                status=token_status(token.revoked_at, token.expires_at, now),
                scopes=frozenset(token.scopes.split()),
                space_id=token.space_id,
                environment=token.environment,
                branches=frozenset(token.branches.split()),
            )
            reason = self._decide(session, token, facts, action, space, environment, org, branch)
        if reason is not None:
            return Decision(False, reason.value, token.id, email)
        if record_use:
            self.mark_used([token.id], now)
        return Decision(True, None, token.id, email)

    def _decide(
        self,
        session: Session,
        token: Token,
        facts: TokenFacts,
        action: Action,
        space_ref: str | None,
        environment: str | None,
        org_name: str | None,
        branch: str | None,
    ) -> DenyReason | None:
        # Revoked and expired tokens are refused before anything else is looked up.
        if facts.status is not Status.ACTIVE:
            return decide(facts, action, Target(None, None, None, True), None, None)
        user_org_ids = self._user_org_ids(session, token.author_id) if facts.kind.is_user_token else []
        space_row: Space | None = None
        if space_ref is not None:
            candidates = session.exec(
                select(Space).where((col(Space.name) == space_ref) | (col(Space.api_key) == space_ref))
            ).all()
            allowed_orgs = [token.org_id] if token.org_id is not None else user_org_ids
            matching = [s for s in candidates if s.org_id in allowed_orgs]
            if org_name is not None:
                matching = [s for s in matching if self._org_name(session, s.org_id) == org_name]
            if len(matching) != 1:
                return DenyReason.NO_ACCESS
            space_row = matching[0]
        org_id = self._target_org(session, token, space_row, org_name, user_org_ids)
        if org_id is False:
            return DenyReason.NO_ACCESS
        env_known, branch_names = self._environment_facts(session, space_row, environment, branch)
        target = Target(
            org_id=org_id if isinstance(org_id, int) else None,
            space_id=space_row.id if space_row else None,
            environment=environment,
            environment_is_known=env_known,
            branch_names=branch_names,
        )
        org_role: OrgRole | None = None
        standing: SpaceStanding | None = None
        if facts.kind.is_user_token and target.org_id is not None:
            membership = session.exec(
                select(Membership).where(
                    col(Membership.org_id) == target.org_id, col(Membership.user_id) == token.author_id
                )
            ).first()
            org_role = OrgRole(membership.role) if membership else None
            if org_role is not None and space_row is not None:
                standing = self._standing(session, space_row, token.author_id, org_role)
        return decide(facts, action, target, org_role, standing)

    @staticmethod
    def _user_org_ids(session: Session, user_id: int) -> list[int | None]:
        return list(
            session.exec(select(col(Membership.org_id)).where(col(Membership.user_id) == user_id)).all()
        )

    @staticmethod
    def _org_name(session: Session, org_id: int) -> str | None:
        org = session.get(Organization, org_id)
        return org.name if org else None

    @staticmethod
    def _target_org(
        session: Session,
        token: Token,
        space_row: Space | None,
        org_name: str | None,
        user_org_ids: list[int | None],
    ) -> int | bool | None:
        """The organization aimed at; False when ``org_name`` names one the token cannot reach."""
        if space_row is not None:
            return space_row.org_id
        if org_name is not None:
            org = session.exec(select(Organization).where(col(Organization.name) == org_name)).first()
            if org is None:
                return False
            if TokenKind(token.kind).is_user_token:
                return org.id if org.id in user_org_ids else False
            return org.id if org.id == token.org_id else False
        if token.org_id is not None:
            return token.org_id
        return user_org_ids[0] if len(user_org_ids) == 1 else None

    @staticmethod
    def _environment_facts(
        session: Session, space_row: Space | None, environment: str | None, branch: str | None
    ) -> tuple[bool, frozenset[str]]:
        if space_row is None:
            return environment is None, frozenset()
        rows = session.exec(select(Environment).where(col(Environment.space_id) == space_row.id)).all()
        env_known = environment is None or any(e.name == environment and not e.is_branch for e in rows)
        if branch is None:
            return env_known, frozenset()
        target = next((e for e in rows if e.is_branch and e.name == branch), None)
        if target is None:
            return False, frozenset({branch})
        real = target.alias_of or target.name
        names = {real} | {e.name for e in rows if e.alias_of == real}
        return env_known, frozenset(names)
