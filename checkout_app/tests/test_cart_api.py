"""The cart API: reading, adding idempotently, release pricing, strict input, removing."""

import json
import sqlite3
from pathlib import Path

import pytest

from checkout_app.tests.conftest import DISCOUNTS, PRICES, Shopper, envelope, make_app


def count_rows(app, table: str) -> int:
    """Rows in one table of the app's database."""
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608


def quantities(cart: dict) -> dict[str, int]:
    """productId -> quantity of a cart."""
    return {line["productId"]: line["quantity"] for line in cart["lines"]}


# --- reading ------------------------------------------------------------------------------------


def test_empty_cart_without_a_session(client):
    """A browser that never added anything has an empty cart."""
    response = client.get("/api/cart")
    assert response.status_code == 200
    assert response.json == {"lines": [], "itemCount": 0, "total": 0.0, "release": 1}
    assert response.headers["Cache-Control"] == "no-store"


def test_reading_never_writes(app, shopper):
    """GET / and GET /api/cart create no database row."""
    shopper.cart()
    shopper.client.get("/")
    assert count_rows(app, "carts") == 0
    assert count_rows(app, "applied_events") == 0


def test_the_database_is_in_wal_mode(app):
    """Readers do not wait for writers."""
    assert Path(app.config["DATABASE"]).parent == Path(app.config["APP_DATA_DIR"])
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


# --- adding -------------------------------------------------------------------------------------


def test_add_creates_a_line(shopper):
    """A 1.0.0 envelope adds its units at the catalog price."""
    response = shopper.add("grinder", 2)
    assert response.status_code == 201
    assert response.json == {
        "lines": [
            {
                "productId": "grinder",
                "name": "Burr Grinder",
                "quantity": 2,
                "price": 89.99,
                "discount": 0.0,
                "lineTotal": 179.98,
            }
        ],
        "itemCount": 2,
        "total": 179.98,
        "release": 1,
        "duplicate": False,
    }
    assert shopper.cart() == {k: v for k, v in response.json.items() if k != "duplicate"}


def test_same_id_again_is_a_duplicate_and_changes_nothing(app, shopper):
    """Redelivery of one event: 200, `duplicate: true`, the cart unchanged."""
    event = envelope("grinder", 1)
    assert shopper.post("/api/cart/items", event).status_code == 201
    again = shopper.post("/api/cart/items", event)
    assert again.status_code == 200
    assert again.json["duplicate"] is True
    assert again.json["itemCount"] == 1
    assert shopper.cart()["itemCount"] == 1
    assert count_rows(app, "applied_events") == 1


def test_same_id_with_a_different_body_is_a_conflict(shopper):
    """An id reused for another add is refused and changes nothing."""
    event = envelope("grinder", 1)
    shopper.post("/api/cart/items", event)
    other = {**event, "data": {**event["data"], "quantity": 5}}
    response = shopper.post("/api/cart/items", other)
    assert response.status_code == 409
    assert response.json["error"] == "id-conflict"
    assert shopper.cart()["itemCount"] == 1


def test_an_id_another_cart_used_first_is_no_conflict_here(app, shopper):
    """Event-id squatting: ids are public (the event log shows them), so a foreign session may
    post the shopper's id first, even with another body. Idempotency is per cart: the
    shopper's add still lands, once, and the foreign cart keeps only its own."""
    event = envelope("grinder", 1)
    squatter = Shopper(app)
    assert (
        squatter.post(
            "/api/cart/items", {**event, "data": {**event["data"], "quantity": 5}}
        ).status_code
        == 201
    )
    response = shopper.post("/api/cart/items", event)
    assert response.status_code == 201, response.json
    assert shopper.post("/api/cart/items", event).status_code == 200
    assert shopper.cart()["itemCount"] == 1
    assert squatter.cart()["itemCount"] == 5


def test_a_database_keyed_by_event_id_alone_moves_to_per_cart_keys(tmp_path):
    """A data folder from before keeps its applied ids, now per cart, and still dedupes them."""
    app = make_app(tmp_path)
    shopper = Shopper(app)
    event = envelope("grinder", 1)
    assert shopper.post("/api/cart/items", event).status_code == 201
    with sqlite3.connect(app.config["DATABASE"]) as conn:
        conn.executescript(
            "ALTER TABLE applied_events RENAME TO scoped;"
            "CREATE TABLE applied_events (event_id TEXT PRIMARY KEY, cart_id TEXT NOT NULL,"
            " body_sha256 TEXT NOT NULL, applied_at INTEGER NOT NULL);"
            "INSERT INTO applied_events"
            " SELECT event_id, cart_id, body_sha256, applied_at FROM scoped;"
            "DROP TABLE scoped;"
        )
    again = shopper.in_app(make_app(tmp_path))
    assert again.post("/api/cart/items", event).status_code == 200
    assert again.cart()["itemCount"] == 1
    assert Shopper(again.app).post("/api/cart/items", event).status_code == 201


