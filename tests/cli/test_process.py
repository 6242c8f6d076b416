"""The CLI as a real process: what only a process shows (exit status, pipes, start-up).

Every other CLI test runs the same entry point in process (``run_cli``).
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import OWNER, Org, run_cli_process


def test_a_refusal_exits_with_its_code_and_one_line(org: Org, db_url: str) -> None:
    result = run_cli_process("tokens", "show", "nosuchtoken", db=db_url, actor=OWNER)

    assert result.code == 4
    assert result.err.strip().splitlines() == [result.err.strip()]
    assert result.err.startswith("tokentui: error: ")
    assert result.out == ""


def test_bad_input_exits_2_without_a_traceback(org: Org, db_url: str) -> None:
    result = run_cli_process("tokens", "list", "--expires-before", "not-a-date", db=db_url, actor=OWNER)

    assert result.code == 2
    assert "Traceback" not in result.err
    assert result.err.startswith("tokentui: error: ")


def test_a_reader_that_goes_away_early_ends_the_command_quietly(org: Org, db_url: str) -> None:
    """Click ends a command whose reader left with status 1 and no message."""
    for number in range(3):
        org.service.create_token(
            org.owner, "personal", name=f"token {number}", scopes=["content_management_read"]
        )
    env = {**os.environ, "TOKENTUI_DATABASE_URL": db_url, "TOKENTUI_AS": OWNER}
    writer = subprocess.Popen(
        [sys.executable, "-m", "tokentui", "tokens", "list"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert writer.stdout is not None and writer.stderr is not None
    writer.stdout.close()  # the reader is gone before the first row, as with `| head -0`
    err = writer.stderr.read().decode()
    assert writer.wait(timeout=120) == 1
    assert err == ""


def test_the_version_prints_from_a_fresh_process(db_url: str) -> None:
    result = run_cli_process("--version", db=db_url)

    assert result.code == 0
    assert result.out.startswith("tokentui, version ")
