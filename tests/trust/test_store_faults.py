"""A store that cannot be used: one clear line, a non-zero exit, and the data left as it was.

Each fault is met the way an admin meets it: the CLI as a user runs it, and the
console's real launch path (``tokentui`` with no command, on a pseudo-terminal).
tests/core/test_store.py covers the same faults at the core's level.

Read-only stores: these tests run as root in CI containers, and root ignores
permission bits, so ``chmod`` cannot make a file read-only for it. The tests
use two things that stop root too: SQLite's own read-only mode
(``sqlite:///file:PATH?mode=ro&uri=true``, which refuses every write in the
library) and, where the file system supports it, the immutable attribute
(``chattr +i``, which the kernel enforces for every user). As another user the
same tests fall back to ``chmod``, which then really stops writes.
"""

from __future__ import annotations

import hashlib
import os
import pty
import random
import re
import select
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, create_engine, text

from tests.conftest import ADMIN, DEVELOPER, OWNER, CliResult, Org, run_cli
from tests.store_state import store_state
from tokentui.core.errors import StoreError
from tokentui.core.store import Store

pytestmark = pytest.mark.both_databases

STORE_ERROR = 7


def assert_store_refusal(result: CliResult, fragment: str) -> None:
    """Exit 7, one ``tokentui: error:`` line on stderr naming the fault, no traceback, no output."""
    lines = result.err.strip().splitlines()
    assert result.code == STORE_ERROR, (result.code, result.err)
    assert len(lines) == 1 and lines[0].startswith("tokentui: error: "), result.err
    assert fragment in lines[0], lines[0]
    assert "Traceback" not in result.err and result.out == ""


def database_file(db_url: str) -> Path:
    return Path(db_url.removeprefix("sqlite:///"))


def files_of(path: Path) -> dict[str, bytes]:
    """The database file and its -wal and -shm companions, byte for byte."""
    return {p.name: p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name)}


@pytest.fixture
def closed_store(org: Org, db_url: str) -> Path:
    """The standard organization with a few tokens, its connections closed (the WAL folded in)."""
    service = org.service
    service.create_token(org.developer, "personal", name="ci deploy", scopes=["content_management_read"])
    service.create_token(org.developer, "delivery", space="Website", environment="production")
    service.store.dispose()
    return database_file(db_url)


# A read and a write, of the kinds every session starts with.
LIST = (("tokens", "list", "--json"), DEVELOPER)
CREATE = (("tokens", "create", "--kind", "personal", "--name", "new"), DEVELOPER)
ADD_USER = (("users", "add", "new@acme.test", "--role", "member"), OWNER)
INIT = (("init", "--org", "Other", "--owner", "x@other.test"), None)
AUDIT = (("audit",), ADMIN)


# -- damaged files -----------------------------------------------------------------------------


def _damaged(original: bytes, how: str) -> bytes:
    rng = random.Random(how)  # the same damage on every run
    if how == "random bytes":
        return rng.randbytes(len(original))
    if how == "one byte":
        return original[:1]
    if how == "header only":
        return original[:100]
    if how == "truncated to half":
        return original[: len(original) // 2]
    # Scrambled pages: the header survives, the schema and rows do not.
    damaged = bytearray(original)
    for offset in range(4096, len(damaged), 61):
        damaged[offset] = rng.randrange(256)
    return bytes(damaged)


DAMAGES = [
    ("random bytes", LIST),
    ("one byte", CREATE),
    ("truncated to half", AUDIT),
    ("scrambled", ADD_USER),
]


@pytest.mark.sqlite_only
@pytest.mark.parametrize(("how", "command"), DAMAGES, ids=[f"{how}-{c[0][0]}" for how, c in DAMAGES])
def test_a_damaged_database_file_is_one_line_and_left_untouched(
    closed_store: Path, how: str, command: tuple[tuple[str, ...], str | None]
) -> None:
    closed_store.write_bytes(_damaged(closed_store.read_bytes(), how))
    before = files_of(closed_store)
    args, actor = command
    assert_store_refusal(run_cli(*args, db=f"sqlite:///{closed_store}", actor=actor), "is damaged")
    assert files_of(closed_store) == before


@settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    junk=st.one_of(
        st.binary(min_size=1, max_size=6000),
        st.binary(max_size=6000).map(lambda b: b"SQLite format 3\x00" + b),
    )
)
def test_no_file_that_is_not_a_database_is_ever_written_over(tmp_path: Path, junk: bytes) -> None:
    path = tmp_path / "junk.db"
    path.write_bytes(junk)
    with pytest.raises(StoreError, match="damaged or not a tokentui database"):
        Store(f"sqlite:///{path}").dispose()
    assert path.read_bytes() == junk


