"""Cached health and manifests: when an entry expires, one caller refreshes it and the
others answer with the last value meanwhile (no burst of probes under load)."""

import http.client
import threading
import time

from e2e.manifests import real_manifest
from host_app import health, manifest_cache
from host_app.manifest_cache import ManifestCache
from shared_contracts.manifests import Manifest

URL = "http://localhost:8001"
MANIFEST = real_manifest("products")


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


def assert_refreshed_once(read, source: SlowSource, stale):
    """`read()` of an expired entry: the first caller refreshes it; a second caller meanwhile
    gets `stale` at once; afterwards everyone gets the new value, from one call to `source`."""
    results = []
    thread = threading.Thread(target=lambda: results.append(read()))
    thread.start()
    assert source.entered.wait(5)
    assert read() == stale
    source.release.set()
    thread.join(5)
    assert source.calls == 1
    assert read() == results[0] != stale
    assert source.calls == 1
    return results[0]


def test_an_expired_health_result_is_probed_once(monkeypatch):
    source = SlowSource({"status": "ok"})
    monkeypatch.setattr(health, "healthy", source)
    probe = health.HealthProbe()
    stale = {"status": "down", "checkedAt": 1}
    probe._cache[URL] = (time.monotonic() - 60, stale)

    assert assert_refreshed_once(lambda: probe.status(URL), source, stale)["status"] == "up"


def test_a_fresh_health_read_always_probes(monkeypatch):
    source = SlowSource({"status": "ok"})
    source.release.set()
    monkeypatch.setattr(health, "healthy", source)
    probe = health.HealthProbe()
    probe.status(URL)
    # What the side-by-side probes ask first, to spare a thread: a fresh read never is cached.
    assert probe.cached(URL) and not probe.cached(URL, fresh=True)
    probe.status(URL, fresh=True)
    assert source.calls == 2


def test_an_expired_manifest_is_fetched_once(tmp_path, monkeypatch):
    cache = ManifestCache(tmp_path / "manifests.json")
    old = Manifest.model_validate(MANIFEST)
    new = Manifest.model_validate({**MANIFEST, "emits": {"cart:item-added": ["1.0.0", "2.0.0"]}})
    source = SlowSource(new)
    monkeypatch.setattr(cache, "fetch", source)
    cache._fresh[URL] = (time.monotonic() - 60, old)

    assert assert_refreshed_once(lambda: cache.get(URL), source, old) == new


class FailingSource:
    """A fake fetch that fails like an app that does not answer, counting its calls."""

    def __init__(self):
        self.calls = 0

    def __call__(self, *args, **kwargs):
        self.calls += 1
        raise TimeoutError("timed out")


def test_a_failed_manifest_fetch_is_not_repeated_while_a_copy_would_be_fresh(tmp_path, monkeypatch):
    """A hung app costs one timeout per FRESH_SECONDS, not one per page load; then a retry."""
    cache = ManifestCache(tmp_path / "manifests.json")
    known = Manifest.model_validate(MANIFEST)
    cache._remember(URL, known)
    source = FailingSource()
    monkeypatch.setattr(cache, "fetch", source)
    clock = [1000.0]
    monkeypatch.setattr(manifest_cache.time, "monotonic", lambda: clock[0])

    assert [cache.get(URL) for _ in range(5)] == [known] * 5
    assert source.calls == 1
    clock[0] += manifest_cache.FRESH_SECONDS
    assert cache.get(URL) == known
    assert source.calls == 2


def test_a_manifest_fetch_that_works_again_is_used_at_once_after_the_wait(tmp_path, monkeypatch):
    """After a failure and the wait, a fetch that succeeds is cached and served as usual."""
    cache = ManifestCache(tmp_path / "manifests.json")
    failing = FailingSource()
    monkeypatch.setattr(cache, "fetch", failing)
    clock = [1000.0]
    monkeypatch.setattr(manifest_cache.time, "monotonic", lambda: clock[0])
    assert cache.get(URL) is None
    assert cache.get(URL) is None
    assert failing.calls == 1

    new = Manifest.model_validate(MANIFEST)
    clock[0] += manifest_cache.FRESH_SECONDS
    monkeypatch.setattr(cache, "fetch", lambda url: new)
    assert cache.get(URL) == new
    monkeypatch.setattr(cache, "fetch", failing)
    assert cache.get(URL) == new
    assert failing.calls == 1


def test_a_cut_short_answer_is_a_failed_fetch_not_an_error(tmp_path, monkeypatch):
    """http.client errors (IncompleteRead, BadStatusLine) are not OSErrors: still a failure."""
    cache = ManifestCache(tmp_path / "manifests.json")

    def cut_short(url):
        raise http.client.IncompleteRead(b"{")

    monkeypatch.setattr(cache, "fetch", cut_short)
    assert cache.get(URL) is None


def test_missing_manifests_are_fetched_at_once_and_known_ones_are_not(tmp_path, monkeypatch):
    """A frame said hello: the URLs with no manifest known at all are fetched now, despite the
    5 s wait after a failure, at most once a second; a URL with an old copy is left alone."""
    cache = ManifestCache(tmp_path / "manifests.json")
    other = "http://localhost:8002"
    cache._remember(other, Manifest.model_validate(MANIFEST))
    clock = [1000.0]
    monkeypatch.setattr(manifest_cache.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(cache, "fetch", FailingSource())
    assert cache.get(URL) is None

    fetched = []
    new = Manifest.model_validate(MANIFEST)
    monkeypatch.setattr(cache, "fetch", lambda url: fetched.append(url) or new)
    cache.fetch_missing([URL, other])
    assert fetched == []  # the failure was less than a second ago
    clock[0] += manifest_cache.MISSING_RETRY_SECONDS
    cache.fetch_missing([URL, other])
    assert fetched == [URL]
    assert cache.get(URL) == new
    cache.fetch_missing([URL, other])
    assert fetched == [URL]


def test_pages_asking_at_once_for_a_missing_manifest_cause_one_fetch(tmp_path, monkeypatch):
    """While one page's request fetches a missing manifest, another's does not fetch it too."""
    cache = ManifestCache(tmp_path / "manifests.json")
    source = SlowSource(Manifest.model_validate(MANIFEST))
    monkeypatch.setattr(cache, "fetch", source)
    first = threading.Thread(target=cache.fetch_missing, args=([URL],))
    first.start()
    assert source.entered.wait(5)
    cache.fetch_missing([URL])
    source.release.set()
    first.join(5)
    assert source.calls == 1
    assert cache.get(URL) == source.answer
