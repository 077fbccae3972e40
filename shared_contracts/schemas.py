"""JSON Schema generation and canonical form.

Canonical form is what the lock and the compatibility checker compare: `$ref`s resolved,
annotations (titles, descriptions, examples) dropped, keys and sets sorted. So a pydantic
upgrade that only rewords titles or reorders keys changes nothing that matters.
"""

import copy
import json

from pydantic import BaseModel

JSON_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
SCHEMA_ID_PREFIX = "urn:mfe:contract:"

# Keywords that document a schema without changing what it accepts.
ANNOTATION_KEYWORDS = frozenset(
    {
        "title",
        "description",
        "examples",
        "$comment",
        "$id",
        "$schema",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)


def contract_schema(model: type[BaseModel], event: str, version: str) -> dict:
    """The published JSON Schema of one (event, version)."""
    schema = model.model_json_schema(mode="validation")
    return {
        "$schema": JSON_SCHEMA_DIALECT,
        "$id": f"{SCHEMA_ID_PREFIX}{event}:{version}",
        "title": f"{event} {version}",
        **{k: v for k, v in schema.items() if k not in ("title", "$schema", "$id")},
    }


def resolve_refs(schema: dict) -> dict:
    """Inline every local `$ref` (`#/$defs/...`); the contracts have no recursive types."""
    defs = schema.get("$defs", {}) | schema.get("definitions", {})

    def walk(node, seen: tuple[str, ...]):
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/"):
                name = ref.rsplit("/", 1)[-1]
                if name in seen:
                    raise ValueError(f"recursive $ref {ref} is not supported")
                if name not in defs:
                    raise ValueError(f"unresolvable $ref {ref}")
                siblings = {k: v for k, v in node.items() if k != "$ref"}
                return walk({**copy.deepcopy(defs[name]), **siblings}, (*seen, name))
            return {k: walk(v, seen) for k, v in node.items() if k not in ("$defs", "definitions")}
        if isinstance(node, list):
            return [walk(item, seen) for item in node]
        return node

    return walk(schema, ())


def canonical(schema: dict) -> dict:
    """Resolve refs, drop annotations, and sort, so equal meaning gives equal JSON."""

    def walk(node, in_properties: bool = False):
        if isinstance(node, dict):
            out = {}
            for key in sorted(node):
                # Inside `properties` the keys are field names, never annotations.
                if not in_properties and key in ANNOTATION_KEYWORDS:
                    continue
                value = node[key]
                if key in ("required", "enum") and isinstance(value, list):
                    value = sorted(value, key=lambda v: json.dumps(v, sort_keys=True))
                out[key] = walk(value, in_properties=(key == "properties" and not in_properties))
            return out
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return walk(resolve_refs(schema))
