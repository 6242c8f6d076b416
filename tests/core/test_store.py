"""The store: SQLite defaults, file modes, migrations, refusal of a newer schema, append-only audit."""

from __future__ import annotations

import sqlite3
import stat
import threading
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, column, create_engine, inspect, select, table, text

from tests.at_revision import OWNER as OLD_OWNER
from tests.at_revision import token_at
from tests.conftest import Org
from tokentui.core.errors import StoreError
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.migrations import HEAD_REVISION, KNOWN_REVISIONS
from tokentui.core.models import AuditEvent
from tokentui.core.people.actors import Actor
from tokentui.core.service import Service
from tokentui.core.store import APPLICATION_ID, Cancelled, Prepared, Store

pytestmark = pytest.mark.both_databases


def test_default_store_is_a_private_sqlite_file_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "fresh" / "tokentui"
    monkeypatch.setenv("TOKENTUI_DATA_DIR", str(data))
    store = Store()
    Service(store).init_org("Acme", "a@acme.test")
    db = data / "tokentui.db"
    assert store.url == f"sqlite:///{db}"
    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    store.dispose()


@pytest.mark.sqlite_only
def test_sqlite_runs_in_wal_mode_with_foreign_keys_and_a_busy_timeout(service: Service) -> None:
    with service.store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


def _events(count: int, note: str) -> list[AuditEvent]:
    at = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        AuditEvent(at=at, action="test.load", target_type="test", target_id=str(n), summary=f"{note} {n}")
        for n in range(count)
    ]


def _noted(store: Store, note: str) -> int:
    with store.read() as session:
        found = session.execute(
            text("SELECT count(*) FROM audit_event WHERE summary LIKE :n"), {"n": f"{note} %"}
        )
        return int(found.scalar_one())


def _journal(store: Store) -> str:
    with store.engine.connect() as conn:
        return str(conn.exec_driver_sql("PRAGMA journal_mode").scalar())


@pytest.mark.sqlite_only
def test_a_bulk_write_goes_to_the_database_file_not_the_log_and_the_store_stays_in_wal(
    service: Service, db_url: str
) -> None:
    wal = Path(db_url.removeprefix("sqlite:///") + "-wal")
    with service.store.write() as session:
        session.add_all(_events(2_000, "small"))
    assert wal.exists() and wal.stat().st_size > 0  # an ordinary write goes through the log
    with service.store.bulk_write() as session:
        session.add_all(_events(2_000, "bulk"))
    assert not wal.exists() or wal.stat().st_size == 0  # a bulk one straight to the file
    assert _noted(service.store, "bulk") == 2_000
    assert _journal(service.store) == "wal"


@pytest.mark.sqlite_only
def test_a_bulk_write_while_another_connection_has_the_store_open_keeps_the_log(
    service: Service, db_url: str
) -> None:
    other = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    try:
        other.execute("SELECT count(*) FROM audit_event").fetchone()
        with service.store.bulk_write() as session:
            session.add_all(_events(500, "bulk"))
            session.flush()
            assert session.connection().exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            # WAL's readers go on while the load writes
            assert other.execute(
                "SELECT count(*) FROM audit_event WHERE summary LIKE 'bulk %'"
            ).fetchone() == (0,)
        assert other.execute("SELECT count(*) FROM audit_event WHERE summary LIKE 'bulk %'").fetchone() == (
            500,
        )
    finally:
        other.close()
    assert _journal(service.store) == "wal"


def test_a_bulk_write_that_fails_leaves_the_store_as_it_was(service: Service) -> None:
    with pytest.raises(RuntimeError, match="half way"), service.store.bulk_write() as session:
        session.add_all(_events(500, "bulk"))
        session.flush()
        raise RuntimeError("half way")
    assert _noted(service.store, "bulk") == 0
    if service.store.is_sqlite:
        assert _journal(service.store) == "wal"
    with service.store.bulk_write() as session:
        session.add_all(_events(10, "again"))
    assert _noted(service.store, "again") == 10


def test_migrations_bring_a_new_database_to_the_head(service: Service) -> None:
    assert service.store.schema_revision() == HEAD_REVISION


