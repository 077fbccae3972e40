"""`python -m bench.growth [--adds N]`: how big checkout's database gets after many adds.

Every add comes from a new shopper (the worst case: every cart is abandoned) through the real
API (Flask's test client, checkout release 1, the test catalog), 30 simulated seconds apart, so
100,000 adds span about 35 days and both retention windows roll (checkout_app/retention.py).
"""

import argparse
import sqlite3
import tempfile
import time
from pathlib import Path

from checkout_app import retention
from checkout_app.tests.conftest import Shopper, make_app

SPACING_MS = 30 * 1000


def measure(adds: int) -> dict:
    """Make `adds` adds; return the database's size and row counts."""
    clock = {"now": 1_800_000_000_000}
    retention.now_ms = lambda: clock["now"]
    with tempfile.TemporaryDirectory() as folder:
        app = make_app(Path(folder))
        started = time.perf_counter()
        for done in range(1, adds + 1):
            Shopper(app).add("filters", 1)
            clock["now"] += SPACING_MS
            if done % 20_000 == 0:
                print(f"  {done:,} adds ...", flush=True)
        seconds = time.perf_counter() - started
        database = Path(app.config["DATABASE"])
        with sqlite3.connect(database) as db:
            db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            rows = {
                table: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608
                for table in ("applied_events", "carts", "cart_lines")
            }
        size = sum(p.stat().st_size for p in database.parent.glob("checkout.sqlite3*"))
    return {"adds": adds, "seconds": round(seconds, 1), "bytes": size, **rows}


def main() -> None:
    """Run and print one line."""
    parser = argparse.ArgumentParser(prog="python -m bench.growth", description=__doc__)
    parser.add_argument("--adds", type=int, default=100_000)
    figures = measure(parser.parse_args().adds)
    mib = figures["bytes"] / 2**20
    print(
        f"{figures['adds']:,} adds in {figures['seconds']} s: database {mib:.1f} MiB;"
        f" applied_events {figures['applied_events']:,}, carts {figures['carts']:,},"
        f" cart_lines {figures['cart_lines']:,}"
    )


if __name__ == "__main__":
    main()
