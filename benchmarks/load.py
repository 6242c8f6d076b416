"""A small HTTP/1.1 load generator: N concurrent clients, keep-alive or a new connection each request.

    python benchmarks/load.py --port P --requests FILE [--clients 16] [--seconds 3] [--new-connection]

``FILE`` holds JSON: a list of requests, each ``[method, path, headers, body]``;
client ``i`` sends them round-robin starting at ``i``. Each client is one
``asyncio.Protocol`` on a raw socket that sends a request, waits for the whole
answer (``Content-Length`` bodies only, as both servers send) and sends the
next: no HTTP library, so the client spends a few microseconds a request and
the server under test is what is measured. Prints one JSON object: requests,
requests per second, latency percentiles, statuses, and the CPU this process
used (a client near a whole core would itself be the limit).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import time
from collections import Counter


def encode(method: str, path: str, headers: dict[str, str], body: str, *, close: bool) -> bytes:
    """One request's bytes."""
    raw = body.encode()
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    if raw or method in ("POST", "PUT"):
        lines.append(f"Content-Length: {len(raw)}")
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + raw


class Client(asyncio.Protocol):
    """One connection: parses answers as they arrive, reports each one as done."""

    def __init__(self, done: asyncio.Future[tuple[int, bytes]]) -> None:
        self.buffer = b""
        self.done = done
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        head = self.buffer[:end]
        length = 0
        at = head.lower().find(b"\r\ncontent-length:")
        if at >= 0:
            stop = head.find(b"\r\n", at + 2)
            length = int(head[at + 17 : stop if stop > 0 else len(head)])
        total = end + 4 + length
        if len(self.buffer) < total:
            return
        status = int(head[9:12])
        body = self.buffer[end + 4 : total]
        self.buffer = self.buffer[total:]
        if not self.done.done():
            self.done.set_result((status, body))

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_exception(ConnectionError(str(exc or "closed")))


async def run(port: int, requests: list[bytes], clients: int, seconds: float, new_connection: bool) -> dict:
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    failures: Counter[str] = Counter()
    samples: dict[int, str] = {}
    deadline = 0.0

    async def connect(done: asyncio.Future[tuple[int, bytes]]) -> Client:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setblocking(False)
        await loop.sock_connect(sock, ("127.0.0.1", port))
        _, protocol = await loop.create_connection(lambda: Client(done), sock=sock)
        return protocol

    async def one(index: int) -> None:
        n = index
        protocol: Client | None = None
        while time.perf_counter() < deadline:
            request = requests[n % len(requests)]
            n += clients
            done: asyncio.Future[tuple[int, bytes]] = loop.create_future()
            started = time.perf_counter()
            try:
                if protocol is None or new_connection:
                    protocol = await connect(done)
                else:
                    protocol.done = done
                assert protocol.transport is not None
                protocol.transport.write(request)
                status, body = await done
            except (ConnectionError, OSError) as exc:
                failures[type(exc).__name__] += 1
                protocol = None
                continue
            latencies.append(time.perf_counter() - started)
            statuses[status] += 1
            if status >= 400 and status not in samples:
                samples[status] = body[:300].decode("utf-8", "replace")
            if new_connection and protocol.transport is not None:
                protocol.transport.close()
                protocol = None
        if protocol is not None and protocol.transport is not None:
            protocol.transport.close()

    cpu = os.times()
    started = time.perf_counter()
    deadline = started + seconds
    await asyncio.gather(*(one(i) for i in range(clients)))
    elapsed = time.perf_counter() - started
    used = os.times()
    latencies.sort()
    count = len(latencies)

    def pick(q: float) -> float:
        return latencies[min(count - 1, int(q * count))] if count else 0.0

    return {
        "requests": count,
        "seconds": elapsed,
        "per_s": count / elapsed,
        "p50_s": pick(0.50),
        "p99_s": pick(0.99),
        "max_s": latencies[-1] if count else 0.0,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "failures": dict(failures),
        "error_samples": {str(k): v for k, v in samples.items()},
        "client_cpu": (used.user + used.system - cpu.user - cpu.system) / elapsed,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--requests", required=True, help="JSON file: [[method, path, headers, body], ...]")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--new-connection", action="store_true")
    args = parser.parse_args()
    with open(args.requests) as f:
        listed = json.load(f)
    requests = [encode(m, p, h, b, close=args.new_connection) for m, p, h, b in listed]
    print(json.dumps(asyncio.run(run(args.port, requests, args.clients, args.seconds, args.new_connection))))


if __name__ == "__main__":
    main()
