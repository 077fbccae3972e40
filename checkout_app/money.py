"""Money as integer cents: exact sums in the database, JSON numbers only at the edges."""

from decimal import Decimal, InvalidOperation

# The contracts' Money type stops at 1,000,000.00; a cart never grows past what it can report.
MAX_CENTS = 100_000_000


def to_cents(amount: float | int) -> int:
    """Exact cents of an amount; ValueError if it is not a whole number of cents."""
    if isinstance(amount, bool) or not isinstance(amount, float | int):
        raise ValueError(f"not an amount: {amount!r}")
    try:
        # repr() is the shortest text that reads back as the same float: 89.99, not 89.98999...
        cents = Decimal(repr(amount)) * 100
    except InvalidOperation:
        raise ValueError(f"not an amount: {amount!r}") from None
    if not cents.is_finite() or cents != cents.to_integral_value():
        raise ValueError(f"{amount!r} is not a whole number of cents")
    return int(cents)


def from_cents(cents: int) -> float:
    """The JSON number for an amount in cents (89.97, never 89.97000000000001)."""
    # int / int is correctly rounded, so the float is the one nearest the exact decimal.
    return cents / 100
