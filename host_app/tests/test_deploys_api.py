"""`/api/deployments`, `/api/events` and `/api/admin/reset` against real app releases."""

import html
import json
import logging
import re
import stat

import pytest

from e2e.manifests import fake_manifest
from e2e.processes import free_port
from host_app.tests.conftest import ADMIN_TOKEN

pytestmark = pytest.mark.usefixtures("clean_environment")

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@pytest.fixture
def client(host_app_factory):
    """A test client of a host on a temporary data folder, wired to the real releases."""
    return host_app_factory().test_client()


def deploy(client, body, headers=AUTH):
    """POST a deploy request (a JSON value) with the admin token."""
    return client.post("/api/deployments", json=body, headers=headers)


def assert_error(response, status: int, code: str) -> dict:
    """A JSON error with this status and reason code; returns the body."""
    assert response.status_code == status, response.get_json()
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == code
    assert set(body) == {"error", "message", "details"}
    return body


def product_manifest(release: int, emits: dict | None = None, dropped: tuple = ()) -> dict:
    """A products manifest as a fake release would serve it: the real one, changed only in
    the events a test names (`fake_manifest`)."""
    return fake_manifest("products", release, emits, dropped)


# --- reading the state ---------------------------------------------------------------------


def test_deployments_shape(client, children):
    """Each app: live release 1, its URL, health up, its manifest and its registered releases."""
    response = client.get("/api/deployments")
    assert response.status_code == 200
    body = response.get_json()
    assert body["revision"] == 0
    assert set(body["apps"]) == {"products", "checkout"}
    for app in ("products", "checkout"):
        entry = body["apps"][app]
        assert entry["release"] == 1
        assert entry["url"] == children[f"{app.upper()}_V1_URL"]
        assert entry["health"]["status"] == "up"
        assert entry["manifest"]["app"] == app
        assert entry["manifest"]["release"] == 1
        assert entry["releases"] == {
            "1": children[f"{app.upper()}_V1_URL"],
            "2": children[f"{app.upper()}_V2_URL"],
        }
    assert body["apps"]["checkout"]["manifest"]["consumes"]["cart:item-added"] == ["1.0.0"]


# --- refusing bad requests -----------------------------------------------------------------


def test_deploy_without_token_is_401(client):
    """No Authorization header → 401."""
    assert_error(deploy(client, {"app": "products", "release": 2}, headers={}), 401, "unauthorized")


@pytest.mark.parametrize(
    "header", [f"Bearer {ADMIN_TOKEN}x", "Bearer wrong", f"Bearer {ADMIN_TOKEN[:-1]}"]
)
def test_deploy_with_wrong_token_is_403(client, header):
    """A wrong bearer token → 403, and nothing changes."""
    response = deploy(client, {"app": "products", "release": 2}, headers={"Authorization": header})
    assert_error(response, 403, "forbidden")
    assert client.get("/api/deployments").get_json()["apps"]["products"]["release"] == 1


@pytest.mark.parametrize("header", ["", "Bearer", "Bearer ", f"Basic {ADMIN_TOKEN}", ADMIN_TOKEN])
def test_deploy_with_no_bearer_token_is_401(client, header):
    """An Authorization header without a bearer token counts as none."""
    response = deploy(client, {"app": "products", "release": 2}, headers={"Authorization": header})
    assert_error(response, 401, "unauthorized")


NESTED = '{"app": ' + "[" * 5000 + "]" * 5000 + ', "release": 2}'


@pytest.mark.parametrize("raw", ["{not json", "", "[]", '"products"', "null", NESTED])
def test_deploy_with_malformed_json_is_400(client, raw):
    """A body that is not a JSON object → 400."""
    response = client.post(
        "/api/deployments", data=raw, content_type="application/json", headers=AUTH
    )
    assert_error(response, 400, "bad-json")


@pytest.mark.parametrize(
    "body",
    [
        {"app": "shop", "release": 2},
        {"app": "host", "release": 1},
        {"app": "products", "release": 0},
        {"app": "products", "release": -1},
        {"app": "products", "release": "2"},
        {"app": "products", "release": True},
        {"app": "products", "release": 2, "colour": "blue"},
        {"app": "products"},
        {"app": "products", "release": 2, "force": "yes"},
        {"app": "products", "release": 2, "url": "ftp://example.com"},
        {"app": "products", "release": 2, "url": "http://localhost:8011/shop"},
        {"app": "products", "release": 2, "url": "http://localhost:8011/?v=2"},
    ],
)
def test_invalid_deploy_request_is_422(client, body):
    """Unknown app, bad release, extra or mistyped field, non-http url → 422, nothing changes."""
    assert_error(deploy(client, body), 422, "invalid")
    assert client.get("/api/deployments").get_json()["revision"] == 0


