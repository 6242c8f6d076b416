"""Fixtures for the HTTP API: the real server on a loopback port, driven by Contentful's SDK and raw HTTP.

The server runs on uvicorn in a thread of the test process, over the test's
store and clock, so expiry is tested by moving the clock, never by sleeping.
Every log record of the server is captured unfiltered (without the redacting
filter production logging adds), so a test can assert that no code path ever
logs a secret in the first place.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import contentful_management
import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select

from tests.conftest import Clock, Org
from tokentui.api.server import bind, make_server
from tokentui.core.models import AuditEvent, Token
from tokentui.core.service import Actor, Service


class Captured(logging.Handler):
    """Every record, formatted with its traceback, as the server's operator would see it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@dataclass
class RunningApi:
    """The API server under test."""

    service: Service
    clock: Clock
    port: int
    _server: Any
    _thread: threading.Thread
    _captured: Captured
    _http: httpx.Client = field(init=False)

    def __post_init__(self) -> None:
        self._http = httpx.Client(base_url=self.url, timeout=30)

    @property
    def app(self) -> Any:
        """The Starlette app being served (its ``state`` holds the limits a test may tighten)."""
        return self._server.config.app

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def sdk(self, secret: str) -> contentful_management.Client:
        """Contentful's own client, pointed at this server."""
        return contentful_management.Client(
            secret, api_url=f"127.0.0.1:{self.port}", https=False, max_rate_limit_retries=0
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        secret: str | None = None,
        headers: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> httpx.Response:
        """A raw HTTP request, with ``Authorization: Bearer <secret>`` when a secret is given."""
        sent = dict(headers or {})
        if secret is not None:
            sent.setdefault("Authorization", f"Bearer {secret}")
        return self._http.request(method, path, headers=sent, **kwargs)

    def stop(self) -> None:
        """Shut the server down and wait for it (idempotent)."""
        if self._thread.is_alive():
            self._server.should_exit = True
            self._thread.join(30)
        self._http.close()

    def logs(self) -> str:
        """Everything the server logged; stops it first, so every line has been written."""
        self.stop()
        return "\n".join(self._captured.lines)


@contextmanager
def running_api(service: Service, clock: Clock, **app_options: Any) -> Iterator[RunningApi]:
    """A server over ``service`` on a free loopback port, for as long as the block lasts.

    ``app_options`` go to create_app (e.g. ``rate_limit``, ``cors_origins``).
    """
    captured = Captured()
    loggers = [logging.getLogger(name) for name in ("tokentui", "uvicorn")]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.setLevel(logging.DEBUG)
        lg.addHandler(captured)
    server = make_server(service, configure_logging=False, **app_options)
    sock: socket.socket = bind("127.0.0.1", 0)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the API server did not start")
        time.sleep(0.01)
    running = RunningApi(service, clock, sock.getsockname()[1], server, thread, captured)
    try:
        yield running
    finally:
        running.stop()
        sock.close()
        for lg, level in saved:
            lg.removeHandler(captured)
            lg.setLevel(level)


@pytest.fixture
def api(service: Service, clock: Clock) -> Iterator[RunningApi]:
    with running_api(service, clock) as running:
        yield running


def pat(org: Org, actor: Actor, *scopes: str, expires: str = "never", name: str = "fixture token") -> str:
    """The secret of a new personal access token of ``actor``, made through the core."""
    created = org.service.create_token(
        actor, "personal", name=name, scopes=scopes or ("content_management_manage",), expires=expires
    )
    return created.secret


@dataclass(frozen=True)
class StoreState:
    """What a refused request must leave exactly as it was."""

    tokens: tuple[tuple[Any, ...], ...]
    audit_events: int


def store_state(service: Service) -> StoreState:
    """Every token's mutable columns, and the number of audit events."""
    with service.store.read() as session:
        rows = session.exec(
            select(Token.id, Token.name, Token.revoked_at, Token.expires_at, Token.last_used_at).order_by(
                Token.id
            )
        ).all()
        events = session.exec(select(func.count()).select_from(AuditEvent)).one()
    return StoreState(tuple(tuple(r) for r in rows), int(events))
