"""Start the console (imported only when ``tokentui`` runs with no command)."""

from __future__ import annotations

import sys


def run_console(db: str | None, actor: str | None, org: str | None) -> None:
    """Open the console on the store at ``db`` as ``actor`` in ``org``; a store error ends it with one line."""
    from tokentui.console.app import TokentuiApp

    app = TokentuiApp(db=db, actor=actor, org=org)
    app.run()
    if app.error is not None:
        from tokentui.text import printable

        print(f"tokentui: error: {printable(app.error)}", file=sys.stderr)
    # run() answers the app's result; the exit status is its return code.
    if app.return_code:
        sys.exit(app.return_code)
