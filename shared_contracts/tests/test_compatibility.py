"""The schema compatibility checker: one rule at a time, then nesting, refs and the registry."""

import pytest

from shared_contracts import registry
from shared_contracts.compatibility import Change, Report, compare

INT = {"type": "integer"}
STR = {"type": "string"}
NUM = {"type": "number"}


def obj(props: dict, required=(), **extra) -> dict:
    """A small object schema."""
    return {"type": "object", "properties": props, "required": list(required), **extra}


def field(schema: dict) -> dict:
    """An object whose one required property `x` has `schema`."""
    return obj({"x": schema}, required=["x"])


def optional(schema: dict) -> dict:
    """Pydantic's `X | None = None`."""
    return {"anyOf": [schema, {"type": "null"}], "default": None}


def only(report: Report) -> Change:
    """The single change of a report."""
    assert len(report.changes) == 1, report.changes
    return report.changes[0]


def assert_verdict(change: Change, code: str, path: str, backward: bool, forward: bool):
    """Check a change's code, path and both verdicts, and that a fix comes exactly when needed."""
    assert (change.code, change.path, change.backward, change.forward) == (
        code,
        path,
        backward,
        forward,
    )
    assert change.message
    if backward and forward:
        assert change.fix is None
    else:
        assert isinstance(change.fix, str) and change.fix.strip()


CLOSED = {"additionalProperties": False}

