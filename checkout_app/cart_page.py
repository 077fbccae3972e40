"""The cart page shown inside the host's checkout frame."""

from flask import Blueprint, render_template

bp = Blueprint("cart", __name__)


@bp.get("/")
def index():
    """The cart and the order form (the page asks the host for the shopper's token)."""
    return render_template("cart/index.html")
