"""Run the real tokentui CLI, but only when the parent says so.

``python -m tests.trust.cli_at_start ARGS...`` imports the CLI and the core,
writes ``ready`` on standard error, waits for a ``go`` line on standard input,
and then runs ``tokentui ARGS...`` exactly as ``python -m tokentui`` would (the
same ``main``, so the same messages and exit codes). Several of these started
together and released at once make the CLI's writes race for real.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Warm up, signal readiness, wait for the start, run the CLI."""
    import tokentui.cli
    import tokentui.core.service  # the CLI opens it lazily; warm it before the start

    sys.stderr.write("ready\n")
    sys.stderr.flush()
    if sys.stdin.readline().strip() != "go":
        sys.exit(99)
    tokentui.cli.main(sys.argv[1:])


if __name__ == "__main__":
    main()
