"""Health of the live apps, probed on their `/healthz` and cached for a few seconds."""

import json
import threading
import time

from flask import Flask, current_app

from host_app.freshness import SingleRefresh
from host_app.probing import bounded_get

FRESH_SECONDS = 2.0
# The whole probe, connect to last byte; a `/healthz` answer is a few dozen bytes.
TIMEOUT_SECONDS = 1.5
MAX_BYTES = 4096


def healthy(url: str) -> bool:
    """Whether the app at `url` answers `/healthz` with status ok, whole, in time and small."""
    try:
        body = json.loads(bounded_get(url, "/healthz", TIMEOUT_SECONDS, MAX_BYTES))
    except (OSError, ValueError, RecursionError):
        return False
    return isinstance(body, dict) and body.get("status") == "ok"


class HealthProbe:
    """`up` or `down` per URL, cached briefly so many readers cost one probe."""

    def __init__(self):
        self._cache: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()
        self._refreshing = SingleRefresh()

    def probe(self, url: str) -> dict:
        """Probe now: `{"status": "up"|"down", "checkedAt": ms, ...}`."""
        checked = int(time.time() * 1000)
        up = healthy(url)
        result = {"status": "up" if up else "down", "checkedAt": checked}
        with self._lock:
            self._cache[url] = (time.monotonic(), result)
        return result

    def cached(self, url: str, fresh: bool = False) -> bool:
        """Whether `status(url, fresh)` would answer from the cache, without probing."""
        if fresh:
            return False
        with self._lock:
            cached = self._cache.get(url)
        return cached is not None and time.monotonic() - cached[0] < FRESH_SECONDS

    def status(self, url: str, fresh: bool = False) -> dict:
        """The cached result, probing when older than a few seconds (or when `fresh`)."""
        with self._lock:
            cached = self._cache.get(url)
        if cached is None or fresh:
            return self.probe(url)
        if time.monotonic() - cached[0] < FRESH_SECONDS:
            return cached[1]
        # Expired: one caller probes, the others answer with the last result meanwhile.
        if not self._refreshing.claim(url):
            return cached[1]
        try:
            return self.probe(url)
        finally:
            self._refreshing.release(url)


def probe() -> HealthProbe:
    """The current app's health probe."""
    return current_app.extensions["mfe_health"]


def init_app(app: Flask) -> None:
    """Attach a health probe."""
    app.extensions["mfe_health"] = HealthProbe()
