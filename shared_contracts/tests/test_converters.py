"""Converter declarations: step semantics, derivation, chains and export."""

import copy
import json

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from shared_contracts import ContractError, NoConversionPath, Registry, registry
from shared_contracts.converters import (
    Add,
    ConverterDeclaration,
    Drop,
    MapValues,
    Rename,
    apply_steps,
    derive,
)

V1_ITEM = {"itemId": "a1b2c3", "productId": "kettle", "quantity": 2, "price": 49.0}
V2_ITEM = {**V1_ITEM, "discount": 7.5, "appliedPromo": "KETTLE-15"}


# --- the real registry --------------------------------------------------------------------------


def test_item_added_2_to_1_drops_the_promotion_fields():
    """2.0.0 → 1.0.0 drops discount and appliedPromo and keeps the rest."""
    out = registry.converters.convert("cart:item-added", V2_ITEM, "2.0.0", "1.0.0")
    assert out == V1_ITEM
    registry.validate_data("cart:item-added", "1.0.0", out)


def test_item_added_1_to_2_keeps_the_data():
    """1.0.0 → 2.0.0 is additive: the payload passes unchanged and is valid 2.0.0."""
    out = registry.converters.convert("cart:item-added", V1_ITEM, "1.0.0", "2.0.0")
    assert out == V1_ITEM
    model = registry.validate_data("cart:item-added", "2.0.0", out)
    assert model.discount is None and model.appliedPromo is None


def test_real_converters_are_derived_both_ways():
    """Both directions between the neighbours 1.0.0 and 2.0.0 exist and are derived."""
    pairs = {
        (d.source, d.target): d
        for d in registry.converters.declarations()
        if d.event == "cart:item-added"
    }
    assert set(pairs) == {("1.0.0", "2.0.0"), ("2.0.0", "1.0.0")}
    assert all(d.derived for d in pairs.values())
    assert pairs[("2.0.0", "1.0.0")].steps == (
        Drop(field="appliedPromo"),
        Drop(field="discount"),
    )


def test_convert_to_the_same_version_copies():
    """Converting to the same version returns an equal copy, never the input itself."""
    out = registry.converters.convert("cart:item-added", V2_ITEM, "2.0.0", "2.0.0")
    assert out == V2_ITEM and out is not V2_ITEM
    assert registry.converters.path("cart:item-added", "2.0.0", "2.0.0") == []


def test_convert_does_not_mutate_its_input():
    """The caller's payload is untouched by a conversion."""
    data = copy.deepcopy(V2_ITEM)
    registry.converters.convert("cart:item-added", data, "2.0.0", "1.0.0")
    assert data == V2_ITEM


# --- step semantics -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("steps", "data", "expected"),
    [
        ([Drop(field="a")], {"a": 1, "b": 2}, {"b": 2}),
        ([Drop(field="missing")], {"a": 1}, {"a": 1}),
        ([Drop(field="a.b")], {"a": {"b": 1, "c": 2}}, {"a": {"c": 2}}),
        ([Drop(field="a.b")], {"x": 1}, {"x": 1}),
        ([Drop(field="a.b")], {"a": 5}, {"a": 5}),
        ([Add(field="a", default=0)], {}, {"a": 0}),
        ([Add(field="a", default=0)], {"a": 7}, {"a": 7}),
        ([Add(field="a", default=0)], {"a": None}, {"a": None}),
        ([Add(field="a.b", default="x")], {}, {"a": {"b": "x"}}),
        ([Add(field="a.b", default="x")], {"a": {"c": 1}}, {"a": {"c": 1, "b": "x"}}),
        ([Add(field="a.b", default="x")], {"a": {"b": "kept"}}, {"a": {"b": "kept"}}),
        ([Rename(field="a", to="b")], {"a": 1}, {"b": 1}),
        ([Rename(field="a", to="b")], {"c": 1}, {"c": 1}),
        ([Rename(field="a", to="b")], {"a": 1, "b": 2}, {"b": 1}),
        ([Rename(field="a.b", to="c")], {"a": {"b": 1}}, {"a": {}, "c": 1}),
        ([Rename(field="a", to="x.y")], {"a": 1}, {"x": {"y": 1}}),
        ([Rename(field="a.b", to="a.c")], {"a": {"b": 1, "d": 2}}, {"a": {"c": 1, "d": 2}}),
        ([MapValues(field="t", values={"warn": "info"})], {"t": "warn"}, {"t": "info"}),
        ([MapValues(field="t", values={"warn": "info"})], {"t": "error"}, {"t": "error"}),
        ([MapValues(field="t", values={"1": "one"})], {"t": 1}, {"t": 1}),
        ([MapValues(field="t", values={"warn": "info"})], {}, {}),
        ([MapValues(field="a.t", values={"old": "new"})], {"a": {"t": "old"}}, {"a": {"t": "new"}}),
        (
            [Rename(field="kind", to="type"), MapValues(field="type", values={"warn": "info"})],
            {"kind": "warn"},
            {"type": "info"},
        ),
        ([Drop(field="a"), Add(field="a", default=1)], {"a": 5}, {"a": 1}),
        ([Add(field="a", default=1), Drop(field="a")], {}, {}),
    ],
)
def test_apply_steps(steps, data, expected):
    """Each step kind, at top level and along dotted paths, applied in order."""
    before = copy.deepcopy(data)
    assert apply_steps(steps, data) == expected
    assert data == before, "apply_steps must not mutate its input"


