"""The environment every app and the `mfe` CLI read: URLs, data folder, live releases.

One place knows the defaults, so the apps, the Procfile launcher and the CLI agree.
"""

import os
from pathlib import Path
from urllib.parse import urlsplit

REPOSITORY = Path(__file__).resolve().parent.parent
APPS = ("products", "checkout")
RELEASES = (1, 2)

DEFAULT_URLS = {
    "HOST_URL": "http://localhost:8000",
    "PRODUCTS_V1_URL": "http://localhost:8001",
    "CHECKOUT_V1_URL": "http://localhost:8002",
    "PRODUCTS_V2_URL": "http://localhost:8011",
    "CHECKOUT_V2_URL": "http://localhost:8012",
}
DEFAULT_LIVE = {"products": 1, "checkout": 1}


def url_key(app: str, release: int | None = None) -> str:
    """The config key (without the `MFE_` prefix) of an app's URL."""
    if app == "host":
        return "HOST_URL"
    if app not in APPS or release not in RELEASES:
        raise ValueError(f"no URL setting for {app} release {release}")
    return f"{app.upper()}_V{release}_URL"


def env(key: str, default=None, environ=None):
    """Read `MFE_<key>` from the environment."""
    return (os.environ if environ is None else environ).get(f"MFE_{key}", default)


def app_url(app: str, release: int | None = None, environ=None) -> str:
    """The URL an app (release) runs at, from `MFE_*_URL` or the default."""
    key = url_key(app, release)
    return origin(env(key, DEFAULT_URLS[key], environ))


def urls(environ=None) -> dict[str, str]:
    """Every URL setting, keyed like Flask config (`HOST_URL`, ...)."""
    return {key: origin(env(key, default, environ)) for key, default in DEFAULT_URLS.items()}


def origin(url: str) -> str:
    """A URL's origin as browsers write it: `scheme://host[:port]`, default port omitted."""
    parts = urlsplit(str(url).strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    default = 443 if parts.scheme == "https" else 80
    port = "" if parts.port in (None, default) else f":{parts.port}"
    host = parts.hostname.lower()
    # urlsplit strips the brackets of an IPv6 literal; an origin keeps them.
    host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme}://{host}{port}"


def release_origin(url: str) -> str:
    """The origin of a release's URL, which must be nothing more: no path, query or user."""
    parts = urlsplit(str(url).strip())
    # An app serves from its root: a path would be dropped silently, and a deploy would then
    # register another address than the one given.
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"a release's url is an origin, scheme://host:port, nothing more: {url!r}")
    return origin(url)


def data_dir(app: str, environ=None) -> Path:
    """The folder where an app keeps its data: `$MFE_DATA_DIR/<app>` (default `instance/`)."""
    base = Path(env("DATA_DIR", REPOSITORY / "instance", environ))
    return base / app


# Here, not in the web package: the CLI reads the file without importing Flask.
ADMIN_TOKEN_FILE = "admin_token"  # noqa: S105 - a file name, not a secret


def admin_token_path(data_folder: str | Path) -> Path:
    """Where the host keeps the admin token it generated (and the CLI reads it): its data folder."""
    return Path(data_folder) / "host" / ADMIN_TOKEN_FILE


def parse_live(text: str) -> dict[str, int]:
    """Parse `products=2,checkout=1`; raises ValueError naming what is wrong."""
    live = dict(DEFAULT_LIVE)
    for part in filter(None, (p.strip() for p in str(text).split(","))):
        app, sep, release = part.partition("=")
        app = app.strip()
        if not sep or app not in APPS or release.strip() not in {str(r) for r in RELEASES}:
            raise ValueError(
                f"MFE_LIVE entry {part!r} is not APP=RELEASE with APP in {APPS} and RELEASE 1 or 2"
            )
        live[app] = int(release)
    return live


def flag(value, name: str = "the switch") -> bool:
    """`1`, `true`, `yes`, `on` (any case) are true; `0`, `false`, `no`, `off`, empty are false.

    Anything else is a ValueError naming `name`: `MFE_DUAL_EMIT=2` must not quietly mean off.
    """
    # from_prefixed_env reads values as JSON: "null" is None, "1.0" the float 1.0.
    if isinstance(value, float) and value in (0.0, 1.0):
        value = int(value)
    text = _word(value)
    if text in {"1", "true", "yes", "on"}:
        return True
    if text in {"0", "false", "no", "off", ""}:
        return False
    raise ValueError(f"{name} must be 1/true/yes/on or 0/false/no/off, not {str(value)[:40]!r}")


def _word(value) -> str:
    """A setting as a lower-case word; nothing (None, as JSON's `null` reads) is ""."""
    return "" if value is None else str(value).strip().lower()


BUS_MODES = ("strict", "naive")


def bus_mode(value) -> str:
    """`MFE_BUS_MODE`: `naive` (the workshop's wrong way) or `strict`, the default."""
    mode = _word(value) or "strict"
    if mode not in BUS_MODES:
        raise ValueError(
            f"MFE_BUS_MODE must be naive or strict (the default), not {str(value)[:40]!r}"
        )
    return mode