def test_known_revisions_match_alembic_scripts() -> None:
    from alembic.script import ScriptDirectory

    from tokentui.core.migrations.runner import alembic_config

    scripts = ScriptDirectory.from_config(alembic_config())
    assert scripts.get_current_head() == HEAD_REVISION
    assert {s.revision for s in scripts.walk_revisions()} == set(KNOWN_REVISIONS)


def test_the_migrations_build_the_token_indexes_the_models_declare(db_url: str) -> None:
    from tokentui.core.models import Token

    Store(db_url).dispose()
    built = _token_indexes(db_url)
    declared = {index.name for index in Token.__table__.indexes}  # type: ignore[attr-defined]
    assert built == declared
    assert "ix_token_org_created" not in built  # dropped by 0004: no query used it


def _a_token_at(db_url: str, revision: str, name: str) -> tuple[Actor, str]:
    """A store migrated to ``revision`` only, holding one token named ``name``: its owner and its id."""
    made = token_at(db_url, revision, name)
    service = Service(Store(db_url, migrate=False))
    owner = service.actor(OLD_OWNER)
    service.store.dispose()
    return owner, made


def test_upgrading_drops_the_unused_token_index_and_keeps_the_tokens(empty_db_url: str) -> None:
    owner, made = _a_token_at(empty_db_url, "0003", "before 0004")
    assert "ix_token_org_created" in _token_indexes(empty_db_url)
    service = Service(Store(empty_db_url))  # migrates to the head
    assert service.store.schema_revision() == HEAD_REVISION
    assert [t.id for t in service.list_tokens(owner, TokenQuery())] == [made]
    assert "ix_token_org_created" not in _token_indexes(empty_db_url)
    service.store.dispose()


def test_upgrading_puts_names_in_the_created_order_index_and_keeps_the_tokens(empty_db_url: str) -> None:
    owner, made = _a_token_at(empty_db_url, "0004", "before 0005")
    assert "name" not in _index_columns(empty_db_url, "ix_token_created_order")
    service = Service(Store(empty_db_url))  # migrates to the head
    columns = ["created_at", "id", "org_id", "author_id", "name", "last4", "kind", "revoked_at", "expires_at"]
    assert _index_columns(empty_db_url, "ix_token_created_order") == columns
    assert [t.id for t in service.list_tokens(owner, TokenQuery(search="before"))] == [made]
    service.store.dispose()


def _index_columns(db_url: str, name: str) -> list[str]:
    """An index's columns in order (reflection would warn of the expression indexes)."""
    return _catalogue(
        db_url,
        sqlite="SELECT name FROM pragma_index_info(:name) ORDER BY seqno",
        postgresql=(
            "SELECT a.attname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE c.relname = :name ORDER BY array_position(i.indkey::int2[], a.attnum)"
        ),
        name=name,
    )


def _token_indexes(db_url: str) -> set[str]:
    """The names of the token table's own indexes (not those behind its key and UNIQUE constraint).

    Read from the catalogue: SQLAlchemy's reflection skips SQLite's expression indexes.
    """
    return set(
        _catalogue(
            db_url,
            sqlite="SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'token' AND sql IS NOT NULL",
            postgresql=(
                "SELECT indexname FROM pg_indexes WHERE tablename = 'token' "
                "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
            ),
        )
    )


def _catalogue(db_url: str, *, sqlite: str, postgresql: str, **params: str) -> list[str]:
    """One column of the database's catalogue, by the query for its kind."""
    engine = create_engine(db_url)
    with engine.connect() as conn:
        sql = sqlite if engine.dialect.name == "sqlite" else postgresql
        found = [str(value) for value in conn.execute(text(sql), params).scalars()]
    engine.dispose()
    return found


def test_a_database_from_a_newer_version_is_refused_and_left_untouched(db_url: str) -> None:
    Store(db_url).dispose()
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    before = _every_row(engine)
    with pytest.raises(StoreError, match="newer tokentui"):
        Store(db_url)
    assert _every_row(engine) == before
    engine.dispose()


@pytest.mark.sqlite_only
def test_a_newer_sqlite_file_is_left_byte_for_byte_untouched(db_url: str, tmp_path: Path) -> None:
    Store(db_url).dispose()
    path = tmp_path / "tokentui.db"
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="newer tokentui"):
        Store(db_url)
    assert path.read_bytes() == before


