"""verify's hot path in one process; prints one JSON object on its last line.

    python benchmarks/probe_verify.py --db URL --as EMAIL [--secrets 2000] [--seconds 5]

Creates ``--secrets`` personal tokens through the service (their secrets live in
this process's memory only and are never written anywhere), then calls
``Service.verify`` in a loop for ``--seconds``: 80% real secrets, 10% well-formed
secrets that were never issued (a checksum-valid miss: one indexed lookup) and
10% malformed ones (refused before the database). Reports throughput and
per-call latency percentiles.

In the same loop, alternating in rounds of 200 calls so machine noise hits both
alike, it times the floor (``floor_per_s``): the same work done the simplest way
possible, by hand on one raw ``sqlite3`` connection with statements prepared once
(the driver's statement cache): the checksum, SHA-256, the token by its hash with
its author, and for an active token the space and the author's roles there, as
verify reads them for a request naming a space and no environment. Only for a
SQLite store.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import sqlite3
import time
import zlib
from collections.abc import Callable

MIX = (("valid", 8), ("unknown", 1), ("malformed", 1))

_TOKEN_BY_HASH = (
    "SELECT token.id, token.kind, token.revoked_at, token.expires_at, token.scopes, token.space_id, "
    "token.org_id, token.environment, token.branches, token.author_id, token.last_used_at, user.email "
    "FROM token JOIN user ON user.id = token.author_id WHERE token.secret_hash = ?"
)
# The loop names a space and no environment: what decides is the space, its organization and the
# author's roles there (verify reads no environment for such a request, nor does the floor).
_SPACE = (
    "SELECT space.id, space.org_id, space.owner_id, organization.name, membership.role, "
    "spacemembership.role FROM space "
    "JOIN organization ON organization.id = space.org_id "
    "LEFT OUTER JOIN membership ON membership.org_id = space.org_id AND membership.user_id = ? "
    "LEFT OUTER JOIN spacemembership ON spacemembership.space_id = space.id AND spacemembership.user_id = ? "
    "WHERE space.name = ? OR space.api_key = ?"
)


def floor(path: str) -> Callable[[str, str], bool]:
    """The least verify can do, by hand: checksum, SHA-256 and the same two indexed reads."""
    from tokentui.core.tokens.secret_format import ALPHABET, CHECKSUM_LENGTH, SECRET_LENGTH

    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)

    def checksum(head: str) -> str:
        number, digits = zlib.crc32(head.encode("ascii")), []
        for _ in range(CHECKSUM_LENGTH):
            number, remainder = divmod(number, 62)
            digits.append(ALPHABET[remainder])
        return "".join(reversed(digits))

    def check(secret: str, space: str) -> bool:
        if len(secret) != SECRET_LENGTH or checksum(secret[:-CHECKSUM_LENGTH]) != secret[-CHECKSUM_LENGTH:]:
            return False
        digest = hashlib.sha256(secret.encode("ascii")).hexdigest()
        row = conn.execute(_TOKEN_BY_HASH, (digest,)).fetchone()
        if row is None or row[2] is not None:
            return False
        author = row[9]
        return bool(conn.execute(_SPACE, (author, author, space, space)).fetchall())

    return check


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--as", dest="actor", required=True)
    parser.add_argument("--secrets", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    from tokentui.core.service import open_service
    from tokentui.core.tokens import secret_format
    from tokentui.core.vocabulary import TokenKind

    service = open_service(args.db)
    actor = service.actor(args.actor, None)
    space = service.spaces(actor)[0].name
    started = time.perf_counter()
    issued = [
        service.create_token(
            actor, TokenKind.PERSONAL, name=f"verify bench {i}", scopes=["content_management_read"]
        ).secret
        for i in range(args.secrets)
    ]
    create_s = time.perf_counter() - started
    rng = random.Random(11)
    unknown = [secret_format.generate(TokenKind.PERSONAL) for _ in range(1000)]
    malformed = [s[:-1] + ("A" if s[-1] != "A" else "B") for s in unknown[:500]] + ["CFPAT-short", "x" * 60]
    pools = {"valid": issued, "unknown": unknown, "malformed": malformed}
    kinds = [k for k, _ in MIX]
    weights = [w for _, w in MIX]

    by_hand = floor(args.db.removeprefix("sqlite:///")) if args.db.startswith("sqlite:///") else None
    latencies: list[float] = []
    floor_latencies: list[float] = []
    allowed = floor_allowed = 0
    verify_s = floor_s = 0.0
    deadline = time.perf_counter() + args.seconds
    loop_started = time.perf_counter()
    while time.perf_counter() < deadline:
        picked = [rng.choice(pools[kind]) for kind in rng.choices(kinds, weights, k=200)]
        round_started = time.perf_counter()
        for secret in picked:
            t0 = time.perf_counter()
            decision = service.verify(secret, "content.read", space=space)
            latencies.append(time.perf_counter() - t0)
            allowed += decision.allowed
        verify_s += time.perf_counter() - round_started
        if by_hand is not None:
            round_started = time.perf_counter()
            for secret in picked:
                # Timed per call as verify is, so both rounds carry the same overhead.
                t0 = time.perf_counter()
                floor_allowed += by_hand(secret, space)
                floor_latencies.append(time.perf_counter() - t0)
            floor_s += time.perf_counter() - round_started
    floor_calls = len(floor_latencies)
    elapsed = time.perf_counter() - loop_started
    latencies.sort()
    print(
        json.dumps(
            {
                "calls": len(latencies),
                "allowed": allowed,
                "seconds": elapsed,
                "per_s": len(latencies) / verify_s,
                "floor_per_s": floor_calls / floor_s if floor_s else None,
                "floor_allowed": floor_allowed,
                "p50_s": latencies[len(latencies) // 2],
                "p99_s": latencies[int(0.99 * (len(latencies) - 1))],
                "max_s": latencies[-1],
                "secrets_created": args.secrets,
                "create_s": create_s,
                "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
            }
        )
    )


if __name__ == "__main__":
    main()
