"""Lab 5's check: your cart:item-added 2.1.0 (an optional giftNote) and 3.0.0 (price renamed to
unitPrice, with its converters) in shared_contracts/events/cart.py, both published."""

from labcheck import NotYet, Points

from shared_contracts import publishing, registry
from shared_contracts.compatibility import compare

EVENT = "cart:item-added"
OLD = {"itemId": "a1", "productId": "kettle", "quantity": 1, "price": 49.0}
points = Points()


def schema(version: str) -> dict:
    """The registered schema, or NotYet naming the version that is missing."""
    if (EVENT, version) not in registry:
        raise NotYet(f"no {EVENT} {version} in the registry (is its class registered?)")
    return registry.schema(EVENT, version)


def published(version: str) -> None:
    """The version is in the lock, and the lock has no problem at all."""
    problems = publishing.check()
    if problems:
        raise NotYet("; ".join(f"{p.event}@{p.version} [{p.code}]: {p.message}" for p in problems))
    if (EVENT, version) in publishing.unpublished():
        raise NotYet(f"{EVENT}@{version} is not in shared_contracts/published/ yet")


@points.point(
    "2.1.0 is 2.0.0 plus an optional giftNote",
    "subclass CartItemAddedV2 and register it: @registry.register('cart:item-added', '2.1.0'); "
    "giftNote: Message | None = Field(default=None, ...)",
)
def _():
    fields, old = schema("2.1.0"), schema("2.0.0")
    added = set(fields["properties"]) - set(old["properties"])
    if added != {"giftNote"}:
        raise NotYet(f"2.1.0 adds {sorted(added) or 'nothing'} to 2.0.0")
    if "giftNote" in fields.get("required", []):
        raise NotYet("giftNote is required: an old producer's events would be refused")


@points.point(
    "2.1.0 is compatible with 2.0.0 both ways",
    "`mfe contracts diff cart:item-added@2.0.0 cart:item-added@2.1.0` names what breaks",
)
def _():
    breaking = compare(schema("2.0.0"), schema("2.1.0")).breaking("full")
    if breaking:
        raise NotYet("; ".join(f"{c.code} at {c.path}" for c in breaking))


@points.point("2.1.0 is published", "`mfe contracts check`, then `mfe contracts publish`")
def _():
    schema("2.1.0")
    published("2.1.0")


@points.point(
    "3.0.0 renames price to unitPrice",
    "a new class (not a subclass: price must go) registered as 3.0.0, with unitPrice: Money",
)
def _():
    fields = schema("3.0.0")
    if "price" in fields["properties"] or "unitPrice" not in fields.get("required", []):
        raise NotYet(f"3.0.0 has {sorted(fields['properties'])}, required {fields['required']}")


@points.point(
    "converters lead from 1.0.0 to 3.0.0 and back",
    "declare both: registry.declare_converter(EVENT, '2.1.0', '3.0.0', [Rename(field='price', "
    "to='unitPrice')]) and the reverse",
)
def _():
    schema("3.0.0")
    new = registry.converters.convert(EVENT, OLD, "1.0.0", "3.0.0")
    if new.get("unitPrice") != 49.0 or "price" in new:
        raise NotYet(f"1.0.0 → 3.0.0 gave {new}")
    back = registry.converters.convert(EVENT, new, "3.0.0", "1.0.0")
    if back.get("price") != 49.0:
        raise NotYet(f"3.0.0 → 1.0.0 gave {back}")


@points.point("3.0.0 is published", "with the converters declared, `mfe contracts publish`")
def _():
    schema("3.0.0")
    published("3.0.0")


points.report()
