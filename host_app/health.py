"""Health of the live apps, probed on their `/healthz` and cached for a few seconds."""

import threading
import time

from flask import Flask, current_app

from host_app.freshness import SingleRefresh
from mfe_platform.readiness import healthy

FRESH_SECONDS = 2.0
TIMEOUT_SECONDS = 1.5


class HealthProbe:
    """`up` or `down` per URL, cached briefly so many readers cost one probe."""

    def __init__(self):
        self._cache: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()
        self._refreshing = SingleRefresh()

    def probe(self, url: str) -> dict:
        """Probe now: `{"status": "up"|"down", "checkedAt": ms, ...}`."""
        checked = int(time.time() * 1000)
        up = healthy(url, timeout=TIMEOUT_SECONDS) is not None
        result = {"status": "up" if up else "down", "checkedAt": checked}
        with self._lock:
            self._cache[url] = (time.monotonic(), result)
        return result

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
