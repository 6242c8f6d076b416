"""Running the API on uvicorn: the socket, the logging, the server.

The socket is bound here rather than by uvicorn so that ``--port 0`` works
(the kernel picks a free port, and the address actually bound is announced).
uvicorn's own access log is off: :mod:`tokentui.api.middleware` writes one
that redacts secrets and never logs headers. Every log line also passes a
redacting filter on its way out, in case anything else ever quotes one.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable
from typing import Any

import uvicorn

from tokentui.api.app import create_app
from tokentui.core.access.redact import redact
from tokentui.core.service import Service


class RedactingFilter(logging.Filter):
    """Replaces secret-shaped text in a record's message before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drop it."""
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


LOG_CONFIG: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": RedactingFilter}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)-7s %(name)s: %(message)s"}},
    "handlers": {
        "stderr": {
            "class": "logging.StreamHandler",
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


def run(service: Service, host: str, port: int, announce: Callable[[str], None], **app_options: Any) -> None:
    """Serve until interrupted; ``announce`` is told the address actually bound."""
    sock = bind(host, port)
    bound_host, bound_port = sock.getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    announce(f"http://{shown}:{bound_port}")
    make_server(service, **app_options).run(sockets=[sock])
