"""Flask's signed-cookie session, with each distinct cookie verified once per process.

A performance measure, not a pattern to copy (docs/performance.md): Flask derives the key and
checks the HMAC on every request, though a shopper sends the same cookie again and again. The
signature depends only on the cookie's bytes, so a cookie that verified once verifies always;
only its age is checked again.
"""

import copy
import threading
import time

from flask import Flask
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature

# Enough for every shopper of a workshop; a full cache is emptied, not scanned.
MAX_CACHED = 4096


class VerifiedCookieSessions(SecureCookieSessionInterface):
    """`SecureCookieSessionInterface` that remembers which cookies carried a valid signature."""

    def __init__(self) -> None:
        self._verified: dict[str, tuple[dict, float]] = {}
        self._lock = threading.Lock()

    def open_session(self, app: Flask, request) -> SecureCookieSession | None:
        """The session of this request's cookie; an empty one when absent, forged or expired."""
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return super().open_session(app, request)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        hit = self._verified.get(value)
        if hit is not None and time.time() - hit[1] <= max_age:
            # A copy: the request may change its session without touching the cached one.
            return self.session_class(copy.deepcopy(hit[0]))
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        with self._lock:
            if len(self._verified) >= MAX_CACHED:
                self._verified.clear()
            self._verified[value] = (copy.deepcopy(data), signed_at.timestamp())
        return self.session_class(data)


def init_app(app: Flask) -> None:
    """Use the verifying-once cookie session for `app`."""
    app.session_interface = VerifiedCookieSessions()
