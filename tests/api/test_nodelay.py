"""Accepted connections send at once: ``TCP_NODELAY`` is set on every socket the server accepts.

Without it an answer on a kept-alive connection waits for the client's delayed
acknowledgement of the previous one. What is checked is the option on the
server's own end of a real connection, as the running uvicorn server holds it.
"""

from __future__ import annotations

import http.client
import socket

from tests.api.conftest import RunningApi


def test_accepted_connections_have_tcp_nodelay(api: RunningApi) -> None:
    client = http.client.HTTPConnection("127.0.0.1", api.port, timeout=30)
    try:
        for _ in range(2):  # two requests on one kept-alive connection
            client.request("POST", "/verify", body=b'{"action": "content.read"}')
            answer = client.getresponse()
            answer.read()
            assert answer.status == 401
        connections = list(api._server.server_state.connections)
        assert connections, "the server holds no connection"
        for connection in connections:
            sock = connection.transport.get_extra_info("socket")
            assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        client.close()
