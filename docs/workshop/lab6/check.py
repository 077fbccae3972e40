"""Lab 6's check: checkout's server (checkout_app/item_added.py) applies each event id once.

Your checkout app runs in this process (Flask's test client) on a temporary data folder, with
the test catalog; each point posts envelopes the way the bus and lab 6's console do.
"""

import tempfile

from labcheck import NotYet, Points

from checkout_app.tests.conftest import Shopper, envelope, make_app

points = Points()
scratch = tempfile.TemporaryDirectory()


def shopper(release: int = 1) -> Shopper:
    """A fresh browser on your checkout app, with an empty cart."""
    return Shopper(make_app(scratch.name, release=release))


def units(response) -> int:
    """The cart's unit count from an answer of POST /api/cart/items."""
    if response.status_code not in (200, 201):
        raise NotYet(f"POST /api/cart/items answered {response.status_code}: {response.json}")
    return response.json["itemCount"]


@points.point(
    "the same event delivered twice adds its units once",
    "_seen must find the id that apply() recorded in applied_events: record it (INSERT) in the "
    "same transaction as the line, and look it up (SELECT) before applying",
)
def _():
    browser = shopper()
    event = envelope("grinder", 2)
    first = units(browser.post("/api/cart/items", event))
    again = browser.post("/api/cart/items", event)
    if units(again) != first or again.json.get("duplicate") is not True:
        raise NotYet(f"after a redelivery the cart holds {units(again)} units, not {first}")


@points.point(
    "one logical event in two versions (a dual emit) counts once",
    "the digest leaves the version out on purpose: compare the stored body_sha256 with it",
)
def _():
    browser = shopper(release=2)
    v1 = envelope("kettle", 1, event_id="b3c1e0a2-1111-4111-8111-000000000001")
    v2 = {**v1, "version": "2.0.0", "data": {**v1["data"], "discount": 7.5}}
    once = units(browser.post("/api/cart/items", v1))
    if units(browser.post("/api/cart/items", v2)) != once:
        raise NotYet("the 2.0.0 copy of the same event added the kettle again")


@points.point(
    "an id reused for another event is refused 409 id-conflict",
    "same id, another body (here another quantity): raise ApiError(409, 'id-conflict', ...)",
)
def _():
    browser = shopper()
    first = envelope("filters", 1, event_id="b3c1e0a2-1111-4111-8111-000000000002")
    units(browser.post("/api/cart/items", first))
    reused = {**first, "data": {**first["data"], "quantity": 5}}
    answer = browser.post("/api/cart/items", reused)
    if answer.status_code != 409 or answer.json.get("error") != "id-conflict":
        raise NotYet(f"it answered {answer.status_code} {answer.json}")


@points.point(
    "another shopper's cart using the same id changes nothing here",
    "look the id up in THIS cart's rows (WHERE cart_id = ? AND event_id = ?): ids are public "
    "(the event log shows them), so another cart's use of one is its own add, not a conflict",
)
def _():
    event = envelope("beans", 1, event_id="b3c1e0a2-1111-4111-8111-000000000003")
    mine = shopper()
    units(mine.post("/api/cart/items", event))
    other = shopper().post("/api/cart/items", event)
    if other.status_code != 201:
        raise NotYet(
            f"a second cart's add of the same id answered {other.status_code} {other.json}"
        )
    if mine.cart()["itemCount"] != 1:
        raise NotYet(f"the first cart changed: {mine.cart()}")


points.report()
