"""The event log: a bounded ring of what crossed the bus (from every open page) and of deploys."""

import itertools
import threading
import time
from collections import deque

from flask import Flask, current_app

LIMIT = 5000


class EventLog:
    """Recent entries, each with a sequence number; listeners hear every batch."""

    def __init__(self, limit: int = LIMIT):
        self._entries: deque[dict] = deque(maxlen=limit)
        self._seq = itertools.count(1)
        self._lock = threading.Lock()
        self._listeners: list = []

    def listen(self, callback) -> None:
        """Call `callback(entries)` with every new batch."""
        self._listeners.append(callback)

    def extend(self, entries: list[dict]) -> list[dict]:
        """Record a batch; returns it with sequence numbers and server times."""
        now = time.time() * 1000
        with self._lock:
            stamped = [{**e, "seq": next(self._seq), "received": now} for e in entries]
            self._entries.extend(stamped)
        for callback in list(self._listeners):
            callback(stamped)
        return stamped

    def append(self, entry: dict) -> dict:
        """Record one entry."""
        return self.extend([entry])[0]

    def recent(self, limit: int = LIMIT) -> list[dict]:
        """The newest entries, oldest first."""
        with self._lock:
            return list(self._entries)[-limit:]

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()


def log() -> EventLog:
    """The current app's event log."""
    return log_for(current_app)


def log_for(app: Flask) -> EventLog:
    """An app's event log, outside a request."""
    return app.extensions["mfe_eventlog"]


def init_app(app: Flask) -> None:
    """Attach an event log."""
    app.extensions["mfe_eventlog"] = EventLog()
