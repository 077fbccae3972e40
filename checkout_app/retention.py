"""Bounded state: what checkout forgets, and when, so its database does not grow for ever.

Two promises set the windows. An event id is remembered for IDEMPOTENCY_WINDOW_MS after it was
applied: longer than the host page's outbox keeps a delivery (24 hours, `maxAgeMs` in
host_app/static/bus/limits.js), so any redelivery the bus can still make is recognised. A cart
nobody touched for CART_TTL_MS is abandoned: it goes, with its lines. Orders are kept.
"""

import sqlite3
import threading
import time

DAY_MS = 24 * 60 * 60 * 1000
IDEMPOTENCY_WINDOW_MS = 7 * DAY_MS
CART_TTL_MS = 30 * DAY_MS
# A sweep is one indexed DELETE each; once a minute per process is plenty.
SWEEP_EVERY_MS = 60 * 1000

_last_sweep = {"at": 0}
_lock = threading.Lock()


def now_ms() -> int:
    """Milliseconds since the epoch: the clock every timestamp in the database uses."""
    return int(time.time() * 1000)


def forget_expired(conn: sqlite3.Connection, now: int) -> tuple[int, int]:
    """Delete event ids past the idempotency window and carts past their time to live;
    returns how many of each went."""
    events = conn.execute(
        "DELETE FROM applied_events WHERE applied_at < ?", (now - IDEMPOTENCY_WINDOW_MS,)
    ).rowcount
    # The cart's lines go with it (ON DELETE CASCADE).
    carts = conn.execute(
        "DELETE FROM carts WHERE touched_at < ? AND created_at < ?",
        (now - CART_TTL_MS, now - CART_TTL_MS),
    ).rowcount
    return events, carts


def sweep_now_and_then(conn: sqlite3.Connection, now: int) -> None:
    """Call `forget_expired` in this write transaction if this process has not for a minute."""
    with _lock:
        if now - _last_sweep["at"] < SWEEP_EVERY_MS:
            return
        _last_sweep["at"] = now
    forget_expired(conn, now)