def test_both_versions_of_one_dual_emitted_event_count_once(shopper2):
    """1.0.0 and 2.0.0 of one logical event (same id, same 1.0.0 fields) are one add."""
    v1 = envelope("kettle", 1)
    v2 = {**v1, "version": "2.0.0", "data": {**v1["data"], "discount": 7.5}}
    assert shopper2.post("/api/cart/items", v1).status_code == 201
    again = shopper2.post("/api/cart/items", v2)
    assert again.status_code == 200
    assert again.json["duplicate"] is True
    assert again.json["itemCount"] == 1
    # The first version applied wins: 1.0.0 carried no discount.
    assert again.json["lines"][0]["discount"] == 0.0


def test_same_id_in_2_0_0_with_other_1_0_0_fields_is_a_conflict(shopper2):
    """A version change does not excuse a different quantity."""
    v1 = envelope("kettle", 1)
    v2 = {**v1, "version": "2.0.0", "data": {**v1["data"], "quantity": 2, "discount": 7.5}}
    shopper2.post("/api/cart/items", v1)
    assert shopper2.post("/api/cart/items", v2).status_code == 409
    assert shopper2.cart()["itemCount"] == 1


def test_adds_of_one_product_merge(shopper):
    """Two adds of the same product make one line with the quantities summed."""
    shopper.add("grinder", 1)
    response = shopper.add("grinder", 2)
    assert response.status_code == 201
    assert quantities(response.json) == {"grinder": 3}


def test_lines_keep_the_order_they_were_first_added(shopper):
    """Adding to an existing line does not move it."""
    shopper.add("kettle", 1)
    shopper.add("grinder", 1)
    shopper.add("kettle", 1)
    assert [line["productId"] for line in shopper.cart()["lines"]] == ["kettle", "grinder"]


def test_exact_money(shopper):
    """3 x 89.99 is 269.97 exactly, not 269.96999999999997."""
    response = shopper.add("grinder", 3)
    assert response.json["total"] == 269.97
    assert json.loads(response.get_data(as_text=True))["total"] == 269.97
    assert '"total":269.97' in response.get_data(as_text=True).replace(" ", "")


def test_line_quantity_is_capped_at_999(shopper):
    """A line never holds more than 999 units."""
    assert shopper.add("filters", 999).status_code == 201
    response = shopper.add("filters", 1)
    assert response.status_code == 422
    assert response.json["error"] == "quantity-limit"
    assert quantities(shopper.cart()) == {"filters": 999}


# --- releases -----------------------------------------------------------------------------------


def test_release_2_subtracts_the_discount_and_release_1_charges_list_price(app, app2, shopper2):
    """One cart, one database: release 2 shows 49.00 - 7.50, release 1 charges 49.00."""
    response = shopper2.add("kettle", 2, version="2.0.0", discount=7.5, appliedPromo="KETTLE-15")
    assert response.status_code == 201
    line = response.json["lines"][0]
    assert (line["price"], line["discount"], line["lineTotal"]) == (49.0, 7.5, 83.0)
    assert response.json["total"] == 83.0
    assert response.json["release"] == 2

    release_1 = shopper2.in_app(app).cart()
    assert release_1["lines"][0]["discount"] == 0.0
    assert release_1["lines"][0]["lineTotal"] == 98.0
    assert (release_1["total"], release_1["itemCount"], release_1["release"]) == (98.0, 2, 1)


def test_a_1_0_0_add_keeps_the_discount_the_line_had(shopper2):
    """1.0.0 says nothing about discounts, so the line keeps what 2.0.0 told it."""
    shopper2.add("kettle", 1, version="2.0.0", discount=7.5)
    response = shopper2.add("kettle", 1)
    assert response.json["lines"][0]["discount"] == 7.5
    assert response.json["total"] == 83.0


def test_release_2_takes_2_0_0_without_a_discount(shopper2):
    """The 2.0.0 discount is optional; without it nothing is taken off."""
    response = shopper2.add("grinder", 1, version="2.0.0")
    assert response.status_code == 201
    assert response.json["total"] == 89.99


