"""Fake releases in the tests start from the real manifests, so a new event breaks none of them."""

import ast
from pathlib import Path

from e2e import manifests
from e2e.manifests import fake_manifest, real_manifest

ROOT = Path(__file__).resolve().parents[2]
REAL_APPS = {"products", "checkout"}


def with_new_event(monkeypatch) -> dict:
    """Products as if it had just gained an event (the adding-an-event guide's example)."""
    real = manifests.REAL["products"]

    def grown(release: int):
        manifest = real(release)
        return manifest.model_copy(
            update={"emits": {**manifest.emits, "wishlist:item-saved": ["1.0.0"]}}
        )

    monkeypatch.setitem(manifests.REAL, "products", grown)
    return real_manifest("products")


def test_a_fake_release_keeps_every_event_its_test_does_not_name(monkeypatch):
    real = with_new_event(monkeypatch)
    fake = fake_manifest("products", 3, {"cart:item-added": ["9.0.0"]})
    assert fake == {**real, "release": 3, "emits": {**real["emits"], "cart:item-added": ["9.0.0"]}}
    assert fake["emits"]["wishlist:item-saved"] == ["1.0.0"]


def test_a_dropped_event_is_the_only_one_missing(monkeypatch):
    real = with_new_event(monkeypatch)
    fake = fake_manifest("products", 3, dropped=("cart:item-added",))
    assert set(fake["emits"]) == set(real["emits"]) - {"cart:item-added"}


def hand_written_manifests(path: Path) -> list[str]:
    """Dict literals in `path` that spell out a real app's manifest (`app` and `emits`)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if not isinstance(node, ast.Dict):
            continue
        pairs = zip(node.keys, node.values, strict=True)
        keys = {k.value: v for k, v in pairs if isinstance(k, ast.Constant)}
        app = keys.get("app")
        if "emits" in keys and isinstance(app, ast.Constant) and app.value in REAL_APPS:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: a {app.value} manifest")
    return found


def test_no_test_spells_out_a_real_apps_manifest():
    """Use `e2e.manifests.fake_manifest`: a copy by hand breaks when the app gains an event."""
    tests = [*ROOT.glob("*/tests/test_*.py"), *ROOT.glob("e2e/**/*.py")]
    assert tests
    assert [found for path in sorted(tests) for found in hand_written_manifests(path)] == []
