"""The state of the deployment as pages, the API and the CLI see it."""

from flask import current_app

from host_app import approvals, deployment_store, health, manifest_cache, probing


def canary_of(state: dict, app: str) -> dict | None:
    """The app's rollout in `state` while it is in progress (its canary is live), else None."""
    rollout = state.get("rollouts", {}).get(app)
    return rollout if rollout and rollout.get("status") == "progressing" else None


def _probe_all(urls: list[str], fresh: bool) -> dict[str, tuple]:
    """Health and approved manifest of every URL, `{url: (health, manifest, drift)}`.

    Every probe at once: one slow app must not hold up the state of the others; answers
    already cached cost no thread.
    """
    app_object = current_app._get_current_object()

    def probed(task: tuple[str, str]):
        kind, url = task
        with app_object.app_context():
            if kind == "health":
                return health.probe().status(url, fresh=fresh)
            # The approved manifest: what this release was deployed with, whatever it serves.
            return approvals.approvals().effective(url)

    def quick(task: tuple[str, str]) -> bool:
        kind, url = task
        if kind == "health":
            return health.probe().cached(url, fresh)
        return manifest_cache.cache().cached(url)

    tasks = [(kind, url) for url in urls for kind in ("health", "manifest")]
    results = probing.side_by_side(probed, tasks, quick)
    probed_urls = {}
    # The tasks alternate health, manifest for each URL; so do their results.
    for url, checked, (manifest, drift) in zip(urls, results[::2], results[1::2], strict=True):
        dumped = manifest.model_dump(mode="json") if manifest else None
        probed_urls[url] = (checked, dumped, drift)
    return probed_urls


def describe(fresh: bool = False) -> dict:
    """Each app's live release, URL, health and manifest, with the record's revision; during a
    canary rollout also the canary's, and the share of pages each release serves."""
    state = deployment_store.store().state()
    live = {app: state["releases"][app][str(release)] for app, release in state["live"].items()}
    canaries = {app: canary_of(state, app) for app in live}
    urls = list(dict.fromkeys([*live.values(), *(c["url"] for c in canaries.values() if c)]))
    probed = _probe_all(urls, fresh)
    apps = {}
    for app, release in state["live"].items():
        url = live[app]
        rollout = canaries[app]
        canary = None
        if rollout is not None:
            checked, manifest, drift = probed[rollout["url"]]
            canary = {
                "release": rollout["release"],
                "url": rollout["url"],
                "share": rollout["share"],
                "health": checked,
                "manifest": manifest,
                "manifestDrift": drift,
            }
        checked, manifest, drift = probed[url]
        apps[app] = {
            "release": release,
            "url": url,
            "health": checked,
            "manifest": manifest,
            "manifestDrift": drift,
            "releases": state["releases"][app],
            "share": 100 - canary["share"] if canary else 100,
            "canary": canary,
            # The latest rollout of the app, in progress or ended (promoted, aborted, ...).
            "rollout": state.get("rollouts", {}).get(app),
        }
    return {"revision": state["revision"], "updatedAt": state["updatedAt"], "apps": apps}
