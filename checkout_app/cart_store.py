"""The cart store: the lines of each cart in the database (`shopper` says whose cart)."""

import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Line:
    """One product in a cart, as stored (money in cents)."""

    product_id: str
    name: str
    quantity: int
    unit_price_cents: int
    discount_cents: int


def lines(conn: sqlite3.Connection, cart_id: str | None) -> list[Line]:
    """The lines of a cart, first added first; an unknown cart is empty."""
    if cart_id is None:
        return []
    rows = conn.execute(
        "SELECT product_id, name, quantity, unit_price_cents, discount_cents"
        " FROM cart_lines WHERE cart_id = ? ORDER BY rowid",
        (cart_id,),
    )
    return [Line(*row) for row in rows]


def touch(conn: sqlite3.Connection, cart_id: str, now: int) -> None:
    """Create the cart row on its first write, and mark it active on every write."""
    conn.execute(
        "INSERT INTO carts (id, created_at, touched_at) VALUES (?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET touched_at = excluded.touched_at",
        (cart_id, now, now),
    )


def save_line(conn: sqlite3.Connection, cart_id: str, line: Line) -> None:
    """Insert or replace one line (the caller has computed its new quantity)."""
    conn.execute(
        "INSERT INTO cart_lines"
        " (cart_id, product_id, name, quantity, unit_price_cents, discount_cents)"
        " VALUES (?, ?, ?, ?, ?, ?)"
        # An upsert, not REPLACE: the row keeps its rowid, so the line keeps its place.
        " ON CONFLICT (cart_id, product_id) DO UPDATE SET name = excluded.name,"
        " quantity = excluded.quantity, unit_price_cents = excluded.unit_price_cents,"
        " discount_cents = excluded.discount_cents",
        (
            cart_id,
            line.product_id,
            line.name,
            line.quantity,
            line.unit_price_cents,
            line.discount_cents,
        ),
    )


def remove_line(conn: sqlite3.Connection, cart_id: str, product_id: str) -> bool:
    """Delete one line; False if the cart had no such line."""
    cursor = conn.execute(
        "DELETE FROM cart_lines WHERE cart_id = ? AND product_id = ?", (cart_id, product_id)
    )
    return cursor.rowcount > 0


def empty(conn: sqlite3.Connection, cart_id: str) -> None:
    """Remove every line of a cart."""
    conn.execute("DELETE FROM cart_lines WHERE cart_id = ?", (cart_id,))
