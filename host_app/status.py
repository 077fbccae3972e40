"""The state of the deployment as pages, the API and the CLI see it."""

from host_app import deployment_store, health, manifest_cache


def describe(fresh: bool = False) -> dict:
    """Each app's live release, URL, health and manifest, with the record's revision."""
    state = deployment_store.store().state()
    apps = {}
    for app, release in state["live"].items():
        url = state["releases"][app][str(release)]
        manifest = manifest_cache.cache().get(url)
        apps[app] = {
            "release": release,
            "url": url,
            "health": health.probe().status(url, fresh=fresh),
            "manifest": manifest.model_dump(mode="json") if manifest else None,
            "releases": state["releases"][app],
        }
    return {"revision": state["revision"], "updatedAt": state["updatedAt"], "apps": apps}
