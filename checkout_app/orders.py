"""Placing an order: the form, server-side pricing from the catalog, and the order rows."""

import secrets
import sqlite3
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from checkout_app import cart_store, catalog_client, retention
from checkout_app.db import get_db, write_transaction
from checkout_app.money import from_cents
from checkout_app.pricing import PricedLine, price_current
from mfe_platform.web.errors import ApiError

EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"

# Shown next to the form field, so they speak to the shopper rather than about types.
FIELD_MESSAGES = {
    "name": "Enter your name (1 to 100 characters).",
    "email": "Enter an email address such as ana@example.com.",
    "address": "Enter your delivery address (1 to 500 characters).",
}


class OrderForm(BaseModel):
    """`POST /api/orders` body: who orders and where it goes."""

    model_config = ConfigDict(strict=True, extra="forbid", str_strip_whitespace=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    email: Annotated[str, StringConstraints(max_length=254, pattern=EMAIL_PATTERN)]
    # Any address the shopper types: a demo shop has no business refusing "Home" or "Flat 2".
    address: Annotated[str, StringConstraints(min_length=1, max_length=500)]


def read_form(body: dict) -> OrderForm:
    """Validate the form; 422 `invalid` with one detail per field otherwise."""
    try:
        return OrderForm.model_validate(body)
    except ValidationError as error:
        details = []
        for item in error.errors(include_url=False):
            field = str(item["loc"][0]) if item["loc"] else ""
            message = (
                "Unknown field." if item["type"] == "extra_forbidden" else FIELD_MESSAGES[field]
            )
            details.append(
                {"path": f"$.{field}", "field": field, "message": message, "type": item["type"]}
            )
        raise ApiError(422, "invalid", "please correct the highlighted fields", details) from None


def _cart_empty() -> ApiError:
    return ApiError(409, "cart-empty", "the cart is empty")


def _insert(
    conn: sqlite3.Connection,
    order_id: str,
    cart_id: str,
    form: OrderForm,
    priced: list[PricedLine],
    release: int,
) -> None:
    conn.execute(
        "INSERT INTO orders (id, cart_id, name, email, address, item_count, total_cents,"
        " release, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            order_id,
            cart_id,
            form.name,
            form.email,
            form.address,
            sum(p.line.quantity for p in priced),
            sum(p.total_cents for p in priced),
            release,
            retention.now_ms(),
        ),
    )
    conn.executemany(
        "INSERT INTO order_lines (order_id, product_id, name, quantity, unit_price_cents,"
        " discount_cents, line_total_cents) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                order_id,
                p.line.product_id,
                p.line.name,
                p.line.quantity,
                p.unit_price_cents,
                p.discount_cents,
                p.total_cents,
            )
            for p in priced
        ],
    )


def place(form: OrderForm, cart_id: str | None, release: int) -> dict:
    """Price the cart from the catalog, record the order and empty the cart, atomically."""
    if cart_id is None or not cart_store.lines(get_db(), cart_id):
        raise _cart_empty()
    # Before the write lock, and before anything changes: unreachable products keeps the cart.
    items = catalog_client.products()
    with write_transaction() as conn:
        # Read again under the lock: another tab may have changed or ordered this cart.
        lines = cart_store.lines(conn, cart_id)
        if not lines:
            raise _cart_empty()
        missing = [line.product_id for line in lines if line.product_id not in items]
        if missing:
            raise ApiError(
                409,
                "product-unavailable",
                "some products are no longer sold; remove them and order again",
                [{"productId": product_id} for product_id in missing],
            )
        priced = [price_current(line, items[line.product_id], release) for line in lines]
        order_id = f"ord-{secrets.token_hex(6)}"
        _insert(conn, order_id, cart_id, form, priced, release)
        cart_store.empty(conn, cart_id)
    return {
        "orderId": order_id,
        "itemCount": sum(p.line.quantity for p in priced),
        "total": from_cents(sum(p.total_cents for p in priced)),
        "release": release,
    }
