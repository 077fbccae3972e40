"""Products and checkout keep no Flask session: none is read, signed or written per request.

Checkout knows its shopper by a header token (checkout_app/shopper.py), never by a cookie.
Flask still opens a signed-cookie session on every request, and building its signer took a
tenth of the interpreter's time on `GET /api/cart` (docs/performance.md, T5). With this
interface a request gets an empty session that refuses any write, saying why.
"""

from flask.sessions import NullSession, SessionInterface


class NoSession(NullSession):
    """An empty session whose every write fails with an error naming this module."""

    def _fail(self, *args, **kwargs):
        raise RuntimeError(
            "products and checkout keep no session (mfe_platform/web/sessions.py):"
            " keep per-shopper state in the app's database, keyed by the shopper's token"
        )

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail


class NoSessions(SessionInterface):
    """A session interface that opens nothing and saves nothing."""

    null_session_class = NoSession

    def open_session(self, app, request):
        """None: Flask then hands the request a `NoSession`."""
        return None

    def save_session(self, app, session, response):
        """Nothing to save: a `NoSession` holds nothing."""
        return None
