"""The walk through two schemas: a node's rules, then objects, their properties, and arrays."""

import re
from typing import Any

from shared_contracts.compatibility import keywords
from shared_contracts.compatibility.report import (
    CLOSED_NEW_FIX,
    CLOSED_OLD_FIX,
    Change,
    change,
    text,
)
from shared_contracts.compatibility.shape import MISSING, default_of, shape

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def compare_schema(old: Any, new: Any, path: str) -> list[Change]:
    """Every change between two schema nodes at `path`."""
    if old == new:
        return []
    a, b = shape(old), shape(new)
    changes = keywords.compare_nullability(a, b, path)
    type_changes = keywords.compare_types(a.types, b.types, path)
    changes += type_changes
    if any(item.code == "type-changed" for item in type_changes):
        return changes
    old_kw, new_kw = a.keywords, b.keywords
    changes += keywords.compare_enum(a.values, b.values, path)
    changes += keywords.compare_bounds(old_kw, new_kw, path)
    changes += keywords.compare_pattern(old_kw.get("pattern"), new_kw.get("pattern"), path)
    changes += keywords.compare_format(old_kw.get("format"), new_kw.get("format"), path)
    changes += keywords.compare_multiple_of(
        old_kw.get("multipleOf"), new_kw.get("multipleOf"), path
    )
    changes += keywords.compare_unique_items(old_kw, new_kw, path)
    changes += _compare_properties(old_kw, new_kw, path)
    changes += _compare_additional(old_kw, new_kw, path)
    changes += _compare_items(old_kw, new_kw, path)
    changes += keywords.compare_default(old_kw, new_kw, path)
    changes += keywords.compare_unknown(old_kw, new_kw, path)
    return changes


def _child(path: str, name: str) -> str:
    if _NAME.fullmatch(name):
        return f"{path}.{name}"
    return f"{path}['{name}']"


def _properties(node: dict) -> dict:
    # A name listed in `required` but absent from `properties` is a property of any type.
    properties = dict(node.get("properties") or {})
    for name in node.get("required") or ():
        properties.setdefault(name, {})
    return properties


def _required(node: dict) -> set[str]:
    """Names a reader needs in the data: required and without a default to fill them."""
    properties = _properties(node)
    return {name for name in node.get("required") or () if default_of(properties[name]) is MISSING}


def _compare_properties(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    old_props, new_props = _properties(old_kw), _properties(new_kw)
    old_required, new_required = _required(old_kw), _required(new_kw)
    changes = []
    for name in sorted(old_props.keys() | new_props.keys()):
        where = _child(path, name)
        if name not in old_props:
            changes.append(_property_added(name, new_props[name], new_kw, old_kw, where))
        elif name not in new_props:
            changes.append(_property_removed(name, old_props[name], old_required, new_kw, where))
        else:
            changes += _compare_requiredness(name, old_required, new_required, where)
            changes += compare_schema(old_props[name], new_props[name], where)
    return changes


def _accepts_extra(additional: Any, schema: Any, direction: str) -> bool:
    """Whether a reader whose `additionalProperties` is `additional` accepts this property."""
    if additional in (None, True, {}):
        return True
    if additional is False:
        return False
    # A schema for extras: the property must fit it, judged as one more schema change.
    old, new = (additional, schema) if direction == "forward" else (schema, additional)
    changes = compare_schema(old, new, "$")
    return all(getattr(item, direction) for item in changes)


def _property_added(name: str, schema: Any, new_kw: dict, old_kw: dict, path: str) -> Change:
    forward = _accepts_extra(old_kw.get("additionalProperties"), schema, "forward")
    fix = None if forward else CLOSED_OLD_FIX
    default = default_of(schema)
    listed = name in (new_kw.get("required") or ())
    # `default: null` on an unlisted property is pydantic's plain `Optional[X] = None`.
    if default is not MISSING and (default is not None or listed):
        message = f"property '{name}' was added with default {text(default)}, which fills old data"
        return change("required-property-added-with-default", path, True, forward, message, fix)
    if listed:
        message = f"required property '{name}' was added without a default"
        return change("required-property-added", path, False, forward, message, fix)
    return change("property-added", path, True, forward, f"property '{name}' was added", fix)


def _property_removed(
    name: str, schema: Any, old_required: set[str], new_kw: dict, path: str
) -> Change:
    backward = _accepts_extra(new_kw.get("additionalProperties"), schema, "backward")
    fix = None if backward else CLOSED_NEW_FIX
    if name in old_required:
        message = f"required property '{name}' was removed"
        return change("property-removed", path, backward, False, message, fix)
    message = f"optional property '{name}' was removed"
    return change("property-removed", path, backward, True, message, fix)


def _compare_requiredness(name: str, old: set[str], new: set[str], path: str) -> list[Change]:
    if (name in old) == (name in new):
        return []
    if name in new:
        message = f"property '{name}' became required"
        return [change("optional-to-required", path, False, True, message)]
    message = f"property '{name}' became optional"
    return [change("required-to-optional", path, True, False, message)]


def _compare_additional(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    old = old_kw.get("additionalProperties", True)
    new = new_kw.get("additionalProperties", True)
    old, new = (True if value == {} else value for value in (old, new))
    if old == new:
        return []
    if new is False:
        message = "unknown properties are now forbidden (additionalProperties: false)"
        return [change("additional-properties-restricted", path, False, True, message)]
    if old is False:
        message = "unknown properties are now allowed (additionalProperties no longer false)"
        return [change("additional-properties-allowed", path, True, False, message)]
    return compare_schema(old, new, f"{path}.*")


def _compare_items(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    old, new = old_kw.get("items", True), new_kw.get("items", True)
    if old == new:
        return []
    return compare_schema(old, new, f"{path}[*]")
