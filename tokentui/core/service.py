"""The service: every operation of tokentui, for the console, the CLI and the API alike.

Usage from another program::

    from tokentui.core.service import open_service

    service = open_service()                      # or open_service("postgresql+psycopg://...")
    decision = service.verify(secret, "content.read", space="Marketing", environment="master")
    if not decision.allowed:
        print(decision.reason)                    # unknown, revoked, expired, no_access, ...

This module is the table of contents: each method is one operation (one
transaction) and hands over to the module of plain functions that does it:
people (:mod:`~tokentui.core.people`), tokens (:mod:`~tokentui.core.tokens`),
listing (:mod:`~tokentui.core.listing`), access (:mod:`~tokentui.core.access`)
and the audit log (:mod:`~tokentui.core.audit`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime

from sqlalchemy import ColumnElement
from sqlalchemy.orm import Session

from tokentui.core import audit
from tokentui.core import findings as hygiene
from tokentui.core.access import find as finding
from tokentui.core.access import last_used
from tokentui.core.access import verify as verifying
from tokentui.core.audit_chain import ChainCheck
from tokentui.core.dates import Clock, utc_now
from tokentui.core.listing import reading, visibility
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.listing.totals import Totals
from tokentui.core.people import actors, members, memberships, organizations, spaces
from tokentui.core.people.actors import Actor
from tokentui.core.results import (
    AuditView,
    CreatedToken,
    Decision,
    MemberView,
    OrgView,
    RemovedMember,
    RotatedToken,
    SpaceView,
    TokenView,
)
from tokentui.core.store import Store
from tokentui.core.tokens import bulk_revoke, choices, create, lifecycle, reminders
from tokentui.core.tokens import rotate as rotation
from tokentui.core.tokens.bulk_revoke import BulkResult
from tokentui.core.tokens.choices import CreationChoices
from tokentui.core.tokens.create import Expiry
from tokentui.core.tokens.reminders import Outcome, Reminder
from tokentui.core.vocabulary import Action, TokenKind
from tokentui.settings import LIMITS

__all__ = ["Actor", "Service", "open_service"]


class Service:
    """One object offering every operation; each method is one transaction."""

    def __init__(self, store: Store, clock: Clock = utc_now) -> None:
        self.store = store
        self.clock = clock
        # The API's listing totals, shared between requests (core/listing/totals.py).
        self.totals = Totals()

    def now(self) -> datetime:
        """The service's current instant (injectable for tests)."""
        return self.clock()

    # -- people: actors and organizations ---------------------------------------

    def actor(self, email: str, org: str | None = None) -> Actor:
        """Resolve ``email`` (and ``org``, needed when the user belongs to several) to an Actor."""
        with self.store.read() as session:
            return actors.by_email(session, email, org)

    def user_exists(self, email: str) -> bool:
        """Whether a user with this e-mail is known."""
        return organizations.user_exists(self.store, email)

    def init_org(self, name: str, owner_email: str, *, sso: bool = False) -> OrgView:
        """Create an organization and its owner (the user is created if new)."""
        return organizations.init_org(self.store, self.clock, name, owner_email, sso=sso)

    def organizations(self, email: str) -> list[OrgView]:
        """Every organization the user belongs to, with their role (for the org switcher)."""
        return organizations.organizations(self.store, email)

    def membership_page(
        self, org_id: int, *, skip: int, limit: int, query: str | None = None
    ) -> memberships.MembershipPage:
        """A page of the organization's memberships, oldest first (the API's organization_memberships)."""
        return memberships.membership_page(self.store, org_id, skip=skip, limit=limit, query=query)

    def profile(self, user_id: int) -> memberships.Profile | None:
        """What the store knows of the user (the API's /users/me)."""
        return memberships.profile(self.store, user_id)

    def is_empty(self) -> bool:
        """Whether the store holds no organization at all (the console then offers demo data)."""
        return organizations.is_empty(self.store)

    def any_admin(self) -> tuple[str, str] | None:
        """(e-mail, organization) of some owner, to open the console as when no user is named."""
        return organizations.any_admin(self.store)

    # -- people: members and teams -----------------------------------------------

    def add_member(
        self, actor: Actor, email: str, role: str, *, sso_bypass: bool = False, name: str = ""
    ) -> MemberView:
        """Add a user (created if new) to the actor's organization."""
        return members.add_member(
            self.store, self.clock, actor, email, role, sso_bypass=sso_bypass, name=name
        )

    def remove_member(self, actor: Actor, email: str) -> RemovedMember:
        """Remove a member: their personal, OAuth and session tokens lose access to the organization."""
        return members.remove_member(self.store, self.clock, actor, email)

    def removal_refusal(self, actor: Actor, email: str) -> str | None:
        """Why ``actor`` may not remove ``email`` from the organization, or None when they may."""
        return members.removal_refusal(self.store, actor, email)

    def member(self, actor: Actor, email: str) -> MemberView:
        """One member with their spaces and teams (the author drill-down)."""
        return members.member(self.store, actor, email)

    def members_overview(self, actor: Actor, no_space_role: bool = False) -> list[members.MemberOverview]:
        """Every member with their spaces, teams and tokens (the users screen, ``users list``)."""
        return members.members_overview(self.store, actor, no_space_role=no_space_role)

    def members(self, actor: Actor) -> list[MemberView]:
        """Every member of the actor's organization (owners and admins)."""
        return members.members(self.store, actor)

    def add_team(self, actor: Actor, name: str, emails: Iterable[str] = ()) -> str:
        """Create a team of members."""
        return members.add_team(self.store, self.clock, actor, name, emails)

    # -- people: spaces ------------------------------------------------------------

    def add_space(
        self,
        actor: Actor,
        name: str,
        *,
        created: date | None = None,
        environments: Iterable[str] = (),
        branches: Iterable[str] = (),
        aliases: Iterable[tuple[str, str]] = (),
    ) -> tuple[SpaceView, CreatedToken | None]:
        """Create a space; one created before the legacy cut-off comes with its legacy access token."""
        return spaces.add_space(
            self.store,
            self.clock,
            actor,
            name,
            created=created,
            environments=environments,
            branches=branches,
            aliases=aliases,
        )

    def grant(self, actor: Actor, space_name: str, email: str, role: str) -> None:
        """Give a member a role in a space (replacing any role they had there)."""
        spaces.grant(self.store, self.clock, actor, space_name, email, role)

    def spaces(self, actor: Actor) -> list[SpaceView]:
        """The spaces of the actor's organization."""
        return spaces.spaces(self.store, actor)

    # -- tokens: creation and lifecycle ----------------------------------------------

    def creation_options(self, actor: Actor) -> CreationChoices:
        """Which kinds ``actor`` may create, where, and the reason for each refusal."""
        return choices.creation_options(self.store, actor, self.now())

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
        return create.create_token(
            self.store,
            self.clock,
            actor,
            kind,
            name=name,
            space=space,
            environment=environment,
            scopes=scopes,
            app=app,
            expires=expires,
            branches=branches,
            notify=notify,
        )

    def revoke(self, actor: Actor, token_id: str) -> TokenView:
        """Revoke a token: it stops working at once; the reason is kept."""
        return lifecycle.revoke(self.store, self.clock, actor, token_id)

    def reset(self, actor: Actor, token_id: str) -> CreatedToken:
        """Reset a legacy access token: a new secret; the old one stops working."""
        return lifecycle.reset(self.store, self.clock, actor, token_id)

    def rotate(self, actor: Actor, token_id: str, grace: rotation.Grace = None) -> RotatedToken:
        """Replace a token by a new one of the same settings and lifetime; the old one stops at once or after ``grace``."""
        return rotation.rotate(self.store, self.clock, actor, token_id, grace)

    def record_expiries(self) -> list[TokenView]:
        """Write one audit event for each token that has expired since the last sweep (safe from cron)."""
        return lifecycle.record_expiries(self.store, self.clock)

    def due_reminders(self) -> list[Reminder]:
        """Every expiry reminder due now and not yet sent (what ``notify --dry-run`` lists)."""
        return reminders.due_reminders(self.store, self.clock)

    def send_reminders(self, deliver: Callable[[Reminder], None]) -> list[Outcome]:
        """Send every due reminder through ``deliver``, each at most once and only if it went out."""
        return reminders.send_reminders(self.store, self.clock, deliver)

    # -- listing ---------------------------------------------------------------------

    def list_tokens(
        self, actor: Actor, query: TokenQuery | None = None, *, offset: int = 0, limit: int = LIMITS.page_size
    ) -> list[TokenView]:
        """One page of the tokens the actor may see, filtered and sorted in SQL."""
        return reading.list_tokens(self.store, self.clock, actor, query, offset=offset, limit=limit)

    def iter_tokens(
        self, actor: Actor, query: TokenQuery | None = None, *, batch: int = 1000
    ) -> Iterator[TokenView]:
        """Every matching token, streamed from the database in batches (constant memory)."""
        return reading.iter_tokens(self.store, self.clock, actor, query, batch=batch)

    def count_tokens(self, actor: Actor, query: TokenQuery | None = None) -> int:
        """How many tokens match (for the table's row count and scrollbar)."""
        return reading.count_tokens(self.store, self.clock, actor, query)

    def get_token(self, actor: Actor, token_id: str) -> TokenView:
        """One token the actor may see, or NotFound."""
        return reading.get_token(self.store, self.clock, actor, token_id)

    def _visibility(
        self, actor: Actor, query: TokenQuery, session: Session, *, rows: bool = True
    ) -> list[ColumnElement[bool]]:
        """The WHERE clauses of what ``actor`` sees of ``query`` (:func:`visibility.where`; tests read it)."""
        return visibility.where(session, actor, query, self.now(), rows=rows)

    def findings(self, actor: Actor) -> list[tuple[hygiene.Finding, int]]:
        """The hygiene report: each finding with how many of the tokens the actor sees it holds."""
        return [(f, self.count_tokens(actor, f.query)) for f in hygiene.FINDINGS]

    # -- access ----------------------------------------------------------------------

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
        """Decide whether ``secret`` may do ``action`` in ``space``/``environment`` (SPEC.md, "verify")."""
        return verifying.verify(
            self.store,
            self.clock,
            self.mark_used,
            secret,
            action,
            space=space,
            environment=environment,
            org=org,
            branch=branch,
            record_use=record_use,
        )

    def mark_used(self, token_ids: Iterable[str], at: datetime) -> None:
        """Record ``lastUsedAt`` for tokens that verified successfully (to the minute)."""
        last_used.mark_used(self.store, token_ids, at)

    # -- the audit log -----------------------------------------------------------------

    def audit(
        self,
        actor: Actor,
        *,
        action: str | None = None,
        search: str = "",
        offset: int = 0,
        limit: int = 100,
        since: str | datetime | None = None,
        actor_email: str | None = None,
        until: datetime | None = None,
    ) -> list[AuditView]:
        """Events of the actor's organization (owners and admins), filtered, newest first.

        ``action`` is a prefix (``token.``); ``since`` is an instant, or text as the CLI takes it
        (``24h``, ``7d``, ``YYYY-MM-DD``); ``until`` an instant the events come before.
        """
        start = audit.parse_since(since, self.clock()) if isinstance(since, str) else since
        return audit.events(
            self.store,
            actor,
            action=action,
            search=search,
            offset=offset,
            limit=limit,
            since=start,
            actor_email=actor_email,
            until=until,
        )

    def verify_audit_chain(self) -> ChainCheck:
        """Walk the whole log's hash chain and report the first break."""
        return audit.verify_audit_chain(self.store)

    # -- audit actions (issue 21) --------------------------------------------------------

    def find_secret(self, actor: Actor, secret: str) -> TokenView:
        """The token a (leaked) secret belongs to: owners and admins for the organization's, anyone for their own."""
        return finding.find_secret(self.store, self.clock, actor, secret)

    def find_secret_hashes(self, actor: Actor, wanted: Mapping[str, TokenKind]) -> dict[str, TokenView]:
        """The tokens behind many found secrets (``{hash: kind}``), by the rule of find_secret (``scan``)."""
        return finding.find_hashes(self.store, self.clock, actor, wanted)

    def revoke_many(self, actor: Actor, ids: Iterable[str]) -> BulkResult:
        """Revoke several tokens, each its own rule check; refusals reported, not skipped."""
        return bulk_revoke.revoke_many(self.store, self.clock, actor, ids)

    # -- live updates (issue 21) -----------------------------------------------------------

    def change_counter(self) -> tuple[int, datetime | None]:
        """A cheap value that changes on every write to the tokens (the console polls it)."""
        return audit.change_counter(self.store)


def open_service(url: str | None = None, clock: Clock = utc_now) -> Service:
    """Open the store at ``url`` (default: the SQLite file in the user data directory)."""
    return Service(Store(url), clock)
