"""Compare two JSON Schemas of one event and say what the change does to readers.

Every difference becomes a `Change` with two verdicts:

- backward: a reader on the NEW schema accepts data written with the OLD schema;
- forward: a reader on the OLD schema accepts data written with the NEW schema.

Readers ignore properties they do not know (the models use `extra="ignore"`), so an extra
property in data only matters where a schema says `additionalProperties: false`.

Decisions worth knowing:

- Both schemas go through `canonical()` first, so `$ref`s and annotations never show up.
- `anyOf: [X, {"type": "null"}]`, `type: [..., "null"]`, `null` in an enum and OpenAPI's
  `nullable: true` all mean "X, nullable"; nullability changes get their own codes.
- A property that is in `required` but has a `default` counts as optional: the default fills it.
- An added property with a non-null default is `required-property-added-with-default`; one
  with no default or `default: null` (pydantic's `Optional[X] = None`) is `property-added`.
- An enum that both gains and loses values gives two changes, `enum-extended` and
  `enum-narrowed`, so the report says exactly which values moved.
- Bounds are compared keyword by keyword (`minimum` and `exclusiveMinimum` separately).
- `multipleOf` changed to a multiple of the old value is tightened, to a divisor is
  loosened, and anything else is `constraint-changed` (unsafe both ways).
- After `type-changed` nothing below that node is compared: the rest would only be noise.
- Keywords the checker does not understand are `schema-changed`, unsafe both ways.
"""

import json
import re
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

from shared_contracts.schemas import canonical

MODES = ("backward", "forward", "full")

LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")

# Keywords compared by a dedicated rule; any other differing keyword is `schema-changed`.
UNDERSTOOD = frozenset(
    {
        *LOWER_BOUNDS,
        *UPPER_BOUNDS,
        "properties",
        "required",
        "additionalProperties",
        "items",
        "default",
        "pattern",
        "format",
        "multipleOf",
        "uniqueItems",
    }
)

# Keywords whose list value is a set of alternatives: order does not matter.
UNORDERED = frozenset({"anyOf", "oneOf", "allOf", "type"})

CONVERTER = "publish a new major version with a converter"
FIXES = {
    "required-property-added": "give the property a default, or keep it optional",
    "property-removed": f"keep the property (mark it deprecated), or {CONVERTER}",
    "optional-to-required": "add a default, or keep it optional",
    "required-to-optional": f"keep it required, or {CONVERTER} that fills it",
    "type-changed": (
        f"use a new field name and support both during the transition, or {CONVERTER}"
    ),
    "type-widened": f"keep the old type and add a new field for the wider values, or {CONVERTER}",
    "type-narrowed": f"keep the old type, or {CONVERTER} that narrows old data",
    "nullable-added": f"keep sending a value (old readers reject null), or {CONVERTER}",
    "nullable-removed": f"keep null allowed, or {CONVERTER} that replaces nulls",
    "enum-extended": f"keep the old values (old readers do not know the new ones), or {CONVERTER}",
    "enum-narrowed": f"keep the removed values, or {CONVERTER} that maps them",
    "constraint-tightened": f"keep the old limit, or {CONVERTER} that brings old data into range",
    "constraint-loosened": f"keep the old limit, or {CONVERTER} for old readers",
    "constraint-changed": f"keep the old value, or {CONVERTER}",
    "pattern-changed": f"keep the old pattern, or {CONVERTER}",
    "additional-properties-restricted": f"keep allowing unknown properties, or {CONVERTER}",
    "additional-properties-allowed": f"keep forbidding unknown properties, or {CONVERTER}",
    "schema-changed": f"check this change by hand; keep the old keyword, or {CONVERTER}",
}
CLOSED_OLD_FIX = f"old readers forbid unknown properties (additionalProperties: false): {CONVERTER}"
CLOSED_NEW_FIX = (
    "keep the property (mark it deprecated): the new schema forbids unknown properties "
    "and old data still carries it"
)

_MISSING = object()
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Change:
    """One difference between two schemas, with its verdict in each direction."""

    code: str
    path: str
    backward: bool
    forward: bool
    message: str
    fix: str | None

    def to_dict(self) -> dict:
        """The change as JSON-ready data."""
        return asdict(self)


