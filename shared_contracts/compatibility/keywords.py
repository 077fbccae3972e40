"""The rules for one keyword at a time: nullability, types, enums, bounds, patterns, the rest."""

from fractions import Fraction
from typing import Any

from shared_contracts.compatibility.report import Change, change, describe, text
from shared_contracts.compatibility.shape import MISSING, Shape

LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")

# Keywords compared by a dedicated rule (here or in `structure`); any other is `schema-changed`.
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


def compare_nullability(a: Shape, b: Shape, path: str) -> list[Change]:
    """Null newly allowed or no longer allowed."""
    # An untyped side allows null already; the type rule reports that difference.
    if a.nullable is None or b.nullable is None or a.nullable == b.nullable:
        return []
    if b.nullable:
        return [change("nullable-added", path, True, False, "null is now allowed")]
    return [change("nullable-removed", path, False, True, "null is no longer allowed")]


def _covers(types: frozenset[str], name: str) -> bool:
    # Every JSON integer is also a number.
    return name in types or (name == "integer" and "number" in types)


def _type_text(types: frozenset[str] | None) -> str:
    if types is None:
        return "any"
    return " | ".join(sorted(types)) or "null"


def compare_types(old, new, path: str) -> list[Change]:
    """The set of JSON types widened, narrowed or changed."""
    if old == new:
        return []
    span = f"from {_type_text(old)} to {_type_text(new)}"
    grows = new is None or (old is not None and all(_covers(new, t) for t in old))
    shrinks = old is None or (new is not None and all(_covers(old, t) for t in new))
    if grows and shrinks:
        return []  # e.g. `integer | number` versus `number`
    if grows:
        return [change("type-widened", path, True, False, f"type widened {span}")]
    if shrinks:
        return [change("type-narrowed", path, False, True, f"type narrowed {span}")]
    return [change("type-changed", path, False, False, f"type changed {span}")]


def compare_enum(old, new, path: str) -> list[Change]:
    """Enum values added or removed (one change for each direction)."""
    if old == new:
        return []
    if old is None:
        allowed = ", ".join(sorted(new))
        return [change("enum-narrowed", path, False, True, f"enum added: only {allowed} allowed")]
    if new is None:
        return [change("enum-extended", path, True, False, "enum removed: any value allowed")]
    changes = []
    if added := ", ".join(sorted(new - old)):
        changes.append(change("enum-extended", path, True, False, f"enum values added: {added}"))
    if removed := ", ".join(sorted(old - new)):
        message = f"enum values removed: {removed}"
        changes.append(change("enum-narrowed", path, False, True, message))
    return changes


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _constraint(path: str, keyword: str, old: Any, new: Any, tightened: bool, verb: str):
    message = f"{keyword} {verb}: {describe(old)} -> {describe(new)}"
    if tightened:
        return change("constraint-tightened", path, False, True, message)
    return change("constraint-loosened", path, True, False, message)


def compare_bounds(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    """Each minimum and maximum, keyword by keyword: tightened or loosened."""
    changes = []
    for keyword in (*LOWER_BOUNDS, *UPPER_BOUNDS):
        old, new = old_kw.get(keyword), new_kw.get(keyword)
        if old == new:
            continue
        if not all(value is None or _is_number(value) for value in (old, new)):
            # Draft-4 boolean `exclusiveMinimum` and the like: cannot judge.
            changes.append(schema_changed(path, keyword, old, new))
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


def compare_pattern(old, new, path: str) -> list[Change]:
    """A pattern added (tightened), removed (loosened) or changed (unsafe both ways)."""
    if old == new:
        return []
    if old is None:
        return [_constraint(path, "pattern", old, new, True, "added")]
    if new is None:
        return [_constraint(path, "pattern", old, new, False, "removed")]
    # Whether one regex accepts a subset of another cannot be decided here.
    message = f"pattern changed: {describe(old)} -> {describe(new)}"
    return [change("pattern-changed", path, False, False, message)]


def compare_format(old, new, path: str) -> list[Change]:
    """A format added, removed or changed."""
    if old == new:
        return []
    if old is None or new is None:
        tightened = old is None
        return [
            _constraint(path, "format", old, new, tightened, "added" if tightened else "removed")
        ]
    message = f"format changed: {describe(old)} -> {describe(new)}"
    return [change("constraint-changed", path, False, False, message)]


def compare_multiple_of(old, new, path: str) -> list[Change]:
    """`multipleOf` changed to a multiple (tightened), a divisor (loosened) or anything else."""
    if old == new:
        return []
    if old is None or new is None:
        tightened = old is None
        verb = "added" if tightened else "removed"
        return [_constraint(path, "multipleOf", old, new, tightened, verb)]
    if not (_is_number(old) and _is_number(new)) or old <= 0 or new <= 0:
        return [schema_changed(path, "multipleOf", old, new)]
    # Exact decimal arithmetic, so 0.1 -> 0.01 is seen as a divisor.
    ratio = Fraction(str(new)) / Fraction(str(old))
    if ratio.denominator == 1:
        return [_constraint(path, "multipleOf", old, new, True, "changed to a multiple")]
    if ratio.numerator == 1:
        return [_constraint(path, "multipleOf", old, new, False, "changed to a divisor")]
    message = f"multipleOf changed: {describe(old)} -> {describe(new)}"
    return [change("constraint-changed", path, False, False, message)]


def compare_unique_items(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    """`uniqueItems` turned on (tightened) or off (loosened)."""
    old, new = old_kw.get("uniqueItems"), new_kw.get("uniqueItems")
    if bool(old) == bool(new):
        return []  # absent and false mean the same
    on = bool(new)
    return [_constraint(path, "uniqueItems", old, new, on, "turned on" if on else "turned off")]


def compare_default(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    """A default changed: reported, safe both ways."""
    old, new = old_kw.get("default", MISSING), new_kw.get("default", MISSING)
    if old == new:
        return []
    before = "none" if old is MISSING else text(old)
    after = "none" if new is MISSING else text(new)
    # Informational: each reader fills its own default.
    return [change("default-changed", path, True, True, f"default changed: {before} -> {after}")]


def schema_changed(path: str, keyword: str, old: Any, new: Any) -> Change:
    """A change to a keyword the checker cannot judge: unsafe both ways."""
    before = "none" if old is MISSING else describe(old)
    after = "none" if new is MISSING else describe(new)
    message = f"keyword '{keyword}' changed: {before} -> {after}"
    return change("schema-changed", path, False, False, message)


def _same(keyword: str, old: Any, new: Any) -> bool:
    if keyword in UNORDERED and isinstance(old, list) and isinstance(new, list):
        return sorted(map(text, old)) == sorted(map(text, new))
    return old == new


def compare_unknown(old_kw: dict, new_kw: dict, path: str) -> list[Change]:
    """Every other keyword that differs: `schema-changed`."""
    # Conservative: a keyword this checker cannot judge never passes silently.
    return [
        schema_changed(path, keyword, old_kw.get(keyword, MISSING), new_kw.get(keyword, MISSING))
        for keyword in sorted(old_kw.keys() | new_kw.keys())
        if keyword not in UNDERSTOOD
        and not _same(keyword, old_kw.get(keyword, MISSING), new_kw.get(keyword, MISSING))
    ]
