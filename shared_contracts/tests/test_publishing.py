"""The published lock: immutability of released schemas, and publishing new versions."""

import json
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict

from shared_contracts import Registry, publishing, registry
from shared_contracts.converters import Add
from shared_contracts.publishing import check, lock_file, publish, published, unpublished

EVENT = "cart:item-added"


@pytest.fixture
def lock(tmp_path) -> Path:
    """A writable copy of the real lock."""
    copy = tmp_path / "published"
    shutil.copytree(publishing.LOCK_DIR, copy)
    return copy


def edit(lock_dir: Path, event: str, version: str, change) -> None:
    """Load a lock file, let `change` edit the schema in place, and write it back."""
    path = lock_file(lock_dir, event, version)
    schema = json.loads(path.read_text())
    change(schema)
    path.write_text(json.dumps(schema, indent=2) + "\n")


def codes(problems) -> list[tuple[str, str, str]]:
    """(code, event, version) of each problem."""
    return [(p.code, p.event, p.version) for p in problems]


def test_real_lock_is_clean(lock):
    """The registry matches the lock, and everything registered is published."""
    assert check(registry, lock) == []
    assert unpublished(registry, lock) == []
    assert set(published(lock)) == {(c.event, c.version) for c in registry.contracts()}


def test_repository_lock_is_clean():
    """The lock in the repository itself (not a copy) holds."""
    assert check() == []


def _raise_quantity_maximum(schema):
    schema["properties"]["quantity"]["maximum"] = 9999


def _drop_price(schema):
    del schema["properties"]["price"]
    schema["required"].remove("price")


def _tighten_pattern(schema):
    schema["properties"]["itemId"]["pattern"] = "^[a-z]+$"


def _make_promo_required(schema):
    schema["required"].append("appliedPromo")


@pytest.mark.parametrize(
    ("version", "change"),
    [
        ("1.0.0", _raise_quantity_maximum),
        ("1.0.0", _drop_price),
        ("2.0.0", _tighten_pattern),
        ("2.0.0", _make_promo_required),
    ],
    ids=["maximum", "property-removed", "pattern", "required"],
)
def test_edited_published_schema_is_reported(lock, version, change):
    """Any change of meaning to a published schema is `published-schema-changed`."""
    edit(lock, EVENT, version, change)
    problems = check(registry, lock)
    assert codes(problems) == [("published-schema-changed", EVENT, version)]
    assert "immutable" in problems[0].message
    with pytest.raises(ValueError, match=r"no longer matches its published schema"):
        publish(registry, lock)


def test_changed_schema_message_names_the_change(lock):
    """The problem says what changed, by reason code and path."""
    edit(lock, EVENT, "1.0.0", _raise_quantity_maximum)
    (problem,) = check(registry, lock)
    assert "$.quantity" in problem.message
    assert problem.to_dict()["code"] == "published-schema-changed"


def _reword(schema):
    schema["description"] = "Reworded by a newer pydantic."
    schema["title"] = "Something else"
    schema["properties"]["quantity"]["description"] = "How many."
    schema["properties"]["quantity"]["title"] = "Qty"
    schema["examples"] = []
    # A field on its way out (lab 5): an annotation, so a published version may gain it.
    schema["properties"]["productId"]["deprecated"] = True


def _reorder(schema):
    schema["required"].reverse()
    schema["properties"] = dict(reversed(schema["properties"].items()))


@pytest.mark.parametrize("change", [_reword, _reorder], ids=["annotations", "order"])
def test_annotation_and_order_edits_are_not_reported(lock, change):
    """Canonical form ignores titles, descriptions, examples and key or `required` order."""
    edit(lock, EVENT, "2.0.0", change)
    assert check(registry, lock) == []


def test_deleted_lock_file_is_unpublished_and_published_again(lock):
    """A missing 2.0.0 is merely unpublished; `publish` writes it back exactly, once."""
    path = lock_file(lock, EVENT, "2.0.0")
    original = path.read_text()
    path.unlink()
    assert check(registry, lock) == []
    assert unpublished(registry, lock) == [(EVENT, "2.0.0")]

    assert publish(registry, lock) == [path]
    assert path.read_text() == original
    assert unpublished(registry, lock) == []
    assert publish(registry, lock) == []


def test_extra_lock_file_is_a_removed_version(lock):
    """A published version with no model is `published-version-removed`."""
    source = lock_file(lock, EVENT, "2.0.0")
    shutil.copy(source, lock_file(lock, EVENT, "3.0.0"))
    assert codes(check(registry, lock)) == [("published-version-removed", EVENT, "3.0.0")]


def test_removed_event_is_reported(lock):
    """A whole published event missing from the registry is reported per version."""
    folder = lock / "cart.removed"
    folder.mkdir()
    (folder / "1.0.0.json").write_text(json.dumps({"type": "object"}))
    assert codes(check(registry, lock)) == [("published-version-removed", "cart:removed", "1.0.0")]


