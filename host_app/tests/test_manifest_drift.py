"""Manifest drift: the bus enforces the manifest a release was approved with at its deploy.

A deployed fork switched its manifest afterwards (now consuming `order:placed` and emitting
`cart:updated`); the host re-reads manifests every few seconds and used to hand the new one to
every page. Now the approved one stays in force, the change is reported, and the new one is
used only once a deploy of that release passes the check again.
"""

import html
import json
import re

import pytest

from e2e.manifests import fake_manifest
from host_app import manifest_cache
from host_app.tests.conftest import ADMIN_TOKEN

pytestmark = pytest.mark.usefixtures("clean_environment")

AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
APPROVED = {"cart:item-added": ["1.0.0"], "notification:show": ["1.0.0"]}
SWITCHED = {**APPROVED, "cart:updated": ["1.0.0"]}


def products(emits: dict, consumes: dict | None = None) -> dict:
    """A products release 3 manifest: the real one with these emits (and consumes)."""
    return {**fake_manifest("products", 3, emits), "consumes": consumes or {}}


def page_manifest(client) -> dict:
    """The products manifest the shell page hands its bus."""
    page = client.get("/").get_data(as_text=True)
    config = json.loads(html.unescape(re.search(r"data-config='([^']*)'", page).group(1)))
    return config["apps"]["products"]["manifest"]


@pytest.fixture
def no_cache(monkeypatch):
    """Every read of a manifest fetches it again (the cache's fresh window is 5 s)."""
    monkeypatch.setattr(manifest_cache, "FRESH_SECONDS", 0.0)


def test_a_switched_manifest_is_reported_and_not_used_until_deployed_again(
    host_app_factory, fake_child, no_cache
):
    """Deployed with APPROVED; then it serves SWITCHED: the state, the page and the check keep
    APPROVED, the drift is reported once in the event log; a deploy that passes the check again
    makes SWITCHED the one in force."""
    client = host_app_factory().test_client()
    routes = {"/mfe-manifest.json": products(APPROVED), "/healthz": {"status": "ok"}}
    url = fake_child(routes)
    request = {"app": "products", "release": 3, "url": url}
    assert client.post("/api/deployments", json=request, headers=AUTH).status_code == 200
    routes["/mfe-manifest.json"] = products(SWITCHED, {"order:placed": ["1.0.0"]})

    state = client.get("/api/deployments").get_json()["apps"]["products"]
    assert state["manifest"]["emits"] == APPROVED and state["manifest"]["consumes"] == {}
    assert state["manifestDrift"] is True
    assert page_manifest(client)["emits"] == APPROVED
    assert "order:placed" not in page_manifest(client)["consumes"]
    entries = client.get("/api/events", headers=AUTH).get_json()["entries"]
    drift = [e for e in entries if e["type"] == "manifest-drift"]
    assert [(e["app"], e["release"], e["url"], e["by"]) for e in drift] == [
        ("products", 3, url, "host")
    ]

    assert client.post("/api/deployments", json=request, headers=AUTH).status_code == 200
    state = client.get("/api/deployments").get_json()["apps"]["products"]
    assert state["manifest"]["emits"] == SWITCHED and state["manifestDrift"] is False
    assert page_manifest(client)["consumes"] == {"order:placed": ["1.0.0"]}


def test_an_approval_outlives_a_host_restart(host_app_factory, fake_child, no_cache):
    """The approval is part of the deployment record: a restarted host still enforces it."""
    routes = {"/mfe-manifest.json": products(APPROVED), "/healthz": {"status": "ok"}}
    url = fake_child(routes)
    request = {"app": "products", "release": 3, "url": url}
    first = host_app_factory().test_client()
    assert first.post("/api/deployments", json=request, headers=AUTH).status_code == 200
    routes["/mfe-manifest.json"] = products(SWITCHED)
    restarted = host_app_factory().test_client()
    assert page_manifest(restarted)["emits"] == APPROVED
    assert restarted.get("/api/deployments").get_json()["apps"]["products"]["manifestDrift"]


def test_a_refused_redeploy_keeps_the_approved_manifest(host_app_factory, fake_child, no_cache):
    """A switched manifest that breaks a live pair fails the check (409): the approved one
    stays in force."""
    client = host_app_factory().test_client()
    routes = {"/mfe-manifest.json": products(APPROVED), "/healthz": {"status": "ok"}}
    url = fake_child(routes)
    request = {"app": "products", "release": 3, "url": url}
    assert client.post("/api/deployments", json=request, headers=AUTH).status_code == 200
    routes["/mfe-manifest.json"] = products({"cart:item-added": ["9.0.0"]})
    assert client.post("/api/deployments", json=request, headers=AUTH).status_code == 409
    assert page_manifest(client)["emits"] == APPROVED
