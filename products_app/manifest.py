"""What each products release emits: release 2 adds the discount (cart:item-added 2.0.0)."""

from shared_contracts.manifests import Manifest, build_manifest


def item_added_versions(release: int, dual_emit: bool) -> list[str]:
    """The versions of cart:item-added one add is emitted in."""
    if release == 1:
        return ["1.0.0"]
    # During a transition release 2 sends both versions of one logical event.
    return ["1.0.0", "2.0.0"] if dual_emit else ["2.0.0"]


def manifest(release: int, dual_emit: bool = False) -> Manifest:
    """The manifest of one products release."""
    return build_manifest(
        "products",
        release,
        emits={
            "cart:item-added": item_added_versions(release, dual_emit),
            "notification:show": ["1.0.0"],
        },
        consumes={},
    )