# --- a fresh registry -------------------------------------------------------------------------


class Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="ignore")


class ToyV1(Strict):
    """Toy 1.0.0."""

    a: int


class ToyV2Incompatible(Strict):
    """Toy 2.0.0: a new required field without a default."""

    a: int
    b: str


class ToyV2Additive(Strict):
    """Toy 2.0.0: an optional field."""

    a: int
    b: str | None = None


def test_publish_a_fresh_registry(tmp_path):
    """Publishing into an empty lock writes one file per version, then nothing."""
    fresh = Registry()
    fresh.register("toy:event", "1.0.0")(ToyV1)
    fresh.register("toy:event", "2.0.0")(ToyV2Additive)
    written = publish(fresh, tmp_path)
    assert written == [
        lock_file(tmp_path, "toy:event", "1.0.0"),
        lock_file(tmp_path, "toy:event", "2.0.0"),
    ]
    assert json.loads(written[1].read_text()) == fresh.schema("toy:event", "2.0.0")
    assert check(fresh, tmp_path) == []
    assert publish(fresh, tmp_path) == []


def test_incompatible_new_version_without_converter(tmp_path):
    """A new version that can't be converted to is refused, and `publish` writes nothing."""
    fresh = Registry()
    fresh.register("toy:event", "1.0.0")(ToyV1)
    publish(fresh, tmp_path)
    fresh.register("toy:event", "2.0.0")(ToyV2Incompatible)
    before = sorted(tmp_path.rglob("*"))

    problems = check(fresh, tmp_path)
    assert codes(problems) == [("incompatible-without-converter", "toy:event", "2.0.0")]
    assert "1.0.0 → 2.0.0" in problems[0].message
    assert "required-property-added" in problems[0].message

    with pytest.raises(ValueError, match=r"toy:event@2\.0\.0: no converter"):
        publish(fresh, tmp_path)
    assert sorted(tmp_path.rglob("*")) == before
    assert not lock_file(tmp_path, "toy:event", "2.0.0").exists()


def test_declared_converter_makes_the_new_version_publishable(tmp_path):
    """Declaring the missing converter lifts the refusal."""
    fresh = Registry()
    fresh.register("toy:event", "1.0.0")(ToyV1)
    publish(fresh, tmp_path)
    fresh.register("toy:event", "2.0.0")(ToyV2Incompatible)
    fresh.declare_converter("toy:event", "1.0.0", "2.0.0", [Add(field="b", default="")])
    assert check(fresh, tmp_path) == []
    assert publish(fresh, tmp_path) == [lock_file(tmp_path, "toy:event", "2.0.0")]


@pytest.mark.parametrize("version", ["1.1.0", "1.0.1"])
def test_a_breaking_change_under_the_same_major_is_refused(tmp_path, version):
    """Converters alone do not make a break a minor: consumers pin majors, so it must be 2.0.0."""
    fresh = Registry()
    fresh.register("toy:event", "1.0.0")(ToyV1)
    publish(fresh, tmp_path)
    fresh.register("toy:event", version)(ToyV2Incompatible)
    fresh.declare_converter("toy:event", "1.0.0", version, [Add(field="b", default="")])
    problems = check(fresh, tmp_path)
    assert codes(problems) == [("breaking-change-needs-major", "toy:event", version)]
    assert "publish it as 2.0.0" in problems[0].message
    assert "required-property-added at $.b" in problems[0].message


def test_the_advice_names_a_major_that_is_free(tmp_path):
    """With 2.0.0 taken, a breaking 1.1.0 is told to be 3.0.0."""
    fresh = Registry()
    fresh.register("toy:event", "1.0.0")(ToyV1)
    fresh.register("toy:event", "2.0.0")(ToyV2Additive)
    publish(fresh, tmp_path)
    fresh.register("toy:event", "1.1.0")(ToyV2Incompatible)
    fresh.declare_converter("toy:event", "1.0.0", "1.1.0", [Add(field="b", default="")])
    (problem,) = check(fresh, tmp_path)
    assert problem.code == "breaking-change-needs-major"
    assert "publish it as 3.0.0" in problem.message


def test_an_additive_change_may_be_a_minor(tmp_path):
    """An optional field breaks nobody: 1.1.0 is fine."""
    fresh = Registry()
    fresh.register("toy:event", "1.0.0")(ToyV1)
    publish(fresh, tmp_path)
    fresh.register("toy:event", "1.1.0")(ToyV2Additive)
    assert check(fresh, tmp_path) == []


def test_default_lock_dir_is_read_at_call_time(lock, monkeypatch):
    """`check()` without arguments follows `publishing.LOCK_DIR` when it is repointed."""
    edit(lock, EVENT, "1.0.0", _drop_price)
    monkeypatch.setattr(publishing, "LOCK_DIR", lock)
    assert codes(check()) == [("published-schema-changed", EVENT, "1.0.0")]
