"""Fixtures of the host's tests: the host served in-process (Chromium comes from the root)."""

import socket
import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from host_app import create_app


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without one log line per request."""

    def log_request(self, *args, **kwargs):
        pass


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def host(tmp_path_factory):
    """The host app on a free port, served from a daemon thread; yields its URL."""
    port = free_port()
    url = f"http://localhost:{port}"
    app = create_app(
        {"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("host-data")), "HOST_URL": url}
    )
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="host-server", daemon=True)
    thread.start()
    yield url
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="package")
def host_page(browser):
    """One page for the package; `js` reloads it so every test starts from a fresh document."""
    context = browser.new_context()
    yield context.new_page()
    context.close()


@pytest.fixture
def js(host_page, host):
    """A page freshly loaded at the host's origin, ready for `evaluate` with module imports."""
    host_page.goto(f"{host}/healthz")
    return host_page
