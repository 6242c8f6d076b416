"""The rules hold when eight processes write at the same moment, on SQLite and on PostgreSQL.

Each round hands one call to each of eight worker processes (tests/trust/workers.py),
which meet at a barrier and then call the core together. Exactly as many
calls succeed as the rule allows; the others get the rule's own refusal; none
fails in any other way (no "database is locked", no serialization failure, no
traceback); and the audit log records exactly what happened.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import col, select

from tests.conftest import ADMIN, DEVELOPER, OWNER, SPACE_ADMIN, Clock, Org
from tests.trust.workers import Job, Outcome, WorkerPool
from tokentui.core.models import AuditEvent, Membership, SpaceMembership, Token, User
from tokentui.core.results import SpaceAccess
from tokentui.core.vocabulary import OrgRole, RevokeReason, TokenKind
from tokentui.settings import LIMITS

pytestmark = pytest.mark.both_databases

WORKERS = 8
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def pool() -> Iterator[WorkerPool]:
    workers = WorkerPool(WORKERS)
    yield workers
    workers.close()


def _no_crash(outcomes: list[Outcome]) -> None:
    crashed = [o.error for o in outcomes if o.status == "crashed"]
    assert not crashed, "a worker failed outside the rules:\n" + "\n".join(crashed)


def _tally(outcomes: list[Outcome]) -> Counter[str]:
    """How many calls succeeded ("ok") and how many were refused, by error class."""
    _no_crash(outcomes)
    return Counter("ok" if o.status == "ok" else o.error for o in outcomes)


def _events(org: Org, action: str) -> list[AuditEvent]:
    with org.service.store.read() as session:
        return list(session.exec(select(AuditEvent).where(col(AuditEvent.action) == action)).all())


def _space_tokens(org: Org, kind: TokenKind, space_name: str = "Website") -> list[Token]:
    space_id = next(s.id for s in org.service.spaces(org.owner) if s.name == space_name)
    with org.service.store.read() as session:
        return list(
            session.exec(
                select(Token).where(col(Token.space_id) == space_id, col(Token.kind) == kind.value)
            ).all()
        )


SPACE_LIMITS = [
    pytest.param(
        TokenKind.DELIVERY,
        LIMITS.delivery_tokens_per_space,
        {"environment": "production"},
        (OWNER, ADMIN, SPACE_ADMIN, DEVELOPER),
        id="delivery",
    ),
    pytest.param(
        TokenKind.MANAGEMENT,
        LIMITS.management_tokens_per_space,
        {"scopes": ["read"]},
        (OWNER, ADMIN, SPACE_ADMIN),
        id="management",
    ),
]


@pytest.mark.parametrize(("kind", "limit", "options", "creators"), SPACE_LIMITS)
def test_space_token_limit_holds_under_concurrent_creators(
    pool: WorkerPool,
    org: Org,
    db_url: str,
    clock: Clock,
    kind: TokenKind,
    limit: int,
    options: dict[str, object],
    creators: tuple[str, ...],
) -> None:
    room = 3
    for index in range(limit - room):
        org.service.create_token(org.owner, kind, name=f"before {index}", space="Website", **options)  # type: ignore[arg-type]
    jobs = [
        Job(
            db_url,
            creators[i % len(creators)],
            "create",
            clock.now,
            {"kind": kind.value, "name": f"racer {i}", "space": "Website", **options},
        )
        for i in range(WORKERS)
    ]

    outcomes = pool.run(jobs)

    assert _tally(outcomes) == {"ok": room, "LimitReached": WORKERS - room}
    refusal = next(o.message for o in outcomes if o.status == "refused")
    assert f"already has {limit} {kind.label.lower()}s" in refusal
    tokens = _space_tokens(org, kind)
    assert len(tokens) == limit
    assert all(t.revoked_at is None for t in tokens)
    winners = {o.value for o in outcomes if o.status == "ok"}
    assert winners <= {t.id for t in tokens}
    created = [e.target_id for e in _events(org, "token.create")]
    assert sorted(t for t in created if t in {tok.id for tok in tokens}) == sorted(t.id for t in tokens)


def test_twenty_first_authtoken_expires_the_oldest_under_concurrent_logins(
    pool: WorkerPool, org: Org, db_url: str, clock: Clock
) -> None:
    keep = LIMITS.active_authtokens_per_user
    before = []
    for index in range(keep - 4):
        before.append(org.service.create_token(org.owner, TokenKind.SESSION, name=f"login {index}").token.id)
        clock.advance(minutes=1)
    clock.advance(hours=1)
    jobs = [
        Job(db_url, OWNER, "create", clock.now, {"kind": "session", "name": f"racer {i}"})
        for i in range(WORKERS)
    ]

    outcomes = pool.run(jobs)

    assert _tally(outcomes) == {"ok": WORKERS}
    with org.service.store.read() as session:
        tokens = session.exec(
            select(Token).where(
                col(Token.author_id) == org.owner.user_id, col(Token.kind) == TokenKind.SESSION.value
            )
        ).all()
    active = {t.id for t in tokens if t.revoked_at is None}
    expired = {t.id: t.revoked_reason for t in tokens if t.revoked_at is not None}
    assert len(tokens) == keep - 4 + WORKERS
    assert len(active) == keep
    # The oldest four are the ones expired, each once, for the limit; every new login stays active.
    assert expired == dict.fromkeys(before[:4], RevokeReason.AUTHTOKEN_LIMIT.value)
    assert {o.value for o in outcomes} <= active
    assert sorted(e.target_id for e in _events(org, "token.revoke")) == sorted(before[:4])
    created = Counter(e.target_id for e in _events(org, "token.create"))
    assert all(created[t.id] == 1 for t in tokens)


def test_concurrent_revocations_of_one_token_revoke_it_once(
    pool: WorkerPool, org: Org, db_url: str, clock: Clock
) -> None:
    token = org.service.create_token(
        org.developer, TokenKind.DELIVERY, name="contested", space="Website", environment="staging"
    ).token
    revokers = (OWNER, ADMIN, SPACE_ADMIN, DEVELOPER)
    jobs = [Job(db_url, revokers[i % 4], "revoke", clock.now, {"token_id": token.id}) for i in range(WORKERS)]

    outcomes = pool.run(jobs)

    assert _tally(outcomes) == {"ok": 1, "Conflict": WORKERS - 1}
    assert all("already revoked" in o.message for o in outcomes if o.status == "refused")
    winner = revokers[next(i for i, o in enumerate(outcomes) if o.status == "ok") % 4]
    with org.service.store.read() as session:
        row = session.get(Token, token.id)
        assert row is not None and row.revoked_at is not None
        assert row.revoked_reason == RevokeReason.BY_USER.value
        assert row.revoked_by_id == org.actor(winner).user_id
    assert [e.target_id for e in _events(org, "token.revoke")] == [token.id]


def test_concurrent_rotations_of_one_token_replace_it_once(
    pool: WorkerPool, org: Org, db_url: str, clock: Clock
) -> None:
    """Half rotate at once, half with a day's grace: one wins; the others are told it is rotated or
    revoked already, and no second replacement is made."""
    token = org.service.create_token(
        org.owner, TokenKind.MANAGEMENT, name="contested", space="Website", scopes=["read"]
    ).token
    rotators = (OWNER, ADMIN, SPACE_ADMIN)
    jobs = [
        Job(
            db_url,
            rotators[i % 3],
            "rotate",
            clock.now,
            {"token_id": token.id, "grace": "1d" if i % 2 else None},
        )
        for i in range(WORKERS)
    ]

    outcomes = pool.run(jobs)

    assert _tally(outcomes) == {"ok": 1, "Conflict": WORKERS - 1}
    assert all(
        "already rotated" in o.message or "was revoked" in o.message
        for o in outcomes
        if o.status == "refused"
    )
    winner = next(i for i, o in enumerate(outcomes) if o.status == "ok")
    replacements = [t for t in _space_tokens(org, TokenKind.MANAGEMENT) if t.id != token.id]
    assert [t.id for t in replacements] == [outcomes[winner].value]
    with org.service.store.read() as session:
        old = session.get(Token, token.id)
        assert old is not None
        if winner % 2:  # with grace: still running, for a day at most
            assert old.revoked_at is None and old.expires_at is not None
        else:
            assert old.revoked_reason == RevokeReason.ROTATED.value
    assert [e.target_id for e in _events(org, "token.rotate")] == [token.id]


def test_concurrent_removals_of_one_member_remove_them_once(
    pool: WorkerPool, org: Org, db_url: str, clock: Clock
) -> None:
    org.service.create_token(
        org.developer, TokenKind.PERSONAL, name="laptop", scopes=["content_management_read"]
    )
    jobs = [
        Job(db_url, (OWNER, ADMIN)[i % 2], "remove_member", clock.now, {"email": DEVELOPER})
        for i in range(WORKERS)
    ]

    outcomes = pool.run(jobs)

    assert _tally(outcomes) == {"ok": 1, "NotFound": WORKERS - 1}
    assert all("is not a member of Acme" in o.message for o in outcomes if o.status == "refused")
    removals = _events(org, "member.remove")
    assert [e.target_id for e in removals] == [DEVELOPER]
    assert "1 active personal/OAuth/session token(s) lost access" in removals[0].summary
    with org.service.store.read() as session:
        user_id = org.developer.user_id
        assert not session.exec(select(Membership).where(col(Membership.user_id) == user_id)).all()
        assert not session.exec(select(SpaceMembership).where(col(SpaceMembership.user_id) == user_id)).all()


def test_concurrent_additions_of_one_newcomer_add_them_once(
    pool: WorkerPool, org: Org, db_url: str, clock: Clock
) -> None:
    newcomer = "newcomer@acme.test"
    jobs = [
        Job(db_url, (OWNER, ADMIN)[i % 2], "add_member", clock.now, {"email": newcomer, "role": "member"})
        for i in range(WORKERS)
    ]

    outcomes = pool.run(jobs)

    assert _tally(outcomes) == {"ok": 1, "Conflict": WORKERS - 1}
    assert all("already a member of Acme" in o.message for o in outcomes if o.status == "refused")
    assert [e.target_id for e in _events(org, "member.add") if e.target_id == newcomer] == [newcomer]
    assert org.service.member(org.owner, newcomer).role is OrgRole.MEMBER


def test_concurrent_creations_of_one_space_name_create_it_once(
    pool: WorkerPool, org: Org, db_url: str, clock: Clock
) -> None:
    jobs = [
        Job(db_url, (OWNER, ADMIN)[i % 2], "add_space", clock.now, {"name": "Launch"}) for i in range(WORKERS)
    ]

    outcomes = pool.run(jobs)

    assert _tally(outcomes) == {"ok": 1, "Conflict": WORKERS - 1}
    assert all(
        "a space named 'Launch' already exists" in o.message for o in outcomes if o.status == "refused"
    )
    assert [s.name for s in org.service.spaces(org.owner)].count("Launch") == 1
    assert len([e for e in _events(org, "space.create") if "'Launch'" in e.summary]) == 1


def test_concurrent_grants_of_one_role_all_succeed_and_leave_one_role(
    pool: WorkerPool, org: Org, db_url: str, clock: Clock
) -> None:
    newcomer = "newcomer@acme.test"
    org.service.add_member(org.owner, newcomer, "member")
    grant = {"space": "Website", "email": newcomer, "role": "developer"}
    jobs = [
        Job(db_url, (OWNER, ADMIN, SPACE_ADMIN)[i % 3], "grant", clock.now, grant) for i in range(WORKERS)
    ]

    outcomes = pool.run(jobs)

    assert _tally(outcomes) == {"ok": WORKERS}
    assert org.service.member(org.owner, newcomer).spaces == (SpaceAccess("Website", "developer"),)
    grants = [e for e in _events(org, "space.grant") if newcomer in e.summary]
    assert len(grants) == WORKERS


def test_owners_removing_each_other_at_once_never_leave_the_organization_ownerless(
    pool: WorkerPool, org: Org, db_url: str, clock: Clock
) -> None:
    owners = [OWNER] + [f"owner{i}@acme.test" for i in range(1, WORKERS)]
    for email in owners[1:]:
        org.service.add_member(org.owner, email, "owner")
    # Each owner removes the next one round the ring: only serialized checks keep the last owner.
    jobs = [
        Job(db_url, owners[i], "remove_member", clock.now, {"email": owners[(i + 1) % WORKERS]})
        for i in range(WORKERS)
    ]

    outcomes = pool.run(jobs)

    tally = _tally(outcomes)
    assert set(tally) <= {"ok", "NotAllowed", "NotFound"}
    with org.service.store.read() as session:
        remaining = session.exec(
            select(User.email)
            .join(Membership, col(Membership.user_id) == col(User.id))
            .where(col(Membership.org_id) == org.owner.org_id, col(Membership.role) == OrgRole.OWNER.value)
        ).all()
    assert len(remaining) >= 1
    assert len(remaining) == WORKERS - tally["ok"]
    removed = sorted(e.target_id for e in _events(org, "member.remove"))
    assert removed == sorted(set(owners) - set(remaining))


def test_cli_creators_racing_for_the_last_places_get_the_limit_message(
    org: Org, db_url: str, tmp_path: Path
) -> None:
    limit = LIMITS.delivery_tokens_per_space
    for index in range(limit - 3):
        org.service.create_token(
            org.owner, TokenKind.DELIVERY, name=f"before {index}", space="Website", environment="production"
        )
    env = {**os.environ, "TOKENTUI_DATABASE_URL": db_url, "TOKENTUI_AS": OWNER}
    args = ["tokens", "create", "--kind", "delivery", "--space", "Website", "--env", "production"]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.trust.cli_at_start", *args, "--name", f"cli racer {i}"],
            cwd=REPO,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(WORKERS)
    ]
    try:
        for proc in procs:
            assert proc.stderr is not None
            assert proc.stderr.readline() == "ready\n"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [(proc.communicate(timeout=120), proc.returncode) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()

    codes = Counter(code for _, code in results)
    assert codes == {0: 3, 5: WORKERS - 3}, results
    message = f"tokentui: error: space 'Website' already has {limit} delivery tokens, the most allowed; revoke one first\n"
    for (out, err), code in results:
        if code == 0:
            assert "Delivery token" in out and err == ""
        else:
            assert (out, err) == ("", message)
    assert len(_space_tokens(org, TokenKind.DELIVERY)) == limit
