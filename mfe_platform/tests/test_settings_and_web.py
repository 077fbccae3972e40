"""Settings parsing, the secret file, and the Flask platform every app shares."""

import stat
from pathlib import Path

import pytest
from flask import Flask

from mfe_platform import settings, web
from mfe_platform.web.secrets import load_or_create_secret
from shared_contracts import ContractError, registry
from shared_contracts.manifests import PROTOCOL, build_manifest

HOST = "http://localhost:8000"


# No `MFE_*` variable of the caller's shell leaks into these tests.
pytestmark = pytest.mark.usefixtures("clean_environment")


# --- settings ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://localhost:8000", "http://localhost:8000"),
        ("http://localhost:80", "http://localhost"),
        ("https://shop.example:443", "https://shop.example"),
        ("https://shop.example:8443", "https://shop.example:8443"),
        ("http://shop.example:443", "http://shop.example:443"),
        ("HTTP://LocalHost:8001/some/path?q=1#frag", "http://localhost:8001"),
        ("  http://Shop.Example/  ", "http://shop.example"),
        ("http://[::1]:8000", "http://[::1]:8000"),
        ("http://[::1]:80", "http://[::1]"),
    ],
)
def test_origin(url, expected):
    """Origins as browsers write them: lower-case host, default port omitted, no path."""
    assert settings.origin(url) == expected


@pytest.mark.parametrize(
    "url", ["ftp://x", "localhost:8000", "//localhost:8000", "http://", "", "http://h:99999"]
)
def test_origin_rejects_non_http_urls(url):
    """Only absolute http(s) URLs with a host (and a valid port) have an origin."""
    with pytest.raises(ValueError):
        settings.origin(url)


@pytest.mark.parametrize(
    "url",
    [
        "http://h:1/shop",
        "http://h:1/?q=1",
        "http://h:1/#x",
        "http://me@h:1",
        "http://:pw@h:1",
        "ftp://h",
    ],
)
def test_a_release_url_is_an_origin_and_nothing_more(url):
    """A deploy's url with a path, query, fragment or user is refused, not silently cut."""
    with pytest.raises(ValueError):
        settings.release_origin(url)
    assert settings.release_origin(" HTTP://H:1/ ") == "http://h:1"


def test_app_url_and_urls_read_the_environment():
    """`MFE_*_URL` overrides a default, normalised to an origin."""
    environ = {"MFE_PRODUCTS_V2_URL": "http://Products.Example:80/"}
    assert settings.app_url("products", 2, environ) == "http://products.example"
    assert settings.app_url("checkout", 1, environ) == "http://localhost:8002"
    assert settings.app_url("host", environ={}) == HOST
    assert settings.urls(environ)["PRODUCTS_V2_URL"] == "http://products.example"


@pytest.mark.parametrize(("app", "release"), [("shop", 1), ("products", 3), ("checkout", None)])
def test_url_key_rejects_unknown_apps_and_releases(app, release):
    """Only host and products/checkout releases 1 and 2 have URLs."""
    with pytest.raises(ValueError, match="no URL setting"):
        settings.url_key(app, release)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", {"products": 1, "checkout": 1}),
        ("products=2", {"products": 2, "checkout": 1}),
        (" checkout = 2 , products=2 ", {"products": 2, "checkout": 2}),
        ("products=2,,", {"products": 2, "checkout": 1}),
        ("products=2,products=1", {"products": 1, "checkout": 1}),
    ],
)
def test_parse_live(text, expected):
    """`APP=RELEASE` pairs over the defaults; blanks ignored, later entries win."""
    assert settings.parse_live(text) == expected


@pytest.mark.parametrize(
    ("text", "entry"),
    [
        ("products=3", "products=3"),
        ("products", "products"),
        ("shop=1", "shop=1"),
        ("products=two", "products=two"),
        ("checkout=1,products=02", "products=02"),
        ("host=1", "host=1"),
    ],
)
def test_parse_live_names_the_bad_entry(text, entry):
    """A bad MFE_LIVE value raises ValueError quoting the offending entry."""
    with pytest.raises(ValueError) as caught:
        settings.parse_live(text)
    assert repr(entry) in str(caught.value)


