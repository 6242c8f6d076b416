"""``tokentui serve`` as a user runs it: a real process, driven by Contentful's SDK, stopped with Ctrl-C."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO

import contentful_management
import pytest
from contentful_management.errors import UnauthorizedError

from tests.conftest import run_cli


@dataclass
class ServeProcess:
    proc: subprocess.Popen[str]
    port: int
    banner: str

    def sdk(self, secret: str) -> contentful_management.Client:
        return contentful_management.Client(secret, api_url=f"127.0.0.1:{self.port}", https=False)

    def interrupt(self) -> tuple[int, str]:
        """Ctrl-C; the exit code and everything the server wrote to standard error."""
        self.proc.send_signal(signal.SIGINT)
        _, err = self.proc.communicate(timeout=60)
        return self.proc.returncode, self.banner + err


def start_serve(db: str, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "TOKENTUI_DATABASE_URL": db}
    return subprocess.Popen(
        [sys.executable, "-m", "tokentui", "serve", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )


@pytest.fixture
def served(db_url: str) -> Iterator[tuple[ServeProcess, str]]:
    """A server over a store with one organization; yields it and a manage-scope secret of its owner."""
    assert run_cli("init", "--org", "Acme", "--owner", "owner@acme.test", db=db_url).code == 0
    made = run_cli(
        "tokens",
        "create",
        "--kind",
        "personal",
        "--scope",
        "content_management_manage",
        "--json",
        db=db_url,
        actor="owner@acme.test",
    )
    secret = json.loads(made.out)["token"]
    proc = start_serve(db_url, "--port", "0")
    assert proc.stderr is not None
    banner = proc.stderr.readline()
    match = re.search(r"serving the token API on http://127\.0\.0\.1:(\d+)", banner)
    if match is None:
        proc.kill()
        pytest.fail(f"tokentui serve did not start: {banner}{proc.stderr.read()}")
    server = ServeProcess(proc, int(match.group(1)), banner)
    try:
        yield server, secret
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_answers_the_sdk_and_stops_cleanly_without_logging_secrets(
    served: tuple[ServeProcess, str], db_url: str
) -> None:
    server, secret = served
    tokens = server.sdk(secret).personal_access_tokens()

    made = tokens.create(
        {"name": "from the SDK", "scopes": ["content_management_manage"], "expiresIn": 86400}
    )
    listed = tokens.all()
    found = tokens.find(made.id)
    revoked = tokens.revoke(made.id)
    with pytest.raises(UnauthorizedError):
        server.sdk(made.token).personal_access_tokens().all()
    code, stderr = server.interrupt()

    assert {t.name for t in listed} == {
        "from the SDK",
        "Personal access token " + made.sys["created_at"].date().isoformat(),
    }
    assert found.name == "from the SDK" and found.token == ""
    assert revoked.is_revoked
    # The CLI sees what the API did: same core, same store.
    shown = json.loads(run_cli("tokens", "show", made.id, "--json", db=db_url, actor="owner@acme.test").out)
    assert shown["status"] == "revoked" and shown["name"] == "from the SDK"
    assert code == 0
    assert '"PUT /users/me/access_tokens/' + made.id + '/revoked" 200' in stderr
    assert "refused an access token: revoked" in stderr
    for leaked in (secret, made.token):
        assert leaked[4:] not in stderr
    assert "Traceback" not in stderr


def test_serve_on_a_port_in_use_fails_with_one_line(served: tuple[ServeProcess, str], db_url: str) -> None:
    server, _ = served

    second = start_serve(db_url, "--port", str(server.port))
    _, err = second.communicate(timeout=60)

    assert second.returncode != 0
    assert err.strip().splitlines() == [
        f"tokentui: error: cannot listen on 127.0.0.1:{server.port}: Address already in use"
    ]


def test_each_answer_is_in_the_access_log_while_the_server_runs(served: tuple[ServeProcess, str]) -> None:
    """An operator tailing the log sees a request's line as soon as it is answered, not at shut-down."""
    server, secret = served
    assert server.proc.stderr is not None
    lines: queue.Queue[str] = queue.Queue()

    def read(stream: IO[str]) -> None:
        for line in stream:
            lines.put(line)

    threading.Thread(target=read, args=(server.proc.stderr,), daemon=True).start()

    server.sdk(secret).users().me()
    seen: list[str] = []
    deadline = time.monotonic() + 30
    while not any('"GET /users/me" 200' in line for line in seen) and time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=0.1))
        except queue.Empty:
            continue

    assert server.proc.poll() is None
    assert any('"GET /users/me" 200' in line and "tokentui.api.access" in line for line in seen), seen


def test_stopped_with_sigterm_the_log_ends_with_every_line(served: tuple[ServeProcess, str]) -> None:
    """What systemd or a container runtime sends: the last request and the server's last word are written."""
    server, secret = served
    server.sdk(secret).users().me()
    server.proc.send_signal(signal.SIGTERM)
    _, err = server.proc.communicate(timeout=60)

    lines = err.splitlines()
    assert any('"GET /users/me" 200' in line for line in lines), err
    assert "Finished server process" in lines[-1], err
