"""Lab 4's check: your own products release (products_app/fork.py) may go live, runs, and is
live in your shop (MFE_HOST_URL, default http://localhost:8000) running your current code."""

from labcheck import NotYet, Points, get_json

from mfe_platform import settings
from shared_contracts import deployability
from shared_contracts.manifests import Manifest

HOST = settings.app_url("host")
points = Points()


def yours() -> Manifest:
    """The manifest your file declares."""
    from products_app.fork import fork_manifest

    return fork_manifest()


def live_manifests() -> list[Manifest]:
    """The host's and every live app's manifest, from your running shop."""
    try:
        apps = get_json(f"{HOST}/api/deployments")["apps"]
        host = get_json(f"{HOST}/mfe-manifest.json")
    except OSError as error:
        raise NotYet(f"your shop does not answer at {HOST} ({error}): make run") from None
    return [Manifest.model_validate(host)] + [
        Manifest.model_validate(entry["manifest"]) for entry in apps.values() if entry["manifest"]
    ]


@points.point(
    "your release declares what its page sends: cart:item-added 2.0.0",
    "products_app/fork.py, EMITS: its page emits 2.0.0, and the host lets a frame emit only "
    "what its manifest declares",
)
def _():
    declared = yours().emits.get("cart:item-added", [])
    if "2.0.0" not in declared:
        raise NotYet(f"EMITS declares cart:item-added {declared}")


@points.point(
    "`mfe can-i-deploy` says yes to your release against what is live",
    "`mfe can-i-deploy products 3 --url http://localhost:8021` names each pair that breaks",
)
def _():
    live = [m for m in live_manifests() if m.app != "products"]
    broken = [f.detail for f in deployability.check(yours(), live) if not f.ok]
    if broken:
        raise NotYet("; ".join(broken))


@points.point(
    "your release is live for everyone",
    "run it (`python -m products_app.fork`), then `mfe deploy products 3 --url "
    "http://localhost:8021`",
)
def _():
    entry = get_json(f"{HOST}/api/deployments")["apps"]["products"]
    if entry["release"] < 3:
        raise NotYet(f"products release {entry['release']} is live ({entry['url']})")


@points.point(
    "the live release runs your current code",
    "restart your release after each edit (Ctrl-C, `python -m products_app.fork`) and deploy "
    "it again",
)
def _():
    entry = get_json(f"{HOST}/api/deployments")["apps"]["products"]
    if entry["release"] < 3:
        raise NotYet("your release is not live yet")
    url = entry["url"]
    try:
        running = Manifest.model_validate(get_json(f"{url}/mfe-manifest.json"))
    except OSError as error:
        raise NotYet(f"nothing answers at {url} ({error})") from None
    if running.emits != yours().emits:
        raise NotYet(f"{url} emits {running.emits}; your file says {yours().emits}")


points.report()
