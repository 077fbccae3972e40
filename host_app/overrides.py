"""Per-browser overrides: this browser's products or checkout slot at a loopback URL of its own.

In the style of single-spa's import-map overrides: a student points *their own* browser at a
release running on their laptop (`mfeHost.override("products", "http://localhost:9123")`),
while every other browser and the deployment record stay as they are.

The override is kept in the host's session cookie, signed with the host's secret key. The host
must know it when it renders the page: the page's CSP `frame-src` names the exact origins that
page may frame, and the bus's origin check expects the slot's origin, both from the page's
config. So only this browser's pages may frame the override's origin and accept its hello.

Only the host page itself can set one: `PUT`/`DELETE /api/overrides/<app>` need an `Origin`
header that is exactly the host's (a frame, another local server's page or a form elsewhere
sends its own origin), and a JSON body (so a cross-origin fetch dies at its preflight). Other
local servers receive the cookie (cookies ignore ports) but cannot forge one without the key.
"""

from urllib.parse import urlsplit

from flask import Blueprint, current_app, request, session

from host_app import deployment_store, manifest_cache
from host_app.manifest import manifest as host_manifest
from mfe_platform import settings
from mfe_platform.web.errors import ApiError
from shared_contracts import deployability

bp = Blueprint("overrides", __name__, url_prefix="/api/overrides")

SESSION_KEY = "overrides"
# Loopback only: an override is a developer's own build on their own machine, never a server
# elsewhere. (urlsplit gives an IPv6 literal without its brackets.)
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


def loopback_origin(url) -> str:
    """The origin of `url` when it is a loopback origin and nothing more; ValueError otherwise."""
    if not isinstance(url, str) or len(url) > 200:
        raise ValueError("an override's url is a string such as http://localhost:9123")
    try:
        origin = settings.release_origin(url)
    except ValueError as error:
        raise ValueError(f"{error}; an override is e.g. http://localhost:9123") from None
    if urlsplit(origin).hostname not in LOOPBACK_HOSTS:
        raise ValueError(
            f"only loopback origins (http://localhost:PORT, http://127.0.0.1:PORT, "
            f"http://[::1]:PORT) can be overrides, not {url!r}"
        )
    return origin


def current() -> dict[str, str]:
    """This browser's overrides, app → origin (what its session cookie says, checked again)."""
    # No session cookie, no overrides: most responses never open the session.
    if current_app.config["SESSION_COOKIE_NAME"] not in request.cookies:
        return {}
    stored = session.get(SESSION_KEY)
    if not isinstance(stored, dict):
        return {}
    valid = {}
    for app, url in stored.items():
        if app in settings.APPS:
            try:
                valid[app] = loopback_origin(url)
            except ValueError:
                continue
    return valid


def frame_origins() -> list[str]:
    """What this browser's host pages may frame: every registered release, and its overrides."""
    registered = deployment_store.store().registered_origins()
    own = current()
    if not own:
        return registered
    return sorted(set(registered) | set(own.values()))


def slots(apps: dict[str, dict]) -> dict[str, dict]:
    """The page's apps with this browser's overrides in their slots (the live one kept aside)."""
    own = current()
    result = {}
    for name, live in apps.items():
        url = own.get(name)
        if url is None:
            result[name] = live
            continue
        manifest = _fresh_manifest(url)
        if manifest is not None and manifest.app != name:
            # Another app's build: its hello is refused (`wrong-app`); its manifest is no use.
            manifest = None
        result[name] = {
            # Unknown while the fork is down: the page learns it from `check` once it answers.
            "release": manifest.release if manifest else None,
            "url": url,
            "manifest": manifest.model_dump(mode="json") if manifest else None,
            "override": True,
            # An override is this browser's choice: no canary cohort applies to its slot.
            "canary": None,
            "live": {"release": live["release"], "url": live["url"]},
        }
    return result


def _fresh_manifest(url: str):
    """The manifest at `url` now, or None while it does not answer."""
    # Not the cached copy: a student restarts their build at will, with another manifest.
    try:
        return manifest_cache.cache().refresh(url)
    except manifest_cache.FETCH_ERRORS:
        return None


def _slot(app: str) -> str:
    if app not in settings.APPS:
        raise ApiError(404, "unknown-app", f"no slot {app!r}; the slots are {list(settings.APPS)}")
    return app


def _from_the_host_page() -> None:
    """Refuse a change that does not come from a page of the host's own origin."""
    if request.headers.get("Origin") != current_app.config["HOST_URL"]:
        raise ApiError(
            403, "forbidden-origin", "an override is set from the host page only (mfeHost.override)"
        )


def _same_site_reader() -> None:
    """Refuse a check a page of another origin triggers (the CLI and the host page may)."""
    origin = request.headers.get("Origin")
    site = request.headers.get("Sec-Fetch-Site")
    if (origin is not None and origin != current_app.config["HOST_URL"]) or site not in (
        None,
        "same-origin",
        "none",
    ):
        raise ApiError(403, "forbidden-origin", "checks are answered to the host page and the CLI")


def _answer() -> dict:
    return {"overrides": current()}


@bp.get("")
def show():
    """This browser's overrides."""
    return _answer()


@bp.put("/<app>")
def put(app: str):
    """Point this browser's slot for `app` at a loopback URL (body `{"url": ...}`)."""
    _from_the_host_page()
    _slot(app)
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or set(body) != {"url"}:
        raise ApiError(400, "bad-json", 'send a JSON object {"url": "http://localhost:PORT"}')
    try:
        origin = loopback_origin(body["url"])
    except ValueError as error:
        raise ApiError(422, "not-loopback", str(error)) from None
    if origin == current_app.config["HOST_URL"]:
        # The host is never framed (frame-ancestors 'none'): the slot would only stay blank.
        raise ApiError(422, "not-an-app", f"{origin} is the host itself, not a {app} release")
    stored = {**current(), app: origin}
    session[SESSION_KEY] = stored
    # Kept across browser restarts too, as long as the session cookie lives.
    session.permanent = True
    return {"overrides": stored}


@bp.delete("/<app>")
def delete(app: str):
    """Give this browser's slot for `app` back to the live release."""
    _from_the_host_page()
    _slot(app)
    stored = {name: url for name, url in current().items() if name != app}
    if stored:
        session[SESSION_KEY] = stored
    else:
        session.pop(SESSION_KEY, None)
    return {"overrides": stored}


@bp.get("/check")
def check():
    """`can-i-deploy` for a candidate at a loopback URL, against the live releases (read-only)."""
    _same_site_reader()
    app = _slot(request.args.get("app", ""))
    try:
        url = loopback_origin(request.args.get("url", ""))
    except ValueError as error:
        raise ApiError(422, "not-loopback", str(error)) from None
    # Fetched, not cached: this is a student's build, restarted at will.
    candidate = manifest_cache.candidate(url, remember=False)
    if candidate.app != app:
        raise ApiError(
            409,
            "manifest-mismatch",
            f"{url} says it is {candidate.app} release {candidate.release}, not {app}",
        )
    live = [host_manifest()]
    for deployment in deployment_store.store().live().values():
        known = manifest_cache.cache().get(deployment["url"])
        if known is not None:
            live.append(known)
    findings = deployability.check(candidate, live)
    return {
        "app": app,
        "url": url,
        "release": candidate.release,
        "deployable": deployability.deployable(findings),
        "findings": [f.to_dict() for f in findings],
        "manifest": candidate.model_dump(mode="json"),
    }


def init_app(app) -> None:
    """Register the override endpoints."""
    app.register_blueprint(bp)
