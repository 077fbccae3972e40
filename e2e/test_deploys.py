"""Independent deploys, live in an open page, checked before they happen."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import expect

from e2e.manifests import fake_manifest
from e2e.pages import HostPage
from e2e.processes import get_json, start_shop


@pytest.fixture(scope="module")
def deploy_shop(tmp_path_factory):
    """A shop of its own with a known admin token: these tests change what is live."""
    with start_shop(tmp_path_factory.mktemp("deploy-data"), {"MFE_ADMIN_TOKEN": TOKEN}) as running:
        yield running


TOKEN = "test-token"


def api_deploy(shop, body: dict, token: str | None = TOKEN) -> tuple[int, dict]:
    """POST /api/deployments with (or without) a bearer token."""
    import urllib.error
    import urllib.request

    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        shop.host + "/api/deployments", json.dumps(body).encode(), headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.fixture
def reset_after(deploy_shop):
    """Leave the shop as the next test expects it: release 1 of both, nothing else."""
    yield
    result = deploy_shop.mfe("reset")
    assert result.returncode == 0, result.stdout + result.stderr


def test_live_deploy_swaps_only_the_changed_frame(deploy_shop, page, reset_after):
    """Products 2 goes live under an open page; checkout keeps its typed text; then rollback."""
    host = HostPage(page, deploy_shop.host).open()
    page.evaluate("window.__sameDocument = true")
    name_field = host.frame_locator("checkout").locator("[name='name']")
    name_field.fill("typed before the deploy")

    assert deploy_shop.mfe("deploy", "products", "2").returncode == 0
    host.expect_frame_app("products", 2)
    host.wait_connected("products")
    assert page.evaluate("window.__sameDocument") is True
    expect(name_field).to_have_value("typed before the deploy")

    # Checkout is still on release 1: the discounted kettle lands at list price.
    products = host.products()
    expect(products.card("kettle").get_by_test_id("product-discount")).to_be_visible()
    products.add("kettle")
    host.checkout().expect_line("kettle", 1, "49.00")
    expect(host.checkout().total).to_have_text("$49.00")

    assert deploy_shop.mfe("deploy", "checkout", "2").returncode == 0
    host.expect_frame_app("checkout", 2)
    host.wait_connected("checkout")
    host.products().add("kettle")
    host.checkout().expect_line("kettle", 2, "49.00", "7.50")
    expect(host.checkout().total).to_have_text("$83.00")
    expect(host.badge).to_have_text("2")

    assert deploy_shop.mfe("deploy", "products", "1").returncode == 0
    host.expect_frame_app("products", 1)
    expect(host.products().card("kettle").get_by_test_id("product-discount")).to_have_count(0)
    assert page.evaluate("window.__sameDocument") is True


class FixtureRelease(BaseHTTPRequestHandler):
    """A products 'release 3' whose manifest emits a version no live consumer can take."""

    manifest = fake_manifest("products", 3, {"cart:item-added": ["9.0.0"]})

    def do_GET(self):
        body = {
            "/mfe-manifest.json": self.manifest,
            "/healthz": {"status": "ok", "app": "products", "release": 3},
        }.get(self.path)
        payload = json.dumps(body or {"error": "not-found"}).encode()
        self.send_response(200 if body else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def breaking_release():
    """The fixture release, served on a free port."""
    # Port 0: the system picks a free one at bind time, so nothing can take it in between.
    server = ThreadingHTTPServer(("127.0.0.1", 0), FixtureRelease)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://localhost:{server.server_address[1]}"
    server.shutdown()


def test_can_i_deploy_passes_a_compatible_release(deploy_shop):
    """Products 2 reaches checkout 1 by conversion: yes, exit 0, and the table says how."""
    result = deploy_shop.mfe("can-i-deploy", "products", "2")
    assert result.returncode == 0, result.stdout
    assert "2.0.0 → 1.0.0 by conversion" in result.stdout
    as_json = json.loads(deploy_shop.mfe("can-i-deploy", "products", "2", "--json").stdout)
    assert as_json["deployable"] is True


def test_breaking_release_is_refused_unless_forced(deploy_shop, breaking_release, reset_after):
    """can-i-deploy and deploy refuse it with the reason; --force deploys with a warning."""
    check = deploy_shop.mfe("can-i-deploy", "products", "3", "--url", breaking_release)
    assert check.returncode == 1
    assert "BREAKS" in check.stdout and "9.0.0" in check.stdout

    refused = deploy_shop.mfe("deploy", "products", "3", "--url", breaking_release)
    assert refused.returncode == 1
    assert "9.0.0" in refused.stdout
    assert get_json(deploy_shop.host + "/api/deployments")["apps"]["products"]["release"] == 1

    forced = deploy_shop.mfe("deploy", "products", "3", "--url", breaking_release, "--force")
    assert forced.returncode == 0, forced.stdout + forced.stderr
    assert "WARNING" in forced.stdout
    state = get_json(deploy_shop.host + "/api/deployments")
    assert (state["apps"]["products"]["release"], state["apps"]["products"]["url"]) == (
        3,
        breaking_release,
    )
    admin = {"Authorization": f"Bearer {TOKEN}"}
    entries = get_json(deploy_shop.host + "/api/events", headers=admin)["entries"]
    deploys = [e for e in entries if e["type"] == "deploy"]
    assert deploys[-1]["forced"] is True and deploys[-1]["release"] == 3


def test_deploy_needs_the_admin_token(deploy_shop):
    """No token → 401, a wrong one → 403, and nothing changes."""
    body = {"app": "products", "release": 2}
    assert api_deploy(deploy_shop, body, token=None)[0] == 401
    assert api_deploy(deploy_shop, body, token="wrong")[0] == 403
    assert get_json(deploy_shop.host + "/api/deployments")["apps"]["products"]["release"] == 1


def test_deploy_api_answers_200_with_the_new_state(deploy_shop, reset_after):
    """A good token and a compatible release: 200 and the new state."""
    status, body = api_deploy(deploy_shop, {"app": "checkout", "release": 2})
    assert status == 200
    assert body["apps"]["checkout"]["release"] == 2
    assert body["apps"]["checkout"]["manifest"]["consumes"]["cart:item-added"] == ["1.0.0", "2.0.0"]
