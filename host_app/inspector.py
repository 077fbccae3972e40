"""`GET /inspector`: every bus message of every open host page, live, plus deploys."""

from flask import Blueprint, render_template

from shared_contracts import registry

bp = Blueprint("inspector", __name__)


@bp.get("/inspector")
def index():
    """The live event inspector (it streams over the host's WebSocket)."""
    return render_template("inspector/index.html", events=registry.events())