def test_parse_live_does_not_change_the_defaults():
    """Parsing returns a new dict; the module defaults stay as they were."""
    settings.parse_live("products=2")
    assert settings.DEFAULT_LIVE == {"products": 1, "checkout": 1}


def test_data_dir_honours_mfe_data_dir(tmp_path):
    """`MFE_DATA_DIR` moves every app's folder; the default is `instance/` in the repository."""
    assert settings.data_dir("products", {"MFE_DATA_DIR": str(tmp_path)}) == tmp_path / "products"
    assert settings.data_dir("checkout", {}) == settings.REPOSITORY / "instance" / "checkout"


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " yes ", "On", 1, 1.0, True])
def test_flag_true(value):
    """1, true, yes and on, in any case and padding, are true."""
    assert settings.flag(value) is True


@pytest.mark.parametrize("value", ["0", "false", "no", "off", "", " OFF ", None, 0, 0.0, False])
def test_flag_false(value):
    """0, false, no, off and nothing are false."""
    assert settings.flag(value) is False


@pytest.mark.parametrize("value", ["2", "y", "enable", "naive"])
def test_flag_neither_is_an_error_naming_the_variable(value):
    """A value that is neither must not quietly mean off."""
    with pytest.raises(ValueError, match="MFE_DUAL_EMIT"):
        settings.flag(value, "MFE_DUAL_EMIT")


@pytest.mark.parametrize(
    ("value", "mode"),
    [
        ("naive", "naive"),
        (" NAIVE ", "naive"),
        ("", "strict"),
        (None, "strict"),
        ("strict", "strict"),
    ],
)
def test_bus_mode(value, mode):
    """naive or strict; nothing is strict."""
    assert settings.bus_mode(value) == mode


@pytest.mark.parametrize("value", ["bogus", "nave", "off", 1])
def test_an_unknown_bus_mode_is_an_error(value):
    """A typo must not quietly run the strict bus in a lab about the naive one (or the reverse)."""
    with pytest.raises(ValueError, match="MFE_BUS_MODE must be naive or strict"):
        settings.bus_mode(value)


# --- the secret file -----------------------------------------------------------------------


def test_secret_is_created_once_and_private(tmp_path):
    """The first call creates a 0600 secret; the next returns the same value."""
    path = tmp_path / "secret_key"
    first = load_or_create_secret(path)
    assert len(first) >= 32
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == first
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"], "no temporary file left"


def test_existing_secret_is_kept(tmp_path):
    """A secret written earlier (by another release) is read, not replaced."""
    path = tmp_path / "secret_key"
    path.write_text("theirs\n")
    assert load_or_create_secret(path) == "theirs"
    assert path.read_text() == "theirs\n"


def test_secrets_differ_between_files(tmp_path):
    """Each new secret is random."""
    assert load_or_create_secret(tmp_path / "a") != load_or_create_secret(tmp_path / "b")


# --- manifests -----------------------------------------------------------------------------


def test_build_manifest_sorts_versions_numerically():
    """Versions are sorted oldest first, events by name."""
    manifest = build_manifest(
        "products",
        2,
        emits={"cart:item-added": ["2.0.0", "1.0.0"]},
        consumes={"order:placed": ["1.0.0"], "cart:updated": ["1.0.0"]},
    )
    assert manifest.emits == {"cart:item-added": ["1.0.0", "2.0.0"]}
    assert list(manifest.consumes) == ["cart:updated", "order:placed"]
    assert manifest.emits_version("cart:item-added", "2.0.0")
    assert not manifest.emits_version("cart:updated", "1.0.0")
    assert manifest.consumes_event("order:placed") == ["1.0.0"]


@pytest.mark.parametrize(
    ("emits", "consumes", "reason"),
    [
        ({"cart:item-added": ["9.9.9"]}, {}, "unknown-version"),
        ({}, {"cart:item-added": ["1.0.0", "3.0.0"]}, "unknown-version"),
        ({"nope:event": ["1.0.0"]}, {}, "unknown-event"),
    ],
)
def test_build_manifest_refuses_unknown_contracts(emits, consumes, reason):
    """A manifest may only name registered (event, version) pairs."""
    with pytest.raises(ContractError) as caught:
        build_manifest("products", 1, emits, consumes)
    assert caught.value.reason == reason


