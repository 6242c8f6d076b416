"""What the actor may create: the kinds, the spaces, and why a kind is out of reach.

The console's create dialog shows this instead of guessing: every answer comes
from the same rule functions that :func:`tokentui.core.tokens.create.create_token`
applies, and what each kind takes from its :class:`~tokentui.core.vocabulary.KindSpec`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import col, select

from tokentui.core import lookups
from tokentui.core.errors import NotAllowed
from tokentui.core.models import Organization, Space
from tokentui.core.people.actors import Actor
from tokentui.core.people.spaces import space_view
from tokentui.core.results import SpaceView
from tokentui.core.rules import SpaceStanding, check_may_create_authtoken, check_may_create_space_token
from tokentui.core.store import Store
from tokentui.core.tokens.create import describe_retired, tokens_to_retire
from tokentui.core.vocabulary import SPACE_CREATED_KINDS, CreatedBy, OrgRole, TokenKind, default_scopes
from tokentui.settings import LIMITS


@dataclass(frozen=True)
class KindChoice:
    """One kind in the create dialog: may the actor create it, and if not, why."""

    kind: TokenKind
    reason: str | None = None
    scopes: tuple[str, ...] = ()
    default_scopes: tuple[str, ...] = ()
    # One more of this kind revokes these (a per-user limit), named "'name' (…last4)": the
    # dialog says so before Create.
    retires: tuple[str, ...] = ()
    limit: int | None = None

    @property
    def allowed(self) -> bool:
        """Whether the actor may create this kind (somewhere)."""
        return self.reason is None


@dataclass(frozen=True)
class SpaceChoice:
    """A space the actor may create space tokens in, with what the form needs."""

    space: SpaceView
    kinds: frozenset[TokenKind]


@dataclass(frozen=True)
class CreationChoices:
    """Everything the create dialog offers the actor."""

    kinds: tuple[KindChoice, ...]
    spaces: tuple[SpaceChoice, ...]

    def kind(self, kind: TokenKind) -> KindChoice:
        """The choice for ``kind``."""
        return next(choice for choice in self.kinds if choice.kind is kind)

    def spaces_for(self, kind: TokenKind) -> tuple[SpaceChoice, ...]:
        """The spaces where the actor may create ``kind``."""
        return tuple(choice for choice in self.spaces if kind in choice.kinds)


def creation_options(store: Store, actor: Actor, now: datetime) -> CreationChoices:
    """Which kinds ``actor`` may create, where, and the reason for each refusal.

    User tokens come first, then space tokens, each group in the order of
    :class:`~tokentui.core.vocabulary.TokenKind`.
    """
    with store.read() as session:
        membership = lookups.membership(session, actor.org_id, actor.user_id)
        org = session.get(Organization, actor.org_id) if actor.org_id is not None else None
        spaces: list[SpaceChoice] = []
        sso_reason: str | None = None
        if membership is not None and org is not None:
            role = OrgRole(membership.role)
            try:
                check_may_create_authtoken(role, org.sso_enabled, membership.sso_bypass)
            except NotAllowed as refusal:
                sso_reason = str(refusal)
            rows = session.exec(
                select(Space).where(col(Space.org_id) == org.id).order_by(col(Space.name))
            ).all()
            for space in rows:
                standing = lookups.standing(session, space, actor.user_id, role)
                kinds = frozenset(k for k in SPACE_CREATED_KINDS if _may(k, standing))
                if kinds:
                    spaces.append(SpaceChoice(space_view(session, space), kinds))
        space_reasons = _space_kind_reasons(membership is not None)
        retires = {
            kind: tuple(describe_retired(t) for t in tokens_to_retire(session, actor, kind, limit, now))
            for kind in TokenKind
            if (limit := kind.spec.max_per_user) is not None
        }
    choices = tuple(spaces)
    offered: list[KindChoice] = []
    for kind in sorted(TokenKind, key=lambda k: not k.is_user_token):
        spec = kind.spec
        if spec.created_by is CreatedBy.SPACE_CREATION:
            reason: str | None = (
                "legacy access tokens come with spaces created before "
                f"{LIMITS.legacy_access_cutoff.isoformat()}; reset the existing one for a new secret"
            )
        elif spec.created_by is CreatedBy.USER_WHERE_SSO_ALLOWS:
            reason = sso_reason
        elif spec.created_by is CreatedBy.USER:
            reason = None
        else:
            reason = None if any(kind in c.kinds for c in choices) else space_reasons[kind]
        offered.append(
            KindChoice(
                kind,
                reason,
                tuple(s.value for s in spec.choosable_scopes),
                default_scopes(kind),
                retires.get(kind, ()),
                spec.max_per_user,
            )
        )
    return CreationChoices(tuple(offered), choices)


def _may(kind: TokenKind, standing: SpaceStanding) -> bool:
    try:
        check_may_create_space_token(kind, standing)
    except NotAllowed:
        return False
    return True


def _space_kind_reasons(is_member: bool) -> dict[TokenKind, str]:
    """Why a space kind is out of reach when no space allows it: the rule's own words."""
    if not is_member:
        reason = "space tokens belong to an organization's spaces; you are not a member of one"
        return dict.fromkeys(SPACE_CREATED_KINDS, reason)
    reasons = {}
    plain_member = SpaceStanding(OrgRole.MEMBER, None, is_owner=False)
    for kind in SPACE_CREATED_KINDS:
        try:
            check_may_create_space_token(kind, plain_member)
        except NotAllowed as refusal:
            reasons[kind] = f"in none of your spaces: {refusal}"
    return reasons
