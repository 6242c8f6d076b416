"""SQLite's query plans for what the core runs: a test asserts which index answers, never a time."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import event

from tokentui.core.listing import pages
from tokentui.core.listing.queries import TokenQuery
from tokentui.core.service import Actor, Service


def plans_of(service: Service, read: Callable[[], object]) -> str:
    """The plans of the statements ``read`` runs that select token ids (a page's ids are read so)."""
    statements: list[tuple[str, tuple[object, ...]]] = []

    def keep(_conn: object, _cursor: object, statement: str, params: tuple[object, ...], *_: object) -> None:
        statements.append((statement, params))

    engine = service.store.engine
    event.listen(engine, "before_cursor_execute", keep)
    try:
        read()
    finally:
        event.remove(engine, "before_cursor_execute", keep)
    with engine.connect() as conn:
        return "\n".join(
            row[-1]
            for statement, params in statements
            if statement.startswith("SELECT token.id")
            for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", params)
        )


def page_plans(service: Service, actor: Actor, query: TokenQuery) -> str:
    """The plans of the statements that read the ids of a first page of ``query`` (:func:`pages.page`)."""
    return plans_of(service, lambda: pages.page(service, actor, query, offset=0, limit=50))
