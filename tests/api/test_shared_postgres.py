"""Several API instances over one PostgreSQL store behave as one: what one does, the others see at once."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from contentful_management.errors import UnauthorizedError

from tests.api.conftest import RunningApi, pat, running_api
from tests.api.postgres_cluster import fresh_database, postgres_cluster
from tests.conftest import Clock, Org
from tokentui.core.service import Service
from tokentui.core.store import Store


@pytest.fixture(scope="module")
def pg_socket() -> Iterator[str]:
    with postgres_cluster() as socket_dir:
        yield socket_dir


@pytest.fixture
def db_url(pg_socket: str) -> str:
    """Overrides the SQLite store of tests/conftest.py: a fresh PostgreSQL database per test."""
    return fresh_database(pg_socket)


@pytest.fixture
def other_api(db_url: str, clock: Clock) -> Iterator[RunningApi]:
    """A second instance: its own process-level state (engine, pool, server) over the same database."""
    service = Service(Store(db_url), clock)
    with running_api(service, clock) as running:
        yield running
    service.store.dispose()


def test_what_one_instance_does_the_other_sees(api: RunningApi, other_api: RunningApi, org: Org) -> None:
    assert api.service.store.url.startswith("postgresql")
    bearer = pat(org, org.developer)
    on_a = api.sdk(bearer).personal_access_tokens()
    on_b = other_api.sdk(bearer).personal_access_tokens()

    made = on_a.create({"name": "made on A", "scopes": ["content_management_manage"], "expiresIn": 600})
    seen_on_b = on_b.find(made.id)
    api.clock.advance(minutes=1)
    assert other_api.sdk(made.token).personal_access_tokens().find(made.id).name == "made on A"
    revoked_on_b = on_b.revoke(made.id)

    assert seen_on_b.name == "made on A"
    assert revoked_on_b.is_revoked
    assert on_a.find(made.id).revoked_at == revoked_on_b.revoked_at
    # The use through B is on record for A; the revocation through B stops the secret on A.
    assert on_a.find(made.id).raw["sys"]["lastUsedAt"] == "2026-11-22T12:01:00.000Z"
    with pytest.raises(UnauthorizedError):
        api.sdk(made.token).personal_access_tokens().all()
    assert on_a.all().total == on_b.all().total == 2


def test_instances_create_concurrently_without_losing_a_token(
    api: RunningApi, other_api: RunningApi, org: Org
) -> None:
    bearer = pat(org, org.developer)
    instances = [api, other_api] * 10

    def create(n: int) -> str:
        token = (
            instances[n]
            .sdk(bearer)
            .personal_access_tokens()
            .create({"name": f"parallel {n}", "scopes": ["content_management_read"]})
        )
        return str(token.id)

    with ThreadPoolExecutor(max_workers=8) as pool:
        ids = list(pool.map(create, range(len(instances))))

    assert len(set(ids)) == 20
    listed = api.sdk(bearer).personal_access_tokens().all({"limit": 100})
    assert listed.total == 21
    assert {t.id for t in listed} >= set(ids)
