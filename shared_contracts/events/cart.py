"""Cart events: what products tells checkout, and what checkout tells everyone."""

from pydantic import ConfigDict, Field

from shared_contracts.events.base import EventData
from shared_contracts.registry import registry
from shared_contracts.types import Count, Identifier, Money, PromoCode, Quantity


# 1.0.0 stays supported through the transition; consumers should move to 2.0.0 by the sunset.
@registry.register("cart:item-added", "1.0.0", deprecated=True, sunset="2027-06-30")
class CartItemAddedV1(EventData):
    """A shopper added a quantity of one product to the cart."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"itemId": "a1b2c3", "productId": "kettle", "quantity": 2, "price": 49.0}]
        }
    )

    itemId: Identifier = Field(description="Id of this add, chosen by the producer.")
    productId: Identifier = Field(description="Catalog id of the product.")
    quantity: Quantity = Field(description="Units added.")
    price: Money = Field(description="Unit list price.")


@registry.register("cart:item-added", "2.0.0")
class CartItemAddedV2(CartItemAddedV1):
    """1.0.0 plus the promotion that applied when the shopper clicked."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "itemId": "a1b2c3",
                    "productId": "kettle",
                    "quantity": 2,
                    "price": 49.0,
                    "discount": 7.5,
                    "appliedPromo": "KETTLE-15",
                }
            ]
        }
    )

    discount: Money | None = Field(default=None, description="Amount off each unit.")
    appliedPromo: PromoCode | None = Field(default=None, description="Promotion code applied.")


@registry.register("cart:updated", "1.0.0")
class CartUpdatedV1(EventData):
    """The cart changed; totals as this checkout release charges them."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"itemCount": 3, "total": 112.0}]})

    itemCount: Count = Field(description="Total number of units in the cart.")
    total: Money = Field(description="What this checkout release charges.")
