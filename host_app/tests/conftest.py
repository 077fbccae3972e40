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

from e2e.processes import free_port
from host_app import create_app
from shared_contracts import settings

ADMIN_TOKEN = "test-admin-token-0123456789"
HOST = "http://localhost:8000"
CHILD_KEYS = ("PRODUCTS_V1_URL", "PRODUCTS_V2_URL", "CHECKOUT_V1_URL", "CHECKOUT_V2_URL")


class QuietHandler(WSGIRequestHandler):
    """Werkzeug's handler without one log line per request."""

    def log_request(self, *args, **kwargs):
        pass


@contextlib.contextmanager
def serving(app, port: int | None = None):
    """Serve a WSGI app from a daemon thread on `port` (default: a free one); yields its URL."""
    port = port or free_port()
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=QuietHandler)
    # A short poll interval keeps shutdown quick; serve_forever checks it between polls.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://localhost:{port}"
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
    port = free_port()
    url = f"http://localhost:{port}"
    app = create_app(
        {"TESTING": True, "DATA_DIR": str(tmp_path_factory.mktemp("host-data")), "HOST_URL": url}
    )
    with serving(app, port):
        yield url


@pytest.fixture(scope="session")
def children(tmp_path_factory) -> dict[str, str]:
    """Products 1+2 and checkout 1+2 served in-process; their URLs keyed like Flask config.

    They share one data folder (as releases do) and the admin token `ADMIN_TOKEN`; tests
    that stage chaos on them use `calm_children` to clear it afterwards.
    """
    data_dir = tmp_path_factory.mktemp("children-data")
    urls = {key: f"http://localhost:{free_port()}" for key in CHILD_KEYS}
    with contextlib.ExitStack() as stack:
        for app in settings.APPS:
            for release in settings.RELEASES:
                url = urls[settings.url_key(app, release)]
                config = {
                    **urls,
                    "TESTING": True,
                    "DATA_DIR": str(data_dir),
                    "RELEASE": release,
                    "HOST_URL": HOST,
                    "ADMIN_TOKEN": ADMIN_TOKEN,
                    "DUAL_EMIT": False,
                }
                port = int(url.rsplit(":", 1)[1])
                stack.enter_context(serving(app_factory(f"{app}_app")(config), port))
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
