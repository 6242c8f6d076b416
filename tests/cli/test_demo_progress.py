"""``tokentui demo --tokens N``: progress on a terminal, silence in a pipe."""

from __future__ import annotations

import re

from tests.conftest import run_cli_on_a_terminal, run_cli_process

ROWS = 2_000
PROGRESS = re.compile(r"2,000 of 2,000 rows · [\d,]+ rows/s · \d+s left")


def test_on_a_terminal_demo_shows_rows_rate_and_time_left(db_url: str) -> None:
    code, out, seen = run_cli_on_a_terminal("demo", "--tokens", str(ROWS), db=db_url)
    assert code == 0
    assert PROGRESS.search(seen.decode()), seen
    assert "rows/s" not in out  # the summary on stdout stays clean
    assert "bulk tokens" in out


def test_piped_demo_prints_no_progress(db_url: str) -> None:
    result = run_cli_process("demo", "--tokens", str(ROWS), db=db_url)
    assert result.code == 0
    assert "rows/s" not in result.err and "rows/s" not in result.out
    assert result.err == ""