@dataclass(frozen=True)
class Report:
    """Every change between two schemas, sorted by path then code."""

    changes: tuple[Change, ...]

    @property
    def backward_compatible(self) -> bool:
        """True when new readers accept all old data."""
        return all(change.backward for change in self.changes)

    @property
    def forward_compatible(self) -> bool:
        """True when old readers accept all new data."""
        return all(change.forward for change in self.changes)

    def compatible(self, mode: str = "full") -> bool:
        """True when no change breaks `mode` (backward, forward or full)."""
        return not self.breaking(mode)

    def breaking(self, mode: str = "full") -> list[Change]:
        """The changes that break `mode`."""
        if mode not in MODES:
            raise ValueError(f"unknown compatibility mode {mode!r}; use one of {', '.join(MODES)}")
        check_backward = mode in ("backward", "full")
        check_forward = mode in ("forward", "full")
        return [
            change
            for change in self.changes
            if (check_backward and not change.backward) or (check_forward and not change.forward)
        ]

    def to_dict(self, mode: str = "full") -> dict:
        """The report as JSON-ready data, judged in `mode`."""
        return {
            "mode": mode,
            "compatible": self.compatible(mode),
            "backward": self.backward_compatible,
            "forward": self.forward_compatible,
            "changes": [change.to_dict() for change in self.changes],
        }


def compare(old: dict, new: dict) -> Report:
    """Compare an old and a new schema of one event."""
    changes = _compare_schema(canonical(old), canonical(new), "$")
    return Report(tuple(sorted(changes, key=lambda c: (c.path, c.code, c.message))))


@dataclass(frozen=True)
class _Shape:
    """A schema node with nullability, type and enum pulled out of their many spellings."""

    types: frozenset[str] | None  # None: any type
    nullable: bool | None  # None: not constrained (no type, no enum)
    values: frozenset[str] | None  # enum/const values as JSON text; None: no enum
    keywords: dict


def _change(code: str, path: str, backward: bool, forward: bool, message: str, fix=None):
    # Fully compatible changes carry no fix; incompatible ones always do.
    if backward and forward:
        return Change(code, path, backward, forward, message, None)
    return Change(code, path, backward, forward, message, fix or FIXES[code])


