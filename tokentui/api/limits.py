"""Bounding the work one request may cause, so that one client cannot starve the others.

A listing's cost grows with the store: counting the tokens that match, sorting
them on a column without an index, skipping far into them. Three bounds keep any
one request from holding the server:

- ``skip + limit`` is capped (:data:`tokentui.api.params.MAX_DEPTH`), as
  Elasticsearch caps ``from + size``; deeper pages are reached by narrowing
  with a date filter instead;
- every statement a listing runs has a time limit (:data:`STATEMENT_SECONDS`):
  on SQLite the store's progress handler interrupts it (:meth:`Store.cancellable`
  with a deadline), on PostgreSQL ``statement_timeout`` is set for the
  transaction. A filter without an index can still scan every row well inside
  the depth cap, so the cap alone would not bound the time;
- at most :data:`LISTING_SLOTS` listings run at once in a process; the others
  wait (holding no thread and no connection), so authentication, ``/users/me``,
  create and revoke always find a worker thread and a pooled connection.

A request stopped by the limit, or that found no slot in time, is answered 503
ServiceUnavailable with ``Retry-After``, and records nothing.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from sqlalchemy import event
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from tokentui.api.errors import ApiError
from tokentui.core.errors import StoreError
from tokentui.core.store import Cancelled, Store

T = TypeVar("T")

STATEMENT_SECONDS = 5.0
# Below SQLAlchemy's pool size (five), so listings alone never empty the pool.
LISTING_SLOTS = 4

_limit = threading.local()


class Deadline(threading.Event):
    """An event that is set once ``seconds`` have passed: the store's progress handler polls it."""

    def __init__(self, seconds: float) -> None:
        super().__init__()
        self.seconds = seconds
        self.at = time.monotonic() + seconds

    def is_set(self) -> bool:
        """Whether the deadline has passed."""
        return time.monotonic() >= self.at

    def remaining_ms(self) -> int:
        """Milliseconds left, at least one (PostgreSQL reads zero as no limit)."""
        return max(1, int((self.at - time.monotonic()) * 1000))


def install(store: Store) -> None:
    """Prepare ``store`` for time limits: on PostgreSQL, each transaction begun under one sets ``statement_timeout``."""
    if not store.is_sqlite and not event.contains(store.engine, "begin", _statement_timeout):
        event.listen(store.engine, "begin", _statement_timeout)


def _statement_timeout(conn: Any) -> None:
    deadline: Deadline | None = getattr(_limit, "deadline", None)
    if deadline is not None:
        # Straight to the driver, which opens the transaction with it; SET LOCAL ends with
        # the transaction, so the limit never outlives the request on a pooled connection.
        cursor = conn.connection.dbapi_connection.cursor()
        try:
            cursor.execute(f"SET LOCAL statement_timeout = {deadline.remaining_ms()}")
        finally:
            cursor.close()


@contextmanager
def time_limited(store: Store, seconds: float) -> Iterator[Deadline]:
    """Statements this thread runs in the block stop once ``seconds`` have passed (503 TimedOut)."""
    deadline = Deadline(seconds)
    previous = getattr(_limit, "deadline", None)
    _limit.deadline = deadline
    try:
        with store.cancellable(deadline):
            yield deadline
    except Cancelled:
        raise timed_out(seconds) from None
    except StoreError:
        if deadline.is_set():
            # PostgreSQL's statement_timeout, which the store reports as its own error.
            raise timed_out(seconds) from None
        raise
    finally:
        _limit.deadline = previous


def timed_out(seconds: float) -> ApiError:
    """503 for a request stopped by the time limit."""
    return ApiError(
        503,
        "ServiceUnavailable",
        f"The request took longer than {seconds:g} seconds and was stopped; ask for less "
        "(narrow it with a filter, or a smaller skip) or try again later.",
        headers={"Retry-After": "1"},
    )


def slots() -> asyncio.Semaphore:
    """The listing slots of one app."""
    return asyncio.Semaphore(LISTING_SLOTS)


async def bounded_listing(request: Request, work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` in a worker thread, once a listing slot is free, under the statement time limit."""
    seconds: float = request.app.state.statement_seconds
    semaphore: asyncio.Semaphore = request.app.state.listing_slots
    try:
        await asyncio.wait_for(semaphore.acquire(), seconds)
    except TimeoutError:
        raise ApiError(
            503,
            "ServiceUnavailable",
            "The server is busy with other listings; try again shortly.",
            headers={"Retry-After": "1"},
        ) from None
    try:
        return await run_in_threadpool(_limited, request.app.state.service.store, seconds, work, args)
    finally:
        semaphore.release()


def _limited(store: Store, seconds: float, work: Callable[..., T], args: tuple[Any, ...]) -> T:
    with time_limited(store, seconds):
        return work(*args)