def test_apply_steps_does_not_share_nested_objects():
    """The output holds copies: editing it touches neither the input nor the step's default."""
    data = {"a": {"b": [1, 2]}}
    add = Add(field="tags", default=[])
    out = apply_steps([add], data)
    out["a"]["b"].append(3)
    out["tags"].append("x")
    assert data == {"a": {"b": [1, 2]}}
    assert add.default == []
    assert apply_steps([add], {}) == {"tags": []}


def test_declaration_apply_runs_its_steps():
    """`ConverterDeclaration.apply` is `apply_steps` over its own steps."""
    declaration = ConverterDeclaration(
        event="toy:event", source="1.0.0", target="2.0.0", steps=(Rename(field="a", to="b"),)
    )
    assert declaration.apply({"a": 1}) == {"b": 1}


@pytest.mark.parametrize("path", ["", "a..b", ".a", "a.", "1a", "a-b", "a b", "x" * 201])
def test_step_field_paths_are_validated(path):
    """Field paths are dotted identifiers of bounded length."""
    with pytest.raises(ValidationError):
        Drop(field=path)


def test_steps_forbid_unknown_keys():
    """A step with a misspelt key is rejected, not silently ignored."""
    with pytest.raises(ValidationError):
        ConverterDeclaration.model_validate(
            {
                "event": "toy:event",
                "source": "1.0.0",
                "target": "2.0.0",
                "steps": [{"op": "rename", "field": "a", "too": "b"}],
            }
        )


# --- a toy event with three versions --------------------------------------------------------


class Strict(BaseModel):
    """A strict, extra-ignoring base like the catalog's."""

    model_config = ConfigDict(strict=True, extra="ignore")


def toy_registry(*, reverse_rename: bool) -> Registry:
    """`toy:event` 1.0.0 {name}, 2.0.0 {title} (a rename), 3.0.0 {title, count=0}."""
    fresh = Registry()

    @fresh.register("toy:event", "1.0.0")
    class V1(Strict):
        name: str

    @fresh.register("toy:event", "2.0.0")
    class V2(Strict):
        title: str

    @fresh.register("toy:event", "3.0.0")
    class V3(Strict):
        title: str
        count: int = 0

    fresh.declare_converter("toy:event", "1.0.0", "2.0.0", [Rename(field="name", to="title")])
    if reverse_rename:
        fresh.declare_converter("toy:event", "2.0.0", "1.0.0", [Rename(field="title", to="name")])
    return fresh


def test_chain_composes_forward():
    """1 → 3 runs the declared rename, then the derived additive step."""
    toy = toy_registry(reverse_rename=False)
    chain = toy.converters.path("toy:event", "1.0.0", "3.0.0")
    assert [(d.source, d.target) for d in chain] == [("1.0.0", "2.0.0"), ("2.0.0", "3.0.0")]
    assert [d.derived for d in chain] == [False, True]
    out = toy.converters.convert("toy:event", {"name": "kettle"}, "1.0.0", "3.0.0")
    assert out == {"title": "kettle", "count": 0}
    assert toy.validate_data("toy:event", "3.0.0", out).title == "kettle"


def test_chain_composes_backward_with_the_reverse_rename():
    """3 → 1 drops `count` (derived) and renames back (declared)."""
    toy = toy_registry(reverse_rename=True)
    chain = toy.converters.path("toy:event", "3.0.0", "1.0.0")
    assert [(d.source, d.target) for d in chain] == [("3.0.0", "2.0.0"), ("2.0.0", "1.0.0")]
    out = toy.converters.convert("toy:event", {"title": "kettle", "count": 4}, "3.0.0", "1.0.0")
    assert out == {"name": "kettle"}
    toy.validate_data("toy:event", "1.0.0", out)


def test_no_path_without_the_reverse_rename():
    """A rename is not derivable: without a declared reverse, 3 → 1 has no path."""
    toy = toy_registry(reverse_rename=False)
    assert not toy.converters.can_convert("toy:event", "2.0.0", "1.0.0")
    assert toy.converters.can_convert("toy:event", "3.0.0", "2.0.0")
    with pytest.raises(NoConversionPath) as caught:
        toy.converters.convert("toy:event", {"title": "k"}, "3.0.0", "1.0.0")
    assert isinstance(caught.value, ContractError)
    assert caught.value.reason == "no-conversion"
    assert caught.value.details == [{"event": "toy:event", "from": "3.0.0", "to": "1.0.0"}]


