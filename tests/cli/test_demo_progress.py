"""``tokentui demo --tokens N``: progress on a terminal, silence in a pipe."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

from tests.conftest import run_cli_process

ROWS = 2_000
PROGRESS = re.compile(r"2,000 of 2,000 rows · [\d,]+ rows/s · \d+s left")


def test_on_a_terminal_demo_shows_rows_rate_and_time_left(db_url: str) -> None:
    controller, terminal = pty.openpty()
    env = {**os.environ, "TOKENTUI_DATABASE_URL": db_url}
    proc = subprocess.Popen(
        [sys.executable, "-m", "tokentui", "demo", "--tokens", str(ROWS)],
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
    assert proc.returncode == 0
    assert PROGRESS.search(seen.decode()), seen
    assert b"rows/s" not in out  # the summary on stdout stays clean
    assert "bulk tokens" in out.decode()


def test_piped_demo_prints_no_progress(db_url: str) -> None:
    result = run_cli_process("demo", "--tokens", str(ROWS), db=db_url)
    assert result.code == 0
    assert "rows/s" not in result.err and "rows/s" not in result.out
    assert result.err == ""
