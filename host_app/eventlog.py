"""The event log: a bounded ring of what crossed the bus (from every open page) and of deploys.

Bounded in entries and in bytes: a page may report at most one WebSocket message of
`realtime.MAX_MESSAGE_BYTES` at a time, an entry larger than `MAX_ENTRY_BYTES` is kept as a
stub, and the ring forgets its oldest entries past `MAX_BYTES`; one read returns at most
`READ_LIMIT` entries and `READ_BYTES`. Every entry says who wrote it (`by`): `host` for the
host's own records (deploys, resets), `page` for what a page reported, whatever it claimed.
"""

import itertools
import json
import threading
import time
from collections import deque

from flask import Flask, current_app

LIMIT = 5000
MAX_ENTRY_BYTES = 16 * 1024
MAX_BYTES = 16 * 1024 * 1024
READ_LIMIT = 1000
READ_BYTES = 2 * 1024 * 1024
# Types only the host itself records: a page's row of such a type is renamed, so no reader can
# mistake it for the real record.
HOST_TYPES = frozenset({"deploy", "reset"})
# What the log adds to each entry (seq, received, by, page), counted with its size.
STAMP_BYTES = 128


def json_bytes(entry: dict) -> int:
    """The size of an entry as JSON (what it costs to keep and to send)."""
    return len(json.dumps(entry, separators=(",", ":"), default=str).encode())


def from_page(entry: dict, page: str, share: int) -> tuple[dict, int]:
    """A page's entry as the log keeps it, marked `by: page`, and its size in bytes.

    `share` is the entry's part of the message it came in; only when that could exceed the
    entry limit is the entry measured (a usual batch is small, and measuring costs).
    """
    size = share if share <= MAX_ENTRY_BYTES else json_bytes(entry)
    if size > MAX_ENTRY_BYTES:
        kind = entry.get("type")
        entry = {"type": kind[:32] if isinstance(kind, str) else None, "oversized": size}
        size = json_bytes(entry)
    if entry.get("type") in HOST_TYPES:
        entry = {**entry, "type": f"page-{entry['type']}"}
    return {**entry, "page": page, "by": "page"}, size


class EventLog:
    """Recent entries, each with a sequence number; listeners hear every batch."""

    def __init__(self, limit: int = LIMIT, max_bytes: int = MAX_BYTES):
        self._entries: deque[tuple[dict, int]] = deque(maxlen=limit)
        self._bytes = 0
        self._max_bytes = max_bytes
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self._listeners: list = []

    def listen(self, callback) -> None:
        """Call `callback(entries)` with every new batch."""
        self._listeners.append(callback)

    def _record(self, sized: list[tuple[dict, int]]) -> list[dict]:
        now = time.time() * 1000
        with self._lock:
            stamped = [
                ({**e, "seq": next(self._seq), "received": now}, n + STAMP_BYTES) for e, n in sized
            ]
            for item in stamped:
                if len(self._entries) == self._entries.maxlen:
                    self._bytes -= self._entries[0][1]
                self._entries.append(item)
                self._bytes += item[1]
            while self._bytes > self._max_bytes and self._entries:
                self._bytes -= self._entries.popleft()[1]
        entries = [entry for entry, _ in stamped]
        for callback in list(self._listeners):
            callback(entries)
        return entries

    def extend_from_page(self, entries: list[dict], page: str, message_bytes: int) -> list[dict]:
        """Record a batch a page reported in a message of `message_bytes`; marked `by: page`."""
        share = message_bytes // max(1, len(entries))
        return self._record([from_page(entry, page, share) for entry in entries])

    def append(self, entry: dict) -> dict:
        """Record one entry of the host's own (a deploy, a reset), marked `by: host`."""
        own = {**entry, "by": "host"}
        return self._record([(own, json_bytes(own))])[0]

    def recent(self, limit: int = READ_LIMIT, max_bytes: int = READ_BYTES) -> list[dict]:
        """The newest entries, oldest first: at most `limit` of them and about `max_bytes`."""
        with self._lock:
            newest = list(itertools.islice(reversed(self._entries), max(0, limit)))
        chosen, total = [], 0
        for entry, size in newest:
            total += size
            if total > max_bytes and chosen:
                break
            chosen.append(entry)
        chosen.reverse()
        return chosen

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()
            self._bytes = 0


def log() -> EventLog:
    """The current app's event log."""
    return log_for(current_app)


def log_for(app: Flask) -> EventLog:
    """An app's event log, outside a request."""
    return app.extensions["mfe_eventlog"]


def init_app(app: Flask) -> None:
    """Attach an event log."""
    app.extensions["mfe_eventlog"] = EventLog()
