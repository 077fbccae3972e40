"""The host's one WebSocket (`/ws`): pushes deploys and health to open pages, and carries
their bus logs to the event log. Upgrades are accepted only from the host's own origin.

Each connection has one writer (a greenlet under gevent) draining its queue, so pushes from
other requests never interleave frames; a health monitor runs while any page is open.
"""

import json
import queue
import threading
import time

from flask import Blueprint, Flask, current_app, request
from flask_sock import Sock
from simple_websocket import ConnectionClosed
from wsproto.utilities import LocalProtocolError

from host_app import deployment_store, eventlog, health, logwire, manifest_cache, probing, status
from mfe_platform.web.errors import ApiError

bp = Blueprint("realtime", __name__)
sock = Sock()

HEALTH_INTERVAL_SECONDS = 2.0
# The largest message a page may send (its log batches stay well below): a bigger one closes
# the connection (1009) before it is ever whole in memory. Counted as the characters of text.
MAX_MESSAGE_BYTES = 1024 * 1024


class Connection:
    """One open socket: a role (`page` or `inspector`) and an outgoing queue."""

    def __init__(self, ws):
        self.ws = ws
        self.role = "page"
        self.outgoing: queue.Queue = queue.Queue(maxsize=1000)
        self.alive = True

    def send(self, message: dict) -> None:
        """Queue a message; a peer too slow to keep up is dropped rather than blocking us."""
        try:
            self.outgoing.put_nowait(message)
        except queue.Full:
            self.alive = False

    def pump(self) -> None:
        """Write queued messages until the connection closes."""
        while self.alive:
            message = self.outgoing.get()
            if message is None:
                break
            try:
                self.ws.send(json.dumps(message))
            # LocalProtocolError: the handler is closing this socket (a message over the cap)
            # and wsproto sends nothing more on it.
            except (ConnectionClosed, OSError, LocalProtocolError):
                break
        self.alive = False


class Hub:
    """Every open connection, and the health monitor that runs while any is open."""

    def __init__(self, app: Flask):
        self.app = app
        self.connections: set[Connection] = set()
        self.lock = threading.Lock()
        self.monitor: threading.Thread | None = None
        self.last_health: dict = {}

    def add(self, connection: Connection) -> None:
        with self.lock:
            self.connections.add(connection)
            if self.monitor is None or not self.monitor.is_alive():
                self.monitor = threading.Thread(target=self.watch_health, daemon=True)
                self.monitor.start()

    def remove(self, connection: Connection) -> None:
        with self.lock:
            self.connections.discard(connection)
        connection.alive = False
        connection.outgoing.put(None)

    def broadcast(self, message: dict, role: str | None = None) -> None:
        """Send to every connection (of `role`, if given)."""
        with self.lock:
            targets = [c for c in self.connections if role is None or c.role == role]
        for connection in targets:
            connection.send(message)

    def health_now(self, fresh: bool = False) -> dict:
        """A `health` message: each live app's health, and each canary's under `canary`."""
        with self.app.app_context():
            state = deployment_store.store().state()
            probe = health.probe()
            live = deployment_store.store().live()
            canaries = {app: status.canary_of(state, app) for app in live}
        urls = [d["url"] for d in live.values()]
        urls += [rollout["url"] for rollout in canaries.values() if rollout is not None]
        # All at once: a slow app must not hold up the health of the others.
        checked = dict(
            zip(
                urls,
                probing.side_by_side(
                    lambda url: probe.status(url, fresh)["status"],
                    urls,
                    lambda url: probe.cached(url, fresh),
                ),
                strict=True,
            )
        )
        return {
            "type": "health",
            "health": {app: checked[d["url"]] for app, d in live.items()},
            "canary": {
                app: checked[rollout["url"]]
                for app, rollout in canaries.items()
                if rollout is not None
            },
        }

    def publish_health(self, fresh: bool = False) -> None:
        """Probe and push health to pages when it changed."""
        current = self.health_now(fresh)
        if current != self.last_health:
            self.last_health = current
            self.broadcast(current)

    def watch_health(self) -> None:
        """While any page is open, probe the live apps every few seconds."""
        while True:
            with self.lock:
                if not self.connections:
                    self.monitor = None
                    return
            self.publish_health(fresh=True)
            time.sleep(HEALTH_INTERVAL_SECONDS)


def hub() -> Hub:
    """The current app's hub."""
    return current_app.extensions["mfe_hub"]


@bp.before_request
def same_origin_only():
    """Refuse the upgrade unless the page that opens it is the host's own."""
    if request.headers.get("Origin") != current_app.config["HOST_URL"]:
        raise ApiError(
            403, "forbidden-origin", "WebSocket upgrades are accepted from the host only"
        )


def _handle(connection: Connection, message: dict, size: int) -> None:
    kind = message.get("type")
    if kind == "ping":
        connection.send({"type": "pong", "echo": message.get("echo")})
    elif kind == "hello":
        connection.role = "inspector" if message.get("role") == "inspector" else "page"
        # Catch-up: whatever changed while this page was away.
        connection.send({"type": "deployments", **status.describe()})
        connection.send(hub().health_now())
        if connection.role == "inspector":
            connection.send({"type": "log", "entries": eventlog.log().recent(), "replay": True})
    elif kind == "probe":
        hub().publish_health(fresh=True)
    elif kind == "manifests":
        # A page whose frame said hello without the host knowing that app's manifest (it was
        # down when the page loaded): fetch what is missing now, and answer with the state.
        manifest_cache.cache().fetch_missing(
            d["url"] for d in deployment_store.store().live().values()
        )
        connection.send({"type": "deployments", **status.describe()})
    elif kind == "log":
        entries, malformed = logwire.unpack(message)
        if malformed:
            connection.send({"type": "error", "message": f"{malformed} log entries malformed"})
        if entries:
            page = str(message.get("page", ""))[:64]
            eventlog.log().extend_from_page(entries, page, size)


@sock.route("/ws", bp=bp)
def socket(ws):
    """One page's connection."""
    connection = Connection(ws)
    writer = threading.Thread(target=connection.pump, daemon=True)
    writer.start()
    hub().add(connection)
    try:
        while connection.alive:
            text = ws.receive()
            if text is None:
                break
            try:
                message = json.loads(text)
            except (TypeError, ValueError, RecursionError):
                connection.send({"type": "error", "message": "not JSON"})
                continue
            if isinstance(message, dict):
                _handle(connection, message, len(text))
    except ConnectionClosed:
        pass
    finally:
        hub().remove(connection)


def init_app(app: Flask) -> None:
    """Register the WebSocket route and the hub; log batches go to inspectors."""
    app.config.setdefault("SOCK_SERVER_OPTIONS", {"max_message_size": MAX_MESSAGE_BYTES})
    sock.init_app(app)
    app.register_blueprint(bp)
    app.extensions["mfe_hub"] = Hub(app)
    eventlog.log_for(app).listen(
        lambda entries: app.extensions["mfe_hub"].broadcast(
            {"type": "log", "entries": entries}, role="inspector"
        )
    )
