"""Compare two JSON Schemas of one event and say what the change does to readers.

Every difference becomes a `Change` with two verdicts:

- backward: a reader on the NEW schema accepts data written with the OLD schema;
- forward: a reader on the OLD schema accepts data written with the NEW schema.

Readers ignore properties they do not know (the models use `extra="ignore"`), so an extra
property in data only matters where a schema says `additionalProperties: false`.

The checker in four modules, read in this order: `report` (a change, its verdicts and the
report), `shape` (one schema node with its many spellings folded), `structure` (the walk:
objects, their properties, arrays) and `keywords` (one keyword at a time: types, enums,
bounds, patterns).

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

from shared_contracts.compatibility.report import MODES, Change, Report
from shared_contracts.compatibility.structure import compare_schema
from shared_contracts.schemas import canonical

__all__ = ["MODES", "Change", "Report", "compare"]


def compare(old: dict, new: dict) -> Report:
    """Compare an old and a new schema of one event."""
    changes = compare_schema(canonical(old), canonical(new), "$")
    return Report(tuple(sorted(changes, key=lambda c: (c.path, c.code, c.message))))
