"""The event catalog as an AsyncAPI 3.0 document, generated from the registry.

AsyncAPI keys allow letters, digits, `.`, `-` and `_` only, so `cart:item-added` becomes the
key `cart.item-added`; the real event name stays in each channel's `address` and each
message's `name` and `title`.
"""

import copy
from importlib import metadata

from shared_contracts.bundle import file_stem
from shared_contracts.registry import Registry, registry

DESCRIPTION = (
    "Events exchanged by the host, products and checkout micro-frontends over the browser bus "
    "(window.postMessage, then one MessagePort per app). Every payload is versioned; the host "
    "delivers each consumer the highest version it declares, converting between versions."
)


def _payload(schema: dict) -> dict:
    """A contract's JSON Schema as an AsyncAPI (draft-07 compatible) schema object."""
    payload = copy.deepcopy(schema)
    for key in ("$schema", "$id"):
        payload.pop(key, None)
    return payload


def document(catalog: Registry = registry) -> dict:
    """The whole catalog as an AsyncAPI 3.0.0 document."""
    try:
        version = metadata.version("mfe-contracts-shop")
    except metadata.PackageNotFoundError:
        version = "0.0.0"
    channels, operations, messages, schemas = {}, {}, {}, {}
    for event in catalog.events():
        channel_key = file_stem(event)
        refs = {}
        for contract in (catalog.get(event, v) for v in catalog.versions(event)):
            key = f"{channel_key}.{contract.version}"
            schemas[key] = _payload(contract.schema)
            message = {
                "name": event,
                "title": f"{event} {contract.version}",
                "summary": contract.description,
                "contentType": "application/json",
                "payload": {"$ref": f"#/components/schemas/{key}"},
                "x-version": contract.version,
            }
            examples = contract.schema.get("examples") or []
            if examples:
                message["examples"] = [{"name": "example", "payload": examples[0]}]
            if contract.deprecated:
                message["x-deprecated"] = True
                message["x-sunset"] = contract.sunset
            messages[key] = message
            refs[key] = {"$ref": f"#/components/messages/{key}"}
        channels[channel_key] = {
            "address": event,
            "title": event,
            "description": f"Versions: {', '.join(catalog.versions(event))}",
            "messages": refs,
        }
        operations[f"{channel_key}.send"] = {
            "action": "send",
            "title": f"Emit {event}",
            "channel": {"$ref": f"#/channels/{channel_key}"},
            "messages": [{"$ref": f"#/channels/{channel_key}/messages/{k}"} for k in refs],
        }
    return {
        "asyncapi": "3.0.0",
        "info": {
            "title": "Contract Coffee event catalog",
            "version": version,
            "description": DESCRIPTION,
        },
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
