"""The shell page: header, cart badge, notifications, and the two app frames."""

from flask import Blueprint, render_template

from host_app import deployments

bp = Blueprint("shell", __name__)


@bp.get("/")
def index():
    """The shop: products as the main column, checkout as a sidebar."""
    return render_template("shell/index.html", live=deployments.store().live())
