"""Health of the live apps, probed on their `/healthz` and cached for a few seconds."""

import json
import threading
import time
import urllib.request

from flask import Flask, current_app

FRESH_SECONDS = 2.0
TIMEOUT_SECONDS = 1.5


class HealthProbe:
    """`up` or `down` per URL, cached briefly so many readers cost one probe."""

    def __init__(self):
        self._cache: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()

    def probe(self, url: str) -> dict:
        """Probe now: `{"status": "up"|"down", "checkedAt": ms, ...}`."""
        checked = int(time.time() * 1000)
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=TIMEOUT_SECONDS) as reply:
                body = json.loads(reply.read())
            result = {
                "status": "up" if body.get("status") == "ok" else "down",
                "checkedAt": checked,
            }
        except (OSError, ValueError) as error:
            result = {"status": "down", "checkedAt": checked, "error": type(error).__name__}
        with self._lock:
            self._cache[url] = (time.monotonic(), result)
        return result

    def status(self, url: str, fresh: bool = False) -> dict:
        """The cached result, probing when older than a few seconds (or when `fresh`)."""
        with self._lock:
            cached = self._cache.get(url)
        if cached and not fresh and time.monotonic() - cached[0] < FRESH_SECONDS:
            return cached[1]
        return self.probe(url)


def probe() -> HealthProbe:
    """The current app's health probe."""
    return current_app.extensions["mfe_health"]


def init_app(app: Flask) -> None:
    """Attach a health probe."""
    app.extensions["mfe_health"] = HealthProbe()
