"""The limit for ``POST /verify`` over HTTP: a bare Starlette endpoint answering verify's JSON.

    python benchmarks/bare_http.py [--host 127.0.0.1] [--port 0]

Started as ``tokentui serve`` is started in the benchmark: its own process, a
socket from :func:`tokentui.api.server.bind`, the same uvicorn settings
(no access log, no server header, no lifespan), the same banner on standard
error. The endpoint reads the body as JSON and answers a fixed allowed
decision of the same shape and size as tokentui's: no envelope, no limits, no
store. What tokentui's ``/verify`` costs beyond this is what it adds.
"""

from __future__ import annotations

import argparse
import json
import sys

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tokentui.api.server import bind

ANSWER = {
    "allowed": True,
    "reason": "allowed",
    "tokenId": "4vGh0aZqBxWn2Rk8LdT1Ys",
    "user": "bench@example.test",
}


async def verify(request: Request) -> Response:
    json.loads(await request.body())
    return JSONResponse(ANSWER)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    sock = bind(args.host, args.port)
    host, port = sock.getsockname()[:2]
    print(f"bare: serving on http://{host}:{port}", file=sys.stderr, flush=True)
    app = Starlette(routes=[Route("/verify", verify, methods=["POST"])])
    config = uvicorn.Config(app, access_log=False, server_header=False, lifespan="off", log_level="warning")
    uvicorn.Server(config).run(sockets=[sock])


if __name__ == "__main__":
    main()
