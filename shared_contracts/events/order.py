"""Order events."""

from pydantic import ConfigDict, Field

from shared_contracts.events.base import EventData
from shared_contracts.registry import registry
from shared_contracts.types import Count, Identifier, Money


@registry.register("order:placed", "1.0.0")
class OrderPlacedV1(EventData):
    """Checkout stored an order and emptied the cart."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"orderId": "ord-7f3a9c", "itemCount": 3, "total": 112.0}]}
    )

    orderId: Identifier = Field(description="Id of the stored order.")
    itemCount: Count = Field(description="Total number of units ordered.")
    total: Money = Field(description="What was charged.")