# -- things that are not files ------------------------------------------------------------------


def run_cli_briefly(*args: str, db: str, actor: str | None) -> CliResult:
    """:func:`run_cli` with a short limit: a hang is the fault under test."""
    env = {**os.environ, "TOKENTUI_DATABASE_URL": db}
    env.pop("TOKENTUI_AS", None)
    if actor:
        env["TOKENTUI_AS"] = actor
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "tokentui", *args],
            input="",
            capture_output=True,
            text=True,
            env=env,
            timeout=20,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"tokentui {' '.join(args)} hung on {db}")
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def _not_a_file(tmp_path: Path, what: str) -> Path:
    target = tmp_path / what
    if what == "fifo":
        os.mkfifo(target)
    elif what == "directory":
        target.mkdir()
    elif what == "socket":
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
        server.close()
    return target


@pytest.mark.parametrize(
    ("what", "fragment"),
    [
        ("fifo", "is a named pipe"),
        ("directory", "is a directory"),
        ("socket", "is a socket"),
        ("/dev/null", "is a character device"),
    ],
)
@pytest.mark.parametrize("through_a_link", [False, True], ids=["direct", "symlink"])
def test_a_db_that_is_not_a_regular_file_is_refused_at_once_and_nothing_is_created_beside_it(
    tmp_path: Path, what: str, fragment: str, through_a_link: bool
) -> None:
    there = tmp_path / "there"
    there.mkdir()
    target = Path(what) if what.startswith("/") else _not_a_file(there, what)
    journal_before = Path(f"{target}-journal").exists()
    given = target
    if through_a_link:
        given = tmp_path / "store.db"
        given.symlink_to(target)
    listing = sorted(p.name for p in tmp_path.rglob("*"))
    for args, actor in [LIST, INIT]:
        result = run_cli_briefly(*args, db=f"sqlite:///{given}", actor=actor)
        assert_store_refusal(result, fragment)
        assert "not a regular file" in result.err
    assert sorted(p.name for p in tmp_path.rglob("*")) == listing
    assert Path(f"{target}-journal").exists() == journal_before


def test_a_symlink_to_nothing_is_refused_and_not_followed(tmp_path: Path) -> None:
    link = tmp_path / "store.db"
    link.symlink_to(tmp_path / "elsewhere.db")
    assert_store_refusal(
        run_cli(*INIT[0], db=f"sqlite:///{link}"), "symbolic link to a file that does not exist"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store.db"]


def test_a_fifo_where_sqlite_keeps_its_log_is_refused_rather_than_waited_on(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "store.db-wal")
    result = run_cli_briefly(*INIT[0], db=f"sqlite:///{tmp_path / 'store.db'}", actor=None)
    assert_store_refusal(result, "store.db-wal is a named pipe")


def test_an_empty_file_given_as_the_store_becomes_private_like_a_new_one(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    empty.chmod(0o644)
    new = tmp_path / "new.db"
    for path in (empty, new):
        result = run_cli(*INIT[0], db=f"sqlite:///{path}")
        assert result.code == 0, result.err
        assert path.stat().st_mode & 0o777 == 0o600, oct(path.stat().st_mode)
    assert run_cli(*LIST[0], db=f"sqlite:///{empty}", actor="x@other.test").code == 0


# -- another application's database -------------------------------------------------------------


FOREIGN_SQLITE = {
    "no-conflict": ("delete", ["CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"]),
    "conflicting-table-in-wal": ("wal", ["CREATE TABLE token (id TEXT PRIMARY KEY, body TEXT)"]),
    "its-own-alembic": (
        "delete",
        [
            "CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)",
            "INSERT INTO alembic_version VALUES ('ae1027a6acf')",
            "CREATE TABLE user (id INTEGER PRIMARY KEY, body TEXT)",
        ],
    ),
    "no-tables-but-a-user-version": ("delete", ["PRAGMA user_version = 3"]),
}


@pytest.mark.sqlite_only
@pytest.mark.parametrize("case", sorted(FOREIGN_SQLITE))
def test_another_applications_sqlite_file_is_refused_and_left_byte_for_byte(
    tmp_path: Path, case: str
) -> None:
    journal, statements = FOREIGN_SQLITE[case]
    path = tmp_path / "theirs.db"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute(f"PRAGMA journal_mode = {journal}")
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.db"]
    for args, actor in [LIST, INIT, CREATE]:
        assert_store_refusal(
            run_cli(*args, db=f"sqlite:///{path}", actor=actor), "belongs to another application"
        )
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["theirs.db"]


def test_a_database_holding_another_applications_tables_is_refused_and_left_as_it_was(
    empty_db_url: str,
) -> None:
    engine = create_engine(empty_db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))
        conn.execute(text("INSERT INTO notes VALUES (1, 'keep me')"))
    engine.dispose()
    state = store_state(empty_db_url)
    for args, actor in [LIST, INIT]:
        assert_store_refusal(run_cli(*args, db=empty_db_url, actor=actor), "another application")
    assert store_state(empty_db_url) == state


# -- read-only files and directories -------------------------------------------------------------


@pytest.fixture
def read_only() -> Iterator[list[Path]]:
    """Paths appended to the list are made read-only for this user (root included); restored after."""
    paths: list[Path] = []
    yield paths
    for path in reversed(paths):
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(path)], check=False, capture_output=True)
        else:
            path.chmod(0o700 if path.is_dir() else 0o600)