def test_unregistered_release_without_url_is_422(client):
    """A release nobody registered needs its URL."""
    body = assert_error(deploy(client, {"app": "products", "release": 3}), 422, "unknown-release")
    assert "url" in body["message"]


# --- deploying -----------------------------------------------------------------------------


def test_compatible_deploy_goes_live_and_is_recorded(client, host_app_factory, children, tmp_path):
    """Products 2 beside checkout 1 → 200 with the new state, recorded on disk for the next host."""
    response = deploy(client, {"app": "products", "release": 2})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["revision"] == 1
    assert body["apps"]["products"]["release"] == 2
    assert body["apps"]["products"]["url"] == children["PRODUCTS_V2_URL"]
    assert body["apps"]["products"]["manifest"]["emits"]["cart:item-added"] == ["2.0.0"]
    assert body["apps"]["checkout"]["release"] == 1
    assert body["warnings"] == []
    assert all(f["ok"] for f in body["findings"])
    assert any(f["event"] == "cart:item-added" for f in body["findings"])

    record = json.loads((tmp_path / "host" / "deployments.json").read_text())
    assert record["live"] == {"products": 2, "checkout": 1}
    assert record["revision"] == 1

    again = host_app_factory().test_client().get("/api/deployments").get_json()
    assert again["apps"]["products"]["release"] == 2
    assert again["revision"] == 1


def test_deploy_with_url_registers_the_release(client, fake_child):
    """A release running elsewhere is registered by its URL (as an origin) and goes live."""
    url = fake_child({"/mfe-manifest.json": product_manifest(3), "/healthz": {"status": "ok"}})
    response = deploy(client, {"app": "products", "release": 3, "url": f"{url}/"})
    assert response.status_code == 200, response.get_json()
    products = response.get_json()["apps"]["products"]
    assert (products["release"], products["url"]) == (3, url)
    assert products["releases"]["3"] == url
    assert products["health"]["status"] == "up"


def test_a_deploy_reads_the_candidate_anew_for_everyone(client, fake_child):
    """A release restarted with another manifest within the cache's fresh window: the deploy
    checks the new manifest, and the deployments and the next page get it too."""
    routes = {"/mfe-manifest.json": product_manifest(3), "/healthz": {"status": "ok"}}
    url = fake_child(routes)
    request = {"app": "products", "release": 3, "url": url}
    assert deploy(client, request).status_code == 200
    # Restarted with MFE_DUAL_EMIT: it now declares both versions of cart:item-added.
    both = {"cart:item-added": ["1.0.0", "2.0.0"], "notification:show": ["1.0.0"]}
    routes["/mfe-manifest.json"] = product_manifest(3, both)
    assert deploy(client, request).status_code == 200
    described = client.get("/api/deployments").get_json()["apps"]["products"]["manifest"]
    assert described["emits"]["cart:item-added"] == ["1.0.0", "2.0.0"]
    page = client.get("/").get_data(as_text=True)
    config = json.loads(html.unescape(re.search(r"data-config='([^']*)'", page).group(1)))
    assert config["apps"]["products"]["manifest"]["emits"] == product_manifest(3, both)["emits"]


def test_deploy_is_logged(client):
    """Every deploy leaves an entry in the event log, not forced when it was compatible."""
    assert deploy(client, {"app": "checkout", "release": 2}).status_code == 200
    entries = client.get("/api/events", headers=AUTH).get_json()["entries"]
    deploys = [e for e in entries if e["type"] == "deploy"]
    assert len(deploys) == 1
    assert deploys[0]["app"] == "checkout"
    assert deploys[0]["release"] == 2
    assert deploys[0]["forced"] is False


# --- MFE_LIVE ------------------------------------------------------------------------------


def test_mfe_live_seeds_a_host_without_record(host_app_factory, tmp_path):
    """With no record, `MFE_LIVE` picks the live releases, and nothing is written yet."""
    client = host_app_factory(LIVE="products=2,checkout=1").test_client()
    apps = client.get("/api/deployments").get_json()["apps"]
    assert apps["products"]["release"] == 2
    assert apps["checkout"]["release"] == 1
    assert not (tmp_path / "host" / "deployments.json").exists()


def test_mfe_live_from_the_environment(host_app_factory, monkeypatch):
    """The variable itself, not only the config key, seeds the host."""
    monkeypatch.setenv("MFE_LIVE", "checkout=2")
    apps = host_app_factory().test_client().get("/api/deployments").get_json()["apps"]
    assert (apps["products"]["release"], apps["checkout"]["release"]) == (1, 2)


