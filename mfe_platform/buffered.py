"""A WSGI app behind an ASGI front that reads each request body whole, under one deadline,
before a thread that runs the app ever sees the request.

Granian's WSGI interface hands the app a body stream that holds the worker's thread until the
bytes arrive: fifty connections that sent their headers and then trickled their bodies held
every thread of every checkout worker, and shoppers waited for good (docs/security.md, slow
clients). Here the body is read on the event loop, where a connection waiting for its bytes
costs no thread, and cut off with a 408 once `BODY_DEADLINE_SECONDS` pass. Only then does the
WSGI app run, on one of the process's lanes (lanes.py), on the body in memory. A body over
the app's `MAX_CONTENT_LENGTH` is read (and dropped) up to `DRAIN_BYTES`, so its sender gets
the app's 413 rather than a broken pipe, and the app sees only its first bytes.
"""

import asyncio
import io
import os
import sys

from mfe_platform import reloading
from mfe_platform.lanes import Lanes

BODY_DEADLINE_SECONDS = 10.0
DRAIN_BYTES = 16 * 1024 * 1024
TARGET_VARIABLE = "MFE_WSGI_TARGET"
# Threads per worker that run the WSGI app (serving.py sets it from the server's settings).
THREADS_VARIABLE = "MFE_WSGI_THREADS"


async def read_body(receive, keep: int) -> tuple[bytes, bool]:
    """The first `keep` bytes of the body and whether the client left; reads (and drops) the
    rest up to DRAIN_BYTES."""
    kept, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(kept), True
        chunk = message.get("body", b"")
        if size < keep:
            kept.append(chunk[: keep - size])
        size += len(chunk)
        if not message.get("more_body") or size > DRAIN_BYTES:
            return b"".join(kept), False


async def read_body_in_time(receive, keep: int) -> tuple[bytes, bool]:
    """`read_body` under the body deadline; asyncio.TimeoutError once it passes."""
    reading = read_body(receive, keep)
    # Python 3.10 has no asyncio.timeout. On 3.11, wait_for wraps the read in a task of its
    # own, a twentieth of an insert's cost here (docs/performance.md, T5); the timeout is a
    # deadline on the running task (and from 3.12 on, what wait_for does too).
    if sys.version_info < (3, 11):
        return await asyncio.wait_for(reading, BODY_DEADLINE_SECONDS)
    async with asyncio.timeout(BODY_DEADLINE_SECONDS):
        return await reading


def has_body(scope: dict) -> bool:
    """Whether the request says a body follows: a length above 0, or a transfer coding
    (HTTP/1.1's only two ways; serving.py runs granian on HTTP/1.1 only)."""
    for name, value in scope.get("headers", []):
        if name == b"transfer-encoding" or (name == b"content-length" and value.strip() != b"0"):
            return True
    return False


def environ_for(scope: dict, body: bytes) -> dict:
    """The WSGI environ of an ASGI HTTP scope, with `body` as its input."""
    server_name, server_port = scope.get("server") or ("localhost", 80)
    environ = {
        "REQUEST_METHOD": scope["method"],
        "SCRIPT_NAME": scope.get("root_path", ""),
        # WSGI carries the path as bytes read as latin-1.
        "PATH_INFO": scope["path"].encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.get("query_string", b"").decode("latin-1"),
        "SERVER_NAME": server_name,
        "SERVER_PORT": str(server_port),
        "SERVER_PROTOCOL": f"HTTP/{scope.get('http_version', '1.1')}",
        "REMOTE_ADDR": (scope.get("client") or ("", 0))[0],
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.get("scheme", "http"),
        "wsgi.input": io.BytesIO(body),
        # The body is whole in memory: a chunked one (no Content-Length) ends where it ends.
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").upper().replace("-", "_")
        value = raw_value.decode("latin-1")
        key = name if name in ("CONTENT_TYPE", "CONTENT_LENGTH") else f"HTTP_{name}"
        environ[key] = f"{environ[key]},{value}" if key in environ else value
    return environ


def call_wsgi(app, environ: dict) -> tuple[int, list, bytes]:
    """Run the WSGI app on `environ`; its status code, headers and whole body."""
    started = {}

    def start_response(status, headers, exc_info=None):
        started["status"], started["headers"] = status, headers
        return lambda data: None

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in started["headers"]]
    return int(started["status"].split(" ", 1)[0]), headers, body


class BufferedBody:
    """The ASGI app: buffer the body under a deadline, then run `wsgi_app` in a thread."""

    def __init__(self, wsgi_app, threads: int = 1):
        self.wsgi_app = wsgi_app
        limit = getattr(wsgi_app, "config", {}).get("MAX_CONTENT_LENGTH")
        # One byte past the limit: enough for the app to see that the body is over it.
        self.keep = (limit if limit is not None else DRAIN_BYTES) + 1
        self.lanes = Lanes(threads, name="wsgi")

    async def __call__(self, scope, receive, send):
        if scope["type"] == "lifespan":
            await self.lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        # A request without a body has nothing to wait for: it skips the deadline's cost.
        if has_body(scope):
            try:
                body, gone = await read_body_in_time(receive, self.keep)
            except asyncio.TimeoutError:
                await self.too_slow(send)
                return
            if gone:
                return
        else:
            body = b""
        status, headers, content = await asyncio.wrap_future(
            self.lanes.submit(call_wsgi, self.wsgi_app, environ_for(scope, body))
        )
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    async def too_slow(self, send) -> None:
        """408 in the JSON error shape of every app; the connection is closed after it."""
        content = (
            b'{"error": "request-timeout", "message": "the request body did not arrive within'
            + f' {BODY_DEADLINE_SECONDS:g} s", "details": []}}'.encode()
        )
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(content)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": 408, "headers": headers})
        await send({"type": "http.response.body", "body": content})

    async def lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return


def from_environment() -> BufferedBody:
    """The ASGI app for granian: the WSGI factory named by MFE_WSGI_TARGET (`module:factory`)."""
    threads = int(os.environ.get(THREADS_VARIABLE, "1"))
    return BufferedBody(reloading.load(os.environ[TARGET_VARIABLE]), threads)
