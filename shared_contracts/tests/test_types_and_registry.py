"""Strict field types of the catalog models, and the registry's lookups and validation."""

import json
import uuid

import pytest
from pydantic import BaseModel, ConfigDict

from shared_contracts import ContractError, Registry, registry
from shared_contracts.envelope import new_envelope

ITEM = {"itemId": "a1b2c3", "productId": "kettle", "quantity": 2, "price": 49.0}


def item(**changes) -> dict:
    """A valid `cart:item-added` 1.0.0 payload with some fields replaced."""
    return {**ITEM, **changes}


def rejected(event: str, version: str, data) -> ContractError:
    """Validate `data`, expecting an `invalid` ContractError, and return it."""
    with pytest.raises(ContractError) as caught:
        registry.validate_data(event, version, data)
    assert caught.value.reason == "invalid"
    assert caught.value.details, "an invalid payload must say what is wrong"
    return caught.value


def paths(error: ContractError) -> set[str]:
    """The field paths named in an error's details."""
    return {detail["path"] for detail in error.details}


# --- strict types -----------------------------------------------------------------------------


@pytest.mark.parametrize("quantity", [-1, 0, 1.5, "2", True, 1e21, 10_000_000])
def test_quantity_rejects_out_of_range_and_non_integers(quantity):
    """Quantity is a strict integer in 1..999: no floats, strings, booleans or huge values."""
    error = rejected("cart:item-added", "1.0.0", item(quantity=quantity))
    assert paths(error) == {"$.quantity"}


@pytest.mark.parametrize("quantity", [1, 999])
def test_quantity_accepts_its_bounds(quantity):
    """Both ends of 1..999 are valid."""
    assert registry.validate_data("cart:item-added", "1.0.0", item(quantity=quantity)).quantity == (
        quantity
    )


@pytest.mark.parametrize("price", ["1", True, float("nan"), float("inf"), -0.01])
def test_price_rejects_strings_booleans_non_finite_and_negative(price):
    """Price is a strict, finite, non-negative number."""
    error = rejected("cart:item-added", "1.0.0", item(price=price))
    assert paths(error) == {"$.price"}


def test_price_accepts_an_integer_as_a_number():
    """JSON has one number type: an integral price is still a price."""
    assert registry.validate_data("cart:item-added", "1.0.0", item(price=3)).price == 3.0


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e309"])
def test_raw_json_non_finite_numbers_are_rejected(literal):
    """JSON text with NaN, Infinity or an overflowing literal never passes as a price."""
    text = json.dumps(ITEM).replace("49.0", literal)
    assert literal in text
    error = rejected("cart:item-added", "1.0.0", text)
    assert paths(error) == {"$.price"}


def test_raw_json_text_is_validated_strictly():
    """In JSON text too, `"2"` is not 2."""
    error = rejected("cart:item-added", "1.0.0", json.dumps(item(quantity="2")))
    assert paths(error) == {"$.quantity"}


@pytest.mark.parametrize(
    "item_id",
    ["", "x" * 65, "-starts-with-dash", "has space", "ümlaut", "semi;colon", 7],
)
def test_identifier_bounds_and_pattern(item_id):
    """Ids are 1..64 plain ASCII characters starting with a letter or digit."""
    error = rejected("cart:item-added", "1.0.0", item(itemId=item_id))
    assert paths(error) == {"$.itemId"}


@pytest.mark.parametrize("item_id", ["a", "x" * 64, "A9_b-c"])
def test_identifier_accepts_valid_ids(item_id):
    """The longest id and ids with `_` and `-` pass."""
    assert registry.validate_data("cart:item-added", "1.0.0", item(itemId=item_id)).itemId == (
        item_id
    )


def test_missing_required_field_is_named():
    """A payload without `price` is rejected at `$.price`."""
    data = dict(ITEM)
    del data["price"]
    error = rejected("cart:item-added", "1.0.0", data)
    assert paths(error) == {"$.price"}


def test_unknown_fields_are_ignored():
    """Readers ignore fields they do not know (extra="ignore")."""
    model = registry.validate_data("cart:item-added", "1.0.0", item(discount=1.0, extra="x"))
    assert not hasattr(model, "extra")
    assert "discount" not in model.model_dump()


NOTE = {"message": "Added", "type": "success"}


@pytest.mark.parametrize("kind", ["warning", "SUCCESS", "", None, 1])
def test_notification_type_is_an_enum(kind):
    """Only success, error and info are notification types."""
    error = rejected("notification:show", "1.0.0", {**NOTE, "type": kind})
    assert paths(error) == {"$.type"}


@pytest.mark.parametrize("kind", ["success", "error", "info"])
def test_notification_accepts_each_type(kind):
    """Each enum value passes."""
    assert registry.validate_data("notification:show", "1.0.0", {**NOTE, "type": kind}).type == (
        kind
    )


