"""What the soak knows each shopper did, kept apart from anything the shop records."""

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Order:
    """An order the shopper saw confirmed (or tried, when `confirmed` is False)."""

    order_id: str | None
    lines: dict[str, int]
    confirmed: bool


@dataclass
class ShopperRecord:
    """One shopper's cart as the soak expects it, and the orders it placed.

    An add whose emit was accepted is *certain*; one whose answer never came (its frame was
    swapped or reloaded mid-flight, or the verdict timed out) is *uncertain*: it may or may not
    land, so the cart may hold it once, never twice. A removal whose outcome was not seen
    leaves its line's units *maybe removed*: the cart may still hold them, or not.
    """

    name: str
    certain: Counter = field(default_factory=Counter)
    uncertain: Counter = field(default_factory=Counter)
    maybe_removed: Counter = field(default_factory=Counter)
    orders: list[Order] = field(default_factory=list)
    adds: int = 0
    # Every add as (product, quantity, the answer the card showed, its event id if accepted),
    # for a failure's report.
    history: list[tuple[str, int, str, str | None]] = field(default_factory=list)

    def added(self, product: str, quantity: int, accepted: bool | None) -> None:
        """Note an add: accepted (True), refused (False) or with no answer (None)."""
        if accepted:
            self.certain[product] += quantity
            self.adds += 1
        elif accepted is None:
            self.uncertain[product] += quantity

    def settled(self, cart: dict[str, int]) -> bool:
        """Whether `cart` is what the record expects, with nothing uncertain left open."""
        open_ = self.uncertain or self.maybe_removed
        return not open_ and cart == {p: q for p, q in self.certain.items() if q}

    def resolve(self, cart: dict[str, int]) -> None:
        """What the cart now shows settles what was open: an uncertain add shown in full has
        landed; a line maybe removed, with nothing added to it since, that the cart no longer
        holds was removed (neither can be undone)."""
        for product, quantity in list(self.uncertain.items()):
            if cart.get(product, 0) == self.certain[product] + quantity:
                self.certain[product] += quantity
                del self.uncertain[product]
        for product in list(self.maybe_removed):
            if not self.certain[product] and not self.uncertain[product] and product not in cart:
                del self.maybe_removed[product]

    def removed(self, product: str) -> None:
        """The shopper removed a line it had fully received."""
        self.certain.pop(product, None)

    def removal_unknown(self, product: str) -> None:
        """The shopper clicked remove and did not see what came of it."""
        self.maybe_removed[product] += self.certain.pop(product, 0)

    def high(self, product: str) -> int:
        """The most units of `product` the cart may hold."""
        return self.certain[product] + self.uncertain[product] + self.maybe_removed[product]

    def ordered(self, order_id: str | None, lines: dict[str, int], confirmed: bool) -> None:
        """The shopper placed the cart it had; the cart starts again empty."""
        self.orders.append(Order(order_id, dict(lines), confirmed))
        self.certain.clear()
        self.uncertain.clear()
        self.maybe_removed.clear()

    def report(self) -> dict:
        """The record as JSON data, for a failure's report."""
        return {
            "name": self.name,
            "certain": dict(self.certain),
            "uncertain": dict(self.uncertain),
            "maybe_removed": dict(self.maybe_removed),
            "orders": [vars(order) for order in self.orders],
            "adds": self.history,
        }

    def compare(self, cart: dict[str, int]) -> tuple[int, int]:
        """(lost, doubled) units of `cart` against the record."""
        lost = doubled = 0
        for product in (
            set(cart) | set(self.certain) | set(self.uncertain) | set(self.maybe_removed)
        ):
            low = self.certain[product]
            high = self.high(product)
            have = cart.get(product, 0)
            lost += max(0, low - have)
            doubled += max(0, have - high)
        return lost, doubled