def test_release_1_takes_2_0_0_as_1_0_0_at_list_price(shopper):
    """The endpoint takes any known version: release 1 converts 2.0.0 down as the bus would
    (the discount dropped) and charges the list price; the same add as 1.0.0 counts once."""
    v2 = envelope("kettle", 1, version="2.0.0", discount=7.5, appliedPromo="KETTLE-15")
    response = shopper.post("/api/cart/items", v2)
    assert response.status_code == 201, response.json
    assert response.json["total"] == PRICES["kettle"]
    assert response.json["lines"][0]["discount"] == 0
    data = {k: v for k, v in v2["data"].items() if k not in ("discount", "appliedPromo")}
    again = shopper.post("/api/cart/items", {**v2, "version": "1.0.0", "data": data})
    assert again.status_code == 200
    assert shopper.cart()["itemCount"] == 1


def test_unknown_version(shopper2):
    """A version no contract has is refused."""
    response = shopper2.add("kettle", 1, version="3.0.0")
    assert response.status_code == 422
    assert response.json["error"] == "unknown-version"


@pytest.mark.parametrize("event", ["notification:show", "cart:emptied"])
def test_only_cart_item_added_is_taken(shopper, event):
    """Any other event, known or not, is refused with unknown-event."""
    body = envelope()
    body["event"] = event
    if event == "notification:show":
        body["data"] = {"message": "hi", "type": "info"}
    response = shopper.post("/api/cart/items", body)
    assert response.status_code == 422
    assert response.json["error"] == "unknown-event"


# --- the server trusts no browser ---------------------------------------------------------------


def test_unknown_product(shopper):
    """A product the catalog does not have is refused."""
    response = shopper.add("teapot", 1, price=10.0)
    assert response.status_code == 422
    assert response.json["error"] == "unknown-product"
    assert shopper.cart()["itemCount"] == 0


@pytest.mark.parametrize("price", [0.01, 0, 89.98, 89.991, 899.9])
def test_price_must_be_the_catalog_price(shopper, price):
    """The envelope's price must equal the list price to the cent."""
    response = shopper.add("grinder", 1, price=price)
    assert response.status_code == 422
    assert response.json["error"] == "price-mismatch"
    assert response.json["details"][0]["expected"] == 89.99
    assert shopper.cart()["itemCount"] == 0


def test_an_integral_price_is_a_price(shopper):
    """JSON `49` and `49.0` are the same number."""
    assert shopper.post("/api/cart/items", raw=json.dumps(envelope("kettle", 1, price=49))).json[
        "total"
    ] == (49.0)


@pytest.mark.parametrize("discount", [0.0, 7.49, 49.0])
def test_discount_must_be_the_current_promotion(shopper2, discount):
    """A 2.0.0 discount must equal the product's promotion."""
    response = shopper2.add("kettle", 1, version="2.0.0", discount=discount)
    assert response.status_code == 422
    assert response.json["error"] == "discount-mismatch"
    assert response.json["details"][0]["expected"] == DISCOUNTS["kettle"]
    assert shopper2.cart()["itemCount"] == 0


def test_a_discount_on_a_product_without_promotion_must_be_zero(shopper2):
    """No promotion means only a zero discount is true."""
    assert shopper2.add("grinder", 1, version="2.0.0", discount=0.0).status_code == 201
    assert shopper2.add("grinder", 1, version="2.0.0", discount=1.0).status_code == 422


QUANTITIES = ["-1", "0", "1.5", '"2"', "true", "1e21", "10000000", "null", "[]"]
NOT_JSON = ["NaN", "Infinity", "-Infinity", "1e309"]


@pytest.mark.parametrize("quantity", QUANTITIES + NOT_JSON)
def test_bad_quantities_are_refused(shopper, quantity):
    """Only an integer 1..999 is a quantity; NaN, Infinity and 1e309 are not even JSON."""
    shopper.add("grinder", 1)
    text = json.dumps(envelope("grinder", 1)).replace('"quantity": 1', f'"quantity": {quantity}')
    assert f'"quantity": {quantity}' in text
    response = shopper.post("/api/cart/items", raw=text)
    if quantity in NOT_JSON:
        assert (response.status_code, response.json["error"]) == (400, "bad-json")
    else:
        assert (response.status_code, response.json["error"]) == (422, "invalid")
        assert any(d["path"].endswith("quantity") for d in response.json["details"])
    assert quantities(shopper.cart()) == {"grinder": 1}


@pytest.mark.parametrize("price", ["NaN", "Infinity", "1e309", '"89.99"', "-89.99"])
def test_bad_prices_are_refused(shopper, price):
    """A price is a finite, non-negative JSON number."""
    text = json.dumps(envelope("grinder", 1)).replace('"price": 89.99', f'"price": {price}')
    response = shopper.post("/api/cart/items", raw=text)
    assert response.status_code in (400, 422)
    assert shopper.cart()["itemCount"] == 0


