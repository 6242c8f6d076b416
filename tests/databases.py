"""Every core, CLI and reminder test runs on SQLite and on a real PostgreSQL server.

PostgreSQL comes from ``TOKENTUI_TEST_POSTGRES_URL`` (an existing server, e.g.
``postgresql+psycopg://user:pw@127.0.0.1:5432/postgres``) or, failing that, a
throwaway cluster started once per test process. Without either the PostgreSQL
half is skipped with the reason, except in CI (``CI=true``), where it fails: CI
must never pass by silently testing one database.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path

import pytest

ENV_POSTGRES = "TOKENTUI_TEST_POSTGRES_URL"
_cluster_stack = ExitStack()
_cluster_socket: list[str] = []


def _admin_url() -> str:
    """A URL with rights to create databases."""
    configured = os.environ.get(ENV_POSTGRES)
    if configured:
        return configured
    if not _cluster_socket:
        from tests.api.postgres_cluster import postgres_cluster

        try:
            _cluster_socket.append(_cluster_stack.enter_context(postgres_cluster()))
        except pytest.skip.Exception as reason:
            if os.environ.get("CI") == "true":
                pytest.fail(f"CI must test PostgreSQL, but: {reason}")
            raise
    return f"postgresql+psycopg://tokentui@/postgres?host={_cluster_socket[0]}"


def _connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    return psycopg.connect(
        host=parsed.query.get("host") or parsed.host,
        port=parsed.port,
        user=parsed.username,
        password=parsed.password,
        dbname=parsed.database or "postgres",
        autocommit=True,
    )


_template: list[str] = []


def _migrated_template(admin: str) -> str:
    """A database holding tokentui's schema and nothing else, made once per test process.

    Each test's database is a copy of it (``CREATE DATABASE ... TEMPLATE``): a copy is a
    file copy on the server, where migrating a new database is dozens of statements.
    """
    if not _template:
        from sqlalchemy.engine import make_url

        from tokentui.core.store import Store

        name = f"tokentui_template_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        with _connect(admin) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        Store(make_url(admin).set(database=name).render_as_string(hide_password=False)).dispose()
        _template.append(name)
        _cluster_stack.callback(_drop, admin, name)
    return _template[0]


def _drop(admin: str, name: str) -> None:
    with _connect(admin) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def postgres_database(*, migrated: bool = True) -> Iterator[str]:
    """A new PostgreSQL database for one test, with the schema (or empty); dropped afterwards."""
    from sqlalchemy.engine import make_url

    admin = _admin_url()
    template = f' TEMPLATE "{_migrated_template(admin)}"' if migrated else ""
    name = "tokentui_test_" + uuid.uuid4().hex[:12]
    with _connect(admin) as conn:
        conn.execute(f'CREATE DATABASE "{name}"{template}')
    try:
        yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    finally:
        _drop(admin, name)


def database_url(kind: str, tmp_path: Path, *, migrated: bool = True) -> Iterator[str]:
    """The store URL for one test on ``kind`` ("sqlite" or "postgresql").

    SQLite's is a path where no file is yet; PostgreSQL's a database that already has the
    schema, unless ``migrated`` is false (for the tests of migrating itself).
    """
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'tokentui.db'}"
    else:
        yield from postgres_database(migrated=migrated)


def stop_cluster() -> None:
    """Stop the throwaway cluster, if one was started (end of the test session)."""
    _cluster_stack.close()