def _text(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _child(path: str, name: str) -> str:
    if _NAME.fullmatch(name):
        return f"{path}.{name}"
    return f"{path}['{name}']"


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
        types = [t for branch in others for t in _as_list(branch["type"])]
        return {**rest, "type": types}, has_null
    if has_null:
        return {**rest, "anyOf": others}, True
    return schema, False


def _as_list(value: Any) -> list:
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


def _shape(schema: Any) -> _Shape:
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
        types = set(_as_list(raw_type))
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
    return _Shape(
        frozenset(types) if types is not None else None,
        None if unconstrained else explicit_null,
        frozenset(_text(value) for value in values) if values is not None else None,
        keywords,
    )


def _compare_schema(old: Any, new: Any, path: str) -> list[Change]:
    """Every change between two schema nodes at `path`."""
    if old == new:
        return []
    a, b = _shape(old), _shape(new)
    changes = _compare_nullability(a, b, path)
    type_changes = _compare_types(a.types, b.types, path)
    changes += type_changes
    if any(change.code == "type-changed" for change in type_changes):
        return changes
    old_kw, new_kw = a.keywords, b.keywords
    changes += _compare_enum(a.values, b.values, path)
    changes += _compare_bounds(old_kw, new_kw, path)
    changes += _compare_pattern(old_kw.get("pattern"), new_kw.get("pattern"), path)
    changes += _compare_format(old_kw.get("format"), new_kw.get("format"), path)
    changes += _compare_multiple_of(old_kw.get("multipleOf"), new_kw.get("multipleOf"), path)
    changes += _compare_unique_items(old_kw, new_kw, path)
    changes += _compare_properties(old_kw, new_kw, path)
    changes += _compare_additional(old_kw, new_kw, path)
    changes += _compare_items(old_kw, new_kw, path)
    changes += _compare_default(old_kw, new_kw, path)
    changes += _compare_unknown(old_kw, new_kw, path)
    return changes


def _compare_nullability(a: _Shape, b: _Shape, path: str) -> list[Change]:
    # An untyped side allows null already; the type rule reports that difference.
    if a.nullable is None or b.nullable is None or a.nullable == b.nullable:
        return []
    if b.nullable:
        return [_change("nullable-added", path, True, False, "null is now allowed")]
    return [_change("nullable-removed", path, False, True, "null is no longer allowed")]


def _covers(types: frozenset[str], name: str) -> bool:
    # Every JSON integer is also a number.
    return name in types or (name == "integer" and "number" in types)


def _type_text(types: frozenset[str] | None) -> str:
    if types is None:
        return "any"
    return " | ".join(sorted(types)) or "null"


def _compare_types(old, new, path: str) -> list[Change]:
    if old == new:
        return []
    span = f"from {_type_text(old)} to {_type_text(new)}"
    grows = new is None or (old is not None and all(_covers(new, t) for t in old))
    shrinks = old is None or (new is not None and all(_covers(old, t) for t in new))
    if grows and shrinks:
        return []  # e.g. `integer | number` versus `number`
    if grows:
        return [_change("type-widened", path, True, False, f"type widened {span}")]
    if shrinks:
        return [_change("type-narrowed", path, False, True, f"type narrowed {span}")]
    return [_change("type-changed", path, False, False, f"type changed {span}")]


def _compare_enum(old, new, path: str) -> list[Change]:
    if old == new:
        return []
    if old is None:
        allowed = ", ".join(sorted(new))
        return [_change("enum-narrowed", path, False, True, f"enum added: only {allowed} allowed")]
    if new is None:
        return [_change("enum-extended", path, True, False, "enum removed: any value allowed")]
    changes = []
    if added := ", ".join(sorted(new - old)):
        changes.append(_change("enum-extended", path, True, False, f"enum values added: {added}"))
    if removed := ", ".join(sorted(old - new)):
        message = f"enum values removed: {removed}"
        changes.append(_change("enum-narrowed", path, False, True, message))
    return changes


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _constraint(path: str, keyword: str, old: Any, new: Any, tightened: bool, verb: str):
    message = f"{keyword} {verb}: {_describe(old)} -> {_describe(new)}"
    if tightened:
        return _change("constraint-tightened", path, False, True, message)
    return _change("constraint-loosened", path, True, False, message)


def _describe(value: Any) -> str:
    return "none" if value is None else _text(value)


def _compare_bounds(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    changes = []
    for keyword in (*LOWER_BOUNDS, *UPPER_BOUNDS):
        old, new = old_kw.get(keyword), new_kw.get(keyword)
        if old == new:
            continue
        if not all(value is None or _is_number(value) for value in (old, new)):
            # Draft-4 boolean `exclusiveMinimum` and the like: cannot judge.
            changes.append(_schema_changed(path, keyword, old, new))
            continue
        lower = keyword in LOWER_BOUNDS
        if old is None or new is None:
            tightened = old is None
            verb = "added" if tightened else "removed"
        else:
            tightened = (new > old) if lower else (new < old)
            verb = "raised" if new > old else "lowered"
        changes.append(_constraint(path, keyword, old, new, tightened, verb))
    return changes


def _compare_pattern(old, new, path: str) -> list[Change]:
    if old == new:
        return []
    if old is None:
        return [_constraint(path, "pattern", old, new, True, "added")]
    if new is None:
        return [_constraint(path, "pattern", old, new, False, "removed")]
    # Whether one regex accepts a subset of another cannot be decided here.
    message = f"pattern changed: {_describe(old)} -> {_describe(new)}"
    return [_change("pattern-changed", path, False, False, message)]


def _compare_format(old, new, path: str) -> list[Change]:
    if old == new:
        return []
    if old is None or new is None:
        tightened = old is None
        return [
            _constraint(path, "format", old, new, tightened, "added" if tightened else "removed")
        ]
    message = f"format changed: {_describe(old)} -> {_describe(new)}"
    return [_change("constraint-changed", path, False, False, message)]


def _compare_multiple_of(old, new, path: str) -> list[Change]:
    if old == new:
        return []
    if old is None or new is None:
        tightened = old is None
        verb = "added" if tightened else "removed"
        return [_constraint(path, "multipleOf", old, new, tightened, verb)]
    if not (_is_number(old) and _is_number(new)) or old <= 0 or new <= 0:
        return [_schema_changed(path, "multipleOf", old, new)]
    # Exact decimal arithmetic, so 0.1 -> 0.01 is seen as a divisor.
    ratio = Fraction(str(new)) / Fraction(str(old))
    if ratio.denominator == 1:
        return [_constraint(path, "multipleOf", old, new, True, "changed to a multiple")]
    if ratio.numerator == 1:
        return [_constraint(path, "multipleOf", old, new, False, "changed to a divisor")]
    message = f"multipleOf changed: {_describe(old)} -> {_describe(new)}"
    return [_change("constraint-changed", path, False, False, message)]


def _compare_unique_items(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    old, new = old_kw.get("uniqueItems"), new_kw.get("uniqueItems")
    if bool(old) == bool(new):
        return []  # absent and false mean the same
    on = bool(new)
    return [_constraint(path, "uniqueItems", old, new, on, "turned on" if on else "turned off")]


def _properties(keywords: dict) -> dict:
    # A name listed in `required` but absent from `properties` is a property of any type.
    properties = dict(keywords.get("properties") or {})
    for name in keywords.get("required") or ():
        properties.setdefault(name, {})
    return properties


def _default(schema: Any) -> Any:
    return _shape(schema).keywords.get("default", _MISSING)


def _required(keywords: dict) -> set[str]:
    """Names a reader needs in the data: required and without a default to fill them."""
    properties = _properties(keywords)
    return {
        name for name in keywords.get("required") or () if _default(properties[name]) is _MISSING
    }


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
            changes += _compare_schema(old_props[name], new_props[name], where)
    return changes


def _accepts_extra(additional: Any, schema: Any, direction: str) -> bool:
    """Whether a reader whose `additionalProperties` is `additional` accepts this property."""
    if additional in (None, True, {}):
        return True
    if additional is False:
        return False
    # A schema for extras: the property must fit it, judged as one more schema change.
    old, new = (additional, schema) if direction == "forward" else (schema, additional)
    changes = _compare_schema(old, new, "$")
    return all(getattr(change, direction) for change in changes)


def _property_added(name: str, schema: Any, new_kw: dict, old_kw: dict, path: str) -> Change:
    forward = _accepts_extra(old_kw.get("additionalProperties"), schema, "forward")
    fix = None if forward else CLOSED_OLD_FIX
    default = _default(schema)
    listed = name in (new_kw.get("required") or ())
    # `default: null` on an unlisted property is pydantic's plain `Optional[X] = None`.
    if default is not _MISSING and (default is not None or listed):
        message = f"property '{name}' was added with default {_text(default)}, which fills old data"
        return _change("required-property-added-with-default", path, True, forward, message, fix)
    if listed:
        message = f"required property '{name}' was added without a default"
        return _change("required-property-added", path, False, forward, message, fix)
    return _change("property-added", path, True, forward, f"property '{name}' was added", fix)


def _property_removed(
    name: str, schema: Any, old_required: set[str], new_kw: dict, path: str
) -> Change:
    backward = _accepts_extra(new_kw.get("additionalProperties"), schema, "backward")
    fix = None if backward else CLOSED_NEW_FIX
    if name in old_required:
        message = f"required property '{name}' was removed"
        return _change("property-removed", path, backward, False, message, fix)
    message = f"optional property '{name}' was removed"
    return _change("property-removed", path, backward, True, message, fix)


def _compare_requiredness(name: str, old: set[str], new: set[str], path: str) -> list[Change]:
    if (name in old) == (name in new):
        return []
    if name in new:
        message = f"property '{name}' became required"
        return [_change("optional-to-required", path, False, True, message)]
    message = f"property '{name}' became optional"
    return [_change("required-to-optional", path, True, False, message)]


def _compare_additional(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    old = old_kw.get("additionalProperties", True)
    new = new_kw.get("additionalProperties", True)
    old, new = (True if value == {} else value for value in (old, new))
    if old == new:
        return []
    if new is False:
        message = "unknown properties are now forbidden (additionalProperties: false)"
        return [_change("additional-properties-restricted", path, False, True, message)]
    if old is False:
        message = "unknown properties are now allowed (additionalProperties no longer false)"
        return [_change("additional-properties-allowed", path, True, False, message)]
    return _compare_schema(old, new, f"{path}.*")


def _compare_items(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    old, new = old_kw.get("items", True), new_kw.get("items", True)
    if old == new:
        return []
    return _compare_schema(old, new, f"{path}[*]")


def _compare_default(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    old, new = old_kw.get("default", _MISSING), new_kw.get("default", _MISSING)
    if old == new:
        return []
    before = "none" if old is _MISSING else _text(old)
    after = "none" if new is _MISSING else _text(new)
    # Informational: each reader fills its own default.
    return [_change("default-changed", path, True, True, f"default changed: {before} -> {after}")]


def _schema_changed(path: str, keyword: str, old: Any, new: Any) -> Change:
    before = "none" if old is _MISSING else _describe(old)
    after = "none" if new is _MISSING else _describe(new)
    message = f"keyword '{keyword}' changed: {before} -> {after}"
    return _change("schema-changed", path, False, False, message)


def _same(keyword: str, old: Any, new: Any) -> bool:
    if keyword in UNORDERED and isinstance(old, list) and isinstance(new, list):
        return sorted(map(_text, old)) == sorted(map(_text, new))
    return old == new


def _compare_unknown(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    # Conservative: a keyword this checker cannot judge never passes silently.
    return [
        _schema_changed(path, keyword, old_kw.get(keyword, _MISSING), new_kw.get(keyword, _MISSING))
        for keyword in sorted(old_kw.keys() | new_kw.keys())
        if keyword not in UNDERSTOOD
        and not _same(keyword, old_kw.get(keyword, _MISSING), new_kw.get(keyword, _MISSING))
    ]
