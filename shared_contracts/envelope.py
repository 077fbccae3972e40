"""The envelope every event travels in, and its CloudEvents 1.0 form."""

import time
import uuid
from datetime import datetime, timezone
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from shared_contracts.types import AppName, EventName, Milliseconds, SemVer, Uuid

DataT = TypeVar("DataT")

CLOUDEVENTS_SOURCE_PREFIX = "/mfe/apps/"


class Envelope(BaseModel, Generic[DataT]):
    """`{event, version, id, source, timestamp, data}`: one logical event in one version."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    event: EventName
    version: SemVer
    id: Uuid = Field(description="Unique per logical event; the same in every version of it.")
    source: AppName = Field(description="The emitting app.")
    timestamp: Milliseconds = Field(description="Milliseconds since the epoch.")
    data: DataT


def new_envelope(event: str, version: str, source: str, data: dict, **fields: Any) -> dict:
    """Build a fresh envelope dict with a new id and the current time."""
    return {
        "event": event,
        "version": version,
        "id": fields.get("id") or str(uuid.uuid4()),
        "source": source,
        "timestamp": (
            fields["timestamp"] if fields.get("timestamp") is not None else int(time.time() * 1000)
        ),
        "data": data,
    }


def to_cloudevent(envelope: dict) -> dict:
    """Convert an envelope to a CloudEvents 1.0 structured-mode JSON event."""
    stamp = datetime.fromtimestamp(envelope["timestamp"] / 1000, tz=timezone.utc)
    return {
        "specversion": "1.0",
        "type": envelope["event"],
        "source": CLOUDEVENTS_SOURCE_PREFIX + envelope["source"],
        "id": envelope["id"],
        "time": stamp.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "dataschema": f"urn:mfe:contract:{envelope['event']}:{envelope['version']}",
        # Extension attribute: lowercase letters only, as CloudEvents requires.
        "eventversion": envelope["version"],
        "data": envelope["data"],
    }


def from_cloudevent(cloudevent: dict) -> dict:
    """Convert a CloudEvents 1.0 structured-mode JSON event back to an envelope."""
    if cloudevent.get("specversion") != "1.0":
        raise ValueError("only CloudEvents specversion 1.0 is supported")
    source = cloudevent.get("source", "")
    if not source.startswith(CLOUDEVENTS_SOURCE_PREFIX):
        raise ValueError(f"source must start with {CLOUDEVENTS_SOURCE_PREFIX!r}, got {source!r}")
    missing = [k for k in ("type", "id", "time", "eventversion") if k not in cloudevent]
    if missing:
        raise ValueError(f"CloudEvent lacks {', '.join(missing)}")
    stamp = datetime.fromisoformat(cloudevent["time"].replace("Z", "+00:00"))
    return {
        "event": cloudevent["type"],
        "version": cloudevent["eventversion"],
        "id": cloudevent["id"],
        "source": source.removeprefix(CLOUDEVENTS_SOURCE_PREFIX),
        "timestamp": round(stamp.timestamp() * 1000),
        "data": cloudevent.get("data", {}),
    }
