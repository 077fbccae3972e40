"""`POST /api/admin/reset`: empty every cart and order (admin token) — `mfe reset`."""

from flask import Blueprint

from checkout_app.db import write_transaction
from mfe_platform.web.admin import require_admin

bp = Blueprint("admin", __name__, url_prefix="/api/admin")

TABLES = ("order_lines", "orders", "applied_events", "cart_lines", "carts")


@bp.post("/reset")
def reset():
    """Delete all carts, orders and idempotency records, in one transaction."""
    require_admin()
    deleted = {}
    with write_transaction() as conn:
        for table in TABLES:
            deleted[table] = conn.execute(f"DELETE FROM {table}").rowcount  # noqa: S608
    return {"status": "reset", "deleted": deleted}
