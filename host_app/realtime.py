"""The host's one WebSocket: pushes to open pages; upgrades only from the host's own origin."""

import json

from flask import Blueprint, Flask, current_app, request
from flask_sock import Sock

from shared_contracts.web.errors import ApiError

bp = Blueprint("realtime", __name__)
sock = Sock()


@bp.before_request
def same_origin_only():
    """Refuse the upgrade unless the page that opens it is the host's own."""
    if request.headers.get("Origin") != current_app.config["HOST_URL"]:
        raise ApiError(
            403, "forbidden-origin", "WebSocket upgrades are accepted from the host only"
        )


@sock.route("/ws", bp=bp)
def socket(ws):
    """One page's connection: answers pings; later issues push deployments and events here."""
    while True:
        text = ws.receive()
        try:
            message = json.loads(text)
        except (TypeError, ValueError):
            ws.send(json.dumps({"type": "error", "message": "not JSON"}))
            continue
        if isinstance(message, dict) and message.get("type") == "ping":
            ws.send(json.dumps({"type": "pong", "echo": message.get("echo")}))


def init_app(app: Flask) -> None:
    """Register the WebSocket route."""
    sock.init_app(app)
    app.register_blueprint(bp)
