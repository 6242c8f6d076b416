"""A pool of OS processes that call the core at the same moment.

Each worker is a separate interpreter (multiprocessing, ``spawn``) that imports
only the headless core. The parent hands every worker one job per round; the
workers prepare (open the store, resolve their actor), meet at a barrier, and
then make their one call together, so the calls really overlap in the database.
Each worker answers with what the call returned or raised:

* ``("ok", value)``: the call returned (after its transaction committed);
* ``("refused", error class name, message)``: a domain error from the core;
* ``("crashed", traceback)``: anything else (a store error, a bug): never expected.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import traceback
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing.connection import Connection
from multiprocessing.context import SpawnProcess
from multiprocessing.synchronize import Barrier
from typing import Any

# Generous: a worker waits this long for its peers or its answer only when something is broken.
PATIENCE_SECONDS = 120


@dataclass(frozen=True)
class Job:
    """One call for one worker: ``op`` on the store at ``url`` as ``actor``, at the instant ``now``."""

    url: str
    actor: str
    op: str
    now: datetime
    args: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Outcome:
    """What one worker's call did."""

    status: str  # "ok", "refused" or "crashed"
    value: Any = None
    error: str = ""
    message: str = ""


def _call(job: Job) -> Any:
    """Prepare the call (outside the race), returning a function that makes it."""
    from tokentui.core.service import Service
    from tokentui.core.store import Store

    store = Store(job.url)
    service = Service(store, lambda: job.now)
    actor = service.actor(job.actor)

    def run() -> Any:
        try:
            if job.op == "create":
                return service.create_token(actor, **job.args).token.id
            if job.op == "revoke":
                return service.revoke(actor, job.args["token_id"]).id
            if job.op == "rotate":
                return service.rotate(actor, job.args["token_id"], job.args.get("grace")).created.token.id
            if job.op == "add_space":
                return service.add_space(actor, job.args["name"])[0].name
            if job.op == "grant":
                service.grant(actor, job.args["space"], job.args["email"], job.args["role"])
                return job.args["email"]
            if job.op == "add_member":
                return service.add_member(actor, job.args["email"], job.args["role"]).email
            if job.op == "remove_member":
                return service.remove_member(actor, job.args["email"]).email
            raise ValueError(f"unknown op {job.op!r}")
        finally:
            store.dispose()

    return run


def _serve(conn: Connection, barrier: Barrier) -> None:
    """The worker's loop: a job in, meet the others, call, an outcome out; None ends it."""
    # Import the core once, before any job, so no round waits for an interpreter to warm up.
    from tokentui.core.errors import TokentuiError
    from tokentui.core.service import Service  # noqa: F401

    while True:
        job: Job | None = conn.recv()
        if job is None:
            return
        try:
            run = _call(job)
        except BaseException:
            barrier.abort()  # the others must not wait for a worker that will never come
            conn.send(Outcome("crashed", error=traceback.format_exc()))
            continue
        try:
            barrier.wait(PATIENCE_SECONDS)
            outcome = Outcome("ok", value=run())
        except TokentuiError as refusal:
            outcome = Outcome("refused", error=type(refusal).__name__, message=str(refusal))
        except BaseException:
            outcome = Outcome("crashed", error=traceback.format_exc())
        conn.send(outcome)


class WorkerPool:
    """``size`` long-lived worker processes; :meth:`run` gives each one job and collects the outcomes.

    The processes are started once and reused, so a test pays for their
    interpreters' start only once per module.
    """

    def __init__(self, size: int = 8) -> None:
        context = multiprocessing.get_context("spawn")
        self.size = size
        self._barrier = context.Barrier(size)
        self._conns: list[Connection] = []
        self._processes: list[SpawnProcess] = []
        for index in range(size):
            parent_end, child_end = context.Pipe()
            process = context.Process(
                target=_serve, args=(child_end, self._barrier), name=f"trust-worker-{index}", daemon=True
            )
            process.start()
            child_end.close()
            self._conns.append(parent_end)
            self._processes.append(process)

    def run(self, jobs: list[Job]) -> list[Outcome]:
        """Run one job per worker, all at once; the outcomes in the jobs' order."""
        if len(jobs) != self.size:
            raise ValueError(f"a round needs exactly {self.size} jobs, got {len(jobs)}")
        self._barrier.reset()
        for conn, job in zip(self._conns, jobs, strict=True):
            conn.send(job)
        outcomes = []
        for index, conn in enumerate(self._conns):
            if not conn.poll(PATIENCE_SECONDS):
                raise RuntimeError(f"worker {index} gave no answer")
            outcomes.append(conn.recv())
        return outcomes

    def close(self) -> None:
        """Stop the workers (they finish their loop; stragglers are terminated)."""
        for conn in self._conns:
            with contextlib.suppress(OSError):
                conn.send(None)
        for process in self._processes:
            process.join(10)
            if process.is_alive():
                process.terminate()
                process.join()
        for conn in self._conns:
            conn.close()
