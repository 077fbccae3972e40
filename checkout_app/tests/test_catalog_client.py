"""The catalog client: products over HTTP, first release that answers, a short cache."""

import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from checkout_app import catalog_client
from checkout_app.catalog_client import CatalogItem, CatalogUnavailable
from checkout_app.tests.conftest import CATALOG, Shopper, make_app
from mfe_platform.web import chaos


class FakeProducts:
    """A tiny products server answering `GET /api/products` with a given body."""

    def __init__(self, body: bytes, status: int = 200, delay: float = 0.0):
        self.body, self.status, self.hits = body, status, 0
        # Set when the server closes: an answer held back for `delay` is let go at once.
        self.closing = threading.Event()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                fake.hits += 1
                # As `mfe chaos products slow` does: the answer comes, late (or at close).
                fake.closing.wait(delay)
                self.send_response(fake.status if self.path == "/api/products" else 404)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(fake.body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        """Stop serving."""
        self.closing.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def serve():
    """Start fake products servers; all are stopped after the test."""
    servers = []

    def start(body=None, status: int = 200, delay: float = 0.0) -> FakeProducts:
        payload = json.dumps({"products": CATALOG}).encode() if body is None else body
        server = FakeProducts(payload, status, delay)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


def closed_url() -> str:
    """A URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def products_from(tmp_path, v1: str, v2: str) -> tuple:
    """The app and the catalog it reads over HTTP from `v1` then `v2`."""
    app = make_app(tmp_path, CATALOG=None, PRODUCTS_V1_URL=v1, PRODUCTS_V2_URL=v2)
    with app.app_context():
        return app, catalog_client.products()


def test_reads_products_and_converts_to_cents(tmp_path, serve):
    """Prices and promotions arrive as exact cents."""
    server = serve()
    _, items = products_from(tmp_path, server.url, closed_url())
    assert items["grinder"] == CatalogItem("grinder", "Burr Grinder", 8999, 0)
    assert items["kettle"] == CatalogItem("kettle", "Gooseneck Kettle", 4900, 750)


def test_falls_back_to_the_second_release(tmp_path, serve):
    """Release 1 of products down: release 2 answers."""
    server = serve()
    _, items = products_from(tmp_path, closed_url(), server.url)
    assert "grinder" in items


@pytest.mark.parametrize(
    ("body", "status"),
    [(b"<html>oops</html>", 200), (b'{"products": [{"id": "x"}]}', 200), (b"{}", 500)],
)
def test_a_broken_answer_counts_as_unavailable(tmp_path, serve, body, status):
    """Invalid JSON, an invalid catalog or an error status: try the next one."""
    broken, good = serve(body, status), serve()
    _, items = products_from(tmp_path, broken.url, good.url)
    assert "grinder" in items
    assert broken.hits == 1


def test_nothing_answers(tmp_path):
    """Both releases down: CatalogUnavailable, which is a 503."""
    app = make_app(
        tmp_path, CATALOG=None, PRODUCTS_V1_URL=closed_url(), PRODUCTS_V2_URL=closed_url()
    )
    with app.app_context(), pytest.raises(CatalogUnavailable) as caught:
        catalog_client.products()
    assert (caught.value.status, caught.value.code) == (503, "catalog-unavailable")


def test_answers_are_cached(tmp_path, serve):
    """Within the cache time, products is asked once."""
    server = serve()
    app = make_app(tmp_path, CATALOG=None, PRODUCTS_V1_URL=server.url)
    with app.app_context():
        catalog_client.products()
        catalog_client.products()
    assert server.hits == 1


def test_the_cache_expires(tmp_path, serve, monkeypatch):
    """After the cache time products is asked again."""
    server = serve()
    app = make_app(tmp_path, CATALOG=None, PRODUCTS_V1_URL=server.url)
    monkeypatch.setattr(catalog_client, "CACHE_SECONDS", 0.0)
    with app.app_context():
        catalog_client.products()
        catalog_client.products()
    assert server.hits == 2


def test_adding_through_the_http_catalog(tmp_path, serve):
    """The cart API works end to end against a products server."""
    server = serve()
    app = make_app(tmp_path, CATALOG=None, PRODUCTS_V1_URL=server.url)
    shopper = Shopper(app)
    assert shopper.add("grinder", 3).json["total"] == 269.97
    assert shopper.order().json["total"] == 269.97


def test_after_every_release_failed_the_next_asks_answer_503_at_once(tmp_path, monkeypatch):
    """A hung or dead products costs one round of timeouts per RETRY_SECONDS, not one per add:
    meanwhile adds get their 503 at once; afterwards products is asked again."""
    calls = []

    def failing(url):
        calls.append(url)
        raise TimeoutError("timed out")

    monkeypatch.setattr(catalog_client, "_fetch", failing)
    clock = [1000.0]
    monkeypatch.setattr(catalog_client.time, "monotonic", lambda: clock[0])
    app = make_app(tmp_path, CATALOG=None, PRODUCTS_V1_URL="http://v1", PRODUCTS_V2_URL="http://v2")
    with app.app_context():
        for _ in range(3):
            with pytest.raises(CatalogUnavailable):
                catalog_client.products()
        assert calls == ["http://v1", "http://v2"]
        clock[0] += catalog_client.RETRY_SECONDS
        with pytest.raises(CatalogUnavailable):
            catalog_client.products()
    assert calls == ["http://v1", "http://v2"] * 2


def test_the_release_that_answered_last_is_asked_first(tmp_path, serve, monkeypatch):
    """Release 1 of products gone, release 2 answered: the next refresh starts with release 2."""
    v1, v2 = serve(b"{}", 500), serve()
    monkeypatch.setattr(catalog_client, "CACHE_SECONDS", 0.0)
    app = make_app(tmp_path, CATALOG=None, PRODUCTS_V1_URL=v1.url, PRODUCTS_V2_URL=v2.url)
    with app.app_context():
        catalog_client.products()
        catalog_client.products()
    assert (v1.hits, v2.hits) == (1, 2)


def test_a_products_release_slowed_by_chaos_still_answers_in_time(tmp_path, serve):
    """`mfe chaos products slow` delays each answer by SLOW_SECONDS, and a busy machine adds a
    little: still a catalog, not a 503."""
    slowed = serve(delay=chaos.SLOW_SECONDS + 0.3)
    _, items = products_from(tmp_path, slowed.url, closed_url())
    assert "grinder" in items
