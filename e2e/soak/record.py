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
    land, so the cart may hold it once, never twice.
    """

    name: str
    certain: Counter = field(default_factory=Counter)
    uncertain: Counter = field(default_factory=Counter)
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
        """Whether `cart` is what the record expects, with no uncertain add left open."""
        return not self.uncertain and cart == {p: q for p, q in self.certain.items() if q}

    def resolve(self, cart: dict[str, int]) -> None:
        """An uncertain add that the cart now shows in full has landed: it becomes certain."""
        for product, quantity in list(self.uncertain.items()):
            if cart.get(product, 0) == self.certain[product] + quantity:
                self.certain[product] += quantity
                del self.uncertain[product]

    def removed(self, product: str) -> None:
        """The shopper removed a line it had fully received."""
        self.certain.pop(product, None)

    def ordered(self, order_id: str | None, lines: dict[str, int], confirmed: bool) -> None:
        """The shopper placed the cart it had; the cart starts again empty."""
        self.orders.append(Order(order_id, dict(lines), confirmed))
        self.certain.clear()
        self.uncertain.clear()

    def report(self) -> dict:
        """The record as JSON data, for a failure's report."""
        return {
            "name": self.name,
            "certain": dict(self.certain),
            "uncertain": dict(self.uncertain),
            "orders": [vars(order) for order in self.orders],
            "adds": self.history,
        }

    def compare(self, cart: dict[str, int]) -> tuple[int, int]:
        """(lost, doubled) units of `cart` against the record."""
        lost = doubled = 0
        for product in set(cart) | set(self.certain) | set(self.uncertain):
            low = self.certain[product]
            high = low + self.uncertain[product]
            have = cart.get(product, 0)
            lost += max(0, low - have)
            doubled += max(0, have - high)
        return lost, doubled
