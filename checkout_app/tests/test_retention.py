"""Bounded state: old event ids and abandoned carts are forgotten; a redelivery in time is not."""

import sqlite3

import pytest

from checkout_app import retention
from checkout_app.tests.conftest import Shopper, envelope

DAY = retention.DAY_MS


@pytest.fixture
def clock(monkeypatch):
    """A clock the test moves by hand; each move lets the next add sweep."""
    state = {"now": 1_800_000_000_000}
    monkeypatch.setattr(retention, "now_ms", lambda: state["now"])
    monkeypatch.setitem(retention._last_sweep, "at", 0)

    def advance(ms: int) -> None:
        state["now"] += ms

    return advance


def counts(app) -> dict[str, int]:
    """Rows in the tables that could grow."""
    with sqlite3.connect(app.config["DATABASE"]) as db:
        return {
            table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("applied_events", "carts", "cart_lines", "orders")
        }


def test_a_redelivery_within_the_window_is_still_a_duplicate(app, shopper, clock):
    first = envelope("grinder", 2)
    assert shopper.post("/api/cart/items", first).status_code == 201
    clock(retention.IDEMPOTENCY_WINDOW_MS - DAY)
    again = shopper.post("/api/cart/items", first)
    assert again.status_code == 200
    assert again.json["duplicate"] is True
    assert shopper.cart()["itemCount"] == 2


def test_old_event_ids_and_abandoned_carts_are_forgotten_orders_are_kept(app, clock):
    gone = Shopper(app)
    assert gone.add("grinder", 1).status_code == 201
    buyer = Shopper(app)
    assert buyer.add("kettle", 1).status_code == 201
    assert buyer.order().status_code == 201
    clock(retention.CART_TTL_MS + DAY)
    active = Shopper(app)
    # This add sweeps: everything above is past both windows.
    assert active.add("beans", 3).status_code == 201
    assert counts(app) == {"applied_events": 1, "carts": 1, "cart_lines": 1, "orders": 1}
    assert gone.cart()["itemCount"] == 0
    assert active.cart()["itemCount"] == 3


def test_a_cart_touched_lately_is_kept_whatever_its_age(app, clock):
    shopper = Shopper(app)
    shopper.add("grinder", 1)
    clock(retention.CART_TTL_MS - DAY)
    shopper.remove("grinder")
    shopper.add("filters", 1)
    clock(2 * DAY)
    Shopper(app).add("beans", 1)
    assert shopper.cart()["itemCount"] == 1


def test_growth_is_bounded_by_the_windows_not_by_the_number_of_adds(app, clock):
    """Three adds an hour from a new shopper each time, for 60 days: the tables hold what the
    windows hold (7 days of ids, 30 days of carts), not all 4,320 adds."""
    for _ in range(60 * 24 * 3):
        assert Shopper(app).add("filters", 1).status_code == 201
        clock(20 * 60 * 1000)
    rows = counts(app)
    assert rows["applied_events"] <= 7 * 24 * 3 + 3
    assert rows["carts"] <= 30 * 24 * 3 + 3
    assert rows["cart_lines"] == rows["carts"]


def test_an_older_database_gains_the_touched_column(tmp_path):
    from checkout_app.tests.conftest import make_app

    folder = tmp_path / "checkout"
    folder.mkdir()
    with sqlite3.connect(folder / "checkout.sqlite3") as db:
        db.execute("CREATE TABLE carts (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL)")
        db.execute("INSERT INTO carts VALUES ('old', 1)")
    app = make_app(tmp_path)
    with sqlite3.connect(app.config["DATABASE"]) as db:
        assert db.execute("SELECT touched_at FROM carts WHERE id = 'old'").fetchone() == (0,)
