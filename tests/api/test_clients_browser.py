"""Contentful's JS SDK browser build, unchanged, in headless Chromium, from a page of another origin.

The API answers CORS preflights (``serve --cors-origin``, default ``*``); without them the SDK's
requests fail in the browser with "Network Error" before they reach a route.
"""

from __future__ import annotations

import json
import os
import queue
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import pytest

from tests.api.clients import CLIENTS, NODE_MODULES, need_node_clients
from tests.api.conftest import pat, running_api
from tests.conftest import Clock, Org

SDK = NODE_MODULES / "contentful-management" / "dist" / "browser" / "index.min.js"
# Headless and offline: without the background-networking flags Chromium keeps dialling
# Google's hosts, which this closed network refuses.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def need_chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the browser check, but chromium is missing")
        pytest.skip("chromium is missing")
    return found


@contextmanager
def page_server() -> Iterator[tuple[int, queue.Queue[dict[str, object]]]]:
    """The page and the SDK build on a loopback port of their own (another origin than the API)."""
    results: queue.Queue[dict[str, object]] = queue.Queue()
    files = {"/": (CLIENTS / "browser.html", "text/html"), "/sdk.js": (SDK, "text/javascript")}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path, content_type = files.get(self.path.split("?")[0], (None, ""))
            if path is None:
                self.send_error(404)
                return
            body = path.read_bytes()
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            results.put(json.loads(self.rfile.read(length)))
            self.send_response(204)
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], results
    finally:
        server.shutdown()
        server.server_close()


def run_page(
    chromium: str, api_port: int, secret: str, org_id: str, *, retry: bool = True
) -> dict[str, object]:
    """Open the page in headless Chromium and return what it posted back."""
    with page_server() as (page_port, results), tempfile.TemporaryDirectory() as profile:
        asked = {"host": f"127.0.0.1:{api_port}", "secret": secret, "org": org_id}
        query = urlencode(asked if retry else {**asked, "retry": "no"})
        browser = subprocess.Popen(
            [chromium, *FLAGS, f"--user-data-dir={profile}", f"http://127.0.0.1:{page_port}/?{query}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            return results.get(timeout=90)
        finally:
            browser.terminate()
            browser.wait(timeout=30)


def test_the_browser_build_works_from_another_origin(clock: Clock, org: Org) -> None:
    need_node_clients()
    chromium = need_chromium()
    owner = pat(org, org.owner)
    with running_api(org.service, clock) as api:
        org_id = api.request("GET", "/organizations", secret=owner).json()["items"][0]["sys"]["id"]
        result = run_page(chromium, api.port, owner, org_id)
    assert "error" not in result, result
    # The page's origin is its own port, not the API's: every call below crossed origins.
    assert result["origin"] != f"http://127.0.0.1:{api.port}"
    assert result["created"] == {"name": "browser sdk", "hasSecret": True}
    page = result["page"]
    assert isinstance(page, dict) and page["items"] == 1 and page["total"] >= 2
    assert isinstance(result["org"], int) and result["org"] >= 2
    assert result["revoked"] is True
    assert result["me"] == org.owner.email
    assert isinstance(result["legacyTokens"], int) and result["legacyTokens"] >= 2
    assert result["notFound"] == "NotFound"


def test_an_origin_not_allowed_is_refused_by_the_browser(clock: Clock, org: Org) -> None:
    need_node_clients()
    chromium = need_chromium()
    owner = pat(org, org.owner)
    before = org.service.count_tokens(org.owner)
    with running_api(org.service, clock, cors_origins=["https://admin.example.test"]) as api:
        org_id = api.request("GET", "/organizations", secret=owner).json()["items"][0]["sys"]["id"]
        result = run_page(chromium, api.port, owner, org_id, retry=False)
    assert result == {"error": "Network Error"}
    assert org.service.count_tokens(org.owner) == before  # the browser sent nothing past the preflight
