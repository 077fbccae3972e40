"""Notifications any app may ask the host to show."""

from typing import Literal

from pydantic import ConfigDict, Field

from shared_contracts.events.base import EventData
from shared_contracts.registry import registry
from shared_contracts.types import Duration, Message


@registry.register("notification:show", "1.0.0")
class NotificationShowV1(EventData):
    """Ask the host to show a toast."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"message": "Gooseneck Kettle added to cart", "type": "success", "duration": 3000}
            ]
        }
    )

    message: Message = Field(description="Text shown to the shopper (rendered as text).")
    type: Literal["success", "error", "info"] = Field(description="How the toast looks.")
    duration: Duration | None = Field(default=None, description="Milliseconds before it hides.")
