"""The checkout page emits and handles only what a checkout release declares in its manifest."""

from pathlib import Path

from checkout_app.manifest import manifest
from shared_contracts.conformance import undeclared_in_page

PAGE = Path(__file__).resolve().parents[1] / "static" / "checkout.js"


def test_the_page_keeps_to_the_manifests_of_its_releases():
    assert undeclared_in_page(PAGE, [manifest(1), manifest(2)]) == []
