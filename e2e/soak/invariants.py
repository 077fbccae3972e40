"""The end checks: carts, orders, pages, processes and logs against the soak's own record."""

import contextlib
import json
import sqlite3
from collections import Counter
from pathlib import Path

from e2e.processes import PROCESSES, Shop, get_json
from e2e.soak.record import ShopperRecord
from e2e.soak.shopper import Shopper, accepted
from mfe_platform.readiness import healthy

SETTLE_MS = 90_000

# In the checkout frame: true once every line's quantity is within [low, high] of its product.
CART_WITHIN = """([low, high]) => {
  const lines = [...document.querySelectorAll("[data-testid='cart-item']")];
  if (!document.querySelector("[aria-busy='false']")) return false;
  const seen = {};
  for (const line of lines) {
    const quantity = Number(line.querySelector("[data-testid='cart-item-quantity']").textContent);
    seen[line.dataset.productId] = quantity;
  }
  const products = new Set([...Object.keys(seen), ...Object.keys(low)]);
  const within = (p) => (seen[p] ?? 0) >= (low[p] ?? 0) && (seen[p] ?? 0) <= (high[p] ?? 0);
  return [...products].every(within);
}"""


def settle_cart(shopper: Shopper) -> tuple[int, int] | None:
    """Wait until the shopper's cart holds what the record expects; (lost, doubled) units, or
    None when the page never shows its cart (nothing can be said of its units)."""
    record = shopper.record
    low = {p: q for p, q in record.certain.items() if q}
    products = set(low) | set(record.uncertain) | set(record.maybe_removed)
    high = {p: record.high(p) for p in products}
    frame = shopper.page.frame("checkout")
    # A cart that never settles is measured below: the wait only saves polling.
    with contextlib.suppress(Exception):
        frame.wait_for_function(CART_WITHIN, arg=[low, high], timeout=SETTLE_MS)
    cart = shopper.cart()
    if cart is None:
        return None
    return record.compare(cart)


def check_orders(data_dir: Path, products: str, records: list[ShopperRecord]) -> list[str]:
    """Every order the shoppers placed is in checkout's database once, with its cart, priced
    on the server; and the database holds no other order."""
    with sqlite3.connect(data_dir / "checkout" / "checkout.sqlite3") as db:
        rows = db.execute("SELECT id, item_count, total_cents FROM orders").fetchall()
        lines = db.execute(
            "SELECT order_id, product_id, quantity, unit_price_cents, line_total_cents "
            "FROM order_lines"
        ).fetchall()
    listed = get_json(f"{products}/api/products")["products"]
    catalog = {p["id"]: round(p["price"] * 100) for p in listed}
    by_order: dict[str, dict] = {order_id: {} for order_id, _, _ in rows}
    problems = []
    for order_id, product, quantity, unit_cents, _total in lines:
        by_order[order_id][product] = quantity
        if catalog.get(product) != unit_cents:
            problems.append(
                f"order {order_id}: {product} at {unit_cents} cents, not the list price"
            )
    for order_id, item_count, total_cents in rows:
        line_totals = sum(t for o, _, _, _, t in lines if o == order_id)
        if item_count != sum(by_order[order_id].values()) or total_cents != line_totals:
            problems.append(f"order {order_id}: totals do not add up")
    unclaimed = dict(by_order)
    for record in records:
        for order in record.orders:
            if order.confirmed:
                if unclaimed.pop(order.order_id, None) != order.lines:
                    problems.append(f"{record.name}: confirmed order {order.order_id} missing")
            else:
                match = next((o for o, c in unclaimed.items() if c == order.lines), None)
                if match is None:
                    problems.append(f"{record.name}: an emptied cart has no order")
                else:
                    unclaimed.pop(match)
    problems += [f"order {o} placed by nobody the soak knows (doubled?)" for o in unclaimed]
    return problems


def trace_adds(data_dir: Path, record: ShopperRecord) -> list[dict]:
    """A shopper's accepted adds, each with the carts checkout applied its event id to (none:
    it never arrived; None: its id could not be read, the frame was swapped), so a loss says
    whether the bus or the cart lost it."""
    applied: dict[str, list[str]] = {}
    try:
        with sqlite3.connect(data_dir / "checkout" / "checkout.sqlite3") as db:
            for event_id, cart_id in db.execute("SELECT event_id, cart_id FROM applied_events"):
                applied.setdefault(event_id, []).append(cart_id)
    except sqlite3.Error as error:
        return [{"error": f"checkout's database could not be read: {error}"}]
    return [
        {
            "product": product,
            "quantity": quantity,
            "id": event_id,
            "applied_to": None if event_id is None else applied.get(event_id, []),
        }
        for product, quantity, answer, event_id in record.history
        if accepted(answer)
    ]


def check_processes(shop: Shop) -> list[str]:
    """Every process answers `/healthz`."""
    return [f"{name} does not answer /healthz" for name in PROCESSES if not healthy(shop.url(name))]


def log_entries(shop: Shop, token: str) -> list[dict]:
    """The host's event log as `/api/events` gives it (at most 1,000 entries), hellos left out."""
    auth = {"Authorization": f"Bearer {token}"}
    logged = get_json(f"{shop.host}/api/events?limit=1000", headers=auth)["entries"]
    return [e for e in logged if e.get("type") != "hello"]


def losses_in_log(logged: list[dict]) -> list[dict]:
    """The entries where an event could have gone astray: refused by a consumer, dropped,
    parked or failed; for a failure's report."""
    return [
        e for e in logged if e.get("type") in ("dropped", "parked", "fail") or e.get("rejected")
    ]


def check_logs(shop: Shop, logged: list[dict]) -> list[str]:
    """The event log and `mfe events tail` tell the same story, entry for entry."""
    if not logged:
        return ["the event log is empty"]
    # The tail replays the newest 1,000 entries and then waits for more: once the log is longer
    # than that, each entry logged since our read (a page's hello) pushes one of ours out, and
    # asking for all of them would wait for good. A tenth less leaves room for a hundred.
    reachable = max(1, len(logged) - len(logged) // 10)
    tail = shop.mfe("events", "tail", "--json", "--count", str(reachable))
    told = [json.loads(line) for line in tail.stdout.splitlines() if line.strip()]
    if not told:
        return [f"mfe events tail printed nothing: {tail.stderr.strip()}"]
    # Compare over the stretch both saw: a page may still log something between the two reads.
    low = max(min(e["seq"] for e in logged), min(e["seq"] for e in told))
    high = min(max(e["seq"] for e in logged), max(e["seq"] for e in told))
    ours = Counter(e.get("type") for e in logged if low <= e["seq"] <= high)
    theirs = Counter(e.get("type") for e in told if low <= e["seq"] <= high)
    if not ours or ours != theirs:
        return [f"event log {dict(ours)} but events tail {dict(theirs)} (seq {low}-{high})"]
    return []