def _application_id(path: Path) -> int:
    return int.from_bytes(path.read_bytes()[68:72], "big")


@pytest.mark.sqlite_only
def test_a_new_store_is_marked_with_tokentuis_application_id(db_url: str, tmp_path: Path) -> None:
    Store(db_url).dispose()
    assert _application_id(tmp_path / "tokentui.db") == APPLICATION_ID == int.from_bytes(b"ttui", "big")


@pytest.mark.sqlite_only
def test_a_store_made_before_the_application_id_is_recognised_and_marked(
    empty_db_url: str, tmp_path: Path
) -> None:
    owner, made = _a_token_at(empty_db_url, "0005", "before 0006")
    assert _application_id(tmp_path / "tokentui.db") == 0
    service = Service(Store(empty_db_url))
    assert [t.id for t in service.list_tokens(owner, TokenQuery())] == [made]
    service.store.dispose()
    assert _application_id(tmp_path / "tokentui.db") == APPLICATION_ID


@pytest.mark.sqlite_only
def test_an_empty_sqlite_database_becomes_a_private_store(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("PRAGMA journal_mode = delete")
        conn.execute("VACUUM")  # writes the header of a database with nothing in it
    path.chmod(0o644)
    assert path.stat().st_size > 0
    Store(f"sqlite:///{path}").dispose()
    assert _application_id(path) == APPLICATION_ID
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="does not exist"):
        Store(f"sqlite:///{tmp_path / 'nowhere' / 'x.db'}")


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="damaged or not a tokentui database"):
        Store(f"sqlite:///{path}")
    assert path.read_bytes() == b"this is not sqlite" * 100


def test_not_a_database_url_is_a_clear_error() -> None:
    with pytest.raises(StoreError, match="not a database URL"):
        Store("::nonsense::")


def test_the_audit_log_is_append_only_in_the_database(org: Org) -> None:
    with pytest.raises(StoreError, match="append-only"), org.service.store.write() as session:
        session.execute(text("UPDATE audit_event SET summary = 'forged'"))
    with pytest.raises(StoreError, match="append-only"), org.service.store.write() as session:
        session.execute(text("DELETE FROM audit_event"))


def test_every_change_writes_one_audit_event_in_its_transaction(org: Org) -> None:
    before = len(org.service.audit(org.owner, limit=1000))
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    org.service.revoke(org.developer, created.token.id)
    events = org.service.audit(org.owner, limit=1000)
    assert len(events) == before + 2
    assert [e.action for e in events[:2]] == ["token.revoke", "token.create"]
    assert all(e.target_id == created.token.id for e in events[:2])


def _every_row(engine: Engine) -> dict[str, list[str]]:
    """Every row of every table, as text: what a database dump would show."""
    tables = inspect(engine).get_table_names()
    with engine.connect() as conn:
        return {t: sorted(repr(tuple(r)) for r in conn.execute(text(f'SELECT * FROM "{t}"'))) for t in tables}


def test_the_plaintext_secret_is_absent_from_the_database_and_the_audit_log(
    org: Org, db_url: str, database: str
) -> None:
    created = [
        org.service.create_token(org.developer, "personal", scopes=["content_management_read"]),
        org.service.create_token(org.developer, "session"),
        org.service.create_token(org.developer, "delivery", space="Website", environment="production"),
        org.service.create_token(org.space_admin, "management", space="Website", scopes=["read"]),
    ]
    legacy = org.service.list_tokens(org.owner, limit=500)
    reset = org.service.reset(org.owner, next(t.id for t in legacy if t.kind.value == "legacy_access"))
    secrets = [c.secret for c in created] + [reset.secret]
    dump = repr(_every_row(org.service.store.engine)).encode()
    if database == "sqlite":  # the raw files too: free pages and the WAL keep old bytes
        path = Path(db_url.removeprefix("sqlite:///"))
        files = [p for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")) if p.exists()]
        assert Path(f"{path}-wal") in files  # the WAL is there and is searched too
        dump += b"".join(p.read_bytes() for p in files)
    blobs = dump
    summaries = " ".join(e.summary for e in org.service.audit(org.owner, limit=10_000))
    for secret in secrets:
        assert secret.encode() not in blobs
        assert secret[4:20].encode() not in blobs  # not even a fragment of the random body
        assert secret not in summaries
    assert all(c.token.last4 in summaries for c in created)


@pytest.mark.sqlite_only
def test_a_query_no_longer_wanted_stops_early_and_the_store_goes_on(service: Service) -> None:
    stop = threading.Event()
    endless = text(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000000) SELECT count(*) FROM n"
    )
    threading.Timer(0.05, stop.set).start()
    with pytest.raises(Cancelled), service.store.cancellable(stop), service.store.read() as session:
        session.execute(endless).scalar_one()
    with pytest.raises(Cancelled), service.store.cancellable(stop):  # already stopped: not even begun
        service.store.schema_revision()
    assert service.store.schema_revision() == HEAD_REVISION  # outside the block, queries run as ever


