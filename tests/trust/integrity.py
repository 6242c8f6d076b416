"""What a sound store looks like, as checks that list every problem they find.

* :func:`database_problems`: the database's own integrity (SQLite's
  ``integrity_check`` and ``foreign_key_check``) and, on every database, each
  foreign key checked by query.
* :func:`consistency_problems`: no half-done operation: every token has the
  audit event of its creation and every token event its token change, every
  space its creation event, every removal its cut access, no limit exceeded.
* :func:`missing_acknowledged`: every operation a writer acknowledged is there.
"""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.engine import make_url
from sqlmodel import Session, SQLModel, col

from tokentui.core.models import AuditEvent, Membership, Space, SpaceMembership, Team, TeamMember, Token, User
from tokentui.core.store import Store
from tokentui.core.vocabulary import RevokeReason, TokenKind
from tokentui.settings import LIMITS

CREATION = ("token.create", "token.reset")


def database_problems(store: Store) -> list[str]:
    """Corruption and dangling references, whichever the database."""
    problems: list[str] = []
    if store.is_sqlite:
        path = make_url(store.url).database
        assert path
        with sqlite3.connect(path) as conn:
            verdict = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            if verdict != ["ok"]:
                problems.append(f"integrity_check: {verdict}")
            dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
            if dangling:
                problems.append(f"foreign_key_check: {dangling}")
        conn.close()
    with store.read() as session:
        for table in SQLModel.metadata.sorted_tables:
            for key in table.foreign_keys:
                child, parent = key.parent, key.column
                orphans = session.execute(
                    select(func.count())
                    .select_from(table)
                    .where(child.is_not(None), ~exists().where(parent == child))
                ).scalar_one()
                if orphans:
                    problems.append(f"{orphans} row(s) of {table.name}.{child.name} point at no {parent}")
    return problems


def consistency_problems(store: Store) -> list[str]:
    """Every change with its audit event and every audit event with its change."""
    with store.read() as session:
        tokens = {t.id: t for t in session.execute(select(Token)).scalars()}
        events = list(session.execute(select(AuditEvent)).scalars())
        problems = _token_problems(tokens, events)
        problems += _space_problems(session, tokens, events)
        problems += _member_problems(session, events)
    return problems


def _token_problems(tokens: dict[str, Token], events: list[AuditEvent]) -> list[str]:
    problems = []
    # An event about a token is one row in each organization's log it reaches: one per organization.
    created_in = Counter((e.target_id, e.org_id) for e in events if e.action in CREATION)
    revoked_in = Counter((e.target_id, e.org_id) for e in events if e.action == "token.revoke")
    problems += [
        f"{n} creation events for token {t} in organization {o}" for (t, o), n in created_in.items() if n != 1
    ]
    problems += [
        f"{n} revoke events for token {t} in organization {o}" for (t, o), n in revoked_in.items() if n != 1
    ]
    created = Counter(token_id for token_id, _ in created_in)
    revoked = Counter(token_id for token_id, _ in revoked_in)
    for token_id, count in created.items():
        if token_id not in tokens:
            problems.append(f"{count} creation event(s) for token {token_id}, which does not exist")
    for token_id in revoked:
        token = tokens.get(token_id)
        if token is None or token.revoked_at is None:
            problems.append(f"a revoke event for token {token_id}, which is not revoked")
    for token in tokens.values():
        if created[token.id] == 0:
            problems.append(f"token {token.id} has 0 creation events")
        if token.revoked_reason in (RevokeReason.BY_USER.value, RevokeReason.AUTHTOKEN_LIMIT.value):
            if revoked[token.id] == 0:
                problems.append(f"token {token.id} is revoked with 0 revoke events")
        elif (token.revoked_at is None) != (token.revoked_reason is None):
            problems.append(f"token {token.id} is half revoked: {token.revoked_at}, {token.revoked_reason}")
    active: Counter[tuple[str, object]] = Counter(
        (t.kind, t.space_id if t.space_id is not None else f"user {t.author_id}")
        for t in tokens.values()
        if t.revoked_at is None
    )
    for kind, most in (
        (TokenKind.DELIVERY, LIMITS.delivery_tokens_per_space),
        (TokenKind.MANAGEMENT, LIMITS.management_tokens_per_space),
        (TokenKind.SESSION, LIMITS.active_authtokens_per_user),
    ):
        problems += [
            f"{count} active {kind.value} tokens for {owner}"
            for (k, owner), count in active.items()
            if k == kind.value and count > most
        ]
    return problems


