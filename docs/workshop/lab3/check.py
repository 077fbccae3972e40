"""Lab 3's check: your `order:placed` 1.0.0 model (shared_contracts/events/order.py) is the
contract that was published: it refuses what the published schema refuses, field by field,
and its JSON Schema matches the lock."""

from labcheck import NotYet, Points

from shared_contracts import ContractError, publishing, registry

GOOD = {"orderId": "ord-7f3a9c", "itemCount": 3, "total": 112.0}
points = Points()


def refuses(field: str, value) -> None:
    """The model must refuse `value` in `field` (the rest of the payload is good)."""
    try:
        registry.validate_data("order:placed", "1.0.0", {**GOOD, field: value})
    except ContractError:
        return
    raise NotYet(f"it accepted {field} = {value!r}")


@points.point(
    "a good order:placed payload passes",
    "keep the three fields orderId, itemCount and total, all required",
)
def _():
    registry.validate_data("order:placed", "1.0.0", GOOD)


@points.point(
    "orderId refuses what is no identifier (a space, 65 characters)",
    "orderId is an Identifier (shared_contracts/types.py): ids travel in URLs and HTML",
)
def _():
    refuses("orderId", "ord 1")
    refuses("orderId", "x" * 65)


@points.point(
    "itemCount refuses a negative count",
    "itemCount is a Count: an integer from 0 to 1,000,000",
)
def _():
    refuses("itemCount", -1)


@points.point(
    "total refuses a negative or huge amount",
    "total is Money: a number from 0 to 1,000,000, never NaN or infinite",
)
def _():
    refuses("total", -0.01)
    refuses("total", 2_000_000.0)


@points.point(
    "the model's JSON Schema is the published one (`mfe contracts check`)",
    "run `mfe contracts check`: each `constraint-loosened at $.field` names a field to type",
)
def _():
    problems = [p for p in publishing.check() if p.event == "order:placed"]
    if problems:
        raise NotYet("; ".join(p.message for p in problems))


points.report()
