"""Who the shopper is: a bearer token the host's page keeps and checkout's page sends itself.

No cookie: browsers send cookies to every port of `localhost`, so a session cookie reached any
other local server the shopper visited (a bearer credential for the cart), and any page on
`localhost` could overwrite it (cookie tossing). The host keeps a random token in its own
origin's storage and hands it to checkout's frame over the bus (`shopper.token`); checkout's
page sends it as `Authorization: Bearer <token>` on each call. A browser never attaches that
header by itself, so a request from another page cannot carry it: no CSRF by construction.
"""

import hashlib
import hmac
import re

from flask import Flask, current_app, request

from mfe_platform import settings
from mfe_platform.web.errors import ApiError

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# 32 random bytes in base64url, as `secrets.token_urlsafe(32)` and the host page make them.
TOKEN = re.compile(r"^[A-Za-z0-9_-]{43,128}$")
SCHEME = "Bearer "


def own_origin() -> str:
    """The origin this release is served from, e.g. `http://localhost:8002`."""
    config = current_app.config
    return config[settings.url_key("checkout", config["RELEASE"])]


def bearer_token() -> str | None:
    """The shopper token of this request's `Authorization` header; None when absent."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    token = header[len(SCHEME) :] if header.startswith(SCHEME) else ""
    if not TOKEN.match(token):
        raise ApiError(
            401, "unauthorized", "Authorization must be 'Bearer <shopper token>' (43+ base64url)"
        )
    return token


def cart_id_for(token: str) -> str:
    """The cart of a token: an HMAC under checkout's key, so the database holds no token."""
    # Both releases share the key: the cart survives a deploy from one to the other.
    key = str(current_app.config["SECRET_KEY"]).encode()
    return hmac.new(key, b"cart:" + token.encode(), hashlib.sha256).hexdigest()[:32]


def current_cart_id() -> str | None:
    """This shopper's cart id, or None when the request carries no token (an empty cart)."""
    token = bearer_token()
    return None if token is None else cart_id_for(token)


def required_cart_id() -> str:
    """This shopper's cart id; 403 without a token (every state change needs one)."""
    cart_id = current_cart_id()
    if cart_id is None:
        # The token is what makes a forged request impossible, so its absence is refused as the
        # CSRF check always refused a request without its token: 403 csrf-failed.
        raise ApiError(
            403,
            "csrf-failed",
            "a state change needs the shopper token: 'Authorization: Bearer <token>'",
        )
    return cart_id


def check_origin() -> None:
    """Refuse a state change sent by another origin's page, before its body is read."""
    # Unknown routes and wrong methods keep their honest 404/405.
    if request.method in SAFE_METHODS or request.routing_exception is not None:
        return
    # Admin endpoints authenticate with the admin token and are called by the CLI.
    if request.path.startswith("/api/admin/"):
        return
    # Defence in depth: the token already stops other pages; a client outside a browser sends
    # no Origin and is judged by its token alone.
    origin = request.headers.get("Origin")
    if origin is not None and origin != own_origin():
        raise ApiError(403, "csrf-failed", f"the Origin header must be {own_origin()}")


def init_app(app: Flask) -> None:
    """Check the origin of every state change."""
    app.before_request(check_origin)