def make_read_only(paths: list[Path], path: Path) -> None:
    if os.geteuid() != 0:
        path.chmod(0o500 if path.is_dir() else 0o400)
    else:
        done = subprocess.run(["chattr", "+i", str(path)], check=False, capture_output=True, text=True)
        if done.returncode != 0:
            pytest.skip(f"root ignores file modes and chattr +i is not available here: {done.stderr.strip()}")
    paths.append(path)


WRITES = [CREATE, ADD_USER]


@pytest.mark.sqlite_only
def test_sqlite_read_only_mode_answers_reads_and_refuses_every_write(closed_store: Path, db_url: str) -> None:
    read_only_url = f"sqlite:///file:{closed_store}?mode=ro&uri=true"
    # SQLite may add empty -wal and -shm files beside it; the database itself must not change.
    before, state = closed_store.read_bytes(), store_state(db_url)
    listed = run_cli("tokens", "list", db=read_only_url, actor=DEVELOPER)
    assert listed.code == 0 and "ci deploy" in listed.out
    for args, actor in WRITES:
        assert_store_refusal(run_cli(*args, db=read_only_url, actor=actor), "is read-only")
    assert closed_store.read_bytes() == before and store_state(db_url) == state


@pytest.mark.sqlite_only
def test_an_immutable_database_file_answers_reads_and_refuses_writes(
    closed_store: Path, db_url: str, read_only: list[Path]
) -> None:
    make_read_only(read_only, closed_store)
    before = closed_store.read_bytes()
    assert run_cli("tokens", "list", db=db_url, actor=DEVELOPER).code == 0
    for args, actor in WRITES:
        assert_store_refusal(run_cli(*args, db=db_url, actor=actor), "is read-only")
    assert closed_store.read_bytes() == before


@pytest.mark.sqlite_only
def test_a_read_only_directory_is_one_line_that_names_the_need_to_write(
    closed_store: Path, db_url: str, read_only: list[Path]
) -> None:
    make_read_only(read_only, closed_store)
    make_read_only(read_only, closed_store.parent)
    before = files_of(closed_store)
    # SQLite in WAL mode needs its -shm file beside the database even to read.
    for args, actor in [LIST, CREATE]:
        assert_store_refusal(run_cli(*args, db=db_url, actor=actor), "directory must be writable")
    new_file = f"sqlite:///{closed_store.parent / 'new.db'}"
    assert_store_refusal(run_cli("init", "--org", "A", "--owner", OWNER, db=new_file), "cannot create")
    assert files_of(closed_store) == before


# -- missing directories, newer versions ----------------------------------------------------------


def test_a_missing_directory_in_the_db_path_creates_nothing(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'missing' / 'deeper' / 'tokentui.db'}"
    for args, actor in [LIST, INIT]:
        assert_store_refusal(run_cli(*args, db=url, actor=actor), "does not exist")
    assert not (tmp_path / "missing").exists()


