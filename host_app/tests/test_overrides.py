"""Per-browser overrides: set only by the host page, loopback only, seen only by this browser;
and the read-only `can-i-deploy` check of a candidate URL."""

import html
import json
import re

import pytest
from flask.sessions import SecureCookieSessionInterface

from e2e.manifests import fake_manifest
from e2e.processes import free_port
from host_app.overrides import loopback_origin
from host_app.tests.conftest import HOST

pytestmark = pytest.mark.usefixtures("clean_environment")

FROM_HOST = {"Origin": HOST}


@pytest.fixture
def app(host_app_factory):
    """A host at http://localhost:8000 wired to the real releases."""
    return host_app_factory()


def config_of(client) -> dict:
    """The shell page's config (what its bus and frames are built from)."""
    page = client.get("/").get_data(as_text=True)
    raw = re.search(r"data-config='([^']*)'", page).group(1)
    return json.loads(html.unescape(raw))


def frame_src(client) -> set[str]:
    """The shell page's CSP frame-src, as a set of origins."""
    csp = client.get("/").headers["Content-Security-Policy"]
    return set(re.search(r"frame-src ([^;]+)", csp).group(1).split())


def override(client, app: str, url, headers=FROM_HOST):
    """PUT an override as the host page would."""
    return client.put(f"/api/overrides/{app}", json={"url": url}, headers=headers)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("http://localhost:9123", "http://localhost:9123"),
        ("http://localhost:9123/", "http://localhost:9123"),
        ("http://127.0.0.1:9123", "http://127.0.0.1:9123"),
        ("http://[::1]:9123", "http://[::1]:9123"),
        ("HTTP://LOCALHOST:9123", "http://localhost:9123"),
    ],
)
def test_loopback_origins_are_overrides(url, origin):
    """localhost, 127.0.0.1 and [::1] on any port, written as an origin."""
    assert loopback_origin(url) == origin


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com:9123",
        "http://localhost.example.com:9123",
        "http://127.0.0.1.nip.io:9123",
        "http://10.0.0.5:9123",
        "http://localhost:9123/path",
        "http://user@localhost:9123",
        "http://localhost:9123/?q=1",
        "javascript:alert(1)",
        "localhost:9123",
        "",
        None,
        9123,
    ],
)
def test_anything_else_is_refused_with_a_reason(url):
    """Another host, a path, a user, another scheme or not a string: a clear ValueError."""
    with pytest.raises(ValueError, match="override"):
        loopback_origin(url)


def test_an_override_is_this_browsers_only(app, children):
    """The browser that set it gets the override in its slot, its CSP and its bus origin;
    another browser (another cookie jar) and the deployment record see the live release."""
    mine, theirs = app.test_client(), app.test_client()
    fork = children["PRODUCTS_V2_URL"]
    record_before = mine.get("/api/deployments").get_json()["revision"]
    response = override(mine, "products", fork + "/")
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"overrides": {"products": fork}}

    slot = config_of(mine)["apps"]["products"]
    assert (slot["url"], slot["release"], slot["override"]) == (fork, 2, True)
    assert slot["manifest"]["release"] == 2
    assert slot["live"] == {"release": 1, "url": children["PRODUCTS_V1_URL"]}
    assert fork in mine.get("/").get_data(as_text=True)
    assert mine.get("/api/overrides").get_json() == {"overrides": {"products": fork}}

    assert config_of(theirs)["apps"]["products"]["url"] == children["PRODUCTS_V1_URL"]
    assert "override" not in config_of(theirs)["apps"]["products"]
    assert theirs.get("/api/overrides").get_json() == {"overrides": {}}
    deployments = theirs.get("/api/deployments").get_json()
    assert deployments["revision"] == record_before
    assert deployments["apps"]["products"]["release"] == 1


def test_the_override_origin_joins_only_this_browsers_frame_src(app, children, fake_child):
    """A fork nobody registered may be framed by this browser's pages, and by no other's."""
    manifest = fake_manifest("products", 2)
    fork = fake_child({"/mfe-manifest.json": manifest})
    mine, theirs = app.test_client(), app.test_client()
    registered = frame_src(theirs)
    assert override(mine, "products", fork).status_code == 200
    assert frame_src(mine) == registered | {fork}
    assert set(config_of(mine)["frameSrc"]) == registered | {fork}
    assert frame_src(theirs) == registered

    cleared = mine.delete("/api/overrides/products", headers=FROM_HOST)
    assert cleared.status_code == 200 and cleared.get_json() == {"overrides": {}}
    assert frame_src(mine) == registered
    assert config_of(mine)["apps"]["products"]["url"] == children["PRODUCTS_V1_URL"]


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Origin": "http://localhost:8001"},
        {"Origin": "http://127.0.0.1:8000"},
        {"Origin": "null"},
    ],
    ids=["no-origin", "a-frame's-origin", "look-alike-host", "null"],
)
def test_only_the_host_page_sets_or_clears_one(app, headers):
    """No Origin, or any other than the host's exactly: 403, and nothing changes."""
    client = app.test_client()
    response = override(client, "products", "http://localhost:9123", headers=headers)
    assert response.status_code == 403
    assert response.get_json()["error"] == "forbidden-origin"
    assert client.get("/api/overrides").get_json() == {"overrides": {}}

    assert override(client, "products", "http://localhost:9123").status_code == 200
    assert client.delete("/api/overrides/products", headers=headers).status_code == 403
    assert client.get("/api/overrides").get_json() == {
        "overrides": {"products": "http://localhost:9123"}
    }


