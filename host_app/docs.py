"""`GET /contracts`: the living contract docs, generated from the registry and live manifests."""

from flask import Blueprint, render_template

from host_app import status
from host_app.manifest import manifest as host_manifest
from shared_contracts import registry
from shared_contracts.compatibility import compare
from shared_contracts.fields import describe_fields
from shared_contracts.manifests import Manifest

bp = Blueprint("docs", __name__)


def live_manifests() -> list[Manifest]:
    """The host's manifest and each live app's (those that answered)."""
    found = [host_manifest()]
    for entry in status.describe()["apps"].values():
        if entry["manifest"]:
            found.append(Manifest.model_validate(entry["manifest"]))
    return found


def version_view(event: str, version: str, previous: str | None, manifests: list[Manifest]):
    """Everything the page shows about one version."""
    contract = registry.get(event, version)
    emitters = [f"{m.app}@{m.release}" for m in manifests if version in m.emits.get(event, [])]
    consumers = [f"{m.app}@{m.release}" for m in manifests if version in m.consumes.get(event, [])]
    report = compare(registry.schema(event, previous), contract.schema) if previous else None
    conversions = [
        d
        for d in registry.converters.declarations()
        if d.event == event and version in (d.source, d.target)
    ]
    return {
        "contract": contract,
        "fields": describe_fields(contract.schema),
        "example": (contract.schema.get("examples") or [None])[0],
        "previous": previous,
        "report": report,
        "conversions": conversions,
        "emitters": emitters,
        "consumers": consumers,
        "in_use": len(emitters) + len(consumers),
    }


@bp.get("/contracts")
def contracts():
    """Every event and version: fields, example, compatibility, conversions, who uses it."""
    manifests = live_manifests()
    events = []
    for event in registry.events():
        versions = registry.versions(event)
        views = [
            version_view(event, v, versions[i - 1] if i else None, manifests)
            for i, v in enumerate(versions)
        ]
        events.append({"name": event, "anchor": event.replace(":", "-"), "versions": views})
    columns = [(c.event, c.version) for c in registry.contracts()]
    matrix = [
        {
            "app": f"{m.app}@{m.release}",
            "cells": [
                "emits"
                if v in m.emits.get(e, [])
                else "consumes"
                if v in m.consumes.get(e, [])
                else ""
                for e, v in columns
            ],
        }
        for m in manifests
    ]
    deprecated_in_use = sum(
        1
        for event in events
        for view in event["versions"]
        if view["contract"].deprecated and view["in_use"]
    )
    return render_template(
        "docs/contracts.html",
        events=events,
        columns=columns,
        matrix=matrix,
        deprecated_in_use=deprecated_in_use,
    )
