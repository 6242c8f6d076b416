"""The database: engine, pragmas, sessions and migrations on start.

SQLite is the default (a file in the user data directory, WAL, foreign keys,
busy timeout, mode 0600 in a 0700 directory); any SQLAlchemy URL works, and
PostgreSQL is tested. Writes on SQLite begin with ``BEGIN IMMEDIATE`` so that
a rule's check and its write are one serialized step; on PostgreSQL the
service locks the parent row (``SELECT ... FOR UPDATE``) for the same effect.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlmodel import Session

from tokentui import settings
from tokentui.core.errors import StoreError, TokentuiError
from tokentui.core.migrations import HEAD_REVISION, KNOWN_REVISIONS

BUSY_TIMEOUT_MS = 15_000
_WRITE_OPTION = "tokentui_write"


def describe_store_error(exc: BaseException, url: str) -> str:
    """One line telling an admin what is wrong with the store, without a traceback."""
    original = getattr(exc, "orig", exc)
    detail = str(original).strip().splitlines()[0] if str(original).strip() else type(original).__name__
    lowered = detail.lower()
    where = _redact(url)
    if "not a database" in lowered or "malformed" in lowered:
        return f"the database at {where} is damaged or not a tokentui database ({detail})"
    if "readonly" in lowered or "read-only" in lowered:
        return f"the database at {where} is read-only ({detail})"
    if "unable to open" in lowered:
        return f"cannot open the database at {where} ({detail})"
    if "locked" in lowered:
        return f"the database at {where} is busy: another process holds a write lock ({detail})"
    return f"database error at {where}: {detail}"


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


class Store:
    """An open store: one engine, sessions for reading and for writing, schema kept current."""

    def __init__(self, url: str | None = None, *, migrate: bool = True) -> None:
        self.url = url or settings.default_database_url()
        try:
            parsed = make_url(self.url)
        except ArgumentError:
            raise StoreError(f"not a database URL: {self.url!r}") from None
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        if self.is_sqlite:
            _prepare_sqlite_file(parsed.database)
        try:
            self.engine = _make_engine(self.url, self.is_sqlite)
        except (NoSuchModuleError, ImportError) as exc:
            raise StoreError(f"no database driver for {_redact(self.url)}: {exc}") from None
        if migrate:
            self.migrate()

    # -- sessions -----------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for queries; nothing it does is committed."""
        with self._errors(), Session(self.engine, expire_on_commit=False) as session:
            yield session

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A session whose work commits as one transaction when the block ends without error."""
        with self._errors(), Session(self.engine, expire_on_commit=False) as session:
            session.connection(execution_options={_WRITE_OPTION: True})
            yield session
            session.commit()

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A plain Core connection for read-only hot paths (verify): no ORM session."""
        with self._errors(), self.engine.connect() as conn:
            yield conn

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except TokentuiError:
            raise
        except (DBAPIError, sqlite3.Error, SQLAlchemyError) as exc:
            raise StoreError(describe_store_error(exc, self.url)) from exc

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # -- schema -------------------------------------------------------------

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at, or None for an empty database."""
        with self._errors(), self.engine.connect() as conn:
            if not self.engine.dialect.has_table(conn, "alembic_version"):
                return None
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            return row[0] if row else None

    def migrate(self) -> None:
        """Bring the schema to this version's head; refuse a database from a newer version.

        When the schema is already current Alembic is not even imported, which
        keeps the console's start fast.
        """
        current = self.schema_revision()
        if current == HEAD_REVISION:
            return
        if current is not None and current not in KNOWN_REVISIONS:
            raise StoreError(
                f"the database at {_redact(self.url)} was written by a newer tokentui "
                f"(schema {current}); this version knows up to {HEAD_REVISION}. "
                "Upgrade tokentui; the database was left untouched."
            )
        from tokentui.core.migrations.runner import upgrade

        with self._errors():
            upgrade(self.engine)


def _prepare_sqlite_file(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    default_dir = settings.data_dir()
    if not path.parent.exists():
        if path.parent.resolve() == default_dir.resolve():
            path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        else:
            raise StoreError(f"cannot open the database at {path}: directory {path.parent} does not exist")
    if not path.exists():
        try:
            fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600)
        except FileExistsError:
            return
        except OSError as exc:
            raise StoreError(f"cannot create the database at {path}: {exc.strerror}") from None
        os.close(fd)


def _make_engine(url: str, is_sqlite: bool) -> Engine:
    if not is_sqlite:
        return create_engine(url, pool_pre_ping=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": BUSY_TIMEOUT_MS / 1000})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # We issue BEGIN ourselves (below), so pysqlite must not.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        mode = cursor.execute("PRAGMA journal_mode").fetchone()[0]
        if mode != "wal" and mode != "memory":
            cursor.execute("PRAGMA journal_mode = WAL")
        # NORMAL in WAL mode survives a crash of the process; only a power cut may lose the last commit.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = "IMMEDIATE" if conn.get_execution_options().get(_WRITE_OPTION) else "DEFERRED"
        conn.exec_driver_sql(f"BEGIN {mode}")

    return engine