def test_no_path_for_unknown_event_or_version():
    """Unknown events and versions have no path either."""
    assert not registry.converters.can_convert("nope:event", "1.0.0", "2.0.0")
    with pytest.raises(NoConversionPath):
        registry.converters.path("cart:item-added", "1.0.0", "9.0.0")


def test_declaring_later_recomputes_the_converters():
    """Declaring a converter after converters were computed makes the new path available."""
    toy = toy_registry(reverse_rename=False)
    assert not toy.converters.can_convert("toy:event", "3.0.0", "1.0.0")
    toy.declare_converter("toy:event", "2.0.0", "1.0.0", [Rename(field="title", to="name")])
    assert toy.converters.can_convert("toy:event", "3.0.0", "1.0.0")


def test_declared_converter_wins_over_derivation():
    """A declared converter between neighbours replaces the derived one."""
    toy = toy_registry(reverse_rename=False)
    toy.declare_converter("toy:event", "2.0.0", "3.0.0", [Add(field="count", default=9)])
    (step,) = toy.converters.path("toy:event", "2.0.0", "3.0.0")
    assert not step.derived
    assert toy.converters.convert("toy:event", {"title": "t"}, "2.0.0", "3.0.0")["count"] == 9


@pytest.mark.parametrize(
    ("source", "target"), [("1.0.0", "9.9.9"), ("9.9.9", "1.0.0")], ids=["target", "source"]
)
def test_declaring_for_an_unknown_version_is_refused(source, target):
    """A converter must join two registered versions."""
    toy = toy_registry(reverse_rename=False)
    with pytest.raises(ContractError) as caught:
        toy.declare_converter("toy:event", source, target, [])
    assert caught.value.reason == "unknown-version"
    assert len(toy.declared_converters()) == 1


def test_declaring_for_an_unknown_event_is_refused():
    """A converter for an unregistered event is refused."""
    with pytest.raises(ContractError) as caught:
        Registry().declare_converter("nope:event", "1.0.0", "2.0.0", [])
    assert caught.value.reason == "unknown-event"


# --- derive ------------------------------------------------------------------------------------


def schema_of(model: type[BaseModel]) -> dict:
    """The JSON Schema pydantic gives a model."""
    return model.model_json_schema()


class Base(Strict):
    a: int


class RequiredAdded(Base):
    b: str


class DefaultAdded(Base):
    b: int = 5
    tags: list[str] = Field(default_factory=list)


class OptionalAdded(Base):
    b: str | None = None


def test_derive_refuses_a_required_field_without_default():
    """Old data lacks the new required field: no converter can be derived."""
    assert derive("toy:event", "1", "2", schema_of(Base), schema_of(RequiredAdded)) is None


def test_derive_adds_a_non_null_default():
    """A new field with a non-null default becomes an Add step with that default."""
    declaration = derive("toy:event", "1", "2", schema_of(Base), schema_of(DefaultAdded))
    assert declaration is not None and declaration.derived
    assert Add(field="b", default=5) in declaration.steps
    assert declaration.apply({"a": 1})["b"] == 5


def test_derive_skips_a_null_default():
    """An optional field defaulting to None needs no step."""
    declaration = derive("toy:event", "1", "2", schema_of(Base), schema_of(OptionalAdded))
    assert declaration is not None and declaration.steps == ()


def test_derive_drops_fields_the_target_lacks():
    """Going from the larger to the smaller schema drops the extra fields, sorted."""
    declaration = derive("toy:event", "2", "1", schema_of(DefaultAdded), schema_of(Base))
    assert declaration is not None
    assert declaration.steps == (Drop(field="b"), Drop(field="tags"))
    assert declaration.apply({"a": 1, "b": 2, "tags": []}) == {"a": 1}


# --- export -----------------------------------------------------------------------------------


@pytest.mark.parametrize("catalog", ["real", "toy"])
def test_export_round_trips(catalog):
    """The export is JSON, and each item parses back into an equal declaration."""
    source = registry if catalog == "real" else toy_registry(reverse_rename=True)
    exported = source.converters.export()
    assert exported
    text = json.dumps(exported)
    parsed = [ConverterDeclaration.model_validate(item) for item in json.loads(text)]
    assert parsed == source.converters.declarations()


def test_export_of_every_step_kind_round_trips():
    """Drop, Add, Rename and MapValues survive JSON and come back as the same classes."""
    toy = toy_registry(reverse_rename=False)
    steps = [
        Drop(field="x.y"),
        Add(field="z", default={"nested": [1, None]}),
        Rename(field="a", to="b.c"),
        MapValues(field="t", values={"warn": "info", "old": None}),
    ]
    toy.declare_converter("toy:event", "3.0.0", "1.0.0", steps)
    exported = json.loads(json.dumps(toy.converters.export()))
    (item,) = [d for d in exported if (d["source"], d["target"]) == ("3.0.0", "1.0.0")]
    assert [s["op"] for s in item["steps"]] == ["drop", "add", "rename", "map"]
    assert ConverterDeclaration.model_validate(item).steps == tuple(steps)
