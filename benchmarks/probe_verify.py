"""verify's hot path in one process; prints one JSON object on its last line.

    python benchmarks/probe_verify.py --db URL --as EMAIL [--secrets 2000] [--seconds 5]

Creates ``--secrets`` personal tokens through the service (their secrets live in
this process's memory only and are never written anywhere), then calls
``Service.verify`` in a loop for ``--seconds``: 80% real secrets, 10% well-formed
secrets that were never issued (a checksum-valid miss: one indexed lookup) and
10% malformed ones (refused before the database). Reports throughput and
per-call latency percentiles.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import time

MIX = (("valid", 8), ("unknown", 1), ("malformed", 1))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--as", dest="actor", required=True)
    parser.add_argument("--secrets", type=int, default=2000)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()

    from tokentui.core.tokens import secret_format
    from tokentui.core.vocabulary import TokenKind
    from tokentui.core.service import open_service

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

    latencies: list[float] = []
    allowed = 0
    deadline = time.perf_counter() + args.seconds
    loop_started = time.perf_counter()
    while time.perf_counter() < deadline:
        for kind in rng.choices(kinds, weights, k=200):
            secret = rng.choice(pools[kind])
            t0 = time.perf_counter()
            decision = service.verify(secret, "content.read", space=space)
            latencies.append(time.perf_counter() - t0)
            allowed += decision.allowed
    elapsed = time.perf_counter() - loop_started
    latencies.sort()
    print(
        json.dumps(
            {
                "calls": len(latencies),
                "allowed": allowed,
                "seconds": elapsed,
                "per_s": len(latencies) / elapsed,
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
