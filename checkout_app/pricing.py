"""What each checkout release charges: release 1 list prices, release 2 minus the discount."""

from dataclasses import dataclass

from checkout_app.cart_store import Line
from checkout_app.catalog_client import CatalogItem
from checkout_app.money import from_cents
from shared_contracts.api import Cart, CartLine


@dataclass(frozen=True)
class PricedLine:
    """A line with the per-unit discount this release applies and its total, in cents."""

    line: Line
    unit_price_cents: int
    discount_cents: int

    @property
    def total_cents(self) -> int:
        """Quantity times the discounted unit price."""
        return self.line.quantity * (self.unit_price_cents - self.discount_cents)


def applied_discount(release: int, discount_cents: int, unit_price_cents: int) -> int:
    """The per-unit discount a release applies: none in release 1, never below a zero price."""
    return 0 if release == 1 else min(discount_cents, unit_price_cents)


def price_stored(line: Line, release: int) -> PricedLine:
    """Price a line as stored (what the cart shows)."""
    discount = applied_discount(release, line.discount_cents, line.unit_price_cents)
    return PricedLine(line, line.unit_price_cents, discount)


def price_current(line: Line, item: CatalogItem, release: int) -> PricedLine:
    """Price a line from the catalog now (what an order charges).

    The list price is today's. The discount is the one the shopper was shown, capped by
    today's promotion: an ended promotion is not honoured, and a line that never showed a
    discount (added through 1.0.0) is not discounted behind the shopper's back.
    """
    discount = applied_discount(
        release, min(line.discount_cents, item.discount_cents), item.price_cents
    )
    return PricedLine(line, item.price_cents, discount)


def cart_view(lines: list[Line], release: int) -> Cart:
    """The cart JSON model as this release charges it."""
    priced = [price_stored(line, release) for line in lines]
    return Cart(
        lines=[
            CartLine(
                productId=p.line.product_id,
                name=p.line.name,
                quantity=p.line.quantity,
                price=from_cents(p.unit_price_cents),
                discount=from_cents(p.discount_cents),
                lineTotal=from_cents(p.total_cents),
            )
            for p in priced
        ],
        itemCount=sum(p.line.quantity for p in priced),
        total=from_cents(sum(p.total_cents for p in priced)),
        release=release,
    )
