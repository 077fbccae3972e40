"""The state of the deployment as pages, the API and the CLI see it."""

from host_app import deployment_store, health, manifest_cache


def canary_of(state: dict, app: str) -> dict | None:
    """The app's rollout in `state` while it is in progress (its canary is live), else None."""
    rollout = state.get("rollouts", {}).get(app)
    return rollout if rollout and rollout.get("status") == "progressing" else None


def _manifest(url: str) -> dict | None:
    manifest = manifest_cache.cache().get(url)
    return manifest.model_dump(mode="json") if manifest else None


def describe(fresh: bool = False) -> dict:
    """Each app's live release, URL, health and manifest, with the record's revision; during a
    canary rollout also the canary's, and the share of pages each release serves."""
    state = deployment_store.store().state()
    apps = {}
    for app, release in state["live"].items():
        url = state["releases"][app][str(release)]
        rollout = canary_of(state, app)
        canary = None
        if rollout is not None:
            canary = {
                "release": rollout["release"],
                "url": rollout["url"],
                "share": rollout["share"],
                "health": health.probe().status(rollout["url"], fresh=fresh),
                "manifest": _manifest(rollout["url"]),
            }
        apps[app] = {
            "release": release,
            "url": url,
            "health": health.probe().status(url, fresh=fresh),
            "manifest": _manifest(url),
            "releases": state["releases"][app],
            "share": 100 - canary["share"] if canary else 100,
            "canary": canary,
            # The latest rollout of the app, in progress or ended (promoted, aborted, ...).
            "rollout": state.get("rollouts", {}).get(app),
        }
    return {"revision": state["revision"], "updatedAt": state["updatedAt"], "apps": apps}
