"""One canonical host name: page requests under another (127.0.0.1) go to `MFE_HOST_URL`."""

from urllib.parse import quote, urlsplit, urlunsplit

from flask import Flask, redirect, request


def init_app(app: Flask) -> None:
    """Redirect GET/HEAD requests that arrive under a different host name or port."""
    canonical = urlsplit(app.config["HOST_URL"])

    @app.before_request
    def redirect_to_canonical_host():
        if request.method not in ("GET", "HEAD") or request.environ.get("HTTP_UPGRADE"):
            return None
        if request.host.lower() == canonical.netloc.lower():
            return None
        # Origins must match exactly for the bus, so there is one name for the host.
        # Path and query as sent: `full_path` would decode `%3F` in the path into a `?`.
        path = urlsplit(request.url).path
        query = quote(request.query_string, safe="%&=+;,/?:@$!'()*")
        target = urlunsplit((canonical.scheme, canonical.netloc, path, query, ""))
        return redirect(target, code=308)