@pytest.mark.parametrize(
    ("app_name", "body", "status", "code"),
    [
        ("products", {"url": "http://example.com:9123"}, 422, "not-loopback"),
        ("products", {"url": "http://localhost:8000"}, 422, "not-an-app"),
        ("products", {"url": "http://localhost:9123", "extra": 1}, 400, "bad-json"),
        ("products", ["http://localhost:9123"], 400, "bad-json"),
        ("host", {"url": "http://localhost:9123"}, 404, "unknown-app"),
    ],
)
def test_bad_requests_are_refused_and_change_nothing(app, app_name, body, status, code):
    """A non-loopback URL, the host itself, a bad body or an unknown slot: a clear error."""
    client = app.test_client()
    response = client.put(f"/api/overrides/{app_name}", json=body, headers=FROM_HOST)
    assert response.status_code == status
    assert response.get_json()["error"] == code
    assert response.get_json()["message"]
    assert client.get("/api/overrides").get_json() == {"overrides": {}}


def test_a_cookie_not_signed_by_the_host_is_ignored(app):
    """Another local server can set a cookie for localhost, but cannot sign one."""
    forger = SecureCookieSessionInterface()

    class Other:
        secret_key = "another app's key"
        config = app.config

    forged = forger.get_signing_serializer(Other).dumps(
        {"overrides": {"products": "http://localhost:9999"}}
    )
    client = app.test_client()
    client.set_cookie(app.config["SESSION_COOKIE_NAME"], forged, domain="localhost")
    assert client.get("/api/overrides").get_json() == {"overrides": {}}
    assert "http://localhost:9999" not in frame_src(client)


def test_check_says_whether_the_candidate_could_go_live(app, children, fake_child):
    """Release 2 at its URL is deployable; a fork emitting only an unknown version is not."""
    client = app.test_client()
    good = client.get(
        "/api/overrides/check", query_string={"app": "products", "url": children["PRODUCTS_V2_URL"]}
    )
    assert good.status_code == 200, good.get_json()
    body = good.get_json()
    assert (body["app"], body["release"], body["deployable"]) == ("products", 2, True)
    assert body["manifest"]["emits"]["cart:item-added"] == ["2.0.0"]
    assert any(f["event"] == "cart:item-added" and f["ok"] for f in body["findings"])

    broken = fake_manifest("products", 2, {"cart:item-added": ["9.0.0"]})
    fork = fake_child({"/mfe-manifest.json": broken})
    bad = client.get("/api/overrides/check", query_string={"app": "products", "url": fork})
    assert bad.status_code == 200
    assert bad.get_json()["deployable"] is False
    details = [f["detail"] for f in bad.get_json()["findings"] if not f["ok"]]
    assert any("9.0.0" in d for d in details)


def test_check_refuses_what_it_cannot_check(app, children, fake_child):
    """Not loopback, unreachable, another app, or asked by another origin's page."""
    client = app.test_client()

    def check(app_name, url, headers=None):
        return client.get(
            "/api/overrides/check", query_string={"app": app_name, "url": url}, headers=headers
        )

    assert check("products", "http://example.com:1").status_code == 422
    unreachable = check("products", f"http://localhost:{free_port()}")
    assert unreachable.status_code == 409
    assert unreachable.get_json()["error"] == "candidate-unreachable"
    mismatch = check("products", children["CHECKOUT_V1_URL"])
    assert (mismatch.status_code, mismatch.get_json()["error"]) == (409, "manifest-mismatch")
    assert check("nope", children["PRODUCTS_V2_URL"]).status_code == 404
    foreign = check("products", children["PRODUCTS_V2_URL"], {"Origin": "http://localhost:8001"})
    assert foreign.status_code == 403
    cross_site = check("products", children["PRODUCTS_V2_URL"], {"Sec-Fetch-Site": "same-site"})
    assert cross_site.status_code == 403


def test_a_slot_pointed_at_another_app_or_at_nothing_has_no_manifest(app, children):
    """Checkout's build in the products slot, or a port nobody answers: the page gets the
    override without a manifest (the bus refuses the frame's hello, or waits for it)."""
    client = app.test_client()
    assert override(client, "products", children["CHECKOUT_V1_URL"]).status_code == 200
    slot = config_of(client)["apps"]["products"]
    assert (slot["url"], slot["release"], slot["manifest"]) == (
        children["CHECKOUT_V1_URL"],
        None,
        None,
    )
    nobody = f"http://localhost:{free_port()}"
    assert override(client, "products", nobody).status_code == 200
    slot = config_of(client)["apps"]["products"]
    assert (slot["url"], slot["release"], slot["manifest"]) == (nobody, None, None)
