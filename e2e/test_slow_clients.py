"""A slow client cannot hold a worker: 50 connections that send their headers and then trickle
their bodies a byte at a time, while shoppers go on using checkout.

Checkout's workers read a body only once it is whole, on the event loop (mfe_platform/
buffered.py): the trickling connections hold no thread, shoppers get their answers in about
their usual time (a generous bound relative to an unloaded baseline measured here, never an
absolute figure), and every trickling body is cut off with a 408 after the deadline.
"""

import contextlib
import http.client
import json
import secrets
import socket
import threading
import time
from urllib.parse import urlsplit

import pytest

from e2e.processes import start_shop
from mfe_platform.buffered import BODY_DEADLINE_SECONDS
from shared_contracts.envelope import new_envelope

SLOW_CONNECTIONS = 50
SAMPLES = 40


@pytest.fixture(scope="module")
def checkout_shop(tmp_path_factory):
    """Products and checkout release 1 (the other processes play no part here)."""
    names = ("products-v1", "checkout-v1")
    with start_shop(tmp_path_factory.mktemp("slow-data"), names=names) as running:
        yield running


def shopper_latencies(url: str, token: str) -> list[float]:
    """Seconds per request of a shopper: reads of the cart and adds, each on a new connection."""
    port = urlsplit(url).port
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies = []
    for n in range(SAMPLES):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        began = time.monotonic()
        if n % 4 == 3:
            data = {"itemId": f"s{n}", "productId": "mug", "quantity": 1, "price": 14.5}
            body = json.dumps(new_envelope("cart:item-added", "1.0.0", "products", data))
            connection.request("POST", "/api/cart/items", body, headers)
        else:
            connection.request("GET", "/api/cart", headers=headers)
        response = connection.getresponse()
        response.read()
        latencies.append(time.monotonic() - began)
        connection.close()
        assert response.status in (200, 201), response.status
    return sorted(latencies)


def p95(latencies: list[float]) -> float:
    """The 95th percentile of sorted latencies."""
    return latencies[int(len(latencies) * 0.95) - 1]


class Trickle:
    """Connections that each announce a body and send it a byte every half second."""

    def __init__(self, url: str, token: str, count: int):
        port = urlsplit(url).port
        head = (
            "POST /api/cart/items HTTP/1.1\r\nHost: localhost\r\n"
            f"Authorization: Bearer {token}\r\nContent-Type: application/json\r\n"
            "Content-Length: 10000\r\n\r\n{"
        ).encode()
        self.sockets = []
        for _ in range(count):
            connection = socket.create_connection(("127.0.0.1", port), timeout=5)
            connection.sendall(head)
            self.sockets.append(connection)
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.drip, daemon=True)
        self.thread.start()

    def drip(self) -> None:
        while not self.stop.wait(0.5):
            for connection in self.sockets:
                with contextlib.suppress(OSError):
                    connection.sendall(b" ")

    def answers(self, wait: float) -> list[bytes]:
        """The first bytes each connection got back within `wait` seconds (b"" if none)."""
        deadline = time.monotonic() + wait
        answers = []
        for connection in self.sockets:
            connection.settimeout(max(0.1, deadline - time.monotonic()))
            try:
                answers.append(connection.recv(64))
            except OSError:
                answers.append(b"")
        return answers

    def close(self) -> None:
        self.stop.set()
        for connection in self.sockets:
            connection.close()


def test_fifty_trickling_bodies_hold_no_worker(checkout_shop):
    """Shoppers' p95 under 50 trickling connections stays within a generous multiple of the
    unloaded p95 measured just before; every trickling body gets a 408 after the deadline."""
    url = checkout_shop.url("checkout-v1")
    token = secrets.token_urlsafe(32)
    shopper_latencies(url, token)  # warm-up: connections, the catalog cache
    baseline = shopper_latencies(url, token)
    trickle = Trickle(url, secrets.token_urlsafe(32), SLOW_CONNECTIONS)
    try:
        loaded = shopper_latencies(url, token)
        answers = trickle.answers(BODY_DEADLINE_SECONDS + 10)
    finally:
        trickle.close()
    # Generous: the machine is shared; without the fix the loaded requests wait for good.
    assert p95(loaded) <= 10 * p95(baseline) + 0.1, (baseline, loaded)
    assert [a.split(b" ", 2)[1:2] for a in answers] == [[b"408"]] * SLOW_CONNECTIONS, answers
