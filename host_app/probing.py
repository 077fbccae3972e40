"""Bounded GETs to the apps: one total deadline and a size cap per probe, all apps at once.

A socket timeout bounds each read, not the whole answer: a fork whose `/healthz` dripped one
byte a second kept a probe going for good, froze the health of every app behind it and made
`mfe status` time out. Here a probe gives up when its deadline passes or its answer outgrows
its cap, whatever the server does, and probes of several apps run side by side, so one slow
app delays nobody else.
"""

import socket
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit


class ProbeFailed(OSError):
    """The app did not give a whole answer in time, within the size cap, or at all."""


def _read_all(sock: socket.socket, deadline: float, max_bytes: int) -> bytes:
    chunks, size = [], 0
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise ProbeFailed("no whole answer before the deadline")
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except TimeoutError:
            raise ProbeFailed("no whole answer before the deadline") from None
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > max_bytes:
            raise ProbeFailed(f"answer larger than {max_bytes} bytes")
        chunks.append(chunk)


def bounded_get(url: str, path: str, deadline_seconds: float, max_bytes: int) -> bytes:
    """The body of a 200 answer to `GET {url}{path}`; ProbeFailed (an OSError) otherwise."""
    parts = urlsplit(url)
    host = "127.0.0.1" if parts.hostname == "localhost" else parts.hostname
    deadline = time.monotonic() + deadline_seconds
    # HTTP/1.0 and `Connection: close`: the answer ends when the server closes, no chunking.
    request = (
        f"GET {path} HTTP/1.0\r\nHost: {parts.netloc}\r\nAccept: application/json\r\n"
        "Connection: close\r\n\r\n"
    ).encode()
    with socket.create_connection((host, parts.port or 80), timeout=deadline_seconds) as sock:
        sock.sendall(request)
        raw = _read_all(sock, deadline, max_bytes)
    head, separator, body = raw.partition(b"\r\n\r\n")
    status_line = head.split(b"\r\n", 1)[0].split()
    if not separator or len(status_line) < 2 or status_line[1] != b"200":
        raise ProbeFailed(f"not a whole 200 answer from {url}{path}")
    return body


def side_by_side(fn: Callable, items: Iterable, quick: Callable = lambda item: False) -> list:
    """`[fn(item) for item in items]`, the calls that may wait on the network (not `quick`)
    running at the same time; quick ones (an answer cached) run here, without a thread."""
    items = list(items)
    slow = [i for i, item in enumerate(items) if not quick(item)]
    if len(slow) < 2:
        return [fn(item) for item in items]
    with ThreadPoolExecutor(max_workers=len(slow)) as pool:
        started = {i: pool.submit(fn, items[i]) for i in slow}
        return [started[i].result() if i in started else fn(x) for i, x in enumerate(items)]