def _set_revision(db_url: str, revision: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :rev"), {"rev": revision})
    engine.dispose()


def test_a_database_from_a_newer_version_is_refused_by_every_command(org: Org, db_url: str) -> None:
    org.service.store.dispose()
    _set_revision(db_url, "f00dfacefeed")
    state = store_state(db_url)
    for args, actor in [LIST, (("demo",), None)]:
        assert_store_refusal(run_cli(*args, db=db_url, actor=actor), "was written by a newer tokentui")
    assert store_state(db_url) == state


# -- PostgreSQL that goes away ------------------------------------------------------------------


def test_an_unreachable_server_is_one_line_without_the_password() -> None:
    with socket_closed_port() as port:
        url = f"postgresql+psycopg://tokentui:hunter2@127.0.0.1:{port}/tokentui"
        for args, actor in [LIST, INIT]:
            result = run_cli(*args, db=url, actor=actor)
            assert_store_refusal(result, "cannot connect to the database")
            assert "hunter2" not in result.err and "***" in result.err


@contextmanager
def socket_closed_port() -> Iterator[int]:
    """A loopback port that nothing listens on while the block runs (bound, never listening)."""
    with socket.socket() as bound:
        bound.bind(("127.0.0.1", 0))
        yield int(bound.getsockname()[1])


def test_a_connection_lost_mid_command_is_one_line_and_changes_nothing(
    org: Org, db_url: str, database: str
) -> None:
    if database != "postgresql":
        pytest.skip("a server connection is PostgreSQL's")
    state = store_state(db_url)
    engine = create_engine(db_url)
    with engine.connect() as locker:
        # Hold the token table so the command blocks inside its transaction, then cut it off there.
        locker.execute(text("LOCK TABLE token IN ACCESS EXCLUSIVE MODE"))
        victim = subprocess.Popen(
            [sys.executable, "-m", "tokentui", "tokens", "create", "--kind", "personal", "--name", "cut"],
            env={
                **os.environ,
                "TOKENTUI_DATABASE_URL": db_url,
                "TOKENTUI_AS": DEVELOPER,
                "PGAPPNAME": "victim",
            },
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        pid = _wait_for_blocked_backend(engine, "victim", victim)
        locker.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        locker.rollback()
    out, err = victim.communicate(timeout=120)
    engine.dispose()
    assert_store_refusal(CliResult(victim.returncode, out, err), "lost the connection to the database")
    assert store_state(db_url) == state


def _wait_for_blocked_backend(engine: Engine, application: str, process: subprocess.Popen[str]) -> int:
    """The server pid of ``application`` once it waits on a lock (polled; no timing is asserted)."""
    query = text(
        "SELECT pid FROM pg_stat_activity WHERE application_name = :app AND wait_event_type = 'Lock'"
    )
    for _ in range(1200):
        with engine.connect() as conn:
            pid = conn.execute(query, {"app": application}).scalar()
        if pid is not None:
            return int(pid)
        assert process.poll() is None, process.communicate()
        select.select([], [], [], 0.05)
    raise AssertionError("the command never reached the locked table")


# -- the console's launch path -------------------------------------------------------------------

_ANSI = re.compile(r"\x1b\[[0-9;?<>=$]*[A-Za-z~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[=>]")


def run_console(db: str) -> tuple[int, str]:
    """``tokentui`` with no command on a pseudo-terminal, as an admin starts it; (exit code, output)."""
    controller, terminal = pty.openpty()
    env = {**os.environ, "TOKENTUI_DATABASE_URL": db, "TOKENTUI_AS": OWNER, "TERM": "xterm-256color"}
    process = subprocess.Popen(
        [sys.executable, "-m", "tokentui"], stdin=terminal, stdout=terminal, stderr=terminal, env=env
    )
    os.close(terminal)
    output = b""
    while True:
        ready, _, _ = select.select([controller], [], [], 120)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: the process has ended
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    return process.wait(timeout=120), output.decode("utf-8", "replace")


def after_the_console(output: str) -> list[str]:
    """What is left on the terminal once the console has left the alternate screen."""
    tail = output.rsplit("\x1b[?1049l", 1)[-1]
    return [line for line in _ANSI.sub("", tail).splitlines() if line.strip()]


@pytest.mark.sqlite_only
def test_the_console_refuses_a_damaged_or_newer_store_with_one_line(closed_store: Path, db_url: str) -> None:
    with sqlite3.connect(closed_store) as conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00dfacefeed'")
    conn.close()
    newer = closed_store.read_bytes()
    code, output = run_console(db_url)
    assert code == STORE_ERROR and "Traceback" not in output
    (line,) = after_the_console(output)
    assert line.startswith("tokentui: error: ") and "newer tokentui" in line
    assert closed_store.read_bytes() == newer

    closed_store.write_bytes(_damaged(newer, "scrambled"))
    damaged = closed_store.read_bytes()
    code, output = run_console(db_url)
    assert code == STORE_ERROR and "Traceback" not in output
    (line,) = after_the_console(output)
    assert "is damaged or not a tokentui database" in line
    assert closed_store.read_bytes() == damaged


def test_the_console_refuses_a_missing_directory_and_an_unreachable_server(tmp_path: Path) -> None:
    code, output = run_console(f"sqlite:///{tmp_path / 'missing' / 'tokentui.db'}")
    assert code == STORE_ERROR and "Traceback" not in output
    (line,) = after_the_console(output)
    assert line.startswith("tokentui: error: ") and "does not exist" in line
    with socket_closed_port() as port:
        code, output = run_console(f"postgresql+psycopg://tokentui:hunter2@127.0.0.1:{port}/x")
    assert code == STORE_ERROR and "Traceback" not in output and "hunter2" not in output
    (line,) = after_the_console(output)
    assert "cannot connect to the database" in line
    assert not (tmp_path / "missing").exists()
