"""Security headers on every response: a strict CSP and friends."""

from collections.abc import Callable

from flask import Flask


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

    @app.after_request
    def add_headers(response):
        connect = "'self'"
        host_url = app.config["HOST_URL"]
        if app.config["APP_NAME"] == "host":
            # 'self' does not cover ws: in every browser; name the socket's origin exactly.
            connect += " " + host_url.replace("http", "ws", 1)
        response.headers.setdefault(
            "Content-Security-Policy",
            content_security_policy(value(frame_ancestors), value(frame_src), connect),
        )
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "no-referrer")
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-site")
        if app.config["APP_NAME"] == "host":
            response.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
            response.headers.setdefault("X-Frame-Options", "DENY")
        return response
