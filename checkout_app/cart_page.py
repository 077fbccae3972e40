"""The cart page shown inside the host's checkout frame."""

from flask import Blueprint, render_template

from checkout_app.cart_store import current_cart_id

bp = Blueprint("cart", __name__)


@bp.get("/")
def index():
    """The cart and the order form."""
    # Give the browser its cart id now (a cookie, no database row): two first adds racing
    # each other would otherwise each mint an id and one cookie would win, losing an add.
    current_cart_id(create=True)
    return render_template("cart/index.html")
