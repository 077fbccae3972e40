"""Slow probes: a fork whose `/healthz` or manifest drips a byte at a time, or never stops.

Each probe has one total deadline and a size cap, whatever the server does, and the apps are
probed side by side: the slow one is `down` after its deadline, the others are answered as
fast as they answer.
"""

import contextlib
import socket
import threading
import time

import pytest

from host_app import deployment_store, health, manifest_cache, probing, status
from host_app.tests.conftest import ADMIN_TOKEN

pytestmark = pytest.mark.usefixtures("clean_environment")


class Misbehaving:
    """A server on a free port that answers every request by `behaviour(connection)`."""

    def __init__(self, behaviour):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.behaviour = behaviour
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://localhost:{self.sock.getsockname()[1]}"

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.answer, args=(connection,), daemon=True).start()

    def answer(self, connection: socket.socket) -> None:
        with connection:
            connection.recv(65536)
            with contextlib.suppress(OSError):
                self.behaviour(connection, self.stop)

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def drip(connection: socket.socket, stop: threading.Event) -> None:
    """A valid start of an answer, then one byte every 0.2 s for as long as it is read."""
    connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n")
    while not stop.wait(0.2):
        connection.sendall(b" ")


def flood(connection: socket.socket, stop: threading.Event) -> None:
    """A 200 answer that never ends, as fast as it is read."""
    connection.sendall(b"HTTP/1.0 200 OK\r\n\r\n")
    chunk = b"x" * 65536
    while not stop.is_set():
        connection.sendall(chunk)


@pytest.fixture
def server():
    """Start misbehaving servers; all closed after the test."""
    started = []

    def start(behaviour) -> Misbehaving:
        started.append(Misbehaving(behaviour))
        return started[-1]

    yield start
    for each in started:
        each.close()


def timed(fn, *args):
    """`fn(*args)` and the seconds it took; fails (rather than hangs) past 20 s."""
    outcome = {}

    def run() -> None:
        began = time.monotonic()
        try:
            outcome["result"] = fn(*args)
        except Exception as error:  # handed to the test below
            outcome["error"] = error
        outcome["took"] = time.monotonic() - began

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), f"{fn.__qualname__} was still going after 20 s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"], outcome["took"]


@pytest.mark.parametrize("behaviour", [drip, flood], ids=["drip", "flood"])
def test_a_probe_gives_up_at_its_deadline_or_its_cap(server, behaviour):
    """A dripping or endless answer: the probe fails (ProbeFailed), within its deadline."""
    url = server(behaviour).url
    with pytest.raises(probing.ProbeFailed):
        timed(probing.bounded_get, url, "/healthz", 1.0, 4096)
    result, took = timed(health.HealthProbe().probe, url)
    assert result["status"] == "down"
    assert took < health.TIMEOUT_SECONDS + 0.5
    with pytest.raises(OSError):
        timed(manifest_cache.ManifestCache(path="/nonexistent/manifests.json").fetch, url)


def test_one_slow_app_does_not_delay_the_others(host_app_factory, server):
    """Products is a dripping fork: the state answers within one probe's deadlines (not the sum
    of every probe's), products `down`, checkout `up` with its manifest; the page's health push
    likewise."""
    slow = server(drip).url
    app = host_app_factory(ADMIN_TOKEN=ADMIN_TOKEN)
    with app.app_context():
        deployment_store.store().set_live("products", 3, slow)

    def describe() -> dict:
        with app.app_context():
            return status.describe(fresh=True)

    state, took = timed(describe)
    health_now, took_health = timed(app.extensions["mfe_hub"].health_now, True)
    assert state["apps"]["products"]["health"]["status"] == "down"
    assert state["apps"]["checkout"]["health"]["status"] == "up"
    assert state["apps"]["checkout"]["manifest"]["app"] == "checkout"
    # Side by side: the slowest probe, not health + manifest + the other app's probes.
    assert took < max(health.TIMEOUT_SECONDS, manifest_cache.TIMEOUT_SECONDS) + 1.0
    assert health_now["health"] == {"products": "down", "checkout": "up"}
    assert took_health < health.TIMEOUT_SECONDS + 1.0
