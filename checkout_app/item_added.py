"""Applying a `cart:item-added` envelope to a cart, with exactly-once effect per event id."""

import hashlib
import json
import sqlite3

from checkout_app import cart_store, catalog_client, retention
from checkout_app.cart_store import Line
from checkout_app.catalog_client import CatalogItem
from checkout_app.db import get_db, write_transaction
from checkout_app.manifest import consumed_item_added
from checkout_app.money import MAX_CENTS, from_cents, to_cents
from mfe_platform.web.errors import ApiError
from shared_contracts import ContractError, Envelope, NoConversionPath, registry
from shared_contracts.versions import sort_versions

EVENT = "cart:item-added"
MAX_LINE_QUANTITY = 999
MAX_UNITS = 1_000_000


def parse(raw: dict, release: int) -> Envelope:
    """Validate the envelope; one of a version this release does not consume is converted to
    the highest it does (the endpoint takes any known version), else 422."""
    envelope = registry.validate_envelope(raw)
    if envelope.event != EVENT:
        raise ContractError("unknown-event", f"this endpoint takes {EVENT}, not {envelope.event}")
    versions = consumed_item_added(release)
    if envelope.version in versions:
        return envelope
    # The same converters as the bus: release 1 reads a 2.0.0 add as 1.0.0 (no discount).
    for target in reversed(sort_versions(versions)):
        try:
            data = registry.converters.convert(
                EVENT, envelope.data.model_dump(mode="json"), envelope.version, target
            )
        except NoConversionPath:
            continue
        fields = envelope.model_dump(mode="json")
        return registry.validate_envelope({**fields, "version": target, "data": data})
    raise ContractError(
        "unknown-version",
        f"checkout release {release} consumes {EVENT} {', '.join(versions)},"
        f" and no converter leads there from {envelope.version}",
        [{"path": "$.version", "message": f"expected one of {versions}"}],
    )


def body_sha256(envelope: Envelope) -> str:
    """The fingerprint that tells a redelivery (same id, same event) from an id reused."""
    # Why only the 1.0.0 fields: dual emit sends ONE logical event (one id) as 1.0.0 and
    # 2.0.0. The host delivers one version per consumer, but if both versions of an id reach
    # us they are the same add and must count once. So version, timestamp (a re-send may be
    # re-stamped) and the 2.0.0 additions (discount, appliedPromo) are left out: same id with
    # equal itemId/productId/quantity/price is a duplicate whatever its version; any
    # difference there is a different event wearing a used id (409 id-conflict).
    data = envelope.data
    canonical = {
        "event": envelope.event,
        "id": envelope.id,
        "source": envelope.source,
        "data": {
            "itemId": data.itemId,
            "productId": data.productId,
            "quantity": data.quantity,
            # Always a float after validation, so 49 and 49.0 hash alike.
            "price": data.price,
        },
    }
    text = json.dumps(canonical, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def _cents_or_none(amount: float) -> int | None:
    try:
        return to_cents(amount)
    except ValueError:
        return None


def verify(envelope: Envelope, items: dict[str, CatalogItem]) -> tuple[CatalogItem, int | None]:
    """Check product, price and discount against the catalog; the server trusts no browser.

    Returns the catalog item and the per-unit discount to store (None: keep the line's).
    """
    data = envelope.data
    item = items.get(data.productId)
    if item is None:
        raise ApiError(
            422,
            "unknown-product",
            f"no product {data.productId!r} in the catalog",
            [{"path": "$.data.productId", "message": "unknown product"}],
        )
    if _cents_or_none(data.price) != item.price_cents:
        raise ApiError(
            422,
            "price-mismatch",
            f"{item.name} costs {from_cents(item.price_cents):.2f}, not {data.price}",
            [
                {
                    "path": "$.data.price",
                    "message": "not the catalog price",
                    "expected": from_cents(item.price_cents),
                }
            ],
        )
    discount = getattr(data, "discount", None)
    if discount is None:
        return item, None
    if _cents_or_none(discount) != item.discount_cents:
        raise ApiError(
            422,
            "discount-mismatch",
            f"the discount on {item.name} is {from_cents(item.discount_cents):.2f}, not {discount}",
            [
                {
                    "path": "$.data.discount",
                    "message": "not the current promotion",
                    "expected": from_cents(item.discount_cents),
                }
            ],
        )
    return item, item.discount_cents


def _seen(conn: sqlite3.Connection, envelope: Envelope, cart_id: str, digest: str) -> bool:
    """True if this cart applied this id already with this body; 409 if it used the id for
    another body. Another cart's use of the id is none of this cart's business."""
    row = conn.execute(
        "SELECT body_sha256 FROM applied_events WHERE cart_id = ? AND event_id = ?",
        (cart_id, envelope.id),
    ).fetchone()
    if row is None:
        return False
    if row["body_sha256"] != digest:
        raise ApiError(
            409,
            "id-conflict",
            f"event id {envelope.id} was already used for a different event",
            [{"path": "$.id", "message": "id already used"}],
        )
    return True


def _check_limits(current: list[Line], updated: Line) -> None:
    if updated.quantity > MAX_LINE_QUANTITY:
        raise ApiError(
            422,
            "quantity-limit",
            f"at most {MAX_LINE_QUANTITY} of one product per cart",
            [{"path": "$.data.quantity", "message": f"line would hold {updated.quantity}"}],
        )
    others = [line for line in current if line.product_id != updated.product_id]
    lines = [*others, updated]
    # The cart must stay reportable: cart:updated carries itemCount and total as contracts.
    units = sum(line.quantity for line in lines)
    list_total = sum(line.quantity * line.unit_price_cents for line in lines)
    if units > MAX_UNITS or list_total > MAX_CENTS:
        raise ApiError(422, "cart-limit", "the cart would be larger than checkout can take")


def apply(raw: dict, cart_id: str, release: int) -> tuple[list[Line], bool]:
    """Add the envelope's units to the cart once; returns the cart's lines and `duplicate`."""
    envelope = parse(raw, release)
    digest = body_sha256(envelope)
    # Fast path for redeliveries: answer them without asking products or taking the lock.
    if _seen(get_db(), envelope, cart_id, digest):
        return cart_store.lines(get_db(), cart_id), True
    # Outside the lock: a slow products call must not stall every other writer.
    item, discount = verify(envelope, catalog_client.products())
    with write_transaction() as conn:
        # The authoritative check: another thread or process may have applied it meanwhile.
        if _seen(conn, envelope, cart_id, digest):
            return cart_store.lines(conn, cart_id), True
        current = cart_store.lines(conn, cart_id)
        existing = next((line for line in current if line.product_id == item.id), None)
        if discount is None:
            discount = existing.discount_cents if existing else 0
        updated = Line(
            product_id=item.id,
            name=item.name,
            quantity=(existing.quantity if existing else 0) + envelope.data.quantity,
            # The line shows today's list price, the one this add was checked against.
            unit_price_cents=item.price_cents,
            discount_cents=discount,
        )
        _check_limits(current, updated)
        now = retention.now_ms()
        cart_store.touch(conn, cart_id, now)
        conn.execute(
            "INSERT INTO applied_events (cart_id, event_id, body_sha256, applied_at)"
            " VALUES (?, ?, ?, ?)",
            (cart_id, envelope.id, digest, now),
        )
        retention.sweep_now_and_then(conn, now)
        cart_store.save_line(conn, cart_id, updated)
        # The cart as now stored, without reading it again inside the lock: an updated line
        # keeps its place (the upsert keeps its rowid), a new one comes last.
        if existing is None:
            return [*current, updated], False
        return [updated if line is existing else line for line in current], False
