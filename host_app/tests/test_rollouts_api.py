"""Canary rollouts through the host's API, against real app releases: validation, shares,
promote, rollback, the checks against every live release, and the analysis acting alone."""

import pytest

from host_app import rollouts, status
from host_app.analysis import Counts
from host_app.tests.conftest import ADMIN_TOKEN
from host_app.tests.test_deploys_api import assert_error, deploy, product_manifest

pytestmark = pytest.mark.usefixtures("clean_environment")

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CANARY = {"app": "products", "release": 2, "canary": 30}


@pytest.fixture
def host(host_app_factory):
    """A host on a temporary data folder, wired to the real releases."""
    return host_app_factory()


@pytest.fixture
def client(host):
    """Its test client."""
    return host.test_client()


def state(client) -> dict:
    """GET /api/deployments."""
    return client.get("/api/deployments").get_json()


def deploy_rows(client) -> list[dict]:
    """The deploy rows of the event log, oldest first."""
    entries = client.get("/api/events", headers=AUTH).get_json()["entries"]
    return [e for e in entries if e["type"] == "deploy"]


def test_canary_serves_two_releases_with_their_shares(client, children):
    """Release 2 for 30% of pages, release 1 for 70%; both with health and manifest."""
    response = deploy(client, CANARY)
    assert response.status_code == 200, response.get_json()
    products = state(client)["apps"]["products"]
    assert (products["release"], products["share"]) == (1, 70)
    canary = products["canary"]
    assert (canary["release"], canary["share"], canary["url"]) == (
        2,
        30,
        children["PRODUCTS_V2_URL"],
    )
    assert canary["health"]["status"] == "up"
    assert canary["manifest"]["emits"]["cart:item-added"] == ["2.0.0"]
    assert products["rollout"]["status"] == "progressing"
    assert state(client)["apps"]["checkout"]["canary"] is None
    row = deploy_rows(client)[-1]
    assert (row["verdict"], row["release"], row["share"], row["stable"]) == ("canary", 2, 30, 1)


@pytest.mark.parametrize(
    "extra",
    [
        {"canary": 0},
        {"canary": 100},
        {"canary": 50.5},
        {"canary": "50"},
        {"canary": True},
        {"canary": 10, "auto": True, "steps": [25, 10]},
        {"canary": 10, "auto": True, "steps": [25, 25]},
        {"canary": 10, "auto": True, "steps": [25, 100]},
        {"canary": 30, "auto": True, "steps": [10, 50]},
        {"canary": 10, "steps": [25, 50]},
        {"canary": 10, "analysis": {"interval": 1}},
        {"auto": True},
        {"steps": [10]},
        {"canary": 10, "auto": True, "analysis": {"interval": 0}},
        {"canary": 10, "auto": True, "analysis": {"minEvents": 0}},
        {"canary": 10, "auto": True, "analysis": {"color": "red"}},
    ],
)
def test_bad_canary_requests_are_422_and_change_nothing(client, extra):
    """Shares are whole 1 to 99, steps increase from the share, options need canary and auto."""
    before = state(client)
    response = deploy(client, {"app": "products", "release": 2, **extra})
    assert_error(response, 422, "invalid")
    assert state(client)["revision"] == before["revision"]


def test_a_canary_of_the_live_release_is_422(client):
    """Release 1 is already everyone's."""
    assert_error(deploy(client, {**CANARY, "release": 1}), 422, "already-live")


def test_a_second_canary_of_one_app_is_409(client):
    """One rollout per app at a time."""
    assert deploy(client, CANARY).status_code == 200
    assert_error(deploy(client, {**CANARY, "canary": 60}), 409, "rollout-in-progress")
    assert state(client)["apps"]["products"]["canary"]["share"] == 30


def test_promote_makes_the_canary_everyones(client):
    """After promote, release 2 is live at 100% and the rollout says promoted."""
    deploy(client, CANARY)
    response = client.post("/api/rollouts/products/promote", headers=AUTH)
    assert response.status_code == 200, response.get_json()
    products = response.get_json()["apps"]["products"]
    assert (products["release"], products["share"], products["canary"]) == (2, 100, None)
    assert products["rollout"]["status"] == "promoted"
    assert deploy_rows(client)[-1]["verdict"] == "promoted"


def test_rollback_returns_everyone_to_stable(client):
    """After rollback, release 1 for everyone, and the rollout is marked aborted."""
    deploy(client, CANARY)
    response = client.post("/api/rollouts/products/rollback", headers=AUTH)
    assert response.status_code == 200
    products = response.get_json()["apps"]["products"]
    assert (products["release"], products["share"], products["canary"]) == (1, 100, None)
    assert products["rollout"]["status"] == "aborted"
    row = deploy_rows(client)[-1]
    assert row["verdict"] == "aborted" and "mfe rollback" in row["summary"]


@pytest.mark.parametrize("action", ["promote", "rollback"])
def test_deciding_without_a_canary_or_a_token(client, action):
    """No rollout → 409; no token → 401; an unknown app → 404."""
    assert_error(client.post(f"/api/rollouts/products/{action}", headers=AUTH), 409, "no-rollout")
    deploy(client, CANARY)
    assert_error(client.post(f"/api/rollouts/products/{action}"), 401, "unauthorized")
    assert_error(client.post(f"/api/rollouts/basket/{action}", headers=AUTH), 404, "unknown-app")
    assert state(client)["apps"]["products"]["canary"]["release"] == 2


