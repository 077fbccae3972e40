"""What each checkout release consumes: release 2 also takes cart:item-added 2.0.0."""

from shared_contracts.manifests import Manifest, build_manifest


def consumed_item_added(release: int) -> list[str]:
    """The versions of cart:item-added a release understands."""
    return ["1.0.0"] if release == 1 else ["1.0.0", "2.0.0"]


def manifest(release: int) -> Manifest:
    """The manifest of one checkout release."""
    return build_manifest(
        "checkout",
        release,
        emits={
            "cart:updated": ["1.0.0"],
            "order:placed": ["1.0.0"],
            "notification:show": ["1.0.0"],
        },
        consumes={"cart:item-added": consumed_item_added(release)},
    )
