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
import stat
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import quote

from sqlalchemy import Select, Update, create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Dialect, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import PoolProxiedConnection
from sqlmodel import Session
from sqlmodel.sql.sqltypes import UTCDateTime

from tokentui import settings
from tokentui.core.errors import InvalidInput, StoreError, TokentuiError
from tokentui.core.migrations import HEAD_REVISION, KNOWN_REVISIONS

BUSY_TIMEOUT_MS = 15_000
SQLITE_HEADER = b"SQLite format 3\x00"
# SQLite's ``PRAGMA application_id`` of a tokentui store ("ttui" in ASCII), set by migration 0006.
APPLICATION_ID = int.from_bytes(b"ttui", "big")
# The tables that mark a store made before that migration.
_STORE_TABLES = frozenset({"alembic_version", "organization", "user", "token", "audit_event"})
_WRITE_OPTION = "tokentui_write"
# How drivers word a connection that dropped mid-session, and one that never opened.
_LOST_CONNECTION = ("terminating connection", "server closed the connection", "connection already closed")
_NO_CONNECTION = ("connection refused", "connection failed", "could not connect", "connection is bad")


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
        # SQLite in WAL mode writes -wal and -shm files beside the database, even to read.
        return f"cannot open the database at {where}: the file and its directory must be writable ({detail})"
    if any(sign in lowered for sign in _LOST_CONNECTION):
        return f"lost the connection to the database at {where} ({detail})"
    if any(sign in lowered for sign in _NO_CONNECTION):
        return f"cannot connect to the database at {where} ({detail})"
    if "locked" in lowered:
        return f"the database at {where} is busy: another process holds a write lock ({detail})"
    return f"database error at {where}: {detail}"


