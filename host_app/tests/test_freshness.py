"""Cached health and manifests: when an entry expires, one caller refreshes it and the
others answer with the last value meanwhile (no burst of probes under load)."""

import threading
import time

from host_app import health
from host_app.manifests import ManifestCache
from shared_contracts.manifests import Manifest

URL = "http://localhost:8001"
MANIFEST = {
    "app": "products",
    "release": 1,
    "protocol": "1",
    "emits": {"cart:item-added": ["1.0.0"]},
    "consumes": {},
}


class SlowSource:
    """A fake probe that blocks until released, counting its calls."""

    def __init__(self, answer):
        self.answer = answer
        self.calls = 0
        self.entered = threading.Event()
        self.release = threading.Event()

    def __call__(self, *args, **kwargs):
        self.calls += 1
        self.entered.set()
        assert self.release.wait(5)
        return self.answer


def in_thread(function):
    """Run `function` in a thread; returns the thread and the list its result lands in."""
    results = []
    thread = threading.Thread(target=lambda: results.append(function()))
    thread.start()
    return thread, results


def test_an_expired_health_result_is_probed_once(monkeypatch):
    source = SlowSource({"status": "ok"})
    monkeypatch.setattr(health, "healthy", source)
    probe = health.HealthProbe()
    stale = {"status": "down", "checkedAt": 1}
    probe._cache[URL] = (time.monotonic() - 60, stale)

    thread, results = in_thread(lambda: probe.status(URL))
    assert source.entered.wait(5)
    # While the first caller probes, the next one answers at once with the last result.
    assert probe.status(URL) == stale
    source.release.set()
    thread.join(5)
    assert source.calls == 1
    assert results[0]["status"] == "up"
    assert probe.status(URL)["status"] == "up"
    assert source.calls == 1


def test_a_fresh_health_read_always_probes(monkeypatch):
    source = SlowSource({"status": "ok"})
    source.release.set()
    monkeypatch.setattr(health, "healthy", source)
    probe = health.HealthProbe()
    probe.status(URL)
    probe.status(URL, fresh=True)
    assert source.calls == 2


def test_an_expired_manifest_is_fetched_once(tmp_path, monkeypatch):
    cache = ManifestCache(tmp_path / "manifests.json")
    old = Manifest.model_validate(MANIFEST)
    new = Manifest.model_validate({**MANIFEST, "emits": {"cart:item-added": ["1.0.0", "2.0.0"]}})
    source = SlowSource(new)
    monkeypatch.setattr(cache, "fetch", source)
    cache._fresh[URL] = (time.monotonic() - 60, old)

    thread, results = in_thread(lambda: cache.get(URL))
    assert source.entered.wait(5)
    assert cache.get(URL) == old
    source.release.set()
    thread.join(5)
    assert source.calls == 1
    assert results[0] == new
    assert cache.get(URL) == new
    assert source.calls == 1
