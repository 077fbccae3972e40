"""The shell page, its security headers, the canonical host name and the WebSocket's origin."""

import html
import json
import re

import pytest

from e2e.manifests import fake_manifest
from host_app.tests.conftest import ADMIN_TOKEN, HOST

pytestmark = pytest.mark.usefixtures("clean_environment")

WS_UPGRADE = {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"}


@pytest.fixture
def app(host_app_factory):
    """A host at http://localhost:8000 wired to the real releases."""
    return host_app_factory()


@pytest.fixture
def client(app):
    """A test client that calls the host by its canonical name."""
    return app.test_client()


@pytest.fixture
def shell(client):
    """The shell page's HTML."""
    response = client.get("/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def iframes(page: str) -> dict[str, dict[str, str]]:
    """Each `<iframe>`'s attributes, keyed by its test id."""
    frames = {}
    for tag in re.findall(r"<iframe\b[^>]*>", page):
        attributes = {k: html.unescape(v) for k, v in re.findall(r'([\w-]+)="([^"]*)"', tag)}
        frames[attributes["data-testid"]] = attributes
    return frames


def directives(response) -> dict[str, str]:
    """The CSP header as `{directive: value}`."""
    parts = (
        part.strip().partition(" ")
        for part in response.headers["Content-Security-Policy"].split(";")
    )
    return {name: value for name, _, value in parts if name}


# --- the canonical host name ---------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/", "/inspector?x=1&y=two", "/contracts", "/no/such?q=", "/x?name=%C3%A9t%C3%A9"]
)
def test_other_host_name_redirects_to_canonical(app, path):
    """GET under 127.0.0.1 → 308 to the same path and query under localhost."""
    response = app.test_client(base_url="http://127.0.0.1:8000").get(path)
    assert response.status_code == 308
    assert response.headers["Location"] == f"{HOST}{path}"


def test_redirect_keeps_encoded_path_and_query_intact(app):
    """Percent-escapes in the path stay escaped; a query ending in `?` keeps it."""
    client = app.test_client(base_url="http://127.0.0.1:8000")
    response = client.get("/a%20b%3Fc?q=what%3F&r=s?")
    assert response.status_code == 308
    assert response.headers["Location"] == f"{HOST}/a%20b%3Fc?q=what%3F&r=s?"


def test_head_is_redirected_too(app):
    """HEAD is a page request like GET."""
    response = app.test_client(base_url="http://127.0.0.1:8000").head("/")
    assert response.status_code == 308


def test_other_port_redirects(app):
    """The same name on another port is another origin: redirected."""
    response = app.test_client(base_url="http://localhost:9999").get("/")
    assert response.status_code == 308
    assert response.headers["Location"] == f"{HOST}/"


def test_post_is_not_redirected(app):
    """An API call under 127.0.0.1 is answered, not redirected (a 308 would replay the body)."""
    client = app.test_client(base_url="http://127.0.0.1:8000")
    response = client.post("/api/deployments", json={"app": "products", "release": 2})
    assert response.status_code == 401
    authorised = client.post(
        "/api/deployments",
        json={"app": "shop", "release": 2},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert authorised.status_code == 422


def test_canonical_host_is_served(client):
    """Under its own name the page is served."""
    assert client.get("/").status_code == 200


# --- the page ------------------------------------------------------------------------------


def test_page_has_both_frames_at_the_live_urls(shell, children):
    """Products and checkout frames load the live releases' URLs."""
    frames = iframes(shell)
    assert set(frames) == {"frame-products", "frame-checkout"}
    assert frames["frame-products"]["src"].rstrip("/") == children["PRODUCTS_V1_URL"]
    assert frames["frame-checkout"]["src"].rstrip("/") == children["CHECKOUT_V1_URL"]


def test_frames_follow_a_deploy(client, children):
    """After a deploy the page frames the new live release."""
    response = client.post(
        "/api/deployments",
        json={"app": "products", "release": 2},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert response.status_code == 200
    frames = iframes(client.get("/").get_data(as_text=True))
    assert frames["frame-products"]["src"].rstrip("/") == children["PRODUCTS_V2_URL"]
    assert frames["frame-products"]["data-release"] == "2"


def test_frames_are_sandboxed_without_top_navigation(shell):
    """Each frame has a sandbox that lets scripts run but never navigates the top window."""
    for frame in iframes(shell).values():
        assert "sandbox" in frame
        tokens = frame["sandbox"].split()
        assert "allow-scripts" in tokens
        assert not [t for t in tokens if t.startswith("allow-top-navigation")]
        assert "allow-popups-to-escape-sandbox" not in tokens


def test_page_config_parses(shell, children):
    """`data-config` is JSON with apps, bundle, limits, readyTimeoutMs and frameSrc."""
    match = re.search(r"data-config='([^']*)'", shell)
    assert match, "the body carries its config"
    config = json.loads(html.unescape(match.group(1)))
    assert {"apps", "bundle", "limits", "readyTimeoutMs", "frameSrc"} <= set(config)
    assert config["hostOrigin"] == HOST
    assert config["apps"]["products"]["url"] == children["PRODUCTS_V1_URL"]
    assert config["apps"]["checkout"]["manifest"]["app"] == "checkout"
    assert config["readyTimeoutMs"] > 0
    assert {"maxBytes", "ratePerSecond", "burst", "byteRate"} <= set(config["limits"])
    assert config["bundle"]["contracts"]["cart:item-added"]
    assert sorted(config["frameSrc"]) == sorted(children[k] for k in children if k != "DATA_DIR")


def test_bus_limits_from_the_environment_reach_the_page(host_app_factory, monkeypatch):
    """`MFE_BUS_*` set the page router's limits, as numbers."""
    monkeypatch.setenv("MFE_BUS_BYTE_RATE", "1000000")
    monkeypatch.setenv("MFE_BUS_RATE", "50")
    page = host_app_factory().test_client().get("/").get_data(as_text=True)
    config = json.loads(html.unescape(re.search(r"data-config='([^']*)'", page).group(1)))
    assert config["limits"]["byteRate"] == 1000000
    assert config["limits"]["ratePerSecond"] == 50


@pytest.mark.parametrize(
    "name, value, message",
    [
        (
            "MFE_BUS_RATE",
            "abc",
            "MFE_BUS_RATE must be a whole number from 1 to 9007199254740991, not 'abc'",
        ),
        ("MFE_BUS_BURST", "0", "MFE_BUS_BURST must be a whole number from 1 to"),
        ("MFE_BUS_MAX_BYTES", "1.5", "MFE_BUS_MAX_BYTES must be a whole number from 1 to"),
        ("MFE_BUS_BYTE_RATE", "true", "MFE_BUS_BYTE_RATE must be a whole number from 1 to"),
        ("MFE_BUS_BYTE_RATE", "1000", "MFE_BUS_BYTE_RATE must be at least MFE_BUS_MAX_BYTES"),
        # Read as Infinity by the page, which would make the buckets NaN: no limit at all.
        ("MFE_BUS_BYTE_RATE", "9" * 400, "MFE_BUS_BYTE_RATE must be a whole number from 1 to"),
        ("MFE_BUS_RATE", "9" * 5000, "MFE_BUS_RATE must be a whole number from 1 to"),
        ("MFE_BUS_RATE", "1e400", "MFE_BUS_RATE must be a whole number from 1 to"),
        # str.isdigit() takes these; int() refuses the first and reads the second as 10.
        ("MFE_BUS_RATE", "\u00b2", "MFE_BUS_RATE must be a whole number from 1 to"),
        ("MFE_BUS_RATE", "\u0661\u0660", "MFE_BUS_RATE must be a whole number from 1 to"),
        (
            "MFE_BUS_MODE",
            "bogus",
            "MFE_BUS_MODE must be naive or strict (the default), not 'bogus'",
        ),
        ("MFE_DUAL_EMIT", "2", "MFE_DUAL_EMIT must be 1/true/yes/on or 0/false/no/off, not '2'"),
    ],
)
def test_a_bad_bus_limit_stops_the_host_with_its_name(
    host_app_factory, monkeypatch, name, value, message
):
    """A bus limit that is not a whole number above 0 is refused at start, named."""
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=re.escape(message)):
        host_app_factory()


@pytest.mark.parametrize("value", ["70000", " 70000 ", "7e4", "70000.0"])
def test_a_whole_bus_limit_is_taken_however_it_is_written(host_app_factory, monkeypatch, value):
    """JSON reads "7e4" and "70000.0" as floats: a whole one is still a whole number."""
    monkeypatch.setenv("MFE_BUS_BYTE_RATE", value)
    assert host_app_factory().config["BUS_BYTE_RATE"] == 70000


def test_page_has_no_inline_script(shell):
    """Every `<script>` loads a file; nothing inline."""
    scripts = re.findall(r"<script\b[^>]*>", shell)
    assert scripts
    assert all(re.search(r'\ssrc="[^"]+"', s) for s in scripts)


# --- headers -------------------------------------------------------------------------------


def test_shell_security_headers(client, children):
    """The host is never framed, frames only registered releases, and isolates its window."""
    response = client.get("/")
    csp = directives(response)
    assert csp["frame-ancestors"] == "'none'"
    assert csp["script-src"] == "'self'"
    assert set(csp["frame-src"].split()) == {children[k] for k in children if k != "DATA_DIR"}
    assert response.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_frame_src_grows_with_a_registered_release(client, fake_child):
    """A release registered by URL may be framed: its origin joins frame-src."""
    manifest = fake_manifest("checkout", 5)
    url = fake_child({"/mfe-manifest.json": manifest, "/healthz": {"status": "ok"}})
    response = client.post(
        "/api/deployments",
        json={"app": "checkout", "release": 5, "url": url},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert response.status_code == 200, response.get_json()
    assert url in directives(client.get("/"))["frame-src"].split()


# --- the WebSocket and errors --------------------------------------------------------------


@pytest.mark.parametrize(
    "origin", ["http://localhost:8001", "http://127.0.0.1:8000", "null", "https://localhost:8000"]
)
def test_websocket_refuses_other_origins(client, origin):
    """An upgrade from any origin but the host's own is refused with a JSON 403."""
    response = client.get("/ws", headers={**WS_UPGRADE, "Origin": origin})
    assert response.status_code == 403
    assert response.mimetype == "application/json"
    assert response.get_json()["error"] == "forbidden-origin"


def test_websocket_refuses_a_request_without_origin(client):
    """No Origin header, no socket."""
    response = client.get("/ws", headers=WS_UPGRADE)
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden-origin"


def test_unknown_route_is_json_404(client):
    """An unknown URL answers the JSON error shape, not an HTML page."""
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == "not-found"
    assert set(body) == {"error", "message", "details"}
