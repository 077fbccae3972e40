"""CSRF protection for every state change: our exact Origin plus a per-session token.

The cart lives in a SameSite=Lax cookie, and every app runs on `localhost`, so the other apps
are same-site: SameSite alone would let a products page post to checkout. Origin must be this
release's own origin, and `X-CSRF-Token` must match the token only our page was given.
"""

import hmac
import secrets

from flask import Flask, current_app, request, session

from mfe_platform import settings
from mfe_platform.web.errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
HEADER = "X-CSRF-Token"


def csrf_token() -> str:
    """This session's CSRF token, created on first use (the page renders it in a meta tag)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def own_origin() -> str:
    """The origin this release is served from, e.g. `http://localhost:8002`."""
    config = current_app.config
    return config[settings.url_key("checkout", config["RELEASE"])]


def _failed(message: str) -> ApiError:
    return ApiError(403, "csrf-failed", message)


def check_request() -> None:
    """Refuse a state-changing request that does not come from our own page."""
    # Unknown routes and wrong methods keep their honest 404/405.
    if request.method in SAFE_METHODS or request.routing_exception is not None:
        return
    # Admin endpoints authenticate with a bearer token, not with ambient cookies.
    if request.path.startswith("/api/admin/"):
        return
    if request.headers.get("Origin") != own_origin():
        raise _failed(f"the Origin header must be {own_origin()}")
    expected = session.get("csrf")
    sent = request.headers.get(HEADER)
    if not isinstance(expected, str) or not sent:
        raise _failed(f"the {HEADER} header is missing; reload the page")
    if not hmac.compare_digest(sent.encode(), expected.encode()):
        raise _failed(f"the {HEADER} header is wrong; reload the page")


def init_app(app: Flask) -> None:
    """Check every state change and give templates `csrf_token()`."""
    app.before_request(check_request)
    app.jinja_env.globals["csrf_token"] = csrf_token
