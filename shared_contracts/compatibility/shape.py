"""One schema node with nullability, type and enum pulled out of their many spellings."""

import json
from dataclasses import dataclass
from typing import Any

# A keyword that is absent (as opposed to present with the value `null`).
MISSING = object()


@dataclass(frozen=True)
class Shape:
    """A schema node, normalised: types, nullability and enum values, then the other keywords."""

    types: frozenset[str] | None  # None: any type
    nullable: bool | None  # None: not constrained (no type, no enum)
    values: frozenset[str] | None  # enum/const values as JSON text; None: no enum
    keywords: dict


def _unwrap_any_of(schema: dict) -> tuple[dict, bool]:
    """Fold pydantic's `anyOf: [X, null]` (and `anyOf` of bare types) into one node."""
    branches = schema.get("anyOf")
    if not isinstance(branches, list):
        return schema, False
    others = [branch for branch in branches if branch != {"type": "null"}]
    has_null = len(others) < len(branches)
    rest = {key: value for key, value in schema.items() if key != "anyOf"}
    if not others or not all(isinstance(branch, dict) for branch in others):
        return schema, False
    if len(others) == 1 and not rest.keys() & others[0].keys():
        return {**rest, **others[0]}, has_null
    # `anyOf: [{type: a}, {type: b}]` says the same as `type: [a, b]`.
    if all(set(branch) == {"type"} for branch in others) and "type" not in rest:
        types = [t for branch in others for t in as_list(branch["type"])]
        return {**rest, "type": types}, has_null
    if has_null:
        return {**rest, "anyOf": others}, True
    return schema, False


def as_list(value: Any) -> list:
    """`value` itself if it is a list, else a list of it."""
    return value if isinstance(value, list) else [value]


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def shape(schema: Any) -> Shape:
    """Normalise a (canonical) schema node for comparison."""
    if schema is True or schema is None:
        schema = {}
    elif schema is False:
        schema = {"not": {}}
    keywords, explicit_null = _unwrap_any_of(dict(schema))
    explicit_null = bool(keywords.pop("nullable", False)) or explicit_null
    values = None
    if "enum" in keywords or "const" in keywords:
        listed = [keywords.pop("const")] if "const" in keywords else keywords.get("enum", [])
        keywords.pop("enum", None)
        explicit_null = explicit_null or None in listed
        values = [value for value in listed if value is not None]
    raw_type = keywords.pop("type", None)
    if raw_type is not None:
        types = set(as_list(raw_type))
    elif values is not None:
        # A bare enum still fixes the types: infer them so adding `type` changes nothing.
        types = {_json_type(value) for value in values}
    else:
        types = None
    if types is not None:
        explicit_null = explicit_null or "null" in types
        types.discard("null")
    # Untyped and without an enum, a node says nothing about null either way.
    unconstrained = types is None and not explicit_null
    return Shape(
        frozenset(types) if types is not None else None,
        None if unconstrained else explicit_null,
        frozenset(json.dumps(v, sort_keys=True) for v in values) if values is not None else None,
        keywords,
    )


def default_of(schema: Any) -> Any:
    """A node's `default`, or `MISSING`."""
    return shape(schema).keywords.get("default", MISSING)
