"""The audit questions on a big store, in a fresh interpreter; prints one JSON object on its last line.

    python benchmarks/probe_audit.py --db URL --as EMAIL [--rounds 5]

Each question of SPEC.md's audit table that the token table answers is asked the way
the console asks it (the home screen's filters, or a finding chosen on the findings
screen), from an unfiltered table, and timed to the first frame showing the answer's
first page, then to the frame with its count. The app runs headless at 120x35 and frames
are timed by :class:`frames.FrameClock`, as in ``probe_console.py``. The core's own reads
behind the other screens are timed too: the findings screen's counts, the users screen's
overview, and the audit log's first page of the last 24 hours.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

SIZE = (120, 35)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--as", dest="actor", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--spawned-at", type=float)  # run.py's stamp; first paint is not measured here
    args = parser.parse_args()
    result = asyncio.run(_measure(args))
    result["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


def _questions(app: Any) -> dict[str, Callable[[], None]]:
    """Each question's name and what the console does to ask it."""
    from tokentui.console.filters import ExpiryChoice
    from tokentui.core.findings import FINDINGS
    from tokentui.core.vocabulary import Status

    home = app.home

    def filtered(**changes: Any) -> Callable[[], None]:
        return lambda: home._apply(home.filters.cleared().with_(**changes))

    # An author with many tokens: the first row's, on the unfiltered table.
    first = home.table.row(0)
    author = first.author if first is not None else ""
    asked: dict[str, Callable[[], None]] = {
        "never_expires": filtered(expiry=ExpiryChoice.NO_EXPIRY),
        "expiring_7_days": home.action_expiring,
        "expired": filtered(statuses=frozenset({Status.EXPIRED})),
        "never_used": filtered(never_used=True),
        "unused_90_days": filtered(unused_for=timedelta(days=90)),
        "author": filtered(author=author),
        "can_write": filtered(can_write=True),
    }
    for finding in FINDINGS:
        asked[f"finding:{finding.key}"] = lambda finding=finding: home._finding_chosen(finding)
    return asked


async def _measure(args: argparse.Namespace) -> dict[str, Any]:
    from frames import FrameClock

    from tokentui.console.app import TokentuiApp

    app = TokentuiApp(db=args.db, actor=args.actor)
    clock = FrameClock(app)
    first_page: dict[str, list[float]] = {}
    counted: dict[str, list[float]] = {}
    async with app.run_test(size=SIZE) as pilot:
        await clock.painted(_shown(app, None))
        questions = _questions(app)
        for _ in range(args.rounds):
            for name, ask in questions.items():
                await _unfiltered(app, clock)
                before = app.home.table.loader.source
                started = time.perf_counter()
                rows = asyncio.ensure_future(clock.painted(_shown(app, before, counted=False), nudge=False))
                total = asyncio.ensure_future(clock.painted(_shown(app, before), nudge=False))
                ask()
                first_page.setdefault(name, []).append(await rows - started)
                counted.setdefault(name, []).append(await total - started)
        await pilot.pause()
        reads = _core_reads(app, args.rounds)
    every = sorted(t for times in first_page.values() for t in times)
    return {
        "questions": len(first_page),
        "rounds": args.rounds,
        "first_page_p50_s": statistics.median(every),
        "first_page_p95_s": every[int(0.95 * (len(every) - 1))],
        "first_page_max_s": every[-1],
        "by_question_ms": {k: round(statistics.median(v) * 1000, 1) for k, v in first_page.items()},
        "count_by_question_ms": {k: round(statistics.median(v) * 1000, 1) for k, v in counted.items()},
        **reads,
    }


async def _unfiltered(app: Any, clock: Any) -> None:
    home = app.home
    home.finding = None
    before = home.table.loader.source
    home._apply(home.filters.cleared())
    await clock.painted(_shown(app, before))


def _shown(app: Any, before: Any, *, counted: bool = True) -> Callable[[], bool]:
    """A predicate: a query newer than ``before`` has every row in view painted (and its count)."""

    def check() -> bool:
        table = app.home.table
        source = table.loader.source
        if app.service is None or source is None or source is before or not table.is_sized:
            return False
        if table.is_loading if counted else table.loader.is_reading:
            return False
        top = int(table.scroll_y)
        shown = min(table._visible_rows, table.total - top)
        return all(table.row(top + i) is not None for i in range(shown))

    return check


def _core_reads(app: Any, rounds: int) -> dict[str, float]:
    """The reads behind the findings and users screens and the audit log's last 24 hours (medians)."""
    service, actor = app.service, app.actor
    since = service.now() - timedelta(hours=24)
    timed: dict[str, list[float]] = {"findings_s": [], "users_overview_s": [], "audit_24h_page_s": []}
    for _ in range(rounds):
        for name, read in (
            ("findings_s", lambda: service.findings(actor)),
            ("users_overview_s", lambda: service.members_overview(actor)),
            ("audit_24h_page_s", lambda: service.audit(actor, since=since, limit=100)),
        ):
            started = time.perf_counter()
            read()
            timed[name].append(time.perf_counter() - started)
    return {name: statistics.median(times) for name, times in timed.items()}


if __name__ == "__main__":
    sys.exit(main())
