"""Placing an order: field validation, server-side pricing, atomic cart emptying."""

import copy
import re
import socket
import sqlite3
from pathlib import Path

import pytest

from checkout_app.tests.conftest import CATALOG, Shopper, make_app


def closed_port_url() -> str:
    """A localhost URL where nothing listens."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def stored_orders(app) -> list[dict]:
    """Every order row."""
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.row_factory = sqlite3.Row
        return [dict(row) for row in conn.execute("SELECT * FROM orders")]


def stored_order_lines(app, order_id: str) -> list[dict]:
    """The lines of one order."""
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.row_factory = sqlite3.Row
        rows = conn.execute("SELECT * FROM order_lines WHERE order_id = ?", (order_id,))
        return [dict(row) for row in rows]


def test_order_empties_the_cart(app, shopper):
    """201 with the summary; the cart is empty afterwards; the order is stored."""
    shopper.add("grinder", 3)
    shopper.add("filters", 2)
    response = shopper.order()
    assert response.status_code == 201
    body = response.json
    assert set(body) == {"orderId", "itemCount", "total", "release"}
    assert re.fullmatch(r"ord-[0-9a-f]{12}", body["orderId"])
    assert (body["itemCount"], body["total"], body["release"]) == (5, 280.47, 1)
    assert shopper.cart()["lines"] == []
    (order,) = stored_orders(app)
    assert (order["id"], order["total_cents"], order["item_count"]) == (body["orderId"], 28047, 5)
    assert (order["name"], order["email"], order["address"]) == (
        "Ana Lima",
        "ana@example.com",
        "1 Main St",
    )
    assert {
        (line["product_id"], line["line_total_cents"])
        for line in stored_order_lines(app, body["orderId"])
    } == {("grinder", 26997), ("filters", 1050)}


def test_exact_money(shopper):
    """3 x 89.99 charges 269.97 exactly."""
    shopper.add("grinder", 3)
    assert shopper.order().json["total"] == 269.97


def test_ordering_twice_needs_a_new_cart(shopper):
    """A second submit finds the cart empty."""
    shopper.add("grinder", 1)
    assert shopper.order().status_code == 201
    response = shopper.order()
    assert (response.status_code, response.json["error"]) == (409, "cart-empty")


def test_empty_cart_is_a_409(shopper):
    """Nothing to order."""
    response = shopper.order()
    assert (response.status_code, response.json["error"]) == (409, "cart-empty")


def test_the_order_is_priced_from_the_catalog_at_order_time(app, shopper):
    """The price the cart stored is not trusted: the catalog's current price is charged."""
    shopper.add("grinder", 2)
    catalog = copy.deepcopy(CATALOG)
    catalog[0]["price"] = 79.99
    app.config["CATALOG"] = catalog
    response = shopper.order()
    assert response.json["total"] == 159.98


def test_release_2_charges_the_discount_the_shopper_saw(app2, shopper2):
    """Release 2 takes off the promotion shown in the cart."""
    shopper2.add("kettle", 2, version="2.0.0", discount=7.5)
    shopper2.add("grinder", 1)
    assert shopper2.cart()["total"] == 172.99
    response = shopper2.order()
    assert (response.json["total"], response.json["release"]) == (172.99, 2)


def test_release_2_does_not_honour_an_ended_promotion(app2, shopper2):
    """A promotion that ended since the add is not charged off."""
    shopper2.add("kettle", 1, version="2.0.0", discount=7.5)
    catalog = copy.deepcopy(CATALOG)
    catalog[1]["promotion"] = None
    app2.config["CATALOG"] = catalog
    assert shopper2.order().json["total"] == 49.0


def test_release_2_does_not_discount_a_line_that_showed_no_discount(shopper2):
    """A 1.0.0 add showed list price in the cart; the order charges what was shown."""
    shopper2.add("kettle", 1)
    assert shopper2.cart()["total"] == 49.0
    assert shopper2.order().json["total"] == 49.0


def test_release_1_ignores_discounts_when_ordering(app, shopper2):
    """A cart filled on release 2 and ordered on release 1 is charged list prices."""
    shopper2.add("kettle", 2, version="2.0.0", discount=7.5)
    response = shopper2.in_app(app).order()
    assert (response.json["total"], response.json["release"]) == (98.0, 1)


