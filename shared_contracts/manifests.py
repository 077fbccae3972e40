"""App manifests: which versions of which events an app emits and consumes.

Each app declares its releases with `Declaration`; the manifest served at
`/mfe-manifest.json` is generated from it and checked against the registry.
"""

import urllib.request

from pydantic import BaseModel, ConfigDict, Field

from shared_contracts.registry import Registry, registry
from shared_contracts.types import AppName, EventName, SemVer
from shared_contracts.versions import sort_versions

PROTOCOL = "1"

Versions = dict[EventName, list[SemVer]]


class Manifest(BaseModel):
    """What `/mfe-manifest.json` says about one release of one app."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)

    app: AppName
    release: int = Field(ge=1, le=999)
    protocol: str = PROTOCOL
    emits: Versions = Field(default_factory=dict)
    consumes: Versions = Field(default_factory=dict)

    def emits_version(self, event: str, version: str) -> bool:
        """Whether this release may emit (event, version)."""
        return version in self.emits.get(event, [])

    def consumes_event(self, event: str) -> list[str]:
        """The versions of `event` this release consumes, oldest first."""
        return self.consumes.get(event, [])


def build_manifest(
    app: str, release: int, emits: Versions, consumes: Versions, catalog: Registry = registry
) -> Manifest:
    """Build a manifest, refusing any (event, version) the registry does not know."""
    for declared in (emits, consumes):
        for event, versions in declared.items():
            for version in versions:
                catalog.get(event, version)
    return Manifest(
        app=app,
        release=release,
        emits={e: sort_versions(v) for e, v in sorted(emits.items())},
        consumes={e: sort_versions(v) for e, v in sorted(consumes.items())},
    )


def fetch_manifest(url: str, timeout: float = 2.0) -> Manifest:
    """GET `{url}/mfe-manifest.json`; OSError when unreachable, ValueError when not a manifest."""
    with urllib.request.urlopen(f"{url}/mfe-manifest.json", timeout=timeout) as reply:
        return Manifest.model_validate_json(reply.read())
