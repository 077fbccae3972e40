"""The page-against-manifest check finds what a page emits or handles without declaring it."""

from shared_contracts.conformance import undeclared_in_page
from shared_contracts.manifests import build_manifest

MANIFEST = build_manifest(
    "checkout",
    1,
    emits={"cart:updated": ["1.0.0"]},
    consumes={"cart:item-added": ["1.0.0"]},
)


def test_declared_calls_pass(tmp_path):
    page = tmp_path / "page.js"
    page.write_text(
        'await mfe.emit("cart:updated", "1.0.0", {itemCount: 1, total: 2});\n'
        'mfe.on("cart:item-added", (data) => save(data));\n'
    )
    assert undeclared_in_page(page, [MANIFEST]) == []


def test_undeclared_emits_versions_and_handlers_are_named_with_their_line(tmp_path):
    page = tmp_path / "page.js"
    page.write_text(
        'mfe.emit("order:placed", "1.0.0", {});\n'
        'mfe.emit("cart:updated", "2.0.0", {});\n'
        'mfe.emitAll("wishlist:item-saved", {"1.0.0": {}});\n'
        "mfe.on('order:placed', handle);\n"
    )
    assert undeclared_in_page(page, [MANIFEST]) == [
        "page.js:1: mfe.emit('order:placed', '1.0.0') but no release emits order:placed@1.0.0",
        "page.js:2: mfe.emit('cart:updated', '2.0.0') but no release emits cart:updated@2.0.0",
        "page.js:3: mfe.emitAll('wishlist:item-saved') but no release emits wishlist:item-saved",
        "page.js:4: mfe.on('order:placed') but no release consumes order:placed",
    ]


def test_every_module_of_the_events_folder_is_imported_by_the_catalog():
    """A new event is one new file: the catalog finds it without a list to edit."""
    import pkgutil
    import sys

    import shared_contracts.events as events

    found = [module.name for module in pkgutil.iter_modules(events.__path__)]
    assert {"cart", "notification", "order"} <= set(found)
    assert all(f"shared_contracts.events.{name}" in sys.modules for name in found)