# --- the Flask platform --------------------------------------------------------------------


def make_app(tmp_path: Path, name: str = "products", test_config: dict | None = None) -> Flask:
    """A bare app with the shared configuration, platform endpoints and two test routes."""
    app = Flask(__name__)
    web.configure(app, name, {}, {"DATA_DIR": str(tmp_path), **(test_config or {})})
    manifest = build_manifest(
        name,
        app.config["RELEASE"],
        emits={"cart:item-added": ["1.0.0", "2.0.0"]},
        consumes={"cart:updated": ["1.0.0"]},
    )
    web.init_app(app, manifest, frame_ancestors=HOST)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals: /etc/passwd")

    return app


@pytest.fixture
def client(tmp_path):
    """A test client of the bare app."""
    return make_app(tmp_path).test_client()


def test_configure_fills_config_and_data_folder(tmp_path):
    """Config has the app name, release 1, its data folder and a persisted secret key."""
    app = make_app(tmp_path)
    assert app.config["APP_NAME"] == "products"
    assert app.config["RELEASE"] == 1
    assert app.config["APP_DATA_DIR"] == str(tmp_path / "products")
    assert (tmp_path / "products").is_dir()
    assert app.config["SECRET_KEY"] == (tmp_path / "products" / "secret_key").read_text()
    assert app.config["SESSION_COOKIE_NAME"] == "mfe_products_session"
    # A second app on the same data folder shares the secret.
    assert make_app(tmp_path).config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_configure_reads_the_environment(tmp_path, monkeypatch):
    """`MFE_*` variables are read and normalised: release int, flags bool, URLs origins."""
    monkeypatch.setenv("MFE_RELEASE", "2")
    monkeypatch.setenv("MFE_DUAL_EMIT", "yes")
    monkeypatch.setenv("MFE_HOST_URL", "HTTP://LOCALHOST:8000/")
    app = make_app(tmp_path)
    assert app.config["RELEASE"] == 2
    assert app.config["DUAL_EMIT"] is True
    assert app.config["HOST_URL"] == HOST


@pytest.mark.parametrize("value", ["1e3", "12.50", "true", "null", "0", "[1]"])
def test_tokens_and_keys_from_the_environment_stay_exactly_the_text_given(
    tmp_path, monkeypatch, value
):
    """The admin token and secret keys are compared as text: JSON must not reinterpret them
    (the CLI sends "1e3" as it is; the apps once compared it with 1000.0 and answered 403)."""
    monkeypatch.setenv("MFE_ADMIN_TOKEN", value)
    monkeypatch.setenv("MFE_PRODUCTS_SECRET_KEY", value)
    app = make_app(tmp_path)
    assert app.config["ADMIN_TOKEN"] == value
    assert web.admin.admin_token(app.config) == value
    assert app.config["SECRET_KEY"] == value


def test_test_config_overrides_the_environment(tmp_path, monkeypatch):
    """Test overrides come last."""
    monkeypatch.setenv("MFE_RELEASE", "2")
    assert make_app(tmp_path, test_config={"RELEASE": 1}).config["RELEASE"] == 1


@pytest.mark.parametrize("release", ["7", "0"])
def test_configure_refuses_unknown_release(tmp_path, monkeypatch, release):
    """MFE_RELEASE outside 1..2 is refused for products and checkout."""
    monkeypatch.setenv("MFE_RELEASE", release)
    with pytest.raises(ValueError, match="MFE_RELEASE"):
        web.configure(Flask(__name__), "products", {}, {"DATA_DIR": str(tmp_path)})


def test_configure_refuses_a_bad_url(tmp_path, monkeypatch):
    """A URL setting that is not http(s) stops the app at start-up."""
    monkeypatch.setenv("MFE_HOST_URL", "localhost:8000")
    with pytest.raises(ValueError, match="not an http"):
        web.configure(Flask(__name__), "products", {}, {"DATA_DIR": str(tmp_path)})


