"""How the server's log lines reach standard error: the standard stamp, in order, a loop turn at a time."""

from __future__ import annotations

import asyncio
import io
import logging

from tokentui.api.server import LineFormatter, RedactingFilter, TurnBufferedHandler
from tokentui.core.tokens.secret_format import generate
from tokentui.core.vocabulary import TokenKind

FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"


class Writes(io.StringIO):
    """A stream that keeps each write apart."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return len(text)


def record(
    message: str, *args: object, created: float = 1_764_000_000.25, name: str = "tokentui.api.access"
) -> logging.LogRecord:
    made = logging.LogRecord(name, logging.INFO, __file__, 1, message, args, None)
    made.created, made.msecs = created, (created - int(created)) * 1000
    return made


def handler() -> tuple[TurnBufferedHandler, Writes]:
    stream = Writes()
    made = TurnBufferedHandler(stream, batched=["tokentui.api.access"])
    made.setFormatter(logging.Formatter("%(message)s"))
    return made, stream


def test_the_time_stamp_is_the_standard_one_across_seconds() -> None:
    ours, standard = LineFormatter(FORMAT), logging.Formatter(FORMAT)
    for created in (1_764_000_000.25, 1_764_000_000.999, 1_764_000_001.0, 1_764_000_001.5, 1_764_003_600.007):
        line = record("hello", created=created)
        assert ours.format(line) == standard.format(record("hello", created=created))
    assert ours.formatTime(record("x"), "%H:%M") == standard.formatTime(record("x"), "%H:%M")


def test_the_redacting_filter_leaves_the_message_formatted_once() -> None:
    secret = generate(TokenKind.PERSONAL)
    refused, plain = record("refused %s from %s", secret, "100%"), record("%s from %s", "allowed", "100%")
    assert RedactingFilter().filter(refused) and RedactingFilter().filter(plain)
    assert (refused.msg, refused.args) == ("refused ttp_[REDACTED] from 100%", None)
    # Formatting it again would read "100%" as a format of its own.
    assert (plain.msg, plain.args) == ("allowed from 100%", None)
    assert plain.getMessage() == "allowed from 100%"


def test_lines_of_one_loop_turn_go_out_in_one_write_before_the_next_turn() -> None:
    made, stream = handler()

    async def serve() -> list[list[str]]:
        seen = []
        for i in range(3):
            made.handle(record(f"request {i}"))
        seen.append(list(stream.writes))  # nothing yet: the turn is not over
        await asyncio.sleep(0)
        seen.append(list(stream.writes))
        made.handle(record("request 3"))
        await asyncio.sleep(0)
        seen.append(list(stream.writes))
        return seen

    during, after_turn, after_next = asyncio.run(serve())
    assert during == []
    assert after_turn == ["request 0\nrequest 1\nrequest 2\n"]
    assert after_next == [*after_turn, "request 3\n"]


def test_a_line_off_the_loop_is_written_at_once_after_those_waiting() -> None:
    made, stream = handler()
    made.handle(record("start-up"))
    assert stream.writes == ["start-up\n"]

    async def serve() -> None:
        made.handle(record("on the loop"))
        # A worker thread logs before the loop's turn ends: the order is kept.
        await asyncio.to_thread(made.handle, record("from a thread"))

    asyncio.run(serve())
    assert "".join(stream.writes) == "start-up\non the loop\nfrom a thread\n"


def test_any_other_line_is_written_at_once_and_takes_the_waiting_lines_with_it() -> None:
    made, stream = handler()

    async def shut_down() -> list[str]:
        made.handle(record("the last request"))
        made.handle(record("Finished server process", name="uvicorn.error"))
        return list(stream.writes)  # the process may end now, before the loop's next turn

    assert asyncio.run(shut_down()) == ["the last request\nFinished server process\n"]


def abandoned_turn(made: TurnBufferedHandler, text: str) -> None:
    """Log ``text`` in a loop's turn, then stop and close the loop before its turn's callback runs."""
    loop = asyncio.new_event_loop()

    def turn() -> None:
        made.handle(record(text))
        loop.stop()

    loop.call_soon(turn)
    loop.run_forever()
    loop.close()


def test_a_loop_closed_before_its_turn_ended_leaves_no_line_behind() -> None:
    made, stream = handler()
    abandoned_turn(made, "first loop")
    assert stream.writes == []

    async def one_request() -> None:
        made.handle(record("second loop"))

    asyncio.run(one_request())
    assert "".join(stream.writes) == "first loop\nsecond loop\n"


def test_a_line_still_waiting_at_exit_is_written_by_logging_shutdown() -> None:
    made, stream = handler()
    abandoned_turn(made, "the last request")
    made.flush()  # what logging.shutdown does with every handler
    assert "".join(stream.writes) == "the last request\n"


def test_a_broken_stream_loses_the_lines_without_raising() -> None:
    class Broken(io.StringIO):
        def write(self, text: str) -> int:
            raise OSError("standard error is gone")

    made = TurnBufferedHandler(Broken(), batched=["tokentui.api.access"])
    made.setFormatter(logging.Formatter("%(message)s"))
    made.handle(record("nowhere to go"))
    made.flush()