# -- verify's held connections ----------------------------------------------------------------------


def test_verify_answers_callers_on_many_threads_at_once(org: Org) -> None:
    reader = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    revoked = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    org.service.revoke(org.developer, revoked.token.id)
    expected = {reader.secret: (True, None), revoked.secret: (False, "revoked")}
    wrong: list[tuple[str, bool, str | None]] = []

    def caller() -> None:
        for i in range(60):
            secret = reader.secret if i % 2 else revoked.secret
            decision = org.service.verify(secret, "content.read", space="Website")
            if (decision.allowed, decision.reason) != expected[secret]:
                wrong.append((secret[-4:], decision.allowed, decision.reason))

    threads = [threading.Thread(target=caller) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
    assert org.service.get_token(org.developer, reader.token.id).last_used_at is not None
    assert org.service.get_token(org.developer, revoked.token.id).last_used_at is None


def test_a_failed_statement_on_a_held_connection_leaves_verify_working(org: Org) -> None:
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    broken = Prepared(select(column("id")).select_from(table("no_such_table")))
    for _ in range(3):  # more failures than one connection: each is rolled back and reused or closed
        with pytest.raises(StoreError, match="no_such_table"), org.service.store.hot() as conn:
            conn.all(broken)
    assert org.service.verify(created.secret, "content.read", space="Website").allowed


def test_verify_reconnects_when_the_server_dropped_its_held_connection(
    org: Org, db_url: str, database: str
) -> None:
    if database != "postgresql":
        pytest.skip("a server connection is PostgreSQL's")
    created = org.service.create_token(org.developer, "personal", scopes=["content_management_read"])
    assert org.service.verify(created.secret, "content.read", space="Website").allowed
    admin = create_engine(db_url)
    with admin.connect() as conn:  # the server restarts, as far as every other connection can tell
        dropped = conn.execute(
            text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
        ).scalar()
    admin.dispose()
    assert dropped
    assert org.service.verify(created.secret, "content.read", space="Website").allowed
    assert org.service.verify(created.secret, "content.write", space="Website").reason == "scope"


def test_a_first_row_query_converts_the_first_rows_instants_and_leaves_the_rest_as_stored(org: Org) -> None:
    from tokentui.core.models import Token
    from tokentui.core.store import FIRST_ROW

    for i in range(2):
        org.service.create_token(
            org.developer, "personal", name=f"two {i}", scopes=["content_management_read"]
        )
    tokens = Token.__table__  # type: ignore[attr-defined]
    query = Prepared(select(tokens.c.created_at).order_by(tokens.c.created_at), convert=FIRST_ROW)
    with org.service.store.hot() as conn:
        rows = conn.all(query)
    assert len(rows) >= 2
    assert isinstance(rows[0][0], datetime) and rows[0][0].tzinfo is not None
    if org.service.store.is_sqlite:
        assert isinstance(rows[1][0], str)  # SQLite's text, as the driver gives it


def test_a_one_statement_block_opens_no_transaction_on_sqlite(org: Org) -> None:
    if not org.service.store.is_sqlite:
        pytest.skip("SQLite's transactions: elsewhere the block begins as any other")
    with org.service.store.hot(one_statement=True) as conn:
        assert not conn.held.dbapi_connection.in_transaction  # type: ignore[union-attr]
    with org.service.store.hot() as conn:
        assert conn.held.dbapi_connection.in_transaction  # type: ignore[union-attr]
