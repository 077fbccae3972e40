"""A WSGI app behind an RSGI front that reads each request body whole, under one deadline,
before a thread that runs the app ever sees the request.

Granian's WSGI interface hands the app a body stream that holds the worker's thread until the
bytes arrive: fifty connections that sent their headers and then trickled their bodies held
every thread of every checkout worker, and shoppers waited for good (docs/security.md, slow
clients). Here the body is read on the event loop, where a connection waiting for its bytes
costs no thread, and cut off with a 408 once `BODY_DEADLINE_SECONDS` pass. Only then does the
WSGI app run, on one of the process's lanes (lanes.py), on the body in memory. A body over
the app's `MAX_CONTENT_LENGTH` is read (and dropped) up to `DRAIN_BYTES`, so its sender gets
the app's 413 rather than a broken pipe, and the app sees only its first bytes.

The front speaks RSGI, granian's own interface, rather than ASGI: ASGI builds a Python dict for
every body chunk and two for every response, under the interpreter lock the app's lane needs
too, and an insert cost about a twentieth more (docs/performance.md, T5).
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


def content_length(headers) -> int | None:
    """The request's Content-Length as a number; None when absent or not a number."""
    value = headers.get("content-length")
    return int(value) if value is not None and value.strip().isdigit() else None


def has_body(headers) -> bool:
    """Whether the request says a body follows: a length above 0, or a transfer coding
    (HTTP/1.1's only two ways; serving.py runs granian on HTTP/1.1 only)."""
    return "transfer-encoding" in headers or bool(content_length(headers))


async def read_body(chunks, keep: int, length: int | None) -> tuple[bytes, bool]:
    """The first `keep` bytes of the body and whether the client left before sending it all;
    reads (and drops) the rest up to DRAIN_BYTES."""
    kept, size = [], 0
    async for chunk in chunks:
        if size < keep:
            kept.append(chunk[: keep - size])
        size += len(chunk)
        if size > DRAIN_BYTES:
            return b"".join(kept), False
    # granian simply ends the chunks when the client goes: only the announced length tells.
    # A chunked body has none, so one cut short reaches the app as it came; a cut JSON object
    # does not parse, and the app refuses it with a 400 that changes nothing.
    return b"".join(kept), length is not None and size < length


async def read_body_in_time(chunks, keep: int, length: int | None) -> tuple[bytes, bool]:
    """`read_body` under the body deadline; asyncio.TimeoutError once it passes."""
    reading = read_body(chunks, keep, length)
    # Python 3.10 has no asyncio.timeout. On 3.11, wait_for wraps the read in a task of its
    # own, a twentieth of an insert's cost here (docs/performance.md, T5); the timeout is a
    # deadline on the running task (and from 3.12 on, what wait_for does too).
    if sys.version_info < (3, 11):
        return await asyncio.wait_for(reading, BODY_DEADLINE_SECONDS)
    async with asyncio.timeout(BODY_DEADLINE_SECONDS):
        return await reading


def _host_and_port(address: str) -> tuple[str, str]:
    """`127.0.0.1:8002` or `[::1]:8002` as its host and port."""
    host, _, port = address.rpartition(":")
    return host.strip("[]"), port


def environ_for(scope, body: bytes) -> dict:
    """The WSGI environ of an RSGI HTTP scope, with `body` as its input."""
    server_name, server_port = _host_and_port(scope.server)
    environ = {
        "REQUEST_METHOD": scope.method,
        "SCRIPT_NAME": "",
        # WSGI carries the path as bytes read as latin-1.
        "PATH_INFO": scope.path.encode("utf-8").decode("latin-1"),
        "QUERY_STRING": scope.query_string,
        "SERVER_NAME": server_name,
        "SERVER_PORT": server_port,
        "SERVER_PROTOCOL": f"HTTP/{scope.http_version}",
        "REMOTE_ADDR": _host_and_port(scope.client)[0],
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": scope.scheme,
        "wsgi.input": io.BytesIO(body),
        # The body is whole in memory: a chunked one (no Content-Length) ends where it ends.
        "wsgi.input_terminated": True,
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }
    # Names come in lower case. granian leaves out a header whose value is not plain ASCII
    # (a browser may send one only in a cookie, and these apps keep none): such an
    # Authorization counts as none, and is refused as none.
    for name, value in scope.headers.items():
        name = name.upper().replace("-", "_")
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
    return int(started["status"].split(" ", 1)[0]), started["headers"], body


class BufferedBody:
    """The RSGI app: buffer the body under a deadline, then run `wsgi_app` in a thread."""

    def __init__(self, wsgi_app, threads: int = 1):
        self.wsgi_app = wsgi_app
        limit = getattr(wsgi_app, "config", {}).get("MAX_CONTENT_LENGTH")
        # One byte past the limit: enough for the app to see that the body is over it.
        self.keep = (limit if limit is not None else DRAIN_BYTES) + 1
        self.lanes = Lanes(threads, name="wsgi")

    async def __rsgi__(self, scope, protocol):
        # A request without a body has nothing to wait for: it skips the deadline's cost.
        if has_body(scope.headers):
            try:
                body, gone = await read_body_in_time(
                    protocol, self.keep, content_length(scope.headers)
                )
            except asyncio.TimeoutError:
                self.too_slow(protocol)
                return
            if gone:
                return
        else:
            body = b""
        status, headers, content = await asyncio.wrap_future(
            self.lanes.submit(call_wsgi, self.wsgi_app, environ_for(scope, body))
        )
        protocol.response_bytes(status, headers, content)

    def too_slow(self, protocol) -> None:
        """408 in the JSON error shape of every app; the connection is closed after it."""
        content = (
            b'{"error": "request-timeout", "message": "the request body did not arrive within'
            + f' {BODY_DEADLINE_SECONDS:g} s", "details": []}}'.encode()
        )
        headers = [("content-type", "application/json"), ("connection", "close")]
        protocol.response_bytes(408, headers, content)


def from_environment() -> BufferedBody:
    """The RSGI app for granian: the WSGI factory named by MFE_WSGI_TARGET (`module:factory`)."""
    threads = int(os.environ.get(THREADS_VARIABLE, "1"))
    return BufferedBody(reloading.load(os.environ[TARGET_VARIABLE]), threads)