# (old, new, code, path, backward, forward): each rule in its compatible and incompatible form.
RULES = {
    "property-added": (obj({"a": INT}), obj({"a": INT, "b": STR}), "property-added", "$.b", 1, 1),
    "property-added-optional-pydantic": (
        obj({"a": INT}),
        obj({"a": INT, "b": optional(STR)}),
        "property-added",
        "$.b",
        1,
        1,
    ),
    "property-added-to-closed-object": (
        obj({"a": INT}, **CLOSED),
        obj({"a": INT, "b": STR}, **CLOSED),
        "property-added",
        "$.b",
        1,
        0,
    ),
    "required-property-added": (
        obj({"a": INT}),
        obj({"a": INT, "b": STR}, required=["b"]),
        "required-property-added",
        "$.b",
        0,
        1,
    ),
    "required-property-added-to-closed-object": (
        obj({"a": INT}, **CLOSED),
        obj({"a": INT, "b": STR}, required=["b"], **CLOSED),
        "required-property-added",
        "$.b",
        0,
        0,
    ),
    "required-property-added-with-default-pydantic": (
        obj({"a": INT}),
        obj({"a": INT, "b": {"type": "integer", "default": 3}}),
        "required-property-added-with-default",
        "$.b",
        1,
        1,
    ),
    "required-property-added-with-default-hand-written": (
        obj({"a": INT}),
        obj({"a": INT, "b": {"type": "integer", "default": 3}}, required=["b"]),
        "required-property-added-with-default",
        "$.b",
        1,
        1,
    ),
    "required-property-added-with-default-to-closed-object": (
        obj({"a": INT}, **CLOSED),
        obj({"a": INT, "b": {"type": "integer", "default": 3}}, **CLOSED),
        "required-property-added-with-default",
        "$.b",
        1,
        0,
    ),
    "property-removed-optional": (
        obj({"a": INT, "b": STR}),
        obj({"a": INT}),
        "property-removed",
        "$.b",
        1,
        1,
    ),
    "property-removed-required": (
        obj({"a": INT, "b": STR}, required=["b"]),
        obj({"a": INT}),
        "property-removed",
        "$.b",
        1,
        0,
    ),
    "property-removed-required-with-default": (
        obj({"a": INT, "b": {"type": "string", "default": "x"}}, required=["b"]),
        obj({"a": INT}),
        "property-removed",
        "$.b",
        1,
        1,
    ),
    "property-removed-from-closed-object": (
        obj({"a": INT, "b": STR}, **CLOSED),
        obj({"a": INT}, **CLOSED),
        "property-removed",
        "$.b",
        0,
        1,
    ),
    "optional-to-required": (obj({"x": INT}), field(INT), "optional-to-required", "$.x", 0, 1),
    "required-to-optional": (field(INT), obj({"x": INT}), "required-to-optional", "$.x", 1, 0),
    "type-changed": (field(NUM), field(STR), "type-changed", "$.x", 0, 0),
    "type-changed-object-to-array": (
        field(obj({"a": INT})),
        field({"type": "array", "items": INT}),
        "type-changed",
        "$.x",
        0,
        0,
    ),
    "type-widened": (field(INT), field(NUM), "type-widened", "$.x", 1, 0),
    "type-widened-list": (
        field({"type": ["string"]}),
        field({"type": ["integer", "string"]}),
        "type-widened",
        "$.x",
        1,
        0,
    ),
    "type-widened-anyof-of-types": (
        field(STR),
        field({"anyOf": [STR, INT]}),
        "type-widened",
        "$.x",
        1,
        0,
    ),
    "type-narrowed": (field(NUM), field(INT), "type-narrowed", "$.x", 0, 1),
    "type-narrowed-list": (
        field({"type": ["integer", "string"]}),
        field({"type": "string"}),
        "type-narrowed",
        "$.x",
        0,
        1,
    ),
    "type-narrowed-from-any": (field({}), field(STR), "type-narrowed", "$.x", 0, 1),
    "nullable-added": (
        field(INT),
        field({"anyOf": [INT, {"type": "null"}]}),
        "nullable-added",
        "$.x",
        1,
        0,
    ),
    "nullable-added-type-list": (
        field(STR),
        field({"type": ["null", "string"]}),
        "nullable-added",
        "$.x",
        1,
        0,
    ),
    "nullable-added-enum": (
        field({"enum": ["a"]}),
        field({"enum": ["a", None]}),
        "nullable-added",
        "$.x",
        1,
        0,
    ),
    "nullable-removed": (
        field({"anyOf": [INT, {"type": "null"}]}),
        field(INT),
        "nullable-removed",
        "$.x",
        0,
        1,
    ),
    "enum-extended": (
        field({"enum": ["a", "b"], "type": "string"}),
        field({"enum": ["a", "b", "c"], "type": "string"}),
        "enum-extended",
        "$.x",
        1,
        0,
    ),
    "enum-extended-by-removing-enum": (
        field({"enum": ["a"], "type": "string"}),
        field(STR),
        "enum-extended",
        "$.x",
        1,
        0,
    ),
    "enum-extended-from-const": (
        field({"const": "a", "type": "string"}),
        field({"enum": ["a", "b"], "type": "string"}),
        "enum-extended",
        "$.x",
        1,
        0,
    ),
    "enum-narrowed": (
        field({"enum": ["a", "b", "c"], "type": "string"}),
        field({"enum": ["a", "b"], "type": "string"}),
        "enum-narrowed",
        "$.x",
        0,
        1,
    ),
    "enum-narrowed-by-adding-enum": (
        field(STR),
        field({"enum": ["a"], "type": "string"}),
        "enum-narrowed",
        "$.x",
        0,
        1,
    ),
    "enum-narrowed-to-const": (
        field({"enum": ["a", "b"], "type": "string"}),
        field({"const": "a", "type": "string"}),
        "enum-narrowed",
        "$.x",
        0,
        1,
    ),
    "pattern-changed": (
        field({"type": "string", "pattern": "^a"}),
        field({"type": "string", "pattern": "^b"}),
        "pattern-changed",
        "$.x",
        0,
        0,
    ),
    "multipleOf-changed-neither-way": (
        field({"type": "integer", "multipleOf": 3}),
        field({"type": "integer", "multipleOf": 2}),
        "constraint-changed",
        "$.x",
        0,
        0,
    ),
    "format-changed": (
        field({"type": "string", "format": "date"}),
        field({"type": "string", "format": "email"}),
        "constraint-changed",
        "$.x",
        0,
        0,
    ),
    "additional-properties-restricted": (
        obj({"a": INT}),
        obj({"a": INT}, **CLOSED),
        "additional-properties-restricted",
        "$",
        0,
        1,
    ),
    "additional-properties-allowed": (
        obj({"a": INT}, **CLOSED),
        obj({"a": INT}),
        "additional-properties-allowed",
        "$",
        1,
        0,
    ),
    "additional-properties-schema-narrowed": (
        obj({}, additionalProperties=NUM),
        obj({}, additionalProperties=INT),
        "type-narrowed",
        "$.*",
        0,
        1,
    ),
    "default-changed": (
        obj({"x": {"type": "integer", "default": 1}}),
        obj({"x": {"type": "integer", "default": 2}}),
        "default-changed",
        "$.x",
        1,
        1,
    ),
    "schema-changed-unknown-keyword": (
        field({"type": "string", "contentEncoding": "base64"}),
        field({"type": "string", "contentEncoding": "base32"}),
        "schema-changed",
        "$.x",
        0,
        0,
    ),
    "schema-changed-keyword-added": (
        field({"type": "object"}),
        field({"type": "object", "propertyNames": {"maxLength": 3}}),
        "schema-changed",
        "$.x",
        0,
        0,
    ),
}


