"""The deployment record: which release of each app is live, and where each release runs.

Kept as JSON in the host's data folder. `MFE_LIVE` only seeds a host with no record; once a
deploy has been recorded the record wins (and the host says it ignored `MFE_LIVE`).
"""

import copy
import json
import logging
import os
import threading
import time
from pathlib import Path

from flask import Flask, current_app

from mfe_platform import settings

log = logging.getLogger(__name__)


class DeploymentStore:
    """Reads and writes the deployment record; safe for the host's single process."""

    def __init__(self, path: Path, urls: dict[str, str], live_seed: str):
        self.path = Path(path)
        self._urls = urls
        self._lock = threading.RLock()
        self._cached: tuple | None = None
        self._seed = settings.parse_live(live_seed) if live_seed else dict(settings.DEFAULT_LIVE)
        if live_seed and self.path.exists():
            log.warning("MFE_LIVE=%s ignored: a deployment record exists at %s", live_seed, path)

    def default_state(self) -> dict:
        """The state before any deploy: `MFE_LIVE` (or release 1) at the configured URLs."""
        releases = {
            app: {str(r): self._urls[settings.url_key(app, r)] for r in settings.RELEASES}
            for app in settings.APPS
        }
        return {"live": dict(self._seed), "releases": releases, "revision": 0, "updatedAt": None}

    def state(self) -> dict:
        """The current record (or the default state when none is recorded); a copy to change."""
        return copy.deepcopy(self._read())

    def _read(self) -> dict:
        # Every host response reads it (its CSP lists the registered origins): parse the file
        # only when it changed, and otherwise pay one stat.
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return self.default_state()
        key = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        if self._cached is not None and self._cached[0] == key:
            return self._cached[1]
        try:
            parsed = json.loads(self.path.read_text())
        except FileNotFoundError:
            return self.default_state()
        except ValueError:
            # Keep serving (from the defaults) rather than fail every request; say so loudly.
            log.error("deployment record %s is not valid JSON: using defaults", self.path)
            return self.default_state()
        self._cached = (key, parsed)
        return parsed

    def live(self) -> dict[str, dict]:
        """Each app's live release and URL."""
        state = self._read()
        return {
            app: {"release": release, "url": state["releases"][app][str(release)]}
            for app, release in state["live"].items()
        }

    def registered_origins(self) -> list[str]:
        """The origin of every registered release of every app, sorted."""
        state = self._read()
        return sorted(
            {url for by_release in state["releases"].values() for url in by_release.values()}
        )

    def set_live(self, app: str, release: int, url: str) -> dict:
        """Make `release` (running at `url`) the live release of `app`."""
        with self._lock:
            state = self.state()
            state["live"][app] = release
            state["releases"][app][str(release)] = url
            return self.write(state)

    def update(self, change) -> dict:
        """Apply `change(state)` to the current state and record the result, as one step;
        when `change` returns False the record stays as it was."""
        with self._lock:
            state = self.state()
            if change(state) is False:
                return state
            return self.write(state)

    def reset(self) -> dict:
        """Forget every recorded deploy: back to `MFE_LIVE` (or release 1) at the default URLs."""
        with self._lock:
            self.path.unlink(missing_ok=True)
        return self.state()

    def write(self, state: dict) -> dict:
        """Record a new state atomically, bumping its revision."""
        with self._lock:
            state = {**state, "revision": self.state()["revision"] + 1, "updatedAt": time.time()}
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(state, indent=2, sort_keys=True))
            os.replace(tmp, self.path)
            return state


def store() -> DeploymentStore:
    """The current app's deployment store."""
    return current_app.extensions["mfe_deployments"]


def init_app(app: Flask) -> None:
    """Attach the deployment store to the app."""
    app.extensions["mfe_deployments"] = DeploymentStore(
        Path(app.config["APP_DATA_DIR"]) / "deployments.json",
        {key: app.config[key] for key in settings.DEFAULT_URLS},
        app.config["LIVE"],
    )
