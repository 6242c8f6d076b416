"""One console measurement in a fresh interpreter; prints one JSON object on its last line.

Run by run.py, one process per measurement, so that first paint includes every
import and peak memory (``ru_maxrss``) belongs to this measurement alone:

    python benchmarks/probe_console.py paint --app tokentui --db URL --as EMAIL --spawned-at T
    python benchmarks/probe_console.py paint --app bare --spawned-at T
    python benchmarks/probe_console.py keys|jump|tour --db URL --as EMAIL

The app runs headless under ``App.run_test()`` at 120x35; frames are timed by
:class:`frames.FrameClock` (a frame counts once the bytes a terminal would get
are made). A measurement ends when a frame shows what the user waits for: the
new search's rows, or the last row.
"""

from __future__ import annotations

import time

STARTED_AT = time.time()  # before any import of Textual or tokentui

import argparse  # noqa: E402
import asyncio  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402

SIZE = (120, 35)
# Every column the table sorts by (tokentui.core.listing.queries.SortKey), the console's default first.
SORTS = ("created", "name", "kind", "author", "expires", "status", "last4", "space", "last_used", "access")
# Typed into the search box a character at a time, then erased: words many names share,
# rarer ones, one that matches nothing, and last-four-like fragments.
SEARCHES = ("deploy", "bot 42", "login 7", "zapier", "qa run 9", "nothing here", "Ab3", "website 1")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("measure", choices=("paint", "keys", "jump", "tour"))
    parser.add_argument("--app", choices=("tokentui", "bare"), default="tokentui")
    parser.add_argument("--db")
    parser.add_argument("--as", dest="actor")
    parser.add_argument("--spawned-at", type=float, default=STARTED_AT)
    parser.add_argument("--keys", type=int, default=200)
    args = parser.parse_args()
    result = asyncio.run(_measure(args))
    result["maxrss_kb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps(result))


async def _measure(args: argparse.Namespace) -> dict[str, Any]:
    from frames import FrameClock

    if args.app == "bare":
        from bare import BareApp

        bare = BareApp()
        clock = FrameClock(bare)
        async with bare.run_test(size=SIZE) as pilot:
            await pilot.pause()
        assert clock.first_frame_at is not None
        return {
            "first_frame_s": clock.first_frame_at - args.spawned_at,
            "interpreter_s": STARTED_AT - args.spawned_at,
        }

    from tokentui.console.app import TokentuiApp

    app = TokentuiApp(db=args.db, actor=args.actor)
    clock = FrameClock(app)
    async with app.run_test(size=SIZE) as pilot:
        # The top rows show before the row total under them is counted: both are timed.
        shown = asyncio.ensure_future(clock.painted(_complete(app, counted=False)))
        counted_at = await _settled(clock, app)
        rows_at = await shown
        assert clock.first_frame_at is not None
        result: dict[str, Any] = {
            "first_frame_s": clock.first_frame_at - args.spawned_at,
            "first_rows_s": _since_spawn(rows_at, args.spawned_at),
            "first_total_s": _since_spawn(counted_at, args.spawned_at),
            "interpreter_s": STARTED_AT - args.spawned_at,
            "total": app.home.table.total,
        }
        if args.measure == "keys":
            result.update(await _keystrokes(pilot, clock, app, args.keys))
        elif args.measure == "jump":
            result.update(await _jumps(pilot, clock, app))
        elif args.measure == "tour":
            await _tour(pilot, clock, app)
        if app.error:
            result["error"] = app.error
    return result


def _since_spawn(painted_at: float, spawned_at: float) -> float:
    """Seconds from the spawn (a time.time()) to a frame stamped with time.perf_counter()."""
    return time.time() - (time.perf_counter() - painted_at) - spawned_at


def _complete(app: Any, search: str | None = None, *, counted: bool = True) -> Callable[[], bool]:
    """A predicate: the store is open and the table shows every row in view (for ``search``).

    With ``counted`` the count must be in too (row total and scrollbar); without,
    the rows on screen are enough (the table paints a new query's first page
    before its count).
    """

    def check() -> bool:
        table = app.home.table
        source = table.loader.source
        if app.service is None or source is None or not table.is_sized:
            return False
        if table.is_loading if counted else table.loader.is_reading:
            return False
        if search is not None and source.query.search != search:
            return False
        top = int(table.scroll_y)
        shown = min(table._visible_rows, table.total - top)
        return all(table.row(top + i) is not None for i in range(shown))

    return check


async def _settled(clock: Any, app: Any) -> float:
    return await clock.painted(_complete(app))


async def _keystrokes(pilot: Any, clock: Any, app: Any, count: int) -> dict[str, Any]:
    await pilot.press("slash")
    keys: list[tuple[str, str]] = []  # (key, the search text once it is pressed)
    while len(keys) < count:
        for word in SEARCHES:
            for i, char in enumerate(word):
                keys.append((char if char != " " else "space", word[: i + 1]))
            for i in range(len(word) - 1, -1, -1):
                keys.append(("backspace", word[:i]))
    search_box = app.home.query_one("#search")
    latencies: list[float] = []
    counted: list[float] = []
    timed: list[tuple[float, str]] = []
    for key, typed in keys[:count]:
        rows_done = _complete(app, typed.strip(), counted=False)
        count_done = _complete(app, typed.strip())

        def typed_in(typed: str = typed) -> bool:
            return bool(search_box.value == typed)

        started = time.perf_counter()
        # The key changes the search box at least, so a frame comes without a nudge.
        rows = asyncio.ensure_future(clock.painted(lambda r=rows_done, t=typed_in: t() and r(), nudge=False))
        total = asyncio.ensure_future(
            clock.painted(lambda c=count_done, t=typed_in: t() and c(), nudge=False)
        )
        await pilot.press(key)
        latencies.append(await rows - started)
        counted.append(await total - started)
        timed.append((latencies[-1], typed))
    return {
        "keystrokes": len(latencies),
        **_percentiles(latencies, ""),
        **_percentiles(counted, "count_"),
        # The searches that took longest, to tell where the time goes.
        "slowest": [
            f"{text!r}: {seconds * 1000:.0f} ms" for seconds, text in sorted(timed, reverse=True)[:5]
        ],
    }


def _percentiles(values: list[float], prefix: str) -> dict[str, float]:
    ordered = sorted(values)
    return {
        f"{prefix}p50_s": statistics.median(ordered),
        f"{prefix}p95_s": ordered[int(0.95 * (len(ordered) - 1))],
        f"{prefix}max_s": ordered[-1],
    }


# A scrollbar drag: the thumb from a fifth to four fifths of the way down, in ten steps 30 ms apart.
DRAG_STEPS = 10
DRAG_STEP_S = 0.03


async def _jumps(pilot: Any, clock: Any, app: Any) -> dict[str, Any]:
    """A scrollbar drag (default sort); End (last row) and a jump to the middle, for every sort."""
    table = app.home.table
    out: dict[str, Any] = {}
    top = 0
    for step in range(1, DRAG_STEPS + 1):
        top = int(table.total * (0.2 + 0.6 * step / DRAG_STEPS))
        table.scroll_to(y=top, animate=False, immediate=True)
        await asyncio.sleep(DRAG_STEP_S)
    released = time.perf_counter()
    out["drag_after_release_s"] = (
        await clock.painted(lambda: int(table.scroll_y) == top and _complete(app)()) - released
    )
    await pilot.press("home")
    await clock.painted(_complete(app))
    for sort in SORTS:
        if sort != app.home.filters.sort:
            app.home.sort_by(sort)
            await clock.painted(_complete(app))
        last = table.total - 1
        started = time.perf_counter()
        waiting = asyncio.ensure_future(
            clock.painted(lambda last=last: table.cursor == last and _complete(app)())
        )
        await pilot.press("end")
        out[f"end_{sort}_s"] = await waiting - started
        middle = table.total // 2
        started = time.perf_counter()
        waiting = asyncio.ensure_future(
            clock.painted(lambda middle=middle: int(table.scroll_y) == middle and _complete(app)())
        )
        # What dragging the scrollbar thumb to the middle does: scroll there, no cursor move.
        table.scroll_to(y=middle, animate=False, immediate=True)
        out[f"middle_{sort}_s"] = await waiting - started
        await pilot.press("home")
        await clock.painted(_complete(app))
    return out


async def _tour(pilot: Any, clock: Any, app: Any) -> None:
    """What a user does in a minute: page, jump, sort, search; memory is read afterwards."""
    for key in ("pagedown",) * 5 + ("end",) + ("pageup",) * 5 + ("home",):
        await pilot.press(key)
        await clock.painted(_complete(app))
    for sort in ("name", "author"):
        app.home.sort_by(sort)
        await clock.painted(_complete(app))
        await pilot.press("end")
        await clock.painted(_complete(app))
    await pilot.press("slash")
    for char in "deploy":
        await pilot.press(char)
        await clock.painted(_complete(app, None))
    for _ in "deploy":
        await pilot.press("backspace")
    await clock.painted(_complete(app, ""))


if __name__ == "__main__":
    sys.exit(main())