@pytest.mark.parametrize("duration", [499, 60_001, 0, -1, 1500.0, "3000", True])
def test_notification_duration_rejects_out_of_bounds(duration):
    """Duration is a strict integer in 500..60000."""
    error = rejected("notification:show", "1.0.0", {**NOTE, "duration": duration})
    assert paths(error) == {"$.duration"}


@pytest.mark.parametrize("duration", [500, 60_000, None])
def test_notification_duration_accepts_bounds_and_null(duration):
    """500 and 60000 pass, and so does null."""
    model = registry.validate_data("notification:show", "1.0.0", {**NOTE, "duration": duration})
    assert model.duration == duration


def test_notification_duration_may_be_missing():
    """Duration is optional and defaults to None."""
    assert registry.validate_data("notification:show", "1.0.0", NOTE).duration is None


@pytest.mark.parametrize("message", ["", "x" * 501])
def test_notification_message_bounds(message):
    """Messages are 1..500 characters."""
    error = rejected("notification:show", "1.0.0", {**NOTE, "message": message})
    assert paths(error) == {"$.message"}


# --- registry ---------------------------------------------------------------------------------


def tiny_model(name: str) -> type[BaseModel]:
    """A small strict model class, distinct per call."""
    return type(name, (BaseModel,), {"__annotations__": {"x": int}, "__doc__": f"{name} doc."})


def test_events_lists_the_catalog_sorted():
    """The real registry knows the four events of the catalog, sorted."""
    events = registry.events()
    assert events == sorted(events)
    assert {"cart:item-added", "cart:updated", "notification:show", "order:placed"} <= set(events)


def test_versions_sort_numerically():
    """1.9.0 comes before 1.10.0, whatever the registration order."""
    fresh = Registry()
    fresh.register("toy:event", "1.10.0")(tiny_model("Ten"))
    fresh.register("toy:event", "1.9.0")(tiny_model("Nine"))
    fresh.register("toy:event", "1.0.0")(tiny_model("Zero"))
    assert fresh.versions("toy:event") == ["1.0.0", "1.9.0", "1.10.0"]
    assert [c.version for c in fresh.contracts()] == ["1.0.0", "1.9.0", "1.10.0"]


def test_versions_of_an_unknown_event():
    """Asking for the versions of an unknown event raises `unknown-event`."""
    with pytest.raises(ContractError) as caught:
        registry.versions("nope:event")
    assert caught.value.reason == "unknown-event"


def test_get_unknown_event():
    """An unknown event raises `unknown-event`."""
    with pytest.raises(ContractError) as caught:
        registry.get("nope:event", "1.0.0")
    assert caught.value.reason == "unknown-event"


def test_get_unknown_version_lists_known_ones():
    """An unknown version of a known event raises `unknown-version` naming the known ones."""
    with pytest.raises(ContractError) as caught:
        registry.get("cart:item-added", "9.9.9")
    assert caught.value.reason == "unknown-version"
    assert "1.0.0" in caught.value.message and "2.0.0" in caught.value.message


def test_duplicate_registration_is_refused():
    """Registering the same (event, version) twice raises ValueError and keeps the first."""
    fresh = Registry()
    first = fresh.register("toy:event", "1.0.0")(tiny_model("First"))
    with pytest.raises(ValueError, match="twice"):
        fresh.register("toy:event", "1.0.0")(tiny_model("Second"))
    assert fresh.get("toy:event", "1.0.0").model is first


def test_contains_and_key():
    """`(event, version) in registry` and `Contract.key`."""
    assert ("cart:item-added", "2.0.0") in registry
    assert ("cart:item-added", "3.0.0") not in registry
    assert registry.get("cart:item-added", "2.0.0").key == "cart:item-added@2.0.0"


@pytest.mark.parametrize("contract", registry.contracts(), ids=lambda c: c.key)
def test_schema_has_id_and_title(contract):
    """Every schema is identified by `urn:mfe:contract:EVENT:VERSION` and titled."""
    schema = registry.schema(contract.event, contract.version)
    assert schema["$id"] == f"urn:mfe:contract:{contract.event}:{contract.version}"
    assert schema["title"] == f"{contract.event} {contract.version}"
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert schema["type"] == "object"


@pytest.mark.parametrize("contract", registry.contracts(), ids=lambda c: c.key)
def test_schema_example_validates_with_its_own_model(contract):
    """Each model's first example is valid data for that model."""
    examples = contract.schema.get("examples")
    assert examples, (
        f"{contract.key} has no example: give its model "
        "model_config = ConfigDict(json_schema_extra={'examples': [...]}) (docs/adding-an-event.md)"
    )
    assert isinstance(contract.model.model_validate(examples[0]), contract.model)
    # And through the registry, as JSON text, the way events arrive.
    registry.validate_data(contract.event, contract.version, json.dumps(examples[0]))


