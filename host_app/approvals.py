"""The manifest each release was approved with: the one the bus enforces.

A release's manifest is checked (`can-i-deploy`) when it is deployed, but the host re-reads
manifests every few seconds, and a release may serve another one afterwards (a fork that
switched its manifest was delivered `order:placed` and set the badge). So the bus keeps using
the approved manifest; a changed one is reported (`manifestDrift` in the state, one event log
row per change, a warning in the host's log) and is used only once a deploy of that release
passes the check again. A release live without a deploy (the defaults, `MFE_LIVE`) is
approved the first time this host process reads its manifest; only deploys are recorded on disk,
so a restarted host takes such a release as it finds it.
"""

import json
import logging
import threading
from pathlib import Path

from flask import Flask, current_app

from host_app import eventlog, manifest_cache
from shared_contracts.manifests import Manifest

log = logging.getLogger(__name__)


class Approvals:
    """Approved manifests by release URL, kept as JSON in the host's data folder."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._approved: dict[str, dict] | None = None
        # Releases live without a deploy, approved on first sight by this process.
        self._first_seen: dict[str, dict] = {}
        # The served manifest last reported as drift, per URL: one report per change.
        self._reported: dict[str, dict] = {}

    def _all(self) -> dict[str, dict]:
        if self._approved is None:
            try:
                self._approved = json.loads(self.path.read_text())
            except (FileNotFoundError, ValueError):
                self._approved = {}
        return self._approved

    def approve(self, url: str, manifest: Manifest) -> None:
        """Record `manifest` (a deploy checked it) as what the release at `url` may emit and
        consumes."""
        with self._lock:
            self._first_seen.pop(url, None)
            approved = dict(self._all())
            approved[url] = manifest.model_dump(mode="json")
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(approved, indent=2, sort_keys=True))
            tmp.replace(self.path)
            self._approved = approved
            self._reported.pop(url, None)

    def forget(self) -> None:
        """Forget every approval (a reset): each release is approved again on first sight."""
        with self._lock:
            self.path.unlink(missing_ok=True)
            self._approved = {}
            self._first_seen.clear()
            self._reported.clear()

    def approved(self, url: str) -> Manifest | None:
        """The approved manifest of the release at `url`, or None."""
        with self._lock:
            known = self._all().get(url) or self._first_seen.get(url)
        return Manifest.model_validate(known) if known is not None else None

    def effective(self, url: str) -> tuple[Manifest | None, bool]:
        """The manifest the bus uses for `url`, and whether the release now serves another."""
        served = manifest_cache.cache().get(url)
        approved = self.approved(url)
        if approved is None:
            if served is not None:
                with self._lock:
                    self._first_seen.setdefault(url, served.model_dump(mode="json"))
            return served, False
        if served is None or served == approved:
            return approved, False
        self._report(url, served)
        return approved, True

    def _report(self, url: str, served: Manifest) -> None:
        dumped = served.model_dump(mode="json")
        with self._lock:
            if self._reported.get(url) == dumped:
                return
            self._reported[url] = dumped
        log.warning(
            "%s release %s at %s serves a manifest that was not approved; the bus keeps the"
            " approved one until a deploy of it passes can-i-deploy",
            served.app,
            served.release,
            url,
        )
        eventlog.log().append(
            {"type": "manifest-drift", "app": served.app, "release": served.release, "url": url}
        )


def approvals() -> Approvals:
    """The current app's approvals."""
    return current_app.extensions["mfe_approvals"]


def init_app(app: Flask) -> None:
    """Attach the approvals, stored in the host's data folder."""
    app.extensions["mfe_approvals"] = Approvals(
        Path(app.config["APP_DATA_DIR"]) / "approved_manifests.json"
    )