def _redact(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return url


@dataclass(frozen=True)
class _CompiledQuery:
    sql: str
    # Parameter names in the order of the SQL's placeholders; None for a driver taking names.
    positions: tuple[str, ...] | None
    # Each parameter's conversion to what the driver takes (an instant to SQLite's text), if any.
    binders: Mapping[str, Callable[[Any], Any]]
    # The columns that need converting from the driver's value (an instant from SQLite's text), by index.
    converters: tuple[tuple[int, Callable[[Any], Any]], ...]


def _sqlite_utc_instant(value: Any) -> Any:
    """An instant SQLAlchemy stored in SQLite (ISO text, UTC without an offset), as an aware datetime.

    Each text is parsed once: the hot path reads the same few instants over and over (a
    busy token's expiry, and its last use, stamped at most once a minute), and a dict
    lookup costs far less than a parse. Datetimes are immutable, so one may be handed out many times;
    the memo is emptied when full, so instants no longer read cannot pile up.
    """
    known = _INSTANTS.get(value)
    if known is not None:
        return known
    parsed = datetime.fromisoformat(value) if isinstance(value, str) else value
    instant = parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    if len(_INSTANTS) >= _MAX_INSTANTS:
        _INSTANTS.clear()
    _INSTANTS[value] = instant
    return instant


_INSTANTS: dict[Any, datetime] = {}
_MAX_INSTANTS = 4096


def _result_converter(column_type: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    """How a column's driver value becomes its Python value (the type's own result processor).

    Instants on SQLite are parsed by :func:`datetime.fromisoformat` rather than through
    SQLAlchemy's processor and then the type's: one C call where those make three frames.
    """
    if dialect.name == "sqlite" and isinstance(column_type, UTCDateTime):
        return _sqlite_utc_instant
    return cast(
        "Callable[[Any], Any] | None", column_type.dialect_impl(dialect).result_processor(dialect, None)
    )


# A :class:`Prepared`'s ``convert`` for a query whose later rows only repeat the first's converted columns.
FIRST_ROW = "first row"


class Prepared:
    """A Core SELECT or UPDATE compiled once per dialect, run on the driver's cursor by a :class:`HotConnection`.

    For verify's hot path: SQLAlchemy's work around each execution (cache lookup,
    events, result objects) costs several times SQLite's indexed lookup itself.
    Parameters and columns go through their types' conversions, so instants go in
    and come back aware, as with SQLAlchemy's own execution.
    """

    def __init__(self, statement: Select[Any] | Update, *, convert: bool | str = True) -> None:
        self.statement = statement
        # False for a query whose caller takes the driver's values as they come (no column conversions);
        # FIRST_ROW for one whose caller takes the converted columns from the first row only.
        self.convert = convert
        self._by_dialect: dict[str, _CompiledQuery] = {}

    def compiled_for(self, dialect: Dialect) -> _CompiledQuery:
        """The statement as ``dialect``'s driver takes it."""
        known = self._by_dialect.get(dialect.name)
        if known is None:
            # sqlite3 takes named placeholders as well as its default question marks: the
            # parameters' dict then goes to the driver as it is, with no tuple built per run.
            placeholders = type(dialect)(paramstyle="named") if dialect.name == "sqlite" else dialect  # type: ignore[call-arg]
            compiled = self.statement.compile(dialect=placeholders)
            binders = {
                name: process
                for name, bind in compiled.binds.items()
                if (process := bind.type.dialect_impl(dialect).bind_processor(dialect)) is not None
            }
            statement = self.statement
            columns = statement.selected_columns if isinstance(statement, Select) and self.convert else ()
            converters = tuple(
                (index, convert)
                for index, column in enumerate(columns)
                if (convert := _result_converter(column.type, dialect)) is not None
            )
            positions = tuple(compiled.positiontup) if compiled.positiontup is not None else None
            known = self._by_dialect[dialect.name] = _CompiledQuery(
                str(compiled), positions, binders, converters
            )
        return known


def _converted(row: Any, converters: tuple[tuple[int, Callable[[Any], Any]], ...]) -> tuple[Any, ...]:
    values = list(row)
    for index, convert in converters:
        if values[index] is not None:
            values[index] = convert(values[index])
    return tuple(values)


class HotConnection:
    """Runs :class:`Prepared` statements in one transaction on a driver connection the store holds.

    Made once per held connection and kept with it. The methods are written out flat, with
    no helpers of their own: they run several times on every verify, where each Python call
    costs about what a column's conversion does.
    """

    __slots__ = ("_dbapi", "_dialect", "_dialect_name", "_direct", "held")

    def __init__(self, held: PoolProxiedConnection, dialect: Dialect) -> None:
        self.held = held
        # The driver's own connection, typed loosely: sqlite3's and psycopg's take the same calls here.
        self._dbapi: Any = held.dbapi_connection
        self._dialect = dialect
        self._dialect_name = dialect.name
        # sqlite3's Connection.execute makes the cursor in C, in one call; other drivers get cursor().
        self._direct = isinstance(self._dbapi, sqlite3.Connection)

    def begin(self, write: bool, transaction: bool = True) -> None:
        """Start the transaction: SQLite's BEGIN (pysqlite leaves it to us, see _make_engine), unless
        no ``transaction`` is wanted; elsewhere a cheap round trip, which finds out before any work
        that a server dropped an idle connection."""
        if self._direct:
            if transaction:
                self._dbapi.execute(_SQLITE_BEGIN_IMMEDIATE if write else _SQLITE_BEGIN_DEFERRED)
            return
        cursor = self._dbapi.cursor()
        try:
            cursor.execute("SELECT 1")
        finally:
            cursor.close()

    def _cursor(self, compiled: _CompiledQuery, params: dict[str, Any]) -> Any:
        """A driver other than sqlite3's: a cursor of its own, closed if the statement fails."""
        positions = compiled.positions
        cursor = self._dbapi.cursor()
        try:
            cursor.execute(compiled.sql, params if positions is None else [params[n] for n in positions])
        except BaseException:
            cursor.close()
            raise
        return cursor

    def all(self, query: Prepared, **params: Any) -> list[tuple[Any, ...]]:
        """Every row of ``query`` for ``params``."""
        compiled = query._by_dialect.get(self._dialect_name) or query.compiled_for(self._dialect)
        if compiled.binders:
            _bind(compiled, params)
        if self._direct:
            rows = self._dbapi.execute(compiled.sql, params).fetchall()
        else:
            cursor = self._cursor(compiled, params)
            try:
                rows = cursor.fetchall()
            finally:
                cursor.close()
        converters = compiled.converters
        if not converters:
            return [tuple(row) for row in rows]
        if query.convert == FIRST_ROW:
            return [_converted(rows[0], converters), *map(tuple, rows[1:])] if rows else []
        return [_converted(row, converters) for row in rows]

    def first(self, query: Prepared, **params: Any) -> tuple[Any, ...] | None:
        """The first row of ``query``, or None."""
        compiled = query._by_dialect.get(self._dialect_name) or query.compiled_for(self._dialect)
        if compiled.binders:
            _bind(compiled, params)
        if self._direct:
            # The cursor goes when this returns, and sqlite3 resets its statement then.
            row = self._dbapi.execute(compiled.sql, params).fetchone()
        else:
            cursor = self._cursor(compiled, params)
            try:
                row = cursor.fetchone()
            finally:
                cursor.close()
        if row is None:
            return None
        converters = compiled.converters
        if not converters:
            return tuple(row)
        values = list(row)
        for index, convert in converters:
            if values[index] is not None:
                values[index] = convert(values[index])
        return tuple(values)

    def execute(self, statement: Prepared, many: list[dict[str, Any]]) -> int:
        """Run ``statement`` (an UPDATE) once per parameter set; the number of rows it changed."""
        changed = 0
        compiled = statement.compiled_for(self._dialect)
        for given in many:
            params = dict(given)
            if compiled.binders:
                _bind(compiled, params)
            cursor = (
                self._dbapi.execute(compiled.sql, params) if self._direct else self._cursor(compiled, params)
            )
            changed += max(cursor.rowcount, 0)
            cursor.close()
        return changed


def _bind(compiled: _CompiledQuery, params: dict[str, Any]) -> None:
    """Convert ``params`` in place to what the driver takes."""
    for name, process in compiled.binders.items():
        if name in params:
            params[name] = process(params[name])


class _HotBlock:
    """The block of :meth:`Store.hot`: begin on a held connection, end it, give it back, translate errors."""

    __slots__ = ("_hot", "_store", "_transaction", "_write")

    def __init__(self, store: Store, write: bool, transaction: bool) -> None:
        self._store = store
        self._write = write
        self._transaction = transaction
        self._hot: HotConnection | None = None

    def __enter__(self) -> HotConnection:
        store = self._store
        try:
            hot = self._hot = store._begun(self._write, self._transaction)
        except BaseException as exc:
            store._raise_translated(exc)
            raise
        return hot

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: Any) -> None:
        store, hot = self._store, self._hot
        assert hot is not None
        self._hot = None
        if exc is None:
            try:
                # Straight to the driver: the pool's wrapper would find these through __getattr__.
                if self._write:
                    hot._dbapi.commit()
                else:
                    hot._dbapi.rollback()
            except BaseException as failure:
                store._settle_failed(hot)
                store._raise_translated(failure)
                raise
            # _give_back, inline: this runs on every verify.
            with store._held_lock:
                if len(store._held) < _HELD_CONNECTIONS:
                    store._held.append(hot)
                    return
            hot.held.close()
            return
        store._settle_failed(hot)
        store._raise_translated(exc)


# How many idle driver connections a store keeps for verify's hot path (one per concurrent caller).
_HELD_CONNECTIONS = 8


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
        # The driver's own errors, which reach us from :class:`HotConnection`'s statements unwrapped.
        self._driver_error: type[Exception] = self.engine.dialect.loaded_dbapi.Error
        # Idle driver connections for the hot path, outside the pool (see :meth:`hot`).
        self._held: list[HotConnection] = []
        self._held_lock = threading.Lock()
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
        with self._errors(), self._writing(self.engine) as session:
            yield session

    @contextmanager
    def bulk_write(self) -> Iterator[Session]:
        """:meth:`write` for one very large transaction: a bulk load of hundreds of megabytes.

        SQLite's write-ahead log writes such a transaction twice, every page into the
        log and then into the database when the log is checkpointed (SQLite's
        documentation: above about 100 MB a rollback journal is likely faster).
        So where this process can have a SQLite file to itself the load runs with a
        rollback journal, which keeps the store as it was until the commit just as the
        log does, and the store goes back to WAL after it. Where another connection
        has the file open SQLite refuses the switch at once and the load keeps the log.
        Elsewhere this is :meth:`write`.
        """
        if not self.is_sqlite:
            with self.write() as session:
                yield session
            return
        self.dispose()  # this process's own idle connections would refuse the switch
        with self._errors(), self.engine.connect() as conn:
            driver = conn.connection.dbapi_connection
            switched = _journal_mode(driver) == "wal" and _journal_mode(driver, "delete") == "delete"
            try:
                with self._writing(conn) as session:
                    yield session
            finally:
                if switched:
                    _journal_mode(driver, "wal")

    @contextmanager
    def _writing(self, bind: Engine | Connection) -> Iterator[Session]:
        """A session on ``bind`` that takes the write lock as it begins and commits when the block ends."""
        with Session(bind, expire_on_commit=False) as session:
            session.connection(execution_options={_WRITE_OPTION: True})
            yield session
            session.commit()

    def hot(self, *, write: bool = False, one_statement: bool = False) -> _HotBlock:
        """One transaction for the hot path (verify): :class:`Prepared` statements on a held driver connection.

        Checking a connection out of SQLAlchemy's pool and wrapping it in a
        ``Connection`` costs more than verify's lookups themselves, so the store
        keeps a few driver connections of its own, set up by the same connect
        events, each used by one caller at a time. A read is rolled back when the
        block ends; with ``write`` it takes the write lock first (SQLite's
        ``BEGIN IMMEDIATE``) and commits. A connection that fails is closed, not
        kept; a held connection found dead (a restarted server) is replaced once
        before the error is reported. A class rather than a generator: it runs on
        every verify, where contextlib's machinery costs as much as a lookup.

        A block that runs ``one_statement`` (a read) needs no transaction of its own on
        SQLite: a statement reads one snapshot, and BEGIN and ROLLBACK would cost as much
        as a lookup. Elsewhere the block begins as any other (the round trip that finds
        a dropped connection).
        """
        return _HotBlock(self, write, not one_statement)

    def _begun(self, write: bool, transaction: bool = True) -> HotConnection:
        """A held connection in a new transaction (SQLite: none, without ``transaction``); one the server
        dropped is replaced once."""
        with self._held_lock:
            hot = self._held.pop() if self._held else None
        if hot is None:
            hot = self._new_held()
        try:
            hot.begin(write, transaction)
            return hot
        except BaseException as exc:
            dropped = self._is_disconnect(exc, hot.held)
            hot.held.invalidate()
            if not dropped:
                raise
        fresh = self._new_held()
        try:
            fresh.begin(write, transaction)
        except BaseException:
            fresh.held.invalidate()
            raise
        return fresh

    def _new_held(self) -> HotConnection:
        held = self.engine.raw_connection()
        held.detach()  # ours now: closed for good, never returned to the pool
        return HotConnection(held, self.engine.dialect)

    def _is_disconnect(self, exc: BaseException, held: PoolProxiedConnection) -> bool:
        return isinstance(exc, self._driver_error) and self.engine.dialect.is_disconnect(
            exc,  # type: ignore[arg-type]  # the driver's Error, which mypy cannot see as DBAPI's
            held.dbapi_connection,
            None,
        )

    def _settle_failed(self, hot: HotConnection) -> None:
        try:
            hot.held.rollback()
        except Exception:
            hot.held.invalidate()
            return
        self._give_back(hot)

    def _give_back(self, hot: HotConnection) -> None:
        with self._held_lock:
            if len(self._held) < _HELD_CONNECTIONS:
                self._held.append(hot)
                return
        hot.held.close()

    @contextmanager
    def cancellable(self, *stops: threading.Event) -> Iterator[None]:
        """Queries this thread runs in the block end early, raising :class:`Cancelled`, once any of ``stops`` is set.

        The console sets one when a newer search supersedes one still being
        counted, so a million-row count does not hold the next keystroke up, and
        another when the rows a page was read for have left the screen.
        SQLite only; elsewhere the query runs to its end.
        """
        previous = getattr(_cancel, "events", ())
        _cancel.events = stops
        try:
            if any(stop.is_set() for stop in stops):
                raise Cancelled
            yield
        finally:
            _cancel.events = previous

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except BaseException as exc:
            self._raise_translated(exc)
            raise

    def _raise_translated(self, exc: BaseException) -> None:
        """Raise what ``exc`` means to a caller (InvalidInput, StoreError, Cancelled); return if it is that already."""
        if isinstance(exc, TokentuiError):
            return
        if isinstance(exc, UnicodeEncodeError):
            # Bytes that are not UTF-8 (a terminal in another encoding) reach Python as lone
            # surrogates (PEP 383); no database can store them, so the input is refused.
            raise InvalidInput(f"not valid text: {exc.object!r} is not UTF-8") from None
        if isinstance(exc, UnicodeDecodeError):
            # Text in the file that is not UTF-8: damaged pages that still parse as pages.
            raise StoreError(
                describe_store_error(sqlite3.DatabaseError(f"malformed text: {exc}"), self.url)
            ) from exc
        if isinstance(exc, (DBAPIError, sqlite3.Error, SQLAlchemyError, self._driver_error)):
            if _stop_requested() and "interrupted" in str(exc):
                raise Cancelled from None
            if "cannot contain nul" in str(exc).lower():
                # PostgreSQL's text type cannot hold NUL: the input is at fault, not the store.
                raise InvalidInput("text must not contain NUL (0x00) characters") from None
            raise StoreError(describe_store_error(exc, self.url)) from exc

    def dispose(self) -> None:
        """Close every pooled and held connection."""
        with self._held_lock:
            held, self._held = self._held, []
        for hot in held:
            hot.held.close()
        self.engine.dispose()

    # -- schema -------------------------------------------------------------

    def schema_revision(self) -> str | None:
        """The Alembic revision the database is at, or None for an empty database."""
        with self._errors(), self.engine.connect() as conn:
            if not self.engine.dialect.has_table(conn, "alembic_version"):
                return None
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            return row[0] if row else None

    def _refuse_foreign_tables(self) -> None:
        """Refuse a database with tables but no tokentui schema: another application's.

        As Flyway refuses a non-empty schema without its history table (rather than
        Alembic, which would add its table beside whatever is there), tokentui
        writes only into an empty database or one it made.
        """
        with self._errors(), self.engine.connect() as conn:
            tables = inspect(conn).get_table_names()
        if tables:
            raise StoreError(
                f"the database at {_redact(self.url)} holds another application's tables "
                f"({', '.join(sorted(tables)[:3])}{', ...' if len(tables) > 3 else ''}) and no tokentui "
                "schema; it was left untouched. Give tokentui an empty database of its own."
            )

    def migrate(self) -> None:
        """Bring the schema to this version's head; refuse a database from a newer version.

        When the schema is already current Alembic is not even imported, which
        keeps the console's start fast.
        """
        current = self.schema_revision()
        if current == HEAD_REVISION:
            return
        if current is None:
            self._refuse_foreign_tables()
        if current is not None and current not in KNOWN_REVISIONS:
            raise StoreError(
                f"the database at {_redact(self.url)} was written by a newer tokentui "
                f"(schema {current}); this version knows up to {HEAD_REVISION}. "
                "Upgrade tokentui; the database was left untouched."
            )
        from tokentui.core.migrations.runner import upgrade

        with self._errors():
            upgrade(self.engine)


def _journal_mode(driver: Any, mode: str | None = None) -> str:
    """SQLite's journal mode, after setting it to ``mode`` if given; the mode it keeps where the change is refused."""
    try:
        row = driver.execute("PRAGMA journal_mode" + (f" = {mode}" if mode else "")).fetchone()
    except sqlite3.OperationalError as exc:
        if "locked" not in str(exc):
            raise
        row = driver.execute("PRAGMA journal_mode").fetchone()
    return str(row[0]).lower()


# SQLite's BEGIN: a write takes the write lock at once, so a rule's check and its write are one step.
_SQLITE_BEGIN_IMMEDIATE = "BEGIN IMMEDIATE"
_SQLITE_BEGIN_DEFERRED = "BEGIN DEFERRED"


def _sqlite_begin(write: bool) -> str:
    """SQLite's BEGIN for a transaction that writes or only reads."""
    return _SQLITE_BEGIN_IMMEDIATE if write else _SQLITE_BEGIN_DEFERRED


def _prepare_sqlite_file(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    path = Path(database)
    size = _regular_file_size(path)
    for suffix in _COMPANIONS:
        # SQLite opens these beside the database: a FIFO there would hang it as well.
        _regular_file_size(Path(f"{path}{suffix}"))
    if size is not None:
        _refuse_foreign_file(path)
        if size == 0 or _is_empty_database(path):
            _make_private(path)
        return
    default_dir = settings.data_dir()
    if not path.parent.exists():
        if path.parent.resolve() == default_dir.resolve():
            path.parent.mkdir(parents=True, mode=0o700, exist_ok=True)
        else:
            raise StoreError(f"cannot open the database at {path}: directory {path.parent} does not exist")
    try:
        fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    except FileExistsError:
        return  # another process made it first: its own checks apply
    except OSError as exc:
        raise StoreError(f"cannot create the database at {path}: {exc.strerror}") from None
    os.close(fd)


# The files SQLite keeps beside a database: its rollback journal, write-ahead log and shared memory.
_COMPANIONS = ("-journal", "-wal", "-shm")
_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _regular_file_size(path: Path) -> int | None:
    """The size of the regular file at ``path`` (through symlinks), None where there is nothing.

    Anything else is refused before SQLite opens it, by ``stat`` alone: opening a
    named pipe blocks until a writer comes, and SQLite writes a journal beside a
    device (``/dev/null-journal``).
    """
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            raise StoreError(
                f"the database at {path} is a symbolic link to a file that does not exist"
            ) from None
        return None
    except OSError as exc:
        raise StoreError(f"cannot open the database at {path}: {exc.strerror}") from None
    if stat.S_ISREG(info.st_mode):
        return info.st_size
    what = next((name for test, name in _NOT_REGULAR if test(info.st_mode)), "not a regular file")
    raise StoreError(f"the database at {path} is {what}, not a regular file; nothing was opened or created")


def _make_private(path: Path) -> None:
    """An existing empty file becomes the store: readable by its owner only, as a new one is."""
    try:
        os.chmod(path, 0o600)
    except OSError as exc:
        raise StoreError(f"cannot make the database at {path} private (mode 0600): {exc.strerror}") from None


def _refuse_foreign_file(path: Path) -> None:
    """Refuse a non-empty file that is not SQLite before SQLite sees it.

    SQLite takes a file too short to hold its header (a single byte) for an empty
    database and would write a new schema over it; whatever it was is left as it is.
    """
    try:
        with path.open("rb") as file:
            head = file.read(len(SQLITE_HEADER))
    except OSError:
        return  # unreadable: SQLite's own error says why
    if head and head != SQLITE_HEADER:
        raise StoreError(
            f"the database at {path} is damaged or not a tokentui database (file is not a database)"
        )


def _is_empty_database(path: Path) -> bool:
    """Whether the SQLite file at ``path`` holds nothing yet (True) or is a store (False).

    Anything else is another application's database, refused before SQLite opens
    it for writing: opening it for a store would switch it to WAL, and migrating
    would write tokentui's tables into it. A store is known by its application id
    in the file's header, or (made before that id) by its tables. The look inside
    is read-only; with no journal or log beside the file it is ``immutable``, so
    SQLite creates no file and takes no lock.
    """
    try:
        with path.open("rb") as file:
            header = file.read(100)
    except OSError:
        return False  # unreadable: SQLite's own error says why
    if int.from_bytes(header[68:72], "big") == APPLICATION_ID:
        return False
    beside = any(Path(f"{path}{suffix}").exists() for suffix in ("-wal", "-journal"))
    uri = f"file:{quote(str(path.absolute()))}?mode=ro" + ("" if beside else "&immutable=1")
    try:
        with closing(sqlite3.connect(uri, uri=True)) as conn:
            application_id = conn.execute("PRAGMA application_id").fetchone()[0]
            user_version = conn.execute("PRAGMA user_version").fetchone()[0]
            names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    except sqlite3.Error as exc:
        raise StoreError(describe_store_error(exc, str(path))) from None
    if application_id == APPLICATION_ID or names >= _STORE_TABLES:
        return False
    if not names and application_id == 0 and user_version == 0:
        return True
    raise StoreError(
        f"the database at {path} belongs to another application (it is not a tokentui store); "
        "it was left untouched. Give --db a new or empty file."
    )


class Cancelled(Exception):
    """A query stopped early because its answer was no longer wanted (:meth:`Store.cancellable`)."""


# How often (in SQLite virtual-machine steps) a running query checks whether it is still wanted.
_PROGRESS_STEPS = 1_000_000
_cancel = threading.local()


def _stop_requested() -> bool:
    stops: tuple[threading.Event, ...] = getattr(_cancel, "events", ())
    return any(stop.is_set() for stop in stops)


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
        dbapi_connection.set_progress_handler(_stop_requested, _PROGRESS_STEPS)

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # Straight to the driver: this runs once per transaction.
        write = bool(conn.get_execution_options().get(_WRITE_OPTION))
        conn.connection.dbapi_connection.execute(_sqlite_begin(write))

    return engine
