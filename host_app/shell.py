"""The shell page: header, cart badge, notifications, and the two app frames."""

from flask import Blueprint, current_app, render_template

from host_app import buslimits, deployment_store, manifest_cache, overrides, status
from shared_contracts.bundle import default_bundle

bp = Blueprint("shell", __name__)


def page_config() -> dict:
    """What the page's bus needs: live apps with their manifests, contracts, limits."""
    config = current_app.config
    store = deployment_store.store()
    state = store.state()
    apps = {}
    for name, deployment in store.live().items():
        apps[name] = {**_serving(deployment), "canary": None}
        rollout = status.canary_of(state, name)
        if rollout is not None:
            # The page's cohort picks which of the two its frame loads (static/cohort.js).
            apps[name]["canary"] = {**_serving(rollout), "share": rollout["share"]}
    return {
        "hostOrigin": config["HOST_URL"],
        "revision": state["revision"],
        # The page's CSP frame-src: a swap to any other origin needs a fresh page.
        "frameSrc": overrides.frame_origins(),
        "readyTimeoutMs": int(config["READY_TIMEOUT_MS"]),
        "mode": "naive" if config["BUS_MODE"] == "naive" else "strict",
        "limits": buslimits.for_page(config),
        # This browser's overrides take their slots; each keeps the live release aside.
        "apps": overrides.slots(apps),
        "host": {"manifest": current_app.extensions["mfe_manifest"].model_dump(mode="json")},
        "bundle": default_bundle(),
    }


def _serving(deployment: dict) -> dict:
    manifest = manifest_cache.cache().get(deployment["url"])
    return {
        "release": deployment["release"],
        "url": deployment["url"],
        "manifest": manifest.model_dump(mode="json") if manifest else None,
    }


@bp.get("/")
def index():
    """The shop: products as the main column, checkout as a sidebar."""
    page = page_config()
    return render_template("shell/index.html", page=page, apps=page["apps"])
