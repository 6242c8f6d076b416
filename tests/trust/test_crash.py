"""A writer killed with SIGKILL at any moment leaves a sound store with everything it acknowledged.

The writer (tests/trust/crash_writer.py) runs a stream of admin operations and
acknowledges each one on standard output only after the core call returned,
that is after its transaction committed. It is killed a few times, each time a
short, seeded-random moment after its first acknowledgement, so the kills fall
inside transactions, between them and during commits. After every kill the
store must pass its integrity checks, show every acknowledged operation and no
half-done one, and keep working.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import Clock, Org
from tests.trust.integrity import consistency_problems, database_problems, missing_acknowledged
from tokentui.core.models import AuditEvent, Token
from tokentui.core.service import Service
from tokentui.core.store import Store
from tokentui.core.vocabulary import TokenKind

pytestmark = pytest.mark.both_databases

REPO = Path(__file__).resolve().parents[2]
KILLS = 5
# Kill delays after the first acknowledgement, in seconds: the same every run.
_SEEDED = random.Random(1234)
DELAYS = [_SEEDED.uniform(0.0, 0.3) for _ in range(KILLS)]


def _write_until_killed(db_url: str, clock: Clock, run: int, delay: float) -> list[dict[str, Any]]:
    """Start a writer, kill it ``delay`` seconds after its first acknowledgement, return its acknowledgements."""
    start = clock.now + timedelta(days=run + 1)
    writer = subprocess.Popen(
        [sys.executable, "-m", "tests.trust.crash_writer", db_url, start.isoformat(), str(run)],
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout is not None and writer.stderr is not None
        first = writer.stdout.readline()
        if not first:
            raise AssertionError(f"the writer stopped before its first operation:\n{writer.stderr.read()}")
        time.sleep(delay)
        os.kill(writer.pid, signal.SIGKILL)
        rest, errors = writer.communicate(timeout=60)
    finally:
        if writer.poll() is None:
            writer.kill()
            writer.wait()
    # Killed, not failed: an operation refused or crashed before the kill would show here.
    assert writer.returncode == -signal.SIGKILL, errors
    assert errors == ""
    # A line cut short by the kill was never acknowledged.
    lines = (first + rest).split("\n")[:-1]
    return [json.loads(line) for line in lines]


def test_killed_writers_leave_a_sound_store_with_every_acknowledged_operation(
    org: Org, db_url: str, clock: Clock
) -> None:
    org.service.store.dispose()
    acknowledged: list[dict[str, Any]] = []
    for run, delay in enumerate(DELAYS):
        acks = _write_until_killed(db_url, clock, run, delay)
        assert acks
        acknowledged += acks
        store = Store(db_url)
        try:
            assert database_problems(store) == []
            assert consistency_problems(store) == []
            assert missing_acknowledged(store, acknowledged) == []
        finally:
            store.dispose()

    # The store opens again and takes new work.
    service = Service(Store(db_url), clock)
    try:
        owner = service.actor(org.owner.email)
        created = service.create_token(
            owner, TokenKind.DELIVERY, name="after the crashes", space="Website", environment="production"
        )
        assert service.get_token(owner, created.token.id).name == "after the crashes"
        assert consistency_problems(service.store) == []
    finally:
        service.store.dispose()
    assert {a["op"] for a in acknowledged} >= {"create", "revoke", "reset", "add_member", "remove_member"}


def test_the_checks_catch_a_half_done_operation(org: Org) -> None:
    """The checks above can fail: a change without its event, an event without its change."""
    service = org.service
    token = service.create_token(
        org.developer, TokenKind.DELIVERY, name="half", space="Website", environment="staging"
    ).token
    assert consistency_problems(service.store) == []
    now = service.now()
    with service.store.write() as session:
        # A creation whose event is lost: a copy of the token under a new id, without an event.
        row = session.get(Token, token.id)
        assert row is not None
        session.add(Token(**{**row.model_dump(), "id": "orphan", "secret_hash": "0" * 64}))
        # A revoke event whose change is lost.
        session.add(
            AuditEvent(
                at=now,
                org_id=row.org_id,
                actor_id=row.author_id,
                action="token.revoke",
                target_type="token",
                target_id=token.id,
                summary="revoked, supposedly",
            )
        )

    assert consistency_problems(service.store) == [
        f"a revoke event for token {token.id}, which is not revoked",
        "token orphan has 0 creation events",
    ]
    assert missing_acknowledged(service.store, [{"op": "revoke", "token": token.id}]) == [
        f"acknowledged but missing: {{'op': 'revoke', 'token': '{token.id}'}}"
    ]
