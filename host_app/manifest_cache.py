"""The live apps' manifests, fetched from each app's `/mfe-manifest.json`.

Cached briefly, and the last good copy of each release is kept in the host's data folder,
so the bus still knows what an app consumes while that app is down.
"""

import contextlib
import http.client
import json
import threading
import time
from pathlib import Path

from flask import Flask, current_app
from pydantic import ValidationError

from host_app.freshness import SingleRefresh
from host_app.probing import bounded_get
from mfe_platform.web.errors import ApiError
from shared_contracts.manifests import Manifest

FRESH_SECONDS = 5.0
# The whole fetch, connect to last byte, and the largest manifest read.
TIMEOUT_SECONDS = 2.0
MAX_BYTES = 64 * 1024
# A page asks for missing manifests when a frame says hello: at most one fetch a second each.
MISSING_RETRY_SECONDS = 1.0
# What a fetch raises when the app is down, hangs, cuts the answer short or is not an app.
FETCH_ERRORS = (OSError, ValueError, ValidationError, http.client.HTTPException)


class ManifestCache:
    """Fetches manifests; remembers the last good one per URL on disk."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._lock = threading.Lock()
        self._fresh: dict[str, tuple[float, Manifest]] = {}
        # When a fetch last failed, per URL: a hung app must not cost every page load a timeout.
        self._failed: dict[str, float] = {}
        self._refreshing = SingleRefresh()

    def _remembered(self) -> dict:
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def _remember(self, url: str, manifest: Manifest) -> None:
        with self._lock:
            known = self._remembered()
            if known.get(url) == manifest.model_dump(mode="json"):
                return
            known[url] = manifest.model_dump(mode="json")
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(known, indent=2, sort_keys=True))
            tmp.replace(self.path)

    def fetch(self, url: str) -> Manifest:
        """GET `{url}/mfe-manifest.json`; raises one of FETCH_ERRORS when it cannot."""
        return Manifest.model_validate_json(
            bounded_get(url, "/mfe-manifest.json", TIMEOUT_SECONDS, MAX_BYTES)
        )

    def refresh(self, url: str) -> Manifest:
        """Fetch `url`'s manifest now and keep it; raises like `fetch`.

        A deploy reads the candidate this way: the release may have been restarted with
        another manifest (e.g. `MFE_DUAL_EMIT`) since the cached copy, and the page opened
        after the deploy must get what the check saw.
        """
        try:
            manifest = self.fetch(url)
        except FETCH_ERRORS:
            self._failed[url] = time.monotonic()
            raise
        self._fresh[url] = (time.monotonic(), manifest)
        self._failed.pop(url, None)
        self._remember(url, manifest)
        return manifest

    def cached(self, url: str) -> bool:
        """Whether `get(url)` would answer without fetching."""
        cached = self._fresh.get(url)
        fresh = cached is not None and time.monotonic() - cached[0] < FRESH_SECONDS
        return fresh or self._failed_within(url, FRESH_SECONDS)

    def get(self, url: str) -> Manifest | None:
        """The manifest at `url`: fresh, else the last one known, else None."""
        now = time.monotonic()
        cached = self._fresh.get(url)
        if cached and now - cached[0] < FRESH_SECONDS:
            return cached[1]
        # A fetch failed a moment ago: the next one waits as long as a fresh copy would last.
        if self._failed_within(url, FRESH_SECONDS):
            return self._last_known(url, cached)
        # Expired: one caller fetches, the others answer with the last manifest meanwhile.
        if cached and not self._refreshing.claim(url):
            return cached[1]
        try:
            return self.refresh(url)
        except FETCH_ERRORS:
            return self._last_known(url, cached)
        finally:
            if cached:
                self._refreshing.release(url)

    def fetch_missing(self, urls) -> None:
        """Fetch now the manifest of each URL none is known for (not even an old copy)."""
        for url in urls:
            if self._last_known(url, self._fresh.get(url)) is not None:
                continue
            if self._failed_within(url, MISSING_RETRY_SECONDS):
                continue
            # Many pages may ask at once: one of them fetches, the others go on.
            if not self._refreshing.claim(url):
                continue
            try:
                with contextlib.suppress(*FETCH_ERRORS):
                    self.refresh(url)
            finally:
                self._refreshing.release(url)

    def _failed_within(self, url: str, seconds: float) -> bool:
        """Whether a fetch of `url` failed less than `seconds` ago."""
        failed = self._failed.get(url)
        return failed is not None and time.monotonic() - failed < seconds

    def _last_known(self, url: str, cached: tuple[float, Manifest] | None) -> Manifest | None:
        if cached:
            return cached[1]
        remembered = self._remembered().get(url)
        return Manifest.model_validate(remembered) if remembered else None


def cache() -> ManifestCache:
    """The current app's manifest cache."""
    return current_app.extensions["mfe_manifests"]


def init_app(app: Flask) -> None:
    """Attach a manifest cache stored in the host's data folder."""
    app.extensions["mfe_manifests"] = ManifestCache(
        Path(app.config["APP_DATA_DIR"]) / "manifests.json"
    )


def candidate(url: str, remember: bool = True) -> Manifest:
    """The manifest of a candidate release at `url`: refreshed in the cache (a deploy) or only
    fetched (`remember=False`, a build checked for one browser); 409 when it cannot be read."""
    try:
        return cache().refresh(url) if remember else cache().fetch(url)
    except FETCH_ERRORS as error:
        raise ApiError(
            409, "candidate-unreachable", f"cannot read {url}/mfe-manifest.json: {error}"
        ) from None
