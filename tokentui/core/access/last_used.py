"""Recording when a token was last used, to the minute, so a busy token costs no write per request."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import bindparam, or_, update

from tokentui.core.models import Token
from tokentui.core.store import Prepared, Store

# lastUsedAt is kept to this resolution: a success within it of the recorded use writes nothing.
LAST_USED_RESOLUTION = timedelta(minutes=1)

_TOKENS = Token.__table__  # type: ignore[attr-defined]
# One token's lastUsedAt, moved forward only when the recorded use is older than the resolution.
_MARK_USED = Prepared(
    update(_TOKENS)
    .where(
        _TOKENS.c.id == bindparam("token_id"),
        or_(_TOKENS.c.last_used_at.is_(None), _TOKENS.c.last_used_at < bindparam("stale")),
    )
    .values(last_used_at=bindparam("at"))
)


def is_stale(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a use at ``now`` is worth recording over the one recorded (the test :data:`_MARK_USED` makes)."""
    return last_used_at is None or last_used_at < now - LAST_USED_RESOLUTION


def mark_used(store: Store, token_ids: Iterable[str], at: datetime) -> None:
    """Record ``lastUsedAt`` for tokens that verified successfully.

    Kept to :data:`LAST_USED_RESOLUTION`: a token whose recorded use is more
    recent than that before ``at`` is left alone (and a use is never moved
    backwards), so a busy token costs one write a minute, not one per request.
    """
    ids = list(token_ids)
    if not ids:
        return
    with store.hot(write=True) as conn:
        conn.execute(
            _MARK_USED,
            [{"token_id": token_id, "at": at, "stale": at - LAST_USED_RESOLUTION} for token_id in ids],
        )
