"""What the host itself takes from the bus: notifications, cart totals, orders."""

from shared_contracts.manifests import Manifest, build_manifest


def manifest() -> Manifest:
    """The host's manifest: it consumes, and emits nothing."""
    return build_manifest(
        "host",
        1,
        emits={},
        consumes={
            "notification:show": ["1.0.0"],
            "cart:updated": ["1.0.0"],
            "order:placed": ["1.0.0"],
        },
    )
