"""The workshop's fork of products declares what products' page emits, beside its own EMITS."""

from pathlib import Path

from products_app import fork
from shared_contracts.conformance import undeclared_in_page

PAGE = Path(__file__).resolve().parents[1] / "static" / "products.js"


def test_the_fork_keeps_to_the_products_page():
    assert undeclared_in_page(PAGE, [fork.fork_manifest()]) == []


def test_an_event_products_gains_reaches_the_fork_without_an_edit(monkeypatch):
    own = fork.products_manifest

    def grown(release: int, dual_emit: bool = False):
        manifest = own(release, dual_emit)
        return manifest.model_copy(
            update={"emits": {**manifest.emits, "wishlist:item-saved": ["1.0.0"]}}
        )

    monkeypatch.setattr(fork, "products_manifest", grown)
    emits = fork.fork_manifest().emits
    assert emits["wishlist:item-saved"] == ["1.0.0"]
    # The line the lab is about stays the fork's own.
    assert emits["cart:item-added"] == fork.EMITS["cart:item-added"]