def test_recorded_deploy_wins_over_mfe_live(host_app_factory, caplog):
    """Once a deploy is recorded, a host started with another `MFE_LIVE` keeps the record."""
    client = host_app_factory(LIVE="products=2").test_client()
    assert deploy(client, {"app": "checkout", "release": 2}).status_code == 200
    with caplog.at_level(logging.WARNING, logger="host_app"):
        restarted = host_app_factory(LIVE="products=1,checkout=1").test_client()
    apps = restarted.get("/api/deployments").get_json()["apps"]
    assert (apps["products"]["release"], apps["checkout"]["release"]) == (2, 2)
    assert any(
        "MFE_LIVE" in r.getMessage() and r.levelno >= logging.WARNING for r in caplog.records
    )


def test_mfe_live_without_record_logs_nothing(host_app_factory, caplog):
    """The warning is only for an ignored `MFE_LIVE`."""
    with caplog.at_level(logging.WARNING, logger="host_app"):
        host_app_factory(LIVE="products=2")
    assert not any("MFE_LIVE" in r.getMessage() for r in caplog.records)


# --- refused deploys -----------------------------------------------------------------------


@pytest.fixture
def breaking_url(fake_child):
    """A products release 3 that emits a cart:item-added version nobody published."""
    manifest = product_manifest(3, {"cart:item-added": ["9.0.0"]})
    return fake_child({"/mfe-manifest.json": manifest, "/healthz": {"status": "ok"}})


def test_incompatible_deploy_is_409_with_reasons(client, breaking_url):
    """A candidate emitting an unknown version is refused, naming the event; nothing changes."""
    body = assert_error(
        deploy(client, {"app": "products", "release": 3, "url": breaking_url}), 409, "incompatible"
    )
    assert body["details"], "the reasons are listed"
    broken = [d for d in body["details"] if d["event"] == "cart:item-added"]
    assert broken and not broken[0]["ok"]
    assert "9.0.0" in broken[0]["detail"]
    assert broken[0]["consumer"] == "checkout@1"
    state = client.get("/api/deployments").get_json()
    assert state["apps"]["products"]["release"] == 1
    assert "3" not in state["apps"]["products"]["releases"]
    entries = client.get("/api/events", headers=AUTH).get_json()["entries"]
    assert not [e for e in entries if e["type"] == "deploy"]


def test_a_candidate_speaking_another_bus_protocol_is_409(client, fake_child):
    """The host would refuse its frame's hello, so the deploy is refused first, saying why."""
    manifest = {**product_manifest(3), "protocol": "2"}
    url = fake_child({"/mfe-manifest.json": manifest, "/healthz": {"status": "ok"}})
    body = assert_error(
        deploy(client, {"app": "products", "release": 3, "url": url}), 409, "incompatible"
    )
    (finding,) = [d for d in body["details"] if d["event"] == "bus protocol"]
    assert not finding["ok"] and "'2'" in finding["detail"] and "'1'" in finding["detail"]
    assert client.get("/api/deployments").get_json()["apps"]["products"]["release"] == 1


def test_a_candidate_that_stops_emitting_what_a_live_app_consumes_is_409(client, fake_child):
    """Products 3 emits no cart:item-added: checkout would get no adds at all. Refused, named."""
    manifest = product_manifest(3, dropped=("cart:item-added",))
    url = fake_child({"/mfe-manifest.json": manifest, "/healthz": {"status": "ok"}})
    body = assert_error(
        deploy(client, {"app": "products", "release": 3, "url": url}), 409, "incompatible"
    )
    (finding,) = [d for d in body["details"] if d["event"] == "cart:item-added"]
    assert (finding["producer"], finding["consumer"]) == ("products@3", "checkout@1")
    assert "no longer emits cart:item-added" in finding["detail"]
    assert client.get("/api/deployments").get_json()["apps"]["products"]["release"] == 1


def test_redeploying_the_live_release_with_an_event_dropped_is_409(client, fake_child):
    """The live release restarted with a manifest that no longer emits cart:item-added: its
    redeploy is checked against what was live, not against itself."""
    routes = {"/mfe-manifest.json": product_manifest(3), "/healthz": {"status": "ok"}}
    url = fake_child(routes)
    request = {"app": "products", "release": 3, "url": url}
    assert deploy(client, request).status_code == 200
    routes["/mfe-manifest.json"] = product_manifest(3, dropped=("cart:item-added",))
    body = assert_error(deploy(client, request), 409, "incompatible")
    assert [d["event"] for d in body["details"]] == ["cart:item-added"]
    assert "the live products@3 emits it" in body["details"][0]["detail"]


def test_forced_deploy_goes_through_with_warnings(client, breaking_url):
    """`force` deploys anyway, says what it forced past, and the event log records it."""
    response = deploy(client, {"app": "products", "release": 3, "url": breaking_url, "force": True})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["apps"]["products"]["release"] == 3
    assert body["warnings"] and any("9.0.0" in w for w in body["warnings"])
    entries = client.get("/api/events", headers=AUTH).get_json()["entries"]
    deploys = [e for e in entries if e["type"] == "deploy"]
    assert len(deploys) == 1
    assert deploys[0]["forced"] is True
    assert deploys[0]["warnings"] == body["warnings"]