@pytest.mark.parametrize(
    ("old", "new", "code", "path", "backward", "forward"), RULES.values(), ids=RULES.keys()
)
def test_rule(old, new, code, path, backward, forward):
    change = only(compare(old, new))
    assert_verdict(change, code, path, bool(backward), bool(forward))


# (old keywords, new keywords): new is tighter than old; swapping them loosens.
TIGHTER = {
    "minimum-raised": ({"minimum": 0}, {"minimum": 1}),
    "minimum-added": ({}, {"minimum": 0}),
    "exclusiveMinimum-raised": ({"exclusiveMinimum": 0}, {"exclusiveMinimum": 5}),
    "maximum-lowered": ({"maximum": 10}, {"maximum": 9}),
    "maximum-added": ({}, {"maximum": 10}),
    "exclusiveMaximum-added": ({}, {"exclusiveMaximum": 10}),
    "minLength-raised": ({"minLength": 1}, {"minLength": 2}),
    "maxLength-added": ({}, {"maxLength": 64}),
    "maxLength-lowered": ({"maxLength": 64}, {"maxLength": 32}),
    "minItems-raised": ({"minItems": 0}, {"minItems": 1}),
    "maxItems-lowered": ({"maxItems": 5}, {"maxItems": 4}),
    "pattern-added": ({}, {"pattern": "^[a-z]+$"}),
    "multipleOf-added": ({}, {"multipleOf": 2}),
    "multipleOf-to-a-multiple": ({"multipleOf": 0.01}, {"multipleOf": 0.1}),
    "format-added": ({}, {"format": "email"}),
    "uniqueItems-on": ({}, {"uniqueItems": True}),
}


@pytest.mark.parametrize(("looser", "tighter"), TIGHTER.values(), ids=TIGHTER.keys())
def test_constraint_tightened_and_loosened(looser, tighter):
    keyword = next(iter(looser.keys() | tighter.keys()))
    tightened = only(compare(field(looser), field(tighter)))
    assert_verdict(tightened, "constraint-tightened", "$.x", False, True)
    loosened = only(compare(field(tighter), field(looser)))
    assert_verdict(loosened, "constraint-loosened", "$.x", True, False)
    # The message names the keyword and both values.
    for change, before, after in ((tightened, looser, tighter), (loosened, tighter, looser)):
        assert keyword in change.message
        for side in (before, after):
            assert str(side.get(keyword, "none")).lower() in change.message.lower()


def test_enum_with_values_added_and_removed_reports_both():
    report = compare(field({"enum": ["a", "b"]}), field({"enum": ["b", "c"]}))
    codes = [(c.code, c.backward, c.forward) for c in report.changes]
    assert codes == [("enum-extended", True, False), ("enum-narrowed", False, True)]
    assert '"c"' in report.changes[0].message and '"a"' in report.changes[1].message
    assert not report.backward_compatible and not report.forward_compatible


def test_minimum_swapped_for_exclusive_minimum_is_judged_per_keyword():
    report = compare(field({"minimum": 0}), field({"exclusiveMinimum": 0}))
    assert [c.code for c in report.changes] == ["constraint-loosened", "constraint-tightened"]
    assert not report.compatible("full")


def test_type_changed_stops_comparing_below_it():
    change = only(compare(field(obj({"a": INT}, ["a"])), field({"type": "array"})))
    assert change.code == "type-changed"


def test_identical_schemas_have_no_changes_in_any_mode():
    schema = registry.schema("cart:item-added", "2.0.0")
    report = compare(schema, schema)
    assert report.changes == ()
    assert all(report.compatible(mode) for mode in ("backward", "forward", "full"))


