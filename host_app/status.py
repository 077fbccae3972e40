"""The state of the deployment as pages, the API and the CLI see it."""

from host_app import approvals, deployments, health


def describe(fresh: bool = False) -> dict:
    """Each app's live release, URL, health and manifest, with the record's revision."""
    state = deployments.store().state()
    apps = {}
    for app, release in state["live"].items():
        url = state["releases"][app][str(release)]
        # The approved manifest: what this release was deployed with, whatever it serves now.
        manifest, drift = approvals.approvals().effective(url)
        apps[app] = {
            "release": release,
            "url": url,
            "health": health.probe().status(url, fresh=fresh),
            "manifest": manifest.model_dump(mode="json") if manifest else None,
            "manifestDrift": drift,
            "releases": state["releases"][app],
        }
    return {"revision": state["revision"], "updatedAt": state["updatedAt"], "apps": apps}
