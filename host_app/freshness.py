"""One refresher per key: while one caller renews an expired value, the others keep the old one.

Every `GET /api/deployments` reads the apps' health (cached 2 s) and manifests (cached 5 s).
Under a steady load all the concurrent requests found the same entry expired at once and each
probed the apps again: a burst of probes every few seconds, the host's slowest answers.
"""

import threading


class SingleRefresh:
    """Which keys are being refreshed right now."""

    def __init__(self):
        self._lock = threading.Lock()
        self._busy: set[str] = set()

    def claim(self, key: str) -> bool:
        """True if the caller is now the one refreshing `key`; False if another already is."""
        with self._lock:
            if key in self._busy:
                return False
            self._busy.add(key)
            return True

    def release(self, key: str) -> None:
        """The refresh of `key` is over (done or failed)."""
        with self._lock:
            self._busy.discard(key)