def test_title_and_description_changes_are_ignored():
    old = obj({"a": {"type": "integer", "title": "A", "description": "old"}}, title="Old")
    new = obj({"a": {"type": "integer", "title": "Alpha", "description": "new"}}, title="New")
    assert compare(old, new).changes == ()


def test_property_named_like_an_annotation_is_still_compared():
    change = only(compare(obj({"title": STR}), obj({})))
    assert_verdict(change, "property-removed", "$.title", True, True)


def test_nested_property_removed_has_full_path():
    old = obj({"address": obj({"street": STR, "city": STR}, ["street"])})
    new = obj({"address": obj({"city": STR})})
    assert_verdict(only(compare(old, new)), "property-removed", "$.address.street", True, False)


def test_ref_and_inlined_schema_are_equal():
    address = obj({"street": STR}, ["street"])
    inlined = obj({"address": address}, ["address"])
    with_ref = obj({"address": {"$ref": "#/$defs/Address"}}, ["address"], **{"$defs": {}})
    with_ref["$defs"]["Address"] = {**address, "title": "Address"}
    assert compare(inlined, with_ref).changes == ()
    assert compare(with_ref, inlined).changes == ()


def test_change_inside_a_ref_definition_has_the_property_path():
    def schema(zip_type: dict) -> dict:
        address = obj({"street": STR, "zip": zip_type}, ["street", "zip"])
        return obj({"address": {"$ref": "#/$defs/Address"}}, **{"$defs": {"Address": address}})

    change = only(compare(schema(INT), schema(STR)))
    assert_verdict(change, "type-changed", "$.address.zip", False, False)


def test_array_item_change_has_item_path():
    def schema(qty: dict) -> dict:
        return obj({"lines": {"type": "array", "items": obj({"qty": qty}, ["qty"])}})

    change = only(compare(schema(INT), schema(NUM)))
    assert_verdict(change, "type-widened", "$.lines[*].qty", True, False)


def test_odd_property_names_are_quoted_in_the_path():
    change = only(compare(obj({}), obj({"item-id": STR}, ["item-id"])))
    assert change.path == "$['item-id']"


def test_changes_are_sorted_by_path_then_code():
    old = obj({"b": INT, "a": INT}, ["a"])
    new = obj({"b": STR, "a": INT, "c": INT})
    keys = [(c.path, c.code) for c in compare(old, new).changes]
    assert keys == [
        ("$.a", "required-to-optional"),
        ("$.b", "type-changed"),
        ("$.c", "property-added"),
    ]


def test_registry_cart_item_added_v1_to_v2_is_fully_compatible():
    report = compare(
        registry.schema("cart:item-added", "1.0.0"), registry.schema("cart:item-added", "2.0.0")
    )
    assert report.compatible("full")
    assert [(c.code, c.path) for c in report.changes] == [
        ("property-added", "$.appliedPromo"),
        ("property-added", "$.discount"),
    ]


def test_modes_pick_the_breaking_changes():
    report = compare(obj({"a": INT, "b": STR}, ["b"]), obj({"a": NUM}))
    codes = {mode: [c.code for c in report.breaking(mode)] for mode in ("backward", "forward")}
    assert codes == {"backward": [], "forward": ["type-widened", "property-removed"]}
    assert report.compatible("backward") and not report.compatible("forward")
    assert [c.code for c in report.breaking("full")] == codes["forward"]
    assert report.backward_compatible and not report.forward_compatible


@pytest.mark.parametrize("method", ["compatible", "breaking", "to_dict"])
def test_unknown_mode_raises(method):
    with pytest.raises(ValueError, match="bogus"):
        getattr(compare(obj({}), obj({})), method)("bogus")


def test_to_dict_shape():
    report = compare(obj({"a": INT}), obj({"a": INT, "b": STR}, ["b"]))
    data = report.to_dict("forward")
    assert data == {
        "mode": "forward",
        "compatible": True,
        "backward": False,
        "forward": True,
        "changes": [
            {
                "code": "required-property-added",
                "path": "$.b",
                "backward": False,
                "forward": True,
                "message": report.changes[0].message,
                "fix": report.changes[0].fix,
            }
        ],
    }
    assert report.to_dict()["compatible"] is False
    assert "'b'" in data["changes"][0]["message"]
