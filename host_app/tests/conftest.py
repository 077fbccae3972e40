"""Fixtures of the host's tests: the host served in-process (Chromium comes from the root),
and the other apps' releases served in-process for the deploy and CLI tests."""

import contextlib
import importlib
import json
import os
import threading

import pytest
from flask.testing import FlaskClient
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from host_app import create_app
from mfe_platform import settings

ADMIN_TOKEN = "test-admin-token-0123456789"
HOST = "http://localhost:8000"
CHILD_KEYS = ("PRODUCTS_V1_URL", "PRODUCTS_V2_URL", "CHECKOUT_V1_URL", "CHECKOUT_V2_URL")


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without one log line per request."""

    def log_request(self, *args, **kwargs):
        pass


def _starting(environ, start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


def bound_server():
    """A server already listening on a free port; `url_of` it, then `serving(app, it)`.

    Bound before the app exists, because an app's config names its own URL: picking a free
    port and binding it later let another program take it in between (a CI run lost a whole
    fixture to "Address already in use").
    """
    return make_server("127.0.0.1", 0, _starting, threaded=True, request_handler=QuietHandler)


def url_of(server) -> str:
    """The URL a bound server answers at."""
    return f"http://localhost:{server.server_port}"


@contextlib.contextmanager
def serving(app, server=None):
    """Serve a WSGI app from a daemon thread on `server` (default: a new one); yields its URL."""
    server = server or bound_server()
    server.app = app
    # A short poll interval keeps shutdown quick; serve_forever checks it between polls.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield url_of(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def app_factory(package: str):
    """`<package>.create_app`, loaded by name at run time as the Procfile launcher does.

    import-linter counts test modules too, and a static import of another app from here
    would break the "apps stand alone" contract; these tests compose apps like e2e/ does.
    """
    return importlib.import_module(package).create_app


class HostClient(FlaskClient):
    """A test client calling the app at `base_url`: the host's canonical origin by default,
    so page requests are not redirected (`test_client(base_url=...)` picks another)."""

    def __init__(self, *args, base_url: str = HOST, **kwargs):
        super().__init__(*args, **kwargs)
        self.base_url = base_url

    def open(self, *args, **kwargs):
        if args and isinstance(args[0], str):
            kwargs.setdefault("base_url", self.base_url)
        return super().open(*args, **kwargs)


def fake_app(routes: dict[str, dict]):
    """A WSGI app answering each path in `routes` with that JSON, anything else 404."""

    @Request.application
    def application(request: Request) -> Response:
        if request.path not in routes:
            return Response("{}", status=404, mimetype="application/json")
        return Response(json.dumps(routes[request.path]), mimetype="application/json")

    return application


@pytest.fixture(scope="session")
def host(tmp_path_factory):
    """The host app on a free port, served from a daemon thread; yields its URL."""
    server = bound_server()
    url = url_of(server)
    app = create_app(
        {"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("host-data")), "HOST_URL": url}
    )
    with serving(app, server):
        yield url


@pytest.fixture(scope="session")
def children(tmp_path_factory) -> dict[str, str]:
    """Products 1+2 and checkout 1+2 served in-process; their URLs keyed like Flask config.

    They share one data folder (as releases do) and the admin token `ADMIN_TOKEN`; tests
    that stage chaos on them use `calm_children` to clear it afterwards.
    """
    data_dir = tmp_path_factory.mktemp("children-data")
    with contextlib.ExitStack() as stack:
        servers = {key: bound_server() for key in CHILD_KEYS}
        for server in servers.values():
            stack.callback(server.server_close)
        urls = {key: url_of(server) for key, server in servers.items()}
        for app in settings.APPS:
            for release in settings.RELEASES:
                config = {
                    **urls,
                    "TESTING": True,
                    "DATA_DIR": str(data_dir),
                    "RELEASE": release,
                    "HOST_URL": HOST,
                    "ADMIN_TOKEN": ADMIN_TOKEN,
                    "DUAL_EMIT": False,
                }
                server = servers[settings.url_key(app, release)]
                stack.enter_context(serving(app_factory(f"{app}_app")(config), server))
        yield {**urls, "DATA_DIR": str(data_dir)}


@pytest.fixture
def calm_children(children):
    """After the test, every child release is back to chaos mode `up`."""
    yield children
    for app in ("products", "checkout"):
        path = os.path.join(children["DATA_DIR"], app, "chaos.json")
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)


@pytest.fixture
def host_app_factory(tmp_path, children, clean_environment):
    """Build hosts at `HOST` on one temporary data folder, wired to `children`; `**config`
    overrides; their `test_client()` is a `HostClient`."""

    def build(**config):
        urls = {key: children[key] for key in CHILD_KEYS}
        app = create_app(
            {
                "TESTING": True,
                "DATA_DIR": str(tmp_path),
                "HOST_URL": HOST,
                "ADMIN_TOKEN": ADMIN_TOKEN,
                **urls,
                **config,
            }
        )
        app.test_client_class = HostClient
        return app

    return build


@pytest.fixture
def fake_child():
    """Serve fake apps: `fake_child({"/mfe-manifest.json": {...}})` returns their URL."""
    with contextlib.ExitStack() as stack:
        yield lambda routes: stack.enter_context(serving(fake_app(routes)))


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
