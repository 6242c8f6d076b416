"""Running the API on uvicorn: the socket, the logging, the server.

The socket is bound here rather than by uvicorn so that ``--port 0`` works
(the kernel picks a free port, and the address actually bound is announced).
uvicorn's own access log is off: :mod:`tokentui.api.middleware` writes one
that redacts secrets and never logs headers. Every log line also passes a
redacting filter on its way out, in case anything else ever quotes one.

The access log writes a line per request, so its way out is kept short: the
time stamp is made once a second (:class:`LineFormatter`), the message once
(:class:`RedactingFilter` leaves it formatted), and its lines of one turn of
the event loop go to standard error in one write (:class:`TurnBufferedHandler`).
"""

from __future__ import annotations

import contextlib
import copy
import gc
import ipaddress
import logging
import os
import signal
import socket
import sys
import time
from asyncio import AbstractEventLoop, get_running_loop
from collections.abc import Callable, Sequence
from typing import Any

import uvicorn

from tokentui.api.app import create_app
from tokentui.core.access.redact import redact
from tokentui.core.errors import TokentuiError
from tokentui.core.service import Service


class RedactingFilter(logging.Filter):
    """Replaces secret-shaped text in a record's message before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it.

        The message is left formatted, so the formatter does not format it a second time.
        """
        record.msg, record.args = redact(record.getMessage()), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


class LineFormatter(logging.Formatter):
    """A Formatter whose default time stamp is made once a second, not once a line.

    The stamp is the standard one (local time, then milliseconds); only its
    seconds part is kept between lines, and local time changes on a second's edge.
    """

    _second: tuple[int, str] = (-1, "")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        """The record's time as ``logging.Formatter`` writes it."""
        if datefmt is not None:
            return super().formatTime(record, datefmt)
        whole = int(record.created)
        second, stamp = self._second
        if second != whole:
            stamp = time.strftime(self.default_time_format, self.converter(whole))
            self._second = (whole, stamp)
        if self.default_msec_format:
            return self.default_msec_format % (stamp, record.msecs)
        return stamp


class TurnBufferedHandler(logging.StreamHandler):
    """A StreamHandler writing the lines a busy logger logs in one turn of the event loop in one write.

    A line of one of the ``batched`` loggers (the access log: a line per request)
    logged on a running event loop waits for the end of the loop's current turn
    (one callback, scheduled with the turn's first line): it reaches the stream
    as soon as the loop has done the work at hand, before the loop waits for
    more, and a busy server makes one write for many requests rather than one
    each. Every other line (an error, start-up, shut-down, a worker thread's) is
    written at once, after those waiting, so lines keep their order and the last
    line before the process ends (uvicorn's "Finished server process", just
    before it ends itself on SIGTERM) takes every waiting line out with it.
    """

    def __init__(self, stream: Any = None, batched: Sequence[str] = ()) -> None:
        super().__init__(stream)
        self.batched = frozenset(batched)
        self._waiting: list[str] = []
        self._flush_on: AbstractEventLoop | None = None  # the loop a flush is scheduled on

    def emit(self, record: logging.LogRecord) -> None:
        """Format ``record`` and write it now, or at the end of this turn of the loop."""
        try:
            line = self.format(record) + self.terminator
        except Exception:
            self.handleError(record)
            return
        self._waiting.append(line)
        if record.name in self.batched:
            try:
                loop = get_running_loop()
            except RuntimeError:
                pass
            else:
                if self._flush_on is not loop:
                    self._flush_on = loop
                    loop.call_soon(self.flush)
                return
        self.flush()

    def flush(self) -> None:
        """Write every waiting line in one write, then flush the stream."""
        with self.lock:  # type: ignore[union-attr]
            self._flush_on = None
            if self._waiting:
                text = "".join(self._waiting)
                self._waiting.clear()
                try:
                    self.stream.write(text)
                except Exception:
                    # Standard error is gone or full: nowhere is left to report it to.
                    return
            super().flush()


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": RedactingFilter}},
    "formatters": {
        "plain": {
            "class": "tokentui.api.server.LineFormatter",
            "format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        }
    },
    "handlers": {
        "stderr": {
            "class": "tokentui.api.server.TurnBufferedHandler",
            "batched": ["tokentui.api.access"],
            "stream": "ext://sys.stderr",
            "formatter": "plain",
            "filters": ["redact"],
        }
    },
    "loggers": {
        "uvicorn": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
        "uvicorn.access": {"handlers": [], "level": "WARNING", "propagate": False},
        "tokentui": {"handlers": ["stderr"], "level": "INFO", "propagate": False},
    },
}


