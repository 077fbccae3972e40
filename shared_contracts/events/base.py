"""The base class of every event's data model."""

from pydantic import BaseModel, ConfigDict


class EventData(BaseModel):
    """Payload of one (event, version); readers ignore fields they do not know."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True, allow_inf_nan=False)
