"""The checkout database schema; every statement is idempotent so any process may run it."""

# A database made before idempotency was scoped per cart keyed `applied_events` by the event id
# alone: its rows move to the new layout (each row names its cart) before SCHEMA runs.
SCOPED_PER_CART = """
ALTER TABLE applied_events RENAME TO applied_events_global;
CREATE TABLE applied_events (
    cart_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (cart_id, event_id)
);
INSERT INTO applied_events (cart_id, event_id, body_sha256, applied_at)
    SELECT cart_id, event_id, body_sha256, applied_at FROM applied_events_global;
DROP TABLE applied_events_global;
"""

# A database made before carts expired has no `touched_at`: its carts count from their creation.
CARTS_TOUCHED = "ALTER TABLE carts ADD COLUMN touched_at INTEGER NOT NULL DEFAULT 0"

SCHEMA = """
CREATE TABLE IF NOT EXISTS carts (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    -- The last add or removal: a cart untouched for long expires (retention.py).
    touched_at INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS cart_lines (
    cart_id TEXT NOT NULL REFERENCES carts (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    unit_price_cents INTEGER NOT NULL CHECK (unit_price_cents >= 0),
    -- Amount off each unit as last announced by a 2.0.0 event; release 1 ignores it.
    discount_cents INTEGER NOT NULL DEFAULT 0 CHECK (discount_cents >= 0),
    PRIMARY KEY (cart_id, product_id)
);

-- One row per cart:item-added id applied to a cart: what makes redelivery harmless. Scoped
-- per cart: ids are public (the event log shows them), so another cart that used an id first
-- must not make this cart's add of that id a conflict.
CREATE TABLE IF NOT EXISTS applied_events (
    cart_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    body_sha256 TEXT NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (cart_id, event_id)
);

CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    cart_id TEXT NOT NULL,
    name TEXT NOT NULL,
    email TEXT NOT NULL,
    address TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    total_cents INTEGER NOT NULL,
    release INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS order_lines (
    order_id TEXT NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    product_id TEXT NOT NULL,
    name TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    unit_price_cents INTEGER NOT NULL,
    discount_cents INTEGER NOT NULL,
    line_total_cents INTEGER NOT NULL,
    PRIMARY KEY (order_id, product_id)
);

CREATE INDEX IF NOT EXISTS orders_by_cart ON orders (cart_id);
CREATE INDEX IF NOT EXISTS applied_events_by_age ON applied_events (applied_at);
CREATE INDEX IF NOT EXISTS carts_by_touch ON carts (touched_at);
"""
