"""The audit log's hash chain: intact as tokentui writes it, broken where an owner of the database edits it.

The tampering is done the way someone who owns the database would: raw SQL, the
append-only triggers dropped or disabled first.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import Connection, create_engine, make_url, text
from sqlalchemy.exc import DBAPIError

from tests.at_revision import OWNER as OLD_OWNER
from tests.at_revision import token_at
from tests.conftest import Org
from tokentui.core.audit_chain import GENESIS, event_hash
from tokentui.core.models import AuditEvent
from tokentui.core.service import Actor, Service
from tokentui.core.store import Store

pytestmark = pytest.mark.both_databases


@contextmanager
def as_the_owner(db_url: str) -> Iterator[Connection]:
    """A raw connection of the database's owner, the append-only triggers out of the way."""
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            if engine.dialect.name == "sqlite":
                for trigger in ("no_update", "no_delete", "no_replace"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS audit_event_{trigger}"))
            else:
                conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            yield conn
    finally:
        engine.dispose()


def _busy(org: Org) -> int:
    """A few changes of several kinds; the id of an event in the middle of the log."""
    service = org.service
    made = service.create_token(org.developer, "personal", name="ci", scopes=["content_management_read"])
    service.revoke(org.developer, made.token.id)
    service.create_token(org.developer, "delivery", space="Website", environment="production")
    service.add_member(org.owner, "late@acme.test", "member")
    with service.store.read() as session:
        ids = [row[0] for row in session.connection().execute(text("SELECT id FROM audit_event ORDER BY id"))]
    return ids[len(ids) // 2]


def test_the_chain_of_a_store_in_use_is_intact(org: Org) -> None:
    _busy(org)
    check = org.service.verify_audit_chain()
    assert check.intact, check.describe()
    assert check.events > 10
    assert check.head_hash is not None and check.head_hash != GENESIS


def test_an_empty_log_is_intact(service: Service) -> None:
    check = service.verify_audit_chain()
    assert check.intact and check.events == 0 and check.head_id is None


def test_a_rewritten_event_is_found(org: Org, db_url: str) -> None:
    middle = _busy(org)
    with as_the_owner(db_url) as conn:
        conn.execute(
            text("UPDATE audit_event SET summary = 'nothing happened' WHERE id = :id"), {"id": middle}
        )
    check = org.service.verify_audit_chain()
    assert check.broken_at == middle and "changed" in (check.problem or ""), check


def _stored(service: Service, event_id: int) -> AuditEvent:
    with service.store.read() as session:
        event = session.get(AuditEvent, event_id)
        assert event is not None
        return event


def test_a_rewritten_event_with_its_hash_recomputed_is_found(org: Org, db_url: str) -> None:
    middle = _busy(org)
    event = _stored(org.service, middle)
    assert event.prev_hash is not None
    digest = event_hash(
        middle,
        event.at,
        event.org_id,
        event.actor_id,
        event.action,
        event.target_type,
        event.target_id,
        "forged",
        event.prev_hash,
    )
    with as_the_owner(db_url) as conn:
        conn.execute(
            text("UPDATE audit_event SET summary = 'forged', chain_hash = :h WHERE id = :id"),
            {"h": digest, "id": middle},
        )
    check = org.service.verify_audit_chain()
    assert check.broken_at == middle and "changed or inserted" in (check.problem or ""), check


def test_a_deleted_event_is_found(org: Org, db_url: str) -> None:
    middle = _busy(org)
    with as_the_owner(db_url) as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": middle})
    check = org.service.verify_audit_chain()
    assert check.broken_at == middle + 1 and "removed" in (check.problem or ""), check


def test_a_deleted_first_event_is_found(org: Org, db_url: str) -> None:
    _busy(org)
    with as_the_owner(db_url) as conn:
        conn.execute(text("DELETE FROM audit_event WHERE id = 1"))
    check = org.service.verify_audit_chain()
    assert check.broken_at == 2 and "removed" in (check.problem or ""), check


def test_an_inserted_event_is_found(org: Org, db_url: str) -> None:
    _busy(org)
    with as_the_owner(db_url) as conn:
        head = conn.execute(text("SELECT max(id) FROM audit_event")).scalar_one()
        conn.execute(
            text(
                "INSERT INTO audit_event (id, at, org_id, actor_id, action, target_type, target_id, summary) "
                "SELECT :id, at, org_id, NULL, 'token.create', 'token', 'x', 'fake' FROM audit_event WHERE id = 1"
            ),
            {"id": head + 1},
        )
    check = org.service.verify_audit_chain()
    assert check.broken_at == head + 1 and "tokentui did not write it" in (check.problem or ""), check


def test_an_event_inserted_with_a_valid_hash_before_the_others_is_found(org: Org, db_url: str) -> None:
    _busy(org)
    digest = event_hash(
        0, _stored(org.service, 1).at, None, None, "token.create", "token", "x", "fake", GENESIS
    )
    with as_the_owner(db_url) as conn:
        conn.execute(text("DROP INDEX ux_audit_event_prev_hash"))
        conn.execute(
            text(
                "INSERT INTO audit_event (id, at, org_id, actor_id, action, target_type, target_id, summary, "
                "prev_hash, chain_hash) SELECT 0, at, NULL, NULL, 'token.create', 'token', 'x', 'fake', :g, :h "
                "FROM audit_event WHERE id = 1"
            ),
            {"g": GENESIS, "h": digest},
        )
    check = org.service.verify_audit_chain()
    assert check.broken_at == 0 and "inserted" in (check.problem or ""), check


@pytest.mark.sqlite_only
@pytest.mark.parametrize("verb", ["REPLACE INTO", "INSERT OR REPLACE INTO"])
def test_sqlite_refuses_replace_over_an_event(org: Org, db_url: str, verb: str) -> None:
    _busy(org)
    engine = create_engine(db_url)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(
            text(
                f"{verb} audit_event (id, at, org_id, actor_id, action, target_type, target_id, summary, "
                "prev_hash, chain_hash) SELECT id, at, org_id, actor_id, action, target_type, target_id, "
                "'rewritten', prev_hash, chain_hash FROM audit_event WHERE id = 2"
            )
        )
    engine.dispose()
    check = org.service.verify_audit_chain()
    assert check.intact, check.describe()


def test_postgresql_refuses_truncate(org: Org, db_url: str, database: str) -> None:
    if database != "postgresql":
        pytest.skip("TRUNCATE is PostgreSQL's")
    engine = create_engine(db_url)
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
        conn.execute(text("TRUNCATE audit_event"))
    engine.dispose()
    assert org.service.verify_audit_chain().events > 0


def test_concurrent_writers_never_chain_onto_the_same_event(org: Org, db_url: str) -> None:
    # Personal tokens of four users: each create locks its author's row only, so nothing but
    # the chain's own lock queues them.
    authors = [org.developer, org.content_manager, org.space_admin, org.outsider]
    stores = [Store(db_url) for _ in authors]
    errors: list[BaseException] = []
    start = threading.Barrier(len(stores))

    def write(store: Store, author: Actor) -> None:
        service = Service(store, org.service.clock)
        start.wait()
        try:
            for i in range(10):
                service.create_token(author, "personal", name=f"t{i}", scopes=["content_management_read"])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=pair) for pair in zip(stores, authors, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.dispose()
    assert errors == []
    check = org.service.verify_audit_chain()
    assert check.intact, check.describe()


def test_upgrading_chains_the_events_already_in_the_log(empty_db_url: str) -> None:
    token_at(empty_db_url, "0006", "before the chain")
    service = Service(Store(empty_db_url))  # migrates to the head, chaining the two events there
    owner = service.actor(OLD_OWNER)
    service.add_member(owner, "after@acme.test", "member")
    check = service.verify_audit_chain()
    service.store.dispose()
    assert check.intact and check.events == 3, check.describe()


def test_a_postgresql_role_that_does_not_own_the_log_works_but_cannot_tamper(
    org: Org, db_url: str, database: str
) -> None:
    if database != "postgresql":
        pytest.skip("roles are PostgreSQL's")
    role = f"tokentui_app_{uuid.uuid4().hex[:8]}"
    engine = create_engine(db_url)
    # The README's grants, as the owner.
    grants = [
        f"CREATE ROLE {role} LOGIN",
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_event FROM {role}",
    ]
    with engine.begin() as conn:
        for grant in grants:
            conn.execute(text(grant))
    as_app = make_url(db_url).set(username=role).render_as_string(hide_password=False)
    try:
        service = Service(Store(as_app), org.service.clock)
        owner = service.actor(org.owner.email)
        made = service.create_token(owner, "delivery", space="Website", environment="production")
        service.revoke(owner, made.token.id)
        assert service.verify_audit_chain().intact
        service.store.dispose()
        app_engine = create_engine(as_app)
        for attack in (
            "ALTER TABLE audit_event DISABLE TRIGGER USER",
            "TRUNCATE audit_event",
            "DROP TABLE audit_event",
            "DELETE FROM audit_event",
        ):
            with pytest.raises(DBAPIError), app_engine.begin() as conn:
                conn.execute(text(attack))
        app_engine.dispose()
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP OWNED BY {role}"))
            conn.execute(text(f"DROP ROLE {role}"))
        engine.dispose()
