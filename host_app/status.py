"""The state of the deployment as pages, the API and the CLI see it."""

from flask import current_app

from host_app import approvals, deployments, health, manifests, probing


def describe(fresh: bool = False) -> dict:
    """Each app's live release, URL, health and manifest, with the record's revision."""
    state = deployments.store().state()
    live = [
        (app, release, state["releases"][app][str(release)])
        for app, release in state["live"].items()
    ]
    # Every probe at once, health and manifest of every app: one slow app must not hold up
    # the state of the others.
    app_object = current_app._get_current_object()

    def probed(task: tuple[str, str]) -> tuple:
        kind, url = task
        with app_object.app_context():
            if kind == "health":
                return health.probe().status(url, fresh=fresh)
            # The approved manifest: what this release was deployed with, whatever it serves.
            return approvals.approvals().effective(url)

    def quick(task: tuple[str, str]) -> bool:
        kind, url = task
        if kind == "health":
            return not fresh and health.probe().cached(url)
        return manifests.cache().cached(url)

    tasks = [(kind, url) for _, _, url in live for kind in ("health", "manifest")]
    results = iter(probing.side_by_side(probed, tasks, quick))
    apps = {}
    for app, release, url in live:
        checked, (manifest, drift) = next(results), next(results)
        apps[app] = {
            "release": release,
            "url": url,
            "health": checked,
            "manifest": manifest.model_dump(mode="json") if manifest else None,
            "manifestDrift": drift,
            "releases": state["releases"][app],
        }
    return {"revision": state["revision"], "updatedAt": state["updatedAt"], "apps": apps}