def test_a_plain_deploy_supersedes_the_canary(client):
    """Deploying release 1 (or any) for everyone ends the rollout as superseded."""
    deploy(client, CANARY)
    assert deploy(client, {"app": "products", "release": 1}).status_code == 200
    products = state(client)["apps"]["products"]
    assert products["canary"] is None and products["rollout"]["status"] == "superseded"


@pytest.mark.parametrize("candidate", [{}, {"canary": 20}])
def test_a_deploy_is_checked_against_the_canary_too(client, fake_child, candidate):
    """With a (forced) products canary that emits a version nobody knows, checkout 2 can go
    live neither for everyone nor as a canary: it would meet that canary in some pages."""
    manifest = product_manifest(3, {"cart:item-added": ["9.0.0"]})
    url = fake_child({"/mfe-manifest.json": manifest, "/healthz": {"status": "ok"}})
    checkout = {"app": "checkout", "release": 2, **candidate}
    assert deploy(client, {**CANARY, "release": 3, "url": url}).status_code == 409
    assert deploy(client, {**CANARY, "release": 3, "url": url, "force": True}).status_code == 200
    body = assert_error(deploy(client, checkout), 409, "incompatible")
    assert {d["producer"] for d in body["details"]} == {"products@3"}
    assert client.post("/api/rollouts/products/rollback", headers=AUTH).status_code == 200
    assert deploy(client, checkout).status_code == 200


def test_the_page_of_a_canary_leaves_the_frame_to_the_cohort(client):
    """The shell page carries both releases; the products frame has no src to start with."""
    deploy(client, CANARY)
    page = client.get("/").get_data(as_text=True)
    products_frame = page.split('data-testid="frame-products"')[1].split(">")[0]
    checkout_frame = page.split('data-testid="frame-checkout"')[1].split(">")[0]
    assert "src=" not in products_frame and "src=" in checkout_frame
    assert '"share": 30' in page or "&#34;share&#34;: 30" in page


AUTO = {**CANARY, "canary": 10, "auto": True, "steps": [25, 50]}
FAST = {"interval": 3600, "minEvents": 4, "failures": 2, "passes": 3, "threshold": 5}


def judged(host, counts: dict[int, Counts]) -> tuple[str, dict]:
    """One check of the products rollout, as the analyzer runs it; (move, the rollout)."""
    with host.app_context():
        move = rollouts.check("products", counts)
        return move, host.extensions["mfe_deployments"].state()["rollouts"]["products"]


def test_passing_checks_walk_the_steps_then_promote(host, client):
    """10% → 25% → 50% on two passes, promoted on the third; each one a logged row."""
    assert deploy(client, {**AUTO, "analysis": FAST}).status_code == 200
    healthy = {1: Counts(samples=10), 2: Counts(samples=5)}
    assert judged(host, healthy)[0] == "step"
    assert status.canary_of(host.extensions["mfe_deployments"].state(), "products")["share"] == 25
    assert judged(host, {2: Counts(samples=1)})[0] == "hold"  # inconclusive: too few
    assert judged(host, healthy)[0] == "step"
    move, rollout = judged(host, healthy)
    assert (move, rollout["status"]) == ("promote", "promoted")
    assert state(client)["apps"]["products"]["release"] == 2
    verdicts = [row["verdict"] for row in deploy_rows(client)]
    assert verdicts[-7:] == [
        "passed",
        "stepped",
        "inconclusive",
        "passed",
        "stepped",
        "passed",
        "promoted",
    ]


def test_failing_checks_abort_with_the_figures(host, client):
    """Two failed checks: aborted by the host, with both releases' figures in the row."""
    assert deploy(client, {**AUTO, "analysis": FAST}).status_code == 200
    bad = {1: Counts(samples=10), 2: Counts(samples=8, rejected=4)}
    assert judged(host, bad)[0] == "hold"
    move, rollout = judged(host, bad)
    assert (move, rollout["status"], rollout["share"]) == ("abort", "aborted", 10)
    assert state(client)["apps"]["products"]["release"] == 1
    row = deploy_rows(client)[-1]
    assert row["verdict"] == "aborted" and "2 failed check(s)" in row["summary"]
    assert row["figures"]["canary"]["rejected"] == 4 and row["figures"]["canary"]["rate"] == 0.5
    assert row["figures"]["stable"]["samples"] == 10


def test_a_check_without_an_auto_rollout_does_nothing(host, client):
    """A manual canary is not judged: the decision is the operator's."""
    deploy(client, CANARY)
    with host.app_context():
        assert rollouts.check("products", {2: Counts(samples=10, rejected=10)}) is None
    assert state(client)["apps"]["products"]["canary"]["release"] == 2


def test_a_restarted_host_resumes_an_auto_rollout(host_app_factory):
    """The rollout is in the record: a new host process starts analysing at its first request."""
    first = host_app_factory()
    assert deploy(first.test_client(), {**AUTO, "analysis": FAST}).status_code == 200
    second = host_app_factory()
    analyzer = second.extensions["mfe_analyzer"]
    assert analyzer.thread is None
    client = second.test_client()
    client.get("/healthz")
    thread = analyzer.thread
    assert thread is not None and thread.is_alive()
    # Once no auto rollout is left, the loop ends by itself.
    assert client.post("/api/rollouts/products/rollback", headers=AUTH).status_code == 200
    analyzer.awake.set()
    thread.join(timeout=10)
    assert not thread.is_alive() and analyzer.thread is None