@pytest.mark.parametrize(
    ("where", "field"),
    [
        ("envelope", "id"),
        ("envelope", "event"),
        ("envelope", "version"),
        ("envelope", "source"),
        ("envelope", "timestamp"),
        ("envelope", "data"),
        ("data", "itemId"),
        ("data", "productId"),
        ("data", "quantity"),
        ("data", "price"),
    ],
)
def test_missing_fields_are_refused(shopper, where, field):
    """Every field of the envelope and of 1.0.0 data is required."""
    body = envelope("grinder", 1)
    del (body if where == "envelope" else body["data"])[field]
    response = shopper.post("/api/cart/items", body)
    assert response.status_code == 422
    assert response.json["error"] == "invalid"
    assert response.json["details"]
    assert shopper.cart()["itemCount"] == 0


def test_an_id_must_be_a_uuid(shopper):
    """Ids are UUID strings."""
    response = shopper.post("/api/cart/items", envelope(event_id="1; DROP TABLE carts"))
    assert (response.status_code, response.json["error"]) == (422, "invalid")


# --- request bodies -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["{", "", "{'a': 1}", '{"a": 1} x', "[" * 10_000])
def test_malformed_json_is_a_400(shopper, text):
    """Broken JSON is a JSON 400, never a traceback."""
    response = shopper.post("/api/cart/items", raw=text)
    assert response.status_code == 400
    assert response.json["error"] == "bad-json"


@pytest.mark.parametrize("text", ["[]", "1", '"envelope"', "null"])
def test_json_that_is_not_an_object_is_a_400(shopper, text):
    """The body must be a JSON object."""
    response = shopper.post("/api/cart/items", raw=text)
    assert (response.status_code, response.json["error"]) == (400, "bad-json")


def test_a_body_over_64_kib_is_a_json_413(shopper):
    """MAX_CONTENT_LENGTH answers 413 in JSON."""
    body = envelope()
    body["padding"] = "x" * (64 * 1024)
    response = shopper.post("/api/cart/items", body)
    assert response.status_code == 413
    assert response.is_json
    assert response.json["error"] == "request-entity-too-large"
    assert shopper.cart()["itemCount"] == 0


def test_a_form_body_is_a_400(shopper):
    """Only application/json is read; a form body is refused as bad JSON and changes nothing."""
    response = shopper.client.post(
        "/api/cart/items", data={"event": "cart:item-added"}, headers=shopper.headers()
    )
    assert response.status_code == 400
    assert response.json["error"] == "bad-json"
    assert "application/json" in response.json["message"]
    assert shopper.cart()["itemCount"] == 0


def test_wrong_method_is_a_405_not_a_credential_failure(client):
    """A method the route does not take is an honest 405."""
    response = client.post("/api/cart")
    assert response.status_code == 405
    assert response.json["error"] == "method-not-allowed"


def test_unknown_api_path_is_a_json_404(shopper):
    """Unknown paths answer JSON."""
    response = shopper.post("/api/nope", {})
    assert (response.status_code, response.json["error"]) == (404, "not-found")


# --- removing -----------------------------------------------------------------------------------


def test_delete_removes_the_line(shopper):
    """DELETE answers the cart without that line."""
    shopper.add("grinder", 1)
    shopper.add("kettle", 2)
    response = shopper.remove("grinder")
    assert response.status_code == 200
    assert quantities(response.json) == {"kettle": 2}
    assert response.json["total"] == 98.0
    assert quantities(shopper.cart()) == {"kettle": 2}


def test_delete_an_unknown_line_is_a_404(shopper):
    """Nothing to remove: 404 not-found."""
    shopper.add("grinder", 1)
    response = shopper.remove("kettle")
    assert (response.status_code, response.json["error"]) == (404, "not-found")
    assert quantities(shopper.cart()) == {"grinder": 1}


def test_delete_needs_the_token(shopper):
    """DELETE is a state change like POST: without the shopper's token, 403."""
    shopper.add("grinder", 1)
    response = shopper.client.delete("/api/cart/items/grinder", headers={"Origin": shopper.origin})
    assert (response.status_code, response.json["error"]) == (403, "csrf-failed")
    assert quantities(shopper.cart()) == {"grinder": 1}


def test_a_removed_product_can_be_added_again(shopper):
    """After a removal the line starts from zero."""
    shopper.add("grinder", 2)
    shopper.remove("grinder")
    assert quantities(shopper.add("grinder", 1).json) == {"grinder": 1}


def test_cart_survives_a_new_app_instance(tmp_path, shopper):
    """The cart is in the data folder, not in the process."""
    shopper.add("grinder", 1)
    assert shopper.in_app(make_app(tmp_path, release=1)).cart()["itemCount"] == 1
