"""The HTTP figures of ``run.py``: tokentui's server against a bare Starlette one, under the same load.

Both servers are started the same way, as their own processes on a socket
from :func:`tokentui.api.server.bind` (``tokentui serve --port 0`` and
``bare_http.py``), with standard error going to a file (the access log is
written, as a deployment writes it). The load comes from ``load.py`` in its
own process: 16 clients on raw sockets, keep-alive or one connection per
request. Measurements alternate between the two servers in rounds, so machine
noise hits both alike; each figure is a rate over every round, and a latency
percentile is the worst of the rounds'.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scratch import copy_store, remove_store

HERE = Path(__file__).resolve().parent
OWNER = "ada.lovelace@northwind.example"
ROUNDS = 2
_BANNER = re.compile(r"serving (?:the token API )?on http://127\.0\.0\.1:(\d+)")


def run_http(args: argparse.Namespace, stores: Any, emit: Callable[..., None]) -> None:
    """Measure and emit every ``http_*`` metric on a scratch copy of the big store."""
    directory: Path = stores.directory
    url = copy_store(directory, f"big-{args.tokens}", "http-scratch")
    try:
        plan = _requests(url, directory, args.http_secrets)
        _measure(args, url, directory, plan, emit)
    finally:
        remove_store(directory, "http-scratch")
        for path in directory.glob("http-*.requests.json"):
            path.unlink()


def _measure(
    args: argparse.Namespace, url: str, directory: Path, plan: dict[str, Path], emit: Callable[..., None]
) -> None:
    seconds, clients = args.http_seconds, args.http_clients
    warm = min(0.5, seconds / 2)

    def load(server: Served, name: str, *, new_connection: bool = False) -> dict[str, Any]:
        before = _cpu_seconds(server.pid)
        found = _load(server.port, plan[name], seconds / ROUNDS, clients, new_connection)
        found["server_cpu_s"] = _cpu_seconds(server.pid) - before
        return found

    with (
        _server(_bare_command(), directory / "bare.log") as bare,
        _server(_serve_command(url), directory / "serve.log") as ours,
    ):
        for server in (bare, ours):
            _load(server.port, plan["verify"], warm, clients, False)  # warm both up
        for new_connection, metric in (
            (False, "http_verify_keepalive"),
            (True, "http_verify_new_connection"),
        ):
            theirs, mine = [], []
            for _ in range(ROUNDS):
                theirs.append(load(bare, "verify", new_connection=new_connection))
                mine.append(load(ours, "verify", new_connection=new_connection))
            got, limit = _merged(mine), _merged(theirs)
            ratio = got["per_s"] / limit["per_s"]
            keepalive = not new_connection
            emit(
                metric,
                got["per_s"],
                "req/s",
                baseline=limit["per_s"],
                target="ratio >= 0.5 and p99 <= 10 ms" if keepalive else None,
                passed=(ratio >= 0.5 and got["p99_s"] <= 0.010 and got["errors"] == 0) if keepalive else None,
                clients=clients,
                p50_ms=got["p50_s"] * 1000,
                p99_ms=got["p99_s"] * 1000,
                baseline_p50_ms=limit["p50_s"] * 1000,
                baseline_p99_ms=limit["p99_s"] * 1000,
                errors=got["errors"],
                statuses=got["statuses"],
                client_cpu=max(got["client_cpu"], limit["client_cpu"]),
                server_cpu_us_per_request=got["server_cpu_us"],
                baseline_server_cpu_us_per_request=limit["server_cpu_us"],
                note="POST /verify with an issued secret (allowed), "
                + ("keep-alive" if keepalive else "a new connection per request")
                + "; baseline: a bare Starlette endpoint answering the same JSON on the same uvicorn "
                "(bare_http.py); client_cpu: the load generator's share of a core; server_cpu: "
                "the server process's CPU time per request (steadier than a rate on a shared VM)",
            )
            if got["errors"]:
                print(f"{metric}: {got['samples']}", file=sys.stderr)
        baseline = limit = _merged([load(bare, "verify") for _ in range(ROUNDS)])  # for the listings
        for name, metric, what in (
            ("list", "http_list_tokens", "GET /users/me/access_tokens?limit=25"),
            ("create", "http_create_token", "POST /users/me/access_tokens (a new token each)"),
            ("org", "http_org_tokens", "GET /organizations/{id}/access_tokens?limit=25 (an admin)"),
        ):
            got = _merged([load(ours, name) for _ in range(ROUNDS)])
            emit(
                metric,
                got["per_s"],
                "req/s",
                baseline=limit["per_s"],
                target="no error under load",
                passed=got["errors"] == 0,
                clients=clients,
                p50_ms=got["p50_s"] * 1000,
                p99_ms=got["p99_s"] * 1000,
                errors=got["errors"],
                statuses=got["statuses"],
                server_cpu_us_per_request=got["server_cpu_us"],
                note=f"{what}, keep-alive; baseline: the bare verify endpoint (bare_http.py), same run",
            )
            if got["errors"]:
                print(f"{metric}: {got['samples']}", file=sys.stderr)
    workers = 2
    with (
        _server(_serve_command(url), directory / "serve.log") as ours,
        _server(_serve_command(url, "--workers", str(workers)), directory / "workers.log") as many,
    ):
        for server in (ours, many):
            _load(server.port, plan["verify"], warm, clients, False)
        singles, multiples = [], []
        for _ in range(ROUNDS):
            singles.append(load(ours, "verify"))
            multiples.append(load(many, "verify"))
        one, got = _merged(singles), _merged(multiples)
    emit(
        "http_verify_workers",
        got["per_s"],
        "req/s",
        baseline=one["per_s"],
        workers=workers,
        cpus=os.cpu_count(),
        p50_ms=got["p50_s"] * 1000,
        p99_ms=got["p99_s"] * 1000,
        errors=got["errors"],
        bare_per_s=baseline["per_s"],
        baseline_p99_ms=one["p99_s"] * 1000,
        server_cpu_us_per_request=got["server_cpu_us"],
        note=f"`tokentui serve --workers {workers}`, POST /verify keep-alive; baseline: one worker, "
        "same run (the load generator shares the machine's cores)",
    )


def _merged(rounds: list[dict[str, Any]]) -> dict[str, Any]:
    """Rounds as one: the rate over all of them, the worst latency percentile, statuses summed."""
    statuses: dict[str, int] = {}
    for r in rounds:
        for status, count in r["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    errors = sum(c for s, c in statuses.items() if int(s) >= 400) + sum(
        sum(r["failures"].values()) for r in rounds
    )
    samples = {k: v for r in rounds for k, v in r["error_samples"].items()}
    samples.update({k: v for r in rounds for k, v in r["failures"].items()})
    return {
        "per_s": sum(r["requests"] for r in rounds) / sum(r["seconds"] for r in rounds),
        "p50_s": max(r["p50_s"] for r in rounds),
        "p99_s": max(r["p99_s"] for r in rounds),
        "statuses": statuses,
        "errors": errors,
        "samples": samples,
        "client_cpu": max(r["client_cpu"] for r in rounds),
        "server_cpu_us": sum(r.get("server_cpu_s", 0.0) for r in rounds)
        / max(1, sum(r["requests"] for r in rounds))
        * 1e6,
    }


def _requests(url: str, directory: Path, secrets: int) -> dict[str, Path]:
    """Issue the secrets the load needs (in this process, never written anywhere) and write the requests.

    ``secrets`` for verify and a fifth as many bearers for the other endpoints, taken in
    turn, so each token stays under the default rate limit (50 a second): 500 secrets are
    20 a second each at 10,000 requests a second.

    The request files hold the secrets (readable by this user only) and are deleted with
    the scratch store at the end of the run.
    """
    from tokentui.core.service import open_service
    from tokentui.core.vocabulary import TokenKind

    service = open_service(url)
    actor = service.actor(OWNER, None)
    space = service.spaces(actor)[0].name
    org = next(o for o in service.organizations(OWNER) if o.role.value in ("owner", "admin"))

    def issue(n: int, scope: str) -> list[str]:
        return [
            service.create_token(
                actor, TokenKind.PERSONAL, name=f"http bench {scope} {i}", scopes=[scope]
            ).secret
            for i in range(n)
        ]

    readers = issue(secrets, "content_management_read")
    managers = issue(max(1, secrets // 5), "content_management_manage")
    service.store.dispose()
    json_type = {"Content-Type": "application/json"}
    cma = {"Content-Type": "application/vnd.contentful.management.v1+json"}
    verify_body = json.dumps({"action": "content.read", "space": space})
    plans = {
        "verify": [
            ["POST", "/verify", {"Authorization": f"Bearer {s}", **json_type}, verify_body] for s in readers
        ],
        "list": [
            ["GET", "/users/me/access_tokens?limit=25", {"Authorization": f"Bearer {s}"}, ""]
            for s in managers
        ],
        "create": [
            [
                "POST",
                "/users/me/access_tokens",
                {"Authorization": f"Bearer {s}", **cma},
                json.dumps({"name": "http bench made", "scopes": ["content_management_read"]}),
            ]
            for s in managers
        ],
        "org": [
            ["GET", f"/organizations/{org.id}/access_tokens?limit=25", {"Authorization": f"Bearer {s}"}, ""]
            for s in managers
        ],
    }
    paths = {}
    for name, requests in plans.items():
        path = directory / f"http-{name}.requests.json"
        path.write_text(json.dumps(requests))
        path.chmod(0o600)
        paths[name] = path
    return paths


def _serve_command(url: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tokentui", "--db", url, "serve", "--port", "0", *extra]


def _bare_command() -> list[str]:
    return [sys.executable, str(HERE / "bare_http.py"), "--port", "0"]


@dataclass(frozen=True)
class Served:
    port: int
    pid: int


def _cpu_seconds(pid: int) -> float:
    """CPU time used so far by process ``pid`` and its live children (the workers)."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            children = [int(p) for p in f.read().split()]
    except OSError:
        children = []
    total = 0.0
    for each in (pid, *children):
        try:
            with open(f"/proc/{each}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


@contextmanager
def _server(command: list[str], log: Path) -> Iterator[Served]:
    """Start a server whose standard error goes to ``log``; yield its port and pid; stop it with SIGTERM."""
    with log.open("w") as err:
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=err)
    try:
        deadline = time.monotonic() + 60
        while True:
            found = _BANNER.search(log.read_text())
            if found:
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{' '.join(command)} did not start:\n{log.read_text()}")
            time.sleep(0.05)
        yield Served(int(found.group(1)), proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _load(port: int, requests: Path, seconds: float, clients: int, new_connection: bool) -> dict[str, Any]:
    command = [
        sys.executable,
        str(HERE / "load.py"),
        "--port",
        str(port),
        "--requests",
        str(requests),
        "--clients",
        str(clients),
        "--seconds",
        str(seconds),
    ]
    if new_connection:
        command.append("--new-connection")
    result = subprocess.run(command, capture_output=True, text=True, timeout=600)
    if result.returncode != 0:
        raise SystemExit(f"load.py failed:\n{result.stderr}")
    found: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return found
