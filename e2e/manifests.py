"""The real apps' manifests, for tests that fake a release of an app.

A fake release starts from what the real app declares and changes only the events its test is
about, so a new event in products or checkout does not break the host's tests that stand in a
fork for it (docs/adding-an-event.md).
"""

from checkout_app.manifest import manifest as checkout_manifest
from products_app.manifest import manifest as products_manifest

REAL = {"products": products_manifest, "checkout": checkout_manifest}


def real_manifest(app: str, release: int = 1) -> dict:
    """The manifest the real `app` serves at `release`, as JSON data."""
    return REAL[app](release).model_dump(mode="json")


def fake_manifest(
    app: str, release: int, emits: dict | None = None, dropped: tuple[str, ...] = ()
) -> dict:
    """The real `app`'s release 1 manifest as a fake `release` serves it: `emits` sets the
    versions of the events it names, and the `dropped` events are no longer emitted."""
    real = real_manifest(app)
    # Every other event stays as the real app declares it, whatever it declares tomorrow.
    kept = {event: versions for event, versions in real["emits"].items() if event not in dropped}
    return {**real, "release": release, "emits": {**kept, **(emits or {})}}