def test_catalog_unavailable_keeps_the_cart(tmp_path):
    """No products answering: 503 catalog-unavailable, and the cart is still there."""
    app = make_app(tmp_path)
    shopper = Shopper(app)
    shopper.add("grinder", 2)
    app.config.update(
        CATALOG=None, PRODUCTS_V1_URL=closed_port_url(), PRODUCTS_V2_URL=closed_port_url()
    )
    response = shopper.order()
    assert (response.status_code, response.json["error"]) == (503, "catalog-unavailable")
    assert shopper.cart()["itemCount"] == 2
    assert stored_orders(app) == []
    # And adding needs the catalog as well.
    add = shopper.add("grinder", 1)
    assert (add.status_code, add.json["error"]) == (503, "catalog-unavailable")


def test_a_product_gone_from_the_catalog_blocks_the_order(app, shopper):
    """A line whose product is no longer sold: 409 product-unavailable, cart kept."""
    shopper.add("grinder", 1)
    shopper.add("kettle", 1)
    app.config["CATALOG"] = [p for p in copy.deepcopy(CATALOG) if p["id"] != "kettle"]
    response = shopper.order()
    assert (response.status_code, response.json["error"]) == (409, "product-unavailable")
    assert response.json["details"] == [{"productId": "kettle"}]
    assert shopper.cart()["itemCount"] == 2


def fields(response) -> dict[str, str]:
    """field -> message of a 422."""
    assert response.status_code == 422
    assert response.json["error"] == "invalid"
    return {detail["field"]: detail["message"] for detail in response.json["details"]}


@pytest.mark.parametrize(
    ("form", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "   "}, "name"),
        ({"name": "x" * 101}, "name"),
        ({"name": None}, "name"),
        ({"name": 42}, "name"),
        ({"email": "ana"}, "email"),
        ({"email": "ana@example"}, "email"),
        ({"email": "a na@example.com"}, "email"),
        ({"email": "a@b@example.com"}, "email"),
        ({"email": "a" * 250 + "@x.io"}, "email"),
        ({"email": None}, "email"),
        ({"email": ["ana@example.com"]}, "email"),
        ({"address": " \t "}, "address"),
        ({"address": "x" * 501}, "address"),
        ({"address": None}, "address"),
        ({"address": True}, "address"),
    ],
)
def test_form_validation_names_the_field(shopper, form, field):
    """Each bad field gets a message the page can show next to it; the cart is kept."""
    shopper.add("grinder", 1)
    response = shopper.order(**form)
    assert list(fields(response)) == [field]
    (detail,) = response.json["details"]
    assert detail["path"] == f"$.{field}"
    assert detail["message"]
    assert shopper.cart()["itemCount"] == 1


def test_every_bad_field_is_reported_at_once(shopper):
    """All three messages come back together."""
    response = shopper.post("/api/orders", {})
    assert set(fields(response)) == {"name", "email", "address"}


def test_extra_fields_are_refused(shopper):
    """Unknown fields (say a client-side total) are not silently ignored."""
    shopper.add("grinder", 1)
    response = shopper.order(total=0.01)
    assert fields(response) == {"total": "Unknown field."}


def test_form_values_are_trimmed(app, shopper):
    """Surrounding whitespace is not part of a name."""
    shopper.add("grinder", 1)
    assert shopper.order(name="  Ana  ", address="  1 Main St ").status_code == 201
    (order,) = stored_orders(app)
    assert (order["name"], order["address"]) == ("Ana", "1 Main St")


def test_malformed_order_body(shopper):
    """Broken JSON is 400, as for the cart."""
    response = shopper.post("/api/orders", raw="{")
    assert (response.status_code, response.json["error"]) == (400, "bad-json")


def test_a_short_address_is_an_address(app, shopper):
    """ "Home" is where some shoppers live: any non-blank address up to 500 characters is taken."""
    shopper.add("grinder", 1)
    assert shopper.order(address="Home").status_code == 201
    (order,) = stored_orders(app)
    assert order["address"] == "Home"


def test_personal_data_on_disk_is_private(tmp_path):
    """Names, emails and addresses: the data folder is 0700, the database, its WAL, shared
    memory and lock files 0600, also for a folder and files made before with wider modes."""
    folder = tmp_path / "checkout"
    folder.mkdir(mode=0o755)
    (folder / "checkout.sqlite3-wal").touch(mode=0o644)
    app = make_app(tmp_path)
    shopper = Shopper(app)
    shopper.add("grinder", 1)
    assert shopper.order().status_code == 201
    database = Path(app.config["DATABASE"])
    files = [database, Path(f"{database}-wal"), Path(f"{database}-shm"), Path(f"{database}.lock")]
    assert folder.stat().st_mode & 0o777 == 0o700
    assert {str(path.name): path.stat().st_mode & 0o777 for path in files} == {
        path.name: 0o600 for path in files
    }
