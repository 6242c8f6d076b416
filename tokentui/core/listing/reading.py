"""Reading tokens: a page of a listing, every match streamed, a count, one token by id."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from sqlmodel import Session

from tokentui.core.dates import Clock
from tokentui.core.errors import InvalidInput
from tokentui.core.listing import visibility
from tokentui.core.listing.queries import TokenQuery, token_count, token_records, token_rows
from tokentui.core.models import Space, Token, User
from tokentui.core.people.actors import Actor
from tokentui.core.results import TokenView, to_view
from tokentui.core.store import Store
from tokentui.settings import LIMITS


def list_tokens(
    store: Store,
    clock: Clock,
    actor: Actor,
    query: TokenQuery | None = None,
    *,
    offset: int = 0,
    limit: int = LIMITS.page_size,
) -> list[TokenView]:
    """One page of the tokens the actor may see, filtered and sorted in SQL."""
    query = query or TokenQuery()
    if offset < 0 or limit < 0:
        raise InvalidInput("offset and limit must not be negative")
    now = clock()
    with store.read() as session:
        where = visibility.where(session, actor, query, now)
        stmt = token_rows(where, query, now).offset(offset).limit(limit)
        return [to_view(t, email, space, now) for t, email, space in session.execute(stmt).all()]


def iter_tokens(
    store: Store, clock: Clock, actor: Actor, query: TokenQuery | None = None, *, batch: int = 1000
) -> Iterator[TokenView]:
    """Every matching token, streamed from the database in batches (constant memory)."""
    query = query or TokenQuery()
    now = clock()
    with store.read() as session:
        where = visibility.where(session, actor, query, now, rows=False)
        stmt = token_records(where, query, now).execution_options(yield_per=batch)
        for row in session.execute(stmt):
            yield to_view(row, row.author_email, row.space_name, now)


def count_tokens(store: Store, clock: Clock, actor: Actor, query: TokenQuery | None = None) -> int:
    """How many tokens match (for the table's row count and scrollbar)."""
    query = query or TokenQuery()
    with store.read() as session:
        where = visibility.where(session, actor, query, clock(), rows=False)
        return int(session.execute(token_count(where)).scalar_one())


def get_token(store: Store, clock: Clock, actor: Actor, token_id: str) -> TokenView:
    """One token the actor may see, or NotFound."""
    now = clock()
    with store.read() as session:
        return view_of(session, visibility.visible_token(session, actor, token_id), now)


def view_of(session: Session, token: Token, now: datetime) -> TokenView:
    """The TokenView of ``token``, its author and space looked up."""
    author = session.get(User, token.author_id)
    space = session.get(Space, token.space_id) if token.space_id else None
    return to_view(token, author.email if author else "", space.name if space else None, now)