def test_healthz(client):
    """Liveness names the app and its release."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "app": "products", "release": 1}


def test_manifest_endpoint_shape(client):
    """`/mfe-manifest.json` has exactly the design's keys, versions as strings, release an int."""
    response = client.get("/mfe-manifest.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"app", "release", "protocol", "emits", "consumes"}
    assert body["app"] == "products"
    assert body["release"] == 1 and isinstance(body["release"], int)
    assert body["protocol"] == PROTOCOL
    assert body["emits"] == {"cart:item-added": ["1.0.0", "2.0.0"]}
    assert body["consumes"] == {"cart:updated": ["1.0.0"]}
    for versions in (*body["emits"].values(), *body["consumes"].values()):
        assert all(isinstance(v, str) for v in versions)


def test_contracts_endpoint(client):
    """`/mfe/contracts.json` serves every contract and the converters."""
    body = client.get("/mfe/contracts.json").get_json()
    assert body["protocol"] == PROTOCOL
    assert body["converters"] == registry.converters.export()
    assert {(e, v) for e, by in body["contracts"].items() for v in by} == {
        (c.event, c.version) for c in registry.contracts()
    }


def assert_json_error(response, status: int, code: str):
    """An error response in the shared JSON shape."""
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error", "message", "details"}
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert body["details"] == []
    return body


def test_missing_static_file_is_a_json_404(client):
    """A missing client library file is JSON, not an HTML page."""
    assert_json_error(client.get("/mfe/static/no-such-file.js"), 404, "not-found")


def test_static_path_traversal_is_refused(client):
    """`..` cannot reach files outside the static folder."""
    response = client.get("/mfe/static/..%2Fplatform.py")
    assert_json_error(response, 404, "not-found")
    assert b"Blueprint" not in response.data


def test_unknown_route_is_a_json_404(client):
    """Unknown URLs answer JSON with error, message and details."""
    assert_json_error(client.get("/no/such/page"), 404, "not-found")


def test_wrong_method_is_a_json_405_with_allow(client):
    """POST to a GET route is 405 JSON, and Allow still lists GET."""
    response = client.post("/healthz")
    assert_json_error(response, 405, "method-not-allowed")
    assert "GET" in {m.strip() for m in response.headers["Allow"].split(",")}


def test_unexpected_exception_is_a_json_500_without_internals(client):
    """A crash answers a generic JSON 500; the exception text never reaches the client."""
    response = client.get("/boom")
    assert_json_error(response, 500, "internal-server-error")
    text = response.get_data(as_text=True)
    assert "RuntimeError" not in text
    assert "secret internals" not in text
    assert "Traceback" not in text


@pytest.mark.parametrize("path", ["/healthz", "/no/such/page", "/boom"])
def test_security_headers_on_every_response(client, path):
    """Success and error responses alike carry the CSP and friends."""
    headers = client.get(path).headers
    directives = {d.strip() for d in headers["Content-Security-Policy"].split(";")}
    assert "script-src 'self'" in directives
    assert f"frame-ancestors {HOST}" in directives
    assert "object-src 'none'" in directives
    assert not any("unsafe-inline" in d for d in directives)
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "X-Frame-Options" not in headers, "an embeddable app must not forbid framing"


def test_host_app_headers(tmp_path):
    """The host is never framed and may open its WebSocket to its own origin."""
    client = make_app(tmp_path, name="host").test_client()
    headers = client.get("/healthz").headers
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "connect-src 'self' ws://localhost:8000" in headers["Content-Security-Policy"]


def test_the_children_keep_no_session_and_say_so_on_a_write(tmp_path):
    """Products and checkout open no signed cookie per request; writing a session is an error
    that names the reason. The host keeps its session (overrides.py needs it)."""
    from flask import session

    from mfe_platform.web.sessions import NoSession

    app = make_app(tmp_path)
    response = app.test_client().get("/healthz", headers={"Cookie": "mfe_products_session=x"})
    assert response.status_code == 200 and "Set-Cookie" not in response.headers
    with app.test_request_context("/"):
        assert isinstance(session._get_current_object(), NoSession)
        with pytest.raises(RuntimeError, match="keep no session"):
            session["shopper"] = "someone"
    host = make_app(tmp_path, "host")
    with host.test_request_context("/"):
        session["overrides"] = {"products": "http://localhost:5100"}
        assert session["overrides"]
