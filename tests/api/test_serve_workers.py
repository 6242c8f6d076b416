"""``tokentui serve --workers N`` as a user runs it: one port, N processes on one store, stopped with SIGTERM."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from tests.api.test_serve_command import start_serve
from tests.conftest import run_cli

OWNER = "owner@acme.test"
# An access-log line of a worker: which worker and process answered, and what.
_ANSWERED = re.compile(
    r"\[worker (\d) pid (\d+)\] tokentui\.api\.access: .*\"POST /users/me/access_tokens\" 201"
)


class Lines:
    """Every line a process writes to standard error, read as it comes."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        assert proc.stderr is not None
        self.stream = proc.stderr
        self.lines: list[str] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        for line in self.stream:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, pattern: str, seconds: float = 60) -> str:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for line in list(self.lines):
                if re.search(pattern, line):
                    return line
            time.sleep(0.05)
        pytest.fail(f"no line matching {pattern!r} in:\n" + "\n".join(self.lines))

    def wait_until(self, done: Callable[[], bool], seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not done():
            if time.monotonic() > deadline:
                pytest.fail("not seen in:\n" + "\n".join(self.lines))
            time.sleep(0.05)

    def text(self) -> str:
        return "\n".join(self.lines)


@pytest.fixture
def secret(db_url: str) -> str:
    assert run_cli("init", "--org", "Acme", "--owner", OWNER, db=db_url).code == 0
    made = run_cli(
        "tokens",
        "create",
        "--kind",
        "personal",
        "--scope",
        "content_management_manage",
        "--json",
        db=db_url,
        actor=OWNER,
    )
    token: str = json.loads(made.out)["token"]
    return token


@pytest.fixture
def workers(db_url: str) -> Iterator[tuple[subprocess.Popen[str], Lines, int]]:
    proc = start_serve(db_url, "--port", "0", "--workers", "2", "--rate-limit", "0")
    lines = Lines(proc)
    banner = lines.wait_for(r"serving the token API on http://127\.0\.0\.1:\d+")
    port = int(banner.rsplit(":", 1)[1].split()[0])
    try:
        yield proc, lines, port
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _children(pid: int) -> set[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as f:
        return {int(p) for p in f.read().split()}


def _create(port: int, secret: str, name: str) -> int:
    # A new connection each time, so the kernel hands each one to whichever worker takes it.
    answer = httpx.post(
        f"http://127.0.0.1:{port}/users/me/access_tokens",
        json={"name": name, "scopes": ["content_management_read"]},
        headers={"Authorization": f"Bearer {secret}", "Connection": "close"},
        timeout=30,
    )
    return answer.status_code


@pytest.mark.skipif(not os.path.exists("/proc/self/task"), reason="reads a process's children from /proc")
def test_two_workers_serve_one_store_report_a_death_and_stop_on_sigterm(
    workers: tuple[subprocess.Popen[str], Lines, int], secret: str, db_url: str
) -> None:
    proc, lines, port = workers
    lines.wait_for(r"\[worker 2 pid \d+\] uvicorn\.error: Started server process")
    started = _children(proc.pid)

    statuses: list[int] = []
    with ThreadPoolExecutor(4) as pool:
        for batch in range(25):
            names = [f"via a worker {batch}-{i}" for i in range(8)]
            statuses += pool.map(lambda name: _create(port, secret, name), names)
            if len({m.group(2) for m in map(_ANSWERED.search, lines.lines) if m}) == 2:
                break
    # Each access line is written just after its answer is sent.
    lines.wait_until(lambda: sum(1 for line in lines.lines if _ANSWERED.search(line)) == len(statuses))
    answered = {(m.group(1), int(m.group(2))) for m in map(_ANSWERED.search, lines.lines) if m}

    victim = min(started)
    os.kill(victim, signal.SIGKILL)
    reported = lines.wait_for(r"tokentui: warning: worker \d \(pid \d+\) was killed by SIGKILL")
    after = _create(port, secret, "after the death")
    proc.send_signal(signal.SIGTERM)
    code = proc.wait(timeout=60)
    lines.thread.join(timeout=10)

    assert len(started) == 2
    assert {pid for _, pid in answered} == started and {n for n, _ in answered} == {"1", "2"}
    assert set(statuses) == {201} and after == 201
    assert (
        reported
        == f"tokentui: warning: worker {dict((p, n) for n, p in answered)[victim]} (pid {victim}) was killed by SIGKILL; 1 still serving"
    )
    assert code == 0
    assert lines.lines[-1] == "tokentui: stopped"
    assert "Traceback" not in lines.text()
    for pid in started:
        with pytest.raises(ProcessLookupError):
            os.kill(pid, 0)
    # Both processes wrote to the one store.
    listed = json.loads(run_cli("tokens", "list", "--json", db=db_url, actor=OWNER).out)
    names = {t["name"] for t in listed}
    assert sum(1 for n in names if n.startswith("via a worker ")) == len(statuses)
    assert "after the death" in names


@pytest.mark.parametrize("value", ["0", "-1", "x"])
def test_a_bad_worker_count_is_one_error_line(db_url: str, value: str) -> None:
    result = run_cli("serve", "--port", "0", "--workers", value, db=db_url)

    assert result.code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("tokentui: error: Invalid value for '--workers': ")