def test_force_on_a_compatible_deploy_is_not_marked_forced(client):
    """`force` with nothing to force past is an ordinary deploy."""
    response = deploy(client, {"app": "products", "release": 2, "force": True})
    assert response.status_code == 200
    assert response.get_json()["warnings"] == []
    entries = client.get("/api/events", headers=AUTH).get_json()["entries"]
    assert [e["forced"] for e in entries if e["type"] == "deploy"] == [False]


@pytest.mark.parametrize("force", [False, True])
def test_unreachable_candidate_is_409(client, force):
    """A candidate URL nobody answers at is refused, even with `force`."""
    url = f"http://localhost:{free_port()}"
    response = deploy(client, {"app": "products", "release": 3, "url": url, "force": force})
    body = assert_error(response, 409, "candidate-unreachable")
    assert url in body["message"]


def test_candidate_without_a_valid_manifest_is_unreachable(client, fake_child):
    """A URL that answers, but not with a manifest, is not a candidate."""
    url = fake_child({"/mfe-manifest.json": {"app": "products"}})
    response = deploy(client, {"app": "products", "release": 3, "url": url})
    assert_error(response, 409, "candidate-unreachable")


@pytest.mark.parametrize(
    ("body_release", "url_key"),
    [(2, "CHECKOUT_V2_URL"), (1, "PRODUCTS_V2_URL"), (2, "PRODUCTS_V1_URL")],
)
def test_manifest_of_another_app_or_release_is_409(client, children, body_release, url_key):
    """The URL must serve the app and release being deployed."""
    response = deploy(
        client, {"app": "products", "release": body_release, "url": children[url_key]}
    )
    assert_error(response, 409, "manifest-mismatch")
    assert client.get("/api/deployments").get_json()["revision"] == 0


# --- reset ---------------------------------------------------------------------------------


def test_reset_needs_the_token(client):
    """`POST /api/admin/reset` is 401 without a token and 403 with a wrong one."""
    assert_error(client.post("/api/admin/reset"), 401, "unauthorized")
    wrong = {"Authorization": "Bearer nope"}
    assert_error(client.post("/api/admin/reset", headers=wrong), 403, "forbidden")


def test_reset_restores_defaults(client, tmp_path, children):
    """After deploys, reset brings release 1 back at its default URL and clears the event log."""
    assert deploy(client, {"app": "products", "release": 2}).status_code == 200
    assert deploy(client, {"app": "checkout", "release": 2}).status_code == 200
    response = client.post("/api/admin/reset", headers=AUTH)
    assert response.status_code == 200
    apps = response.get_json()["apps"]
    assert (apps["products"]["release"], apps["checkout"]["release"]) == (1, 1)
    assert apps["products"]["url"] == children["PRODUCTS_V1_URL"]
    assert not (tmp_path / "host" / "deployments.json").exists()
    entries = client.get("/api/events", headers=AUTH).get_json()["entries"]
    assert [e["type"] for e in entries] == ["reset"]


# --- the admin token -----------------------------------------------------------------------


def test_generated_admin_token_file(host_app_factory, tmp_path):
    """Without `ADMIN_TOKEN` the host writes a private token file, and that token deploys."""
    client = host_app_factory(ADMIN_TOKEN=None).test_client()
    path = tmp_path / "host" / "admin_token"
    assert path.exists()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    token = path.read_text().strip()
    assert len(token) >= 32
    assert_error(deploy(client, {"app": "products", "release": 2}), 403, "forbidden")
    response = deploy(
        client, {"app": "products", "release": 2}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200, response.get_json()
    host_app_factory(ADMIN_TOKEN=None)
    assert path.read_text().strip() == token, "a restart keeps the token"


def test_token_never_logged(host_app_factory, breaking_url, caplog, tmp_path):
    """Nothing the host logs around a forced deploy or a refused token contains the token."""
    client = host_app_factory(ADMIN_TOKEN=None).test_client()
    token = (tmp_path / "host" / "admin_token").read_text().strip()
    headers = {"Authorization": f"Bearer {token}"}
    with caplog.at_level(logging.DEBUG):
        forced = deploy(
            client,
            {"app": "products", "release": 3, "url": breaking_url, "force": True},
            headers=headers,
        )
        deploy(client, {"app": "products", "release": 2}, headers={"Authorization": "Bearer x"})
    assert forced.status_code == 200
    assert any("forced" in r.getMessage() for r in caplog.records), "the deploy was logged"
    assert token not in caplog.text
    entries = client.get("/api/events", headers=headers).get_json()["entries"]
    assert entries and all(token not in json.dumps(e) for e in entries)