def bind(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host``:``port`` (port 0: any free port).

    Made with ``IPPROTO_TCP`` named, not protocol 0: asyncio sets ``TCP_NODELAY``
    on an accepted connection only when its socket says it is TCP, and without
    it every answer on a kept-alive connection waits for the client's delayed
    acknowledgement of the previous one (Nagle's algorithm).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def make_server(service: Service, *, configure_logging: bool = True, **app_options: Any) -> uvicorn.Server:
    """A uvicorn server for the app over ``service`` (not yet running); ``app_options`` go to create_app.

    With ``configure_logging`` the process's logging is set up for serving
    (:data:`LOG_CONFIG`), and records stop carrying what no line of it shows:
    the caller's file and line (a walk up the stack on every record), and the
    thread's and process's names (the access log writes a record per request).
    """
    if configure_logging:
        logging._srcfile = None
        logging.logThreads = False
        logging.logProcesses = False
        logging.logMultiprocessing = False
    config = uvicorn.Config(
        create_app(service, **app_options),
        log_config=LOG_CONFIG if configure_logging else None,
        access_log=False,
        # Trust X-Forwarded-For/-Proto only from the addresses in FORWARDED_ALLOW_IPS (default: loopback).
        proxy_headers=True,
        server_header=False,
        lifespan="off",
        timeout_graceful_shutdown=10,
    )
    return uvicorn.Server(config)


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens to this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(
    service: Service,
    host: str,
    port: int,
    announce: Callable[[str], None],
    *,
    workers: int = 1,
    report: Callable[[str], None] | None = None,
    **app_options: Any,
) -> None:
    """Serve until interrupted; ``announce`` is told the address actually bound.

    With ``workers`` above 1, that many processes serve on the one socket
    (:class:`Workers`); ``report`` is told of a worker that ends on its own.
    """
    sock = bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    announce(f"http://{shown}:{bound_port}")
    if workers <= 1:
        _serve(service, sock, None, app_options)
        return
    Workers(service, sock, workers, report or (lambda line: None), app_options).run()


def _serve(service: Service, sock: socket.socket, worker: int | None, app_options: dict[str, Any]) -> None:
    """Run uvicorn on ``sock`` until it is told to stop (SIGINT or SIGTERM)."""
    server = make_server(service, **app_options)
    if worker is not None:
        # Every line says which worker wrote it, so an operator can tell them apart.
        server.config.log_config = _worker_log_config(worker)
        server.config.configure_logging()
    # What is loaded by now lives as long as the process: out of the collector's sight, a
    # full collection does not walk it (tens of milliseconds, in the middle of a request),
    # and forked workers keep sharing its pages.
    gc.collect()
    gc.freeze()
    server.run(sockets=[sock])


def _worker_log_config(worker: int) -> dict[str, Any]:
    config = copy.deepcopy(LOG_CONFIG)
    plain = config["formatters"]["plain"]
    plain["format"] = plain["format"].replace("%(name)s", f"[worker {worker} pid {os.getpid()}] %(name)s")
    return config


_STOPS = (signal.SIGINT, signal.SIGTERM)
# How long stopping workers get to finish their requests (uvicorn's own grace is 10 s).
STOP_SECONDS = 30


class Workers:
    """Pre-forked workers: N processes each running uvicorn on one socket bound by this one.

    The socket is bound once, here, so every worker accepts from the same
    queue and the kernel hands each connection to whichever is free. Each
    worker is forked after the store is closed in this process (a SQLite or
    PostgreSQL connection must not be shared across processes) and opens its
    own connections on first use; the schema was brought up to date once,
    before. SIGINT or SIGTERM here is passed on to every worker as SIGTERM
    (uvicorn's graceful shutdown); one that has not ended after
    :data:`STOP_SECONDS` is killed. A worker that ends while nobody asked is
    reported and the others serve on; when none is left, serving fails.
    """

    def __init__(
        self,
        service: Service,
        sock: socket.socket,
        count: int,
        report: Callable[[str], None],
        app_options: dict[str, Any],
    ) -> None:
        self.service = service
        self.sock = sock
        self.count = count
        self.report = report
        self.app_options = app_options
        self.pids: dict[int, int] = {}  # pid -> worker number
        self.stopping = False
        self.stop_deadline = 0.0

    def run(self) -> None:
        """Start the workers and wait for them; raise :class:`WorkersFailed` if they all ended on their own."""
        self.service.store.dispose()
        gc.collect()
        gc.freeze()
        previous = {sig: signal.signal(sig, self._stop) for sig in _STOPS}
        try:
            for number in range(1, self.count + 1):
                if not self.stopping:
                    self._start(number)
            self._wait()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            self._kill_all()
        if not self.stopping:
            raise WorkersFailed("every worker has stopped; the server is down")

    def _start(self, number: int) -> None:
        # Blocked across the fork: a stop arriving in between must not run this process's
        # handler in the new worker (which would signal its siblings).
        signal.pthread_sigmask(signal.SIG_BLOCK, _STOPS)
        pid = os.fork()
        if pid == 0:  # the worker
            code = 1
            try:
                self.pids.clear()
                for sig in _STOPS:
                    signal.signal(sig, signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)
                _serve(self.service, self.sock, number, self.app_options)
                code = 0
            except BaseException as exc:
                print(f"tokentui: worker {number}: {type(exc).__name__}: {exc}", file=sys.stderr)
            finally:
                # Never back into the caller's code (the CLI, its atexit handlers) in a worker.
                logging.shutdown()
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        self.pids[pid] = number
        signal.pthread_sigmask(signal.SIG_UNBLOCK, _STOPS)

    def _stop(self, signum: int, _frame: Any) -> None:
        self.stopping = True
        self.stop_deadline = time.monotonic() + STOP_SECONDS
        for pid in self.pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)

    def _wait(self) -> None:
        while self.pids:
            pid, status = os.waitpid(-1, os.WNOHANG)
            if pid == 0:
                if self.stopping and time.monotonic() > self.stop_deadline:
                    self._kill_all()
                time.sleep(0.05)
                continue
            number = self.pids.pop(pid, None)
            if number is None or self.stopping:
                continue
            self.report(f"worker {number} (pid {pid}) {_ended(status)}; {len(self.pids)} still serving")

    def _kill_all(self) -> None:
        for pid in list(self.pids):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, 0)
            self.pids.pop(pid, None)


def _ended(status: int) -> str:
    if os.WIFSIGNALED(status):
        return f"was killed by {signal.Signals(os.WTERMSIG(status)).name}"
    return f"exited with code {os.waitstatus_to_exitcode(status)}"


class WorkersFailed(TokentuiError):
    """Every worker ended without being asked to."""
