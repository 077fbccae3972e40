"""Werkzeug's own redirects (`/api//cart` → `/api/cart`) point at this release's configured
origin: werkzeug builds them from the request's Host header, which any client chooses."""

from urllib.parse import urlsplit

from flask import Flask, request
from werkzeug.routing import RequestRedirect

from checkout_app.shopper import own_origin


def to_own_origin(response):
    """Rewrite the Location of a routing redirect onto this release's origin."""
    if isinstance(request.routing_exception, RequestRedirect) and response.location:
        target = urlsplit(response.location)
        query = f"?{target.query}" if target.query else ""
        response.location = f"{own_origin()}{target.path}{query}"
    return response


def init_app(app: Flask) -> None:
    """Rewrite routing redirects on every response."""
    app.after_request(to_own_origin)
