"""Envelopes and their CloudEvents 1.0 structured-mode form."""

import time
import uuid
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from shared_contracts import from_cloudevent, new_envelope, registry, to_cloudevent

ITEM = {"itemId": "a1b2c3", "productId": "kettle", "quantity": 2, "price": 49.0}
UUID_ID = "0b6f3c1e-9a4d-4c2b-8f7e-1d2c3b4a5f60"


def test_new_envelope_has_a_uuid4_id_and_the_current_time_in_ms():
    """A fresh envelope gets a new lower-case UUID and `now` in milliseconds."""
    before = int(time.time() * 1000)
    envelope = new_envelope("cart:item-added", "1.0.0", "products", ITEM)
    after = int(time.time() * 1000)
    parsed = uuid.UUID(envelope["id"])
    assert str(parsed) == envelope["id"] and parsed.version == 4
    assert isinstance(envelope["timestamp"], int)
    assert before <= envelope["timestamp"] <= after
    assert (envelope["event"], envelope["version"], envelope["source"]) == (
        "cart:item-added",
        "1.0.0",
        "products",
    )
    assert envelope["data"] == ITEM


def test_new_envelope_ids_are_unique():
    """Two envelopes never share an id."""
    ids = {new_envelope("cart:item-added", "1.0.0", "products", ITEM)["id"] for _ in range(50)}
    assert len(ids) == 50


def test_new_envelope_is_valid_for_the_registry():
    """What `new_envelope` builds passes `validate_envelope`."""
    envelope = new_envelope("cart:item-added", "2.0.0", "products", ITEM)
    assert registry.validate_envelope(envelope).id == envelope["id"]


@pytest.mark.parametrize("timestamp", [0, 1, 1_764_169_200_123])
def test_new_envelope_keeps_given_id_and_timestamp(timestamp):
    """An explicit id and timestamp are kept, including the epoch itself (0)."""
    envelope = new_envelope(
        "cart:item-added", "1.0.0", "products", ITEM, id=UUID_ID, timestamp=timestamp
    )
    assert envelope["id"] == UUID_ID
    assert envelope["timestamp"] == timestamp


def envelope_at(timestamp: int, event="cart:item-added", version="1.0.0", data=None) -> dict:
    """An envelope with a fixed id and timestamp."""
    return new_envelope(
        event, version, "checkout", ITEM if data is None else data, id=UUID_ID, timestamp=timestamp
    )


def test_to_cloudevent_attributes():
    """specversion, type, source, id, RFC 3339 time in UTC, content type, schema, version."""
    envelope = envelope_at(1_764_169_200_123, version="2.0.0")
    cloudevent = to_cloudevent(envelope)
    assert cloudevent["specversion"] == "1.0"
    assert cloudevent["type"] == "cart:item-added"
    assert cloudevent["source"] == "/mfe/apps/checkout"
    assert cloudevent["id"] == UUID_ID
    assert cloudevent["datacontenttype"] == "application/json"
    assert cloudevent["dataschema"] == registry.schema("cart:item-added", "2.0.0")["$id"]
    assert cloudevent["eventversion"] == "2.0.0"
    assert cloudevent["data"] == ITEM
    assert cloudevent["time"].endswith("Z")
    parsed = datetime.strptime(cloudevent["time"], "%Y-%m-%dT%H:%M:%S.%fZ")
    assert parsed.replace(tzinfo=timezone.utc).timestamp() * 1000 == pytest.approx(
        1_764_169_200_123, abs=0.5
    )


def test_to_cloudevent_time_is_utc_whatever_the_local_zone(monkeypatch):
    """The time string names UTC even when the process runs in another zone."""
    monkeypatch.setenv("TZ", "America/New_York")
    if hasattr(time, "tzset"):
        time.tzset()
    try:
        assert to_cloudevent(envelope_at(0))["time"] == "1970-01-01T00:00:00.000Z"
    finally:
        monkeypatch.undo()
        if hasattr(time, "tzset"):
            time.tzset()


def test_extension_attribute_names_are_lowercase_alphanumeric():
    """CloudEvents attribute names are lower-case letters and digits only."""
    for name in to_cloudevent(envelope_at(0)):
        assert name.isalnum() and name == name.lower(), name


@pytest.mark.parametrize(
    "envelope",
    [
        envelope_at(0),
        envelope_at(1_764_169_200_000),
        envelope_at(1_764_169_200_123),
        envelope_at(1_764_169_200_999, version="2.0.0"),
        envelope_at(
            1_000_000_000_001, event="notification:show", data={"message": "hi", "type": "info"}
        ),
        envelope_at(2**41, event="order:placed", data={}),
    ],
    ids=lambda e: f"{e['event']}@{e['version']}-{e['timestamp']}",
)
def test_round_trip(envelope):
    """`from_cloudevent(to_cloudevent(e)) == e`, milliseconds included."""
    assert from_cloudevent(to_cloudevent(envelope)) == envelope


def test_from_cloudevent_accepts_an_offset_time():
    """A time with a non-UTC offset names the same instant."""
    cloudevent = to_cloudevent(envelope_at(1_764_169_200_123))
    cloudevent["time"] = "2025-11-26T16:00:00.123+01:00"
    assert from_cloudevent(cloudevent)["timestamp"] == 1_764_169_200_123


@pytest.mark.parametrize("specversion", ["0.3", "1", None])
def test_from_cloudevent_rejects_other_specversions(specversion):
    """Only CloudEvents 1.0 is read."""
    cloudevent = {**to_cloudevent(envelope_at(0)), "specversion": specversion}
    with pytest.raises(ValueError, match="specversion"):
        from_cloudevent(cloudevent)


@pytest.mark.parametrize("source", ["https://example.com/apps/products", "/other/products", ""])
def test_from_cloudevent_rejects_foreign_sources(source):
    """Sources outside `/mfe/apps/` are not ours."""
    cloudevent = {**to_cloudevent(envelope_at(0)), "source": source}
    with pytest.raises(ValueError, match="source"):
        from_cloudevent(cloudevent)


EXAMPLES = {(c.event, c.version): c.schema["examples"][0] for c in registry.contracts()}


@settings(max_examples=200, deadline=None)
@given(
    timestamp=st.integers(min_value=0, max_value=2**41),
    contract=st.sampled_from(sorted(EXAMPLES)),
    source=st.sampled_from(["products", "checkout", "host"]),
    event_id=st.uuids(),
)
def test_round_trip_property(timestamp, contract, source, event_id):
    """The round trip holds for any ms timestamp up to 2**41 and any registered event."""
    event, version = contract
    envelope = new_envelope(
        event, version, source, EXAMPLES[contract], id=str(event_id), timestamp=timestamp
    )
    cloudevent = to_cloudevent(envelope)
    assert cloudevent["type"] == event
    back = from_cloudevent(cloudevent)
    assert back == envelope
    assert registry.validate_envelope(back).timestamp == timestamp
