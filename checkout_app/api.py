"""The checkout JSON API: read the cart, add and remove items, place the order."""

from flask import Blueprint, current_app

from checkout_app import cart_store, item_added, orders, retention, shopper
from checkout_app.db import get_db, write_transaction
from checkout_app.json_body import json_object
from checkout_app.pricing import cart_view
from mfe_platform.web.errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api")


def _release() -> int:
    return current_app.config["RELEASE"]


def _cart_json(lines: list[cart_store.Line], **extra) -> dict:
    return {**cart_view(lines, _release()).model_dump(mode="json"), **extra}


@bp.after_request
def no_store(response):
    """Carts and orders are per shopper and change all the time: never cache them."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cart")
def get_cart():
    """This shopper's cart as this release charges it (no token or an unknown cart: empty)."""
    return _cart_json(cart_store.lines(get_db(), shopper.current_cart_id()))


@bp.post("/cart/items")
def add_item():
    """Apply a `cart:item-added` envelope; 201 when applied, 200 when a duplicate."""
    cart_id = shopper.required_cart_id()
    body = json_object()
    lines, duplicate = item_added.apply(body, cart_id, _release())
    return _cart_json(lines, duplicate=duplicate), 200 if duplicate else 201


@bp.delete("/cart/items/<product_id>")
def remove_item(product_id: str):
    """Remove one product's line from the cart."""
    cart_id = shopper.required_cart_id()
    missing = ApiError(404, "not-found", f"no {product_id!r} in the cart")
    with write_transaction() as conn:
        if not cart_store.remove_line(conn, cart_id, product_id):
            raise missing
        cart_store.touch(conn, cart_id, retention.now_ms())
        lines = cart_store.lines(conn, cart_id)
    return _cart_json(lines)


@bp.post("/orders")
def place_order():
    """Place the order for this cart, priced on the server; 201 with the order summary."""
    cart_id = shopper.required_cart_id()
    form = orders.read_form(json_object())
    return orders.place(form, cart_id, _release()), 201
