"""A throwaway PostgreSQL cluster for tests: initdb in a temporary directory, a Unix socket only.

Listening on a socket in its own directory (no TCP port) lets parallel test
workers each run one without clashing. PostgreSQL refuses to run as root, so
as root the cluster runs as the ``postgres`` system user.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _find(tool: str) -> str | None:
    found = shutil.which(tool)
    if found:
        return found
    for base in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (base / tool).exists():
            return str(base / tool)
    return None


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Start a cluster; yields the directory of its socket. Skips the test when PostgreSQL is absent."""
    initdb, pg_ctl = _find("initdb"), _find("pg_ctl")
    if initdb is None or pg_ctl is None:
        pytest.skip("PostgreSQL (initdb, pg_ctl) is not installed")
    prefix: list[str] = []
    owner: pwd.struct_passwd | None = None
    if os.geteuid() == 0:
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no postgres user to run PostgreSQL as")
        prefix = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="tokentui-pg-"))
    data, socket_dir = root / "data", root / "socket"
    socket_dir.mkdir()
    if owner is not None:
        for path in (root, socket_dir):
            os.chown(path, owner.pw_uid, owner.pw_gid)
    run = {"check": True, "capture_output": True, "text": True, "timeout": 120}
    subprocess.run(
        [*prefix, initdb, "-D", str(data), "-A", "trust", "-U", "tokentui", "--no-sync", "-E", "UTF8"], **run
    )
    options = f"-c listen_addresses='' -k {socket_dir} -c fsync=off -c full_page_writes=off"
    subprocess.run(
        [*prefix, pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "log"), "-w", "start"], **run
    )
    try:
        yield str(socket_dir)
    finally:
        subprocess.run(
            [*prefix, pg_ctl, "-D", str(data), "-m", "immediate", "-w", "stop"], capture_output=True
        )
        shutil.rmtree(root, ignore_errors=True)


def fresh_database(socket_dir: str) -> str:
    """A new, empty database in the cluster; its SQLAlchemy URL."""
    import psycopg

    name = "t_" + uuid.uuid4().hex[:16]
    with psycopg.connect(f"host={socket_dir} user=tokentui dbname=postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return f"postgresql+psycopg://tokentui@/{name}?host={socket_dir}"
