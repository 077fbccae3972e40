"""The real apps' manifests, for tests that fake a release of an app.

A fake release starts from what the real app declares, so a new event in products or checkout
does not break the host's tests that stand in a fork for it (docs/adding-an-event.md).
"""

from checkout_app.manifest import manifest as checkout_manifest
from products_app.manifest import manifest as products_manifest

REAL = {"products": products_manifest, "checkout": checkout_manifest}


def real_manifest(app: str, release: int = 1) -> dict:
    """The manifest the real `app` serves at `release`, as JSON data."""
    return REAL[app](release).model_dump(mode="json")
