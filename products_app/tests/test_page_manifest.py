"""The products page emits only what a products release declares in its manifest."""

from pathlib import Path

from products_app.manifest import manifest
from shared_contracts.conformance import undeclared_in_page

PAGE = Path(__file__).resolve().parents[1] / "static" / "products.js"


def test_the_page_keeps_to_the_manifests_of_its_releases():
    releases = [manifest(1), manifest(2), manifest(2, dual_emit=True)]
    assert undeclared_in_page(PAGE, releases) == []