def _space_problems(session: Session, tokens: dict[str, Token], events: list[AuditEvent]) -> list[str]:
    problems = []
    spaces = {s.id: s for s in session.execute(select(Space)).scalars()}
    created = Counter(e.target_id for e in events if e.action == "space.create")
    problems += [
        f"a space.create event for space {i}, which does not exist" for i in created if int(i) not in spaces
    ]
    resets = Counter(
        tokens[e.target_id].space_id for e in events if e.action == "token.reset" and e.target_id in tokens
    )
    for space in spaces.values():
        if created[str(space.id)] != 1:
            problems.append(f"space {space.name!r} has {created[str(space.id)]} creation events")
        if space.created_at.date() >= LIMITS.legacy_access_cutoff:
            continue
        legacy = [
            t for t in tokens.values() if t.space_id == space.id and t.kind == TokenKind.LEGACY_ACCESS.value
        ]
        live = [t for t in legacy if t.revoked_at is None]
        replaced = [t for t in legacy if t.revoked_reason == RevokeReason.RESET.value]
        if len(live) != 1:
            problems.append(f"space {space.name!r} has {len(live)} active legacy access tokens")
        if not len(replaced) == resets[space.id] == len(legacy) - 1:
            problems.append(
                f"space {space.name!r}: {len(legacy)} legacy tokens, {len(replaced)} replaced, "
                f"{resets[space.id]} reset events"
            )
    return problems


def _member_problems(session: Session, events: list[AuditEvent]) -> list[str]:
    problems = []
    members = {
        (org_id, email)
        for org_id, email in session.execute(
            select(col(Membership.org_id), col(User.email)).join(
                User, col(User.id) == col(Membership.user_id)
            )
        ).all()
    }
    changes: Counter[tuple[int | None, str]] = Counter()
    for event in events:
        if event.action == "member.add":
            changes[(event.org_id, event.target_id)] += 1
        elif event.action == "member.remove":
            changes[(event.org_id, event.target_id)] -= 1
    for (org_id, email), balance in changes.items():
        if balance != int((org_id, email) in members):
            problems.append(
                f"{email}: audit adds minus removals is {balance}, membership is {(org_id, email) in members}"
            )
    # No removal leaves a space role or a team place behind.
    stray = list(
        session.execute(
            select(col(User.email), col(Space.name))
            .join(SpaceMembership, col(SpaceMembership.user_id) == col(User.id))
            .join(Space, col(Space.id) == col(SpaceMembership.space_id))
            .where(
                ~exists().where(
                    col(Membership.user_id) == col(User.id), col(Membership.org_id) == col(Space.org_id)
                )
            )
        ).all()
    )
    stray += session.execute(
        select(col(User.email), col(Team.name))
        .join(TeamMember, col(TeamMember.user_id) == col(User.id))
        .join(Team, col(Team.id) == col(TeamMember.team_id))
        .where(
            ~exists().where(
                col(Membership.user_id) == col(User.id), col(Membership.org_id) == col(Team.org_id)
            )
        )
    ).all()
    problems += [f"{email} keeps a place in {where!r} without being a member" for email, where in stray]
    return problems


def missing_acknowledged(store: Store, acks: Iterable[dict[str, Any]]) -> list[str]:
    """The acknowledged operations the store does not show."""
    with store.read() as session:
        tokens = {t.id: t for t in session.execute(select(Token)).scalars()}
        events = [(e.action, e.target_id, e.summary) for e in session.execute(select(AuditEvent)).scalars()]
        members = set(
            session.execute(
                select(col(User.email)).join(Membership, col(Membership.user_id) == col(User.id))
            ).scalars()
        )
        spaces = {s.name: s.id for s in session.execute(select(Space)).scalars()}
    missing = []
    for ack in acks:
        op = ack["op"]
        if op == "create":
            ok = ack["token"] in tokens
        elif op == "revoke":
            token = tokens.get(ack["token"])
            ok = token is not None and token.revoked_reason == RevokeReason.BY_USER.value
        elif op == "reset":
            old = tokens.get(ack["old"])
            ok = old is not None and old.revoked_reason == RevokeReason.RESET.value and ack["new"] in tokens
        elif op == "add_member":
            ok = ("member.add", ack["email"]) in {(a, t) for a, t, _ in events}
        elif op == "grant":
            ok = any(a == "space.grant" and ack["email"] in s for a, _, s in events)
        elif op == "remove_member":
            ok = ack["email"] not in members and ("member.remove", ack["email"]) in {
                (a, t) for a, t, _ in events
            }
        elif op == "add_space":
            token = tokens.get(ack["token"])
            ok = ack["space"] in spaces and token is not None and token.space_id == spaces[ack["space"]]
        else:
            raise ValueError(f"unknown acknowledgement {ack!r}")
        if not ok:
            missing.append(f"acknowledged but missing: {ack}")
    return missing
