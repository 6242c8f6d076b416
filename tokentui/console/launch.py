"""Start the console (imported only when ``tokentui`` runs with no command)."""

from __future__ import annotations


def run_console(db: str | None, actor: str | None, org: str | None) -> None:
    """Open the console on the store at ``db`` as ``actor`` in ``org``."""
    from tokentui.console.app import TokentuiApp

    TokentuiApp(db=db, actor=actor, org=org).run()
