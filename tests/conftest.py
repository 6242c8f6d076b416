"""Shared fixtures: a temporary store, a controllable clock, a standard organization."""

from __future__ import annotations

import os
import subprocess
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from tests.databases import database_url, stop_cluster
from tokentui.core.service import Actor, Service
from tokentui.core.store import Store

START = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand: expiry is tested at its instant, never by sleeping."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches the real user data directory or inherits the developer's settings."""
    monkeypatch.setenv("TOKENTUI_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    for name in ("TOKENTUI_DATABASE_URL", "TOKENTUI_AS", "TOKENTUI_ORG", "TOKENTUI_SMTP"):
        monkeypatch.delenv(name, raising=False)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """A test marked ``both_databases`` that takes a store runs once on SQLite and once on PostgreSQL."""
    if (
        ("db_url" in metafunc.fixturenames or "empty_db_url" in metafunc.fixturenames)
        and metafunc.definition.get_closest_marker("both_databases") is not None
        and metafunc.definition.get_closest_marker("sqlite_only") is None
    ):
        metafunc.parametrize("database", ["sqlite", "postgresql"], indirect=True)


def pytest_sessionfinish(session: pytest.Session) -> None:
    stop_cluster()


@pytest.fixture
def database(request: pytest.FixtureRequest) -> str:
    """Which database the test's store is on."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def db_url(database: str, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store for one test (tests/databases.py)."""
    yield from database_url(database, tmp_path)


@pytest.fixture
def empty_db_url(database: str, tmp_path: Path) -> Iterator[str]:
    """A database with no schema at all, for the tests of migrating one."""
    yield from database_url(database, tmp_path, migrated=False)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(db_url: str, clock: Clock) -> Iterator[Service]:
    svc = Service(Store(db_url), clock)
    yield svc
    svc.store.dispose()


@dataclass
class Org:
    """A standard organization: an owner, an admin, members with space roles, two spaces."""

    service: Service
    owner: Actor
    admin: Actor
    developer: Actor
    content_manager: Actor
    space_admin: Actor
    outsider: Actor

    def actor(self, email: str) -> Actor:
        return self.service.actor(email)


OWNER = "owner@acme.test"
ADMIN = "admin@acme.test"
DEVELOPER = "dev@acme.test"
CONTENT_MANAGER = "editor@acme.test"
SPACE_ADMIN = "spaceadmin@acme.test"
OUTSIDER = "outsider@acme.test"


@pytest.fixture
def org(service: Service) -> Org:
    return standard_org(service)


def standard_org(service: Service) -> Org:
    """Acme: its owner, an admin, four members with their space roles, the spaces Website and Legacy."""
    service.init_org("Acme", OWNER)
    owner = service.actor(OWNER)
    service.add_member(owner, ADMIN, "admin")
    for email in (DEVELOPER, CONTENT_MANAGER, SPACE_ADMIN, OUTSIDER):
        service.add_member(owner, email, "member")
    service.add_space(
        owner,
        "Website",
        environments=["production", "staging"],
        branches=["main", "next"],
        aliases=[("live", "main")],
    )
    service.add_space(owner, "Legacy", created=date(2019, 5, 1), environments=["master"])
    service.grant(owner, "Website", DEVELOPER, "developer")
    service.grant(owner, "Website", CONTENT_MANAGER, "content_manager")
    service.grant(owner, "Website", SPACE_ADMIN, "admin")
    service.grant(owner, "Legacy", DEVELOPER, "developer")
    return Org(
        service=service,
        owner=owner,
        admin=service.actor(ADMIN),
        developer=service.actor(DEVELOPER),
        content_manager=service.actor(CONTENT_MANAGER),
        space_admin=service.actor(SPACE_ADMIN),
        outsider=service.actor(OUTSIDER),
    )


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def run_cli(
    *args: str, db: str, actor: str | None = None, stdin: str | None = None, env: dict[str, str] | None = None
) -> CliResult:
    """Run the CLI's entry point in this process, as ``tokentui ARGS`` would run it.

    The same ``main`` as the installed script, with its own standard streams and
    environment; :func:`run_cli_process` starts a real process where a test is
    about the process itself (exit status through a pipe, start-up, imports).
    """
    from click.testing import CliRunner

    from tokentui.cli import main

    overrides: dict[str, str | None] = {"TOKENTUI_DATABASE_URL": db, "TOKENTUI_AS": actor, **(env or {})}
    runner = CliRunner()
    with runner.isolation(input=stdin if stdin is not None else "", env=overrides) as (out, err, _):
        try:
            main(list(args))
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        except Exception:
            # What the process would print before exiting 1: tests that forbid a
            # traceback then see one.
            traceback.print_exc()
            code = 1
        sys.stdout.flush()
        sys.stderr.flush()
        return CliResult(code, out.getvalue().decode(), err.getvalue().decode())


def run_cli_process(
    *args: str, db: str, actor: str | None = None, stdin: str | None = None, env: dict[str, str] | None = None
) -> CliResult:
    """Run ``python -m tokentui`` in a real subprocess, as a script would."""
    full_env = {**os.environ, "TOKENTUI_DATABASE_URL": db, **(env or {})}
    full_env.pop("TOKENTUI_AS", None)
    if actor:
        full_env["TOKENTUI_AS"] = actor
    proc = subprocess.run(
        [sys.executable, "-m", "tokentui", *args],
        input=stdin if stdin is not None else "",
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)


def run_cli_on_a_terminal(*args: str, db: str, actor: str | None = None) -> tuple[int, str, bytes]:
    """Run ``python -m tokentui`` with its standard error on a pseudo-terminal, as a person at one
    would: answers the exit code, standard output, and every byte the terminal was sent."""
    import pty

    env = {**os.environ, "TOKENTUI_DATABASE_URL": db}
    env.pop("TOKENTUI_AS", None)
    if actor:
        env["TOKENTUI_AS"] = actor
    controller, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "tokentui", *args],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=terminal,
        env=env,
    )
    os.close(terminal)
    seen = b""
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the process ended
            break
        if not chunk:
            break
        seen += chunk
    out, _ = proc.communicate(timeout=120)
    os.close(controller)
    return proc.returncode, out.decode(), seen
