"""Lab 2's check: checkout's `parse` (checkout_app/item_added.py) is contract-safe.

It is called directly with the envelopes of the lab: the one products 1 sends, the one
products 2 sends, lab 2's renamed payload, a version nobody published, and another event.
"""

from labcheck import NotYet, Points

from shared_contracts import ContractError
from shared_contracts.envelope import new_envelope

ADD = {"itemId": "lab2", "productId": "kettle", "quantity": 1, "price": 49.0}
DISCOUNTED = {**ADD, "discount": 7.5, "appliedPromo": "KETTLE-15"}
points = Points()


def parse(version: str, data: dict, release: int, event: str = "cart:item-added"):
    """Your parse, on a fresh envelope."""
    from checkout_app.item_added import parse as yours

    return yours(new_envelope(event, version, "products", data), release)


def refused(reason: str, version: str, data: dict, event: str = "cart:item-added") -> None:
    """Your parse must raise ContractError(`reason`) for this envelope (checkout 1)."""
    try:
        envelope = parse(version, data, 1, event)
    except ContractError as error:
        if error.reason != reason:
            raise NotYet(f"it raised ContractError {error.reason!r}, not {reason!r}") from None
        return
    raise NotYet(f"it returned an envelope of {envelope.event} {envelope.version}")


@points.point(
    "checkout 1 keeps a 1.0.0 add as it is",
    "parse must return the validated envelope when its version is one this release consumes",
)
def _():
    envelope = parse("1.0.0", ADD, 1)
    if (envelope.version, envelope.data.productId) != ("1.0.0", "kettle"):
        raise NotYet(f"got {envelope.version} for {envelope.data.productId}")


@points.point(
    "checkout 1 reads products 2's 2.0.0 add as 1.0.0",
    "convert to the highest version this release consumes: consumed_item_added(release), then "
    "registry.converters.convert(EVENT, data, envelope.version, target)",
)
def _():
    envelope = parse("2.0.0", DISCOUNTED, 1)
    if envelope.version != "1.0.0":
        raise NotYet(f"it came back as {envelope.version}")
    if getattr(envelope.data, "discount", None) is not None:
        raise NotYet("checkout 1 does not know discounts: the 1.0.0 data has none")


@points.point(
    "checkout 2 keeps the discount of a 2.0.0 add",
    "a version the release consumes stays as it is: checkout 2 consumes 1.0.0 and 2.0.0",
)
def _():
    envelope = parse("2.0.0", DISCOUNTED, 2)
    if (envelope.version, envelope.data.discount) != ("2.0.0", 7.5):
        raise NotYet(f"got {envelope.version} with discount {envelope.data.discount}")


@points.point(
    "lab 2's renamed payload (sku, a price as text) is refused `invalid`",
    "validate the envelope against its own version: registry.validate_envelope(raw)",
)
def _():
    refused("invalid", "1.0.0", {"itemId": "lab2", "sku": "kettle", "quantity": 1, "price": "49"})


@points.point(
    "a version nobody published (9.0.0) is refused `unknown-version`",
    "registry.validate_envelope refuses a version the registry does not know",
)
def _():
    refused("unknown-version", "9.0.0", ADD)


@points.point(
    "another event (cart:updated) is refused `unknown-event`",
    "this endpoint takes cart:item-added only: check envelope.event",
)
def _():
    refused("unknown-event", "1.0.0", {"itemCount": 1, "total": 49.0}, event="cart:updated")


points.report()
