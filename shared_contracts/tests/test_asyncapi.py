"""`mfe contracts asyncapi`: an AsyncAPI 3.0 document of the whole catalog, valid by the spec."""

import json
from pathlib import Path

import jsonschema
import pytest

from shared_contracts import asyncapi, registry

SPEC = Path(__file__).parent / "data" / "asyncapi-3.0.0.schema.json"


@pytest.fixture(scope="module")
def validator():
    """A Draft 7 validator of the official AsyncAPI 3.0.0 schema."""
    return jsonschema.Draft7Validator(json.loads(SPEC.read_text()))


def test_document_is_valid_asyncapi_3(validator):
    """The generated document passes the official schema."""
    errors = sorted(validator.iter_errors(asyncapi.document()), key=lambda e: list(e.path))
    assert errors == [], [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_every_version_is_a_message_named_after_its_event():
    """Each (event, version) is a message; names and titles carry the real event name."""
    doc = asyncapi.document()
    for contract in registry.contracts():
        key = f"{contract.event.replace(':', '.')}.{contract.version}"
        message = doc["components"]["messages"][key]
        assert message["name"] == contract.event
        assert message["title"] == f"{contract.event} {contract.version}"
        schema = doc["components"]["schemas"][key]
        assert schema["properties"].keys() == contract.schema["properties"].keys()
        channel = doc["channels"][contract.event.replace(":", ".")]
        assert channel["address"] == contract.event


def test_a_broken_document_is_caught(validator):
    """The check can fail: an AsyncAPI 2 `publish` action, or no info, is refused by the spec."""
    doc = asyncapi.document()
    doc["operations"]["cart.item-added.send"]["action"] = "publish"
    assert list(validator.iter_errors(doc))
    doc = asyncapi.document()
    del doc["info"]
    assert list(validator.iter_errors(doc))
