"""Security headers on every response: a strict CSP and friends."""

from collections.abc import Callable
from functools import lru_cache

from flask import Flask


# Every response needs one; the inputs change only with a deploy.
@lru_cache(maxsize=64)
def content_security_policy(frame_ancestors: str, frame_src: str, connect_src: str) -> str:
    """A CSP that allows scripts and styles from this origin only, and nothing inline."""
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            f"connect-src {connect_src}",
            f"frame-src {frame_src}",
            f"frame-ancestors {frame_ancestors}",
            "form-action 'self'",
            "base-uri 'none'",
            "object-src 'none'",
        ]
    )


def init_app(app: Flask, frame_ancestors: str | Callable[[], str], frame_src) -> None:
    """Add the headers after every request; values may be callables read per request."""

    def value(item):
        return item() if callable(item) else item

    host = app.config["APP_NAME"] == "host"
    connect = "'self'"
    if host:
        # 'self' does not cover ws: in every browser; name the socket's origin exactly.
        connect += " " + app.config["HOST_URL"].replace("http", "ws", 1)
    fixed = [
        ("X-Content-Type-Options", "nosniff"),
        ("Referrer-Policy", "no-referrer"),
        ("Cross-Origin-Resource-Policy", "same-site"),
    ]
    if host:
        fixed += [("Cross-Origin-Opener-Policy", "same-origin"), ("X-Frame-Options", "DENY")]

    @app.after_request
    def add_headers(response):
        # One pass over the response's headers, then appends: a view may have set its own.
        present = {key.lower() for key, _ in response.headers}
        if "content-security-policy" not in present:
            policy = content_security_policy(value(frame_ancestors), value(frame_src), connect)
            response.headers.add("Content-Security-Policy", policy)
        for key, header in fixed:
            if key.lower() not in present:
                response.headers.add(key, header)
        return response
