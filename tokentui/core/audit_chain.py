"""The audit log's hash chain: each event carries a SHA-256 over its content and the previous event's hash.

The database refuses updates and deletes of audit events (triggers, migration
0001) and, since migration 0007, REPLACE on SQLite and TRUNCATE on PostgreSQL.
Whoever owns the database can still drop those triggers; the chain makes what
they then change detectable (:func:`verify_chain`): an event rewritten,
removed, or inserted among the others breaks it.

Every event is chained as it is inserted, in the transaction that records it:
a ``before_insert`` hook on :class:`AuditEvent` gives it the next id after the
chain's head, the head's hash, and its own hash. Writers queue for the head:
SQLite's ``BEGIN IMMEDIATE`` already serializes them; on PostgreSQL a
transaction-scoped advisory lock does, so two transactions never both chain
onto the same event (a unique index on ``prev_hash`` would refuse the second).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.engine import Connection

from tokentui.core.models import AuditEvent

# The previous hash of the first event.
GENESIS = "0" * 64
# Names the encoding, so a later one can never produce the same bytes for other content.
_VERSION = "tokentui-audit-v1"
# The advisory lock PostgreSQL writers take before reading the head: "ttui" and the chain's number.
_CHAIN_LOCK = "SELECT pg_advisory_xact_lock(1953789289, 1)"
_INFO_KEY = "tokentui_audit_head"
# One encoder, made once: verify encodes every event of the log.
_ENCODER = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"))
_EVENTS = AuditEvent.__table__  # type: ignore[attr-defined]
# The columns verify reads, in the order of :func:`event_hash`'s arguments, then the stored hash.
CHAIN_COLUMNS = (
    _EVENTS.c.id,
    _EVENTS.c.at,
    _EVENTS.c.org_id,
    _EVENTS.c.actor_id,
    _EVENTS.c.action,
    _EVENTS.c.target_type,
    _EVENTS.c.target_id,
    _EVENTS.c.summary,
    _EVENTS.c.prev_hash,
    _EVENTS.c.chain_hash,
)


def utc_text(at: datetime) -> str:
    """An instant as the chain encodes it: UTC, ISO 8601, microseconds, ``Z``.

    Both databases keep microseconds (SQLite as text, PostgreSQL's timestamptz),
    so the instant read back encodes as the one written.
    """
    aware = at if at.utcoffset() is not None else at.replace(tzinfo=UTC)
    return aware.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def event_hash(
    id: int,
    at: datetime,
    org_id: int | None,
    actor_id: int | None,
    action: str,
    target_type: str,
    target_id: str,
    summary: str,
    prev_hash: str,
) -> str:
    """The SHA-256 of an event's canonical encoding: a compact JSON array, ASCII only.

    JSON gives every field an unambiguous boundary whatever text it holds, and
    the same bytes from either database's values.
    """
    canonical = _ENCODER.encode(
        [_VERSION, id, utc_text(at), org_id, actor_id, action, target_type, target_id, summary, prev_hash]
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


@event.listens_for(AuditEvent, "before_insert")
def _chain(_mapper: Any, connection: Connection, target: AuditEvent) -> None:
    """Give an event being inserted its place at the head of the chain."""
    transaction = connection.get_transaction()
    known = connection.info.get(_INFO_KEY)
    if known is not None and known[0] is transaction:
        head_id, head_hash = known[1], known[2]
    else:
        # Once per transaction: later events of it follow the one this hook made last.
        if connection.dialect.name == "postgresql":
            connection.execute(text(_CHAIN_LOCK))
        row = connection.execute(
            select(_EVENTS.c.id, _EVENTS.c.chain_hash).order_by(_EVENTS.c.id.desc()).limit(1)
        ).first()
        head_id, head_hash = (row[0], row[1] or GENESIS) if row else (0, GENESIS)
    target.id = head_id + 1
    target.prev_hash = head_hash
    target.chain_hash = event_hash(
        target.id,
        target.at,
        target.org_id,
        target.actor_id,
        target.action,
        target.target_type,
        str(target.target_id),
        target.summary,
        head_hash,
    )
    connection.info[_INFO_KEY] = (transaction, target.id, target.chain_hash)


@dataclass(frozen=True)
class ChainCheck:
    """What walking the audit chain found: intact, or the first place it is broken."""

    events: int
    head_id: int | None
    head_hash: str | None
    broken_at: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None

    def describe(self) -> str:
        """One line for a person."""
        if self.intact:
            return f"Audit chain intact: {self.events:,} events, head {self.head_hash or GENESIS}"
        return f"Audit chain broken at event {self.broken_at}: {self.problem}"

    def to_json(self) -> dict[str, Any]:
        """JSON for ``audit verify --json``; the head hash is worth keeping elsewhere."""
        return {
            "intact": self.intact,
            "events": self.events,
            "headId": self.head_id,
            "headHash": self.head_hash,
            "brokenAt": self.broken_at,
            "problem": self.problem,
        }


def verify_chain(rows: Iterable[tuple[Any, ...]]) -> ChainCheck:
    """Walk ``rows`` (:data:`CHAIN_COLUMNS`, in id order) and report the first break; constant memory.

    A changed event no longer matches its hash. A removed one leaves the next
    chained to an event that is not there. One inserted among the others is not
    the event the next was chained to; one inserted without tokentui has no hash.
    Ids are handed out one after another, so a gap says which of the last two it is.
    """
    count = 0
    previous_id: int | None = None
    previous_hash = GENESIS
    for row in rows:
        event_id, prev_hash, chain_hash = row[0], row[8], row[9]
        if chain_hash is None or prev_hash is None:
            return ChainCheck(
                count, previous_id, previous_hash, event_id, "it has no hash: tokentui did not write it"
            )
        if event_hash(*row[:9]) != chain_hash:
            return ChainCheck(
                count, previous_id, previous_hash, event_id, "it was changed: it does not match its hash"
            )
        if prev_hash != previous_hash:
            if previous_id is None:
                problem = "it is not chained to the start of the log: the events before it were removed"
                return ChainCheck(count, previous_id, previous_hash, event_id, problem)
            if event_id == previous_id + 1:
                problem = f"event {event_id} was not chained to it: it was changed or inserted"
                return ChainCheck(count, previous_id, previous_hash, previous_id, problem)
            problem = f"it is not chained to event {previous_id}: an event between them was removed"
            return ChainCheck(count, previous_id, previous_hash, event_id, problem)
        count += 1
        previous_id, previous_hash = event_id, chain_hash
    return ChainCheck(count, previous_id, previous_hash if previous_id is not None else None)