def test_description_is_the_first_docstring_line():
    """A contract's description is its model's docstring, first line."""
    fresh = Registry()
    model = type("Doc", (BaseModel,), {"__annotations__": {"x": int}, "__doc__": "First.\n\nMore."})
    fresh.register("toy:event", "1.0.0")(model)
    assert fresh.get("toy:event", "1.0.0").description == "First."


# --- envelopes ----------------------------------------------------------------------------------


def envelope(**changes) -> dict:
    """A valid `cart:item-added` 1.0.0 envelope with some fields replaced."""
    base = new_envelope("cart:item-added", "1.0.0", "products", dict(ITEM))
    return {**base, **changes}


def test_validate_envelope_returns_typed_data():
    """A good envelope comes back with its data as the version's model."""
    raw = envelope()
    result = registry.validate_envelope(raw)
    assert result.data.quantity == 2
    assert isinstance(result.data, registry.get("cart:item-added", "1.0.0").model)
    assert (result.event, result.version, result.id) == ("cart:item-added", "1.0.0", raw["id"])


def test_validate_envelope_accepts_json_text():
    """Envelopes may arrive as JSON text."""
    result = registry.validate_envelope(json.dumps(envelope(version="2.0.0")))
    assert result.data.discount is None
    assert result.version == "2.0.0"


@pytest.mark.parametrize(
    ("changes", "path"),
    [
        ({"id": "not-a-uuid"}, "$.id"),
        ({"id": str(uuid.uuid4()).upper()}, "$.id"),
        ({"source": "Products App"}, "$.source"),
        ({"timestamp": -1}, "$.timestamp"),
        ({"timestamp": "1764169200000"}, "$.timestamp"),
    ],
)
def test_validate_envelope_rejects_bad_envelope_fields(changes, path):
    """Envelope fields are strict: lower-case UUIDs, app names, ms (names: see below)."""
    with pytest.raises(ContractError) as caught:
        registry.validate_envelope(envelope(**changes))
    assert caught.value.reason == "invalid"
    assert path in paths(caught.value)


def test_validate_envelope_rejects_missing_data_fields():
    """Data missing required fields is `invalid`, with a path per missing field."""
    with pytest.raises(ContractError) as caught:
        registry.validate_envelope(envelope(data={"itemId": "a1"}))
    assert caught.value.reason == "invalid"
    assert all("path" in d and "message" in d for d in caught.value.details)
    assert paths(caught.value) == {"$.productId", "$.quantity", "$.price"}


def test_validate_envelope_unknown_version():
    """A well-formed envelope of an unregistered version is `unknown-version`."""
    with pytest.raises(ContractError) as caught:
        registry.validate_envelope(envelope(version="9.0.0"))
    assert caught.value.reason == "unknown-version"


def test_validate_envelope_unknown_event():
    """A well-formed envelope of an unregistered event is `unknown-event`."""
    with pytest.raises(ContractError) as caught:
        registry.validate_envelope(envelope(event="cart:exploded"))
    assert caught.value.reason == "unknown-event"


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"event": "foo"}, "unknown-event"),
        ({"event": "Cart:ItemAdded"}, "unknown-event"),
        ({"event": "cart"}, "unknown-event"),
        ({"event": "constructor", "version": "v1"}, "unknown-event"),
        ({"version": "1.0"}, "unknown-version"),
        ({"version": "latest"}, "unknown-version"),
        ({"event": 7}, "invalid"),
        ({"version": 1}, "invalid"),
    ],
)
def test_a_name_outside_the_catalogs_form_is_unknown_not_invalid(fields, reason):
    """Any string is a name the catalog may lack; only a name that is no string is invalid."""
    raw = {**envelope(), **fields}
    for form in (raw, json.dumps(raw)):
        with pytest.raises(ContractError) as caught:
            registry.validate_envelope(form)
        assert caught.value.reason == reason


def test_an_envelope_nested_past_what_python_reads_is_invalid():
    """JSON text deeper than the json module reads is an invalid envelope, not a RecursionError."""
    raw = '{"event": "cart:item-added", "data": ' + "[" * 5000 + "]" * 5000 + "}"
    with pytest.raises(ContractError) as caught:
        registry.validate_envelope(raw)
    assert caught.value.reason == "invalid"


def test_validate_data_of_fresh_registry_is_independent():
    """A fresh registry knows only its own contracts."""
    fresh = Registry()

    @fresh.register("toy:event", "1.0.0")
    class Toy(BaseModel):
        model_config = ConfigDict(strict=True)
        x: int

    assert fresh.validate_data("toy:event", "1.0.0", {"x": 1}).x == 1
    with pytest.raises(ContractError) as caught:
        fresh.get("cart:item-added", "1.0.0")
    assert caught.value.reason == "unknown-event"
