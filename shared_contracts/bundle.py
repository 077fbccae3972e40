"""The contract bundle the browser uses: every schema and every converter declaration."""

import json
from functools import cache
from pathlib import Path

from shared_contracts.manifests import PROTOCOL
from shared_contracts.registry import RAW_ENVELOPE, Registry, registry
from shared_contracts.schemas import canonical


def browser_bundle(catalog: Registry = registry) -> dict:
    """Schemas (canonical form) and converters, as the browser's bus and validator read them."""
    contracts: dict[str, dict] = {}
    for contract in catalog.contracts():
        contracts.setdefault(contract.event, {})[contract.version] = {
            "schema": canonical(contract.schema),
            "deprecated": contract.deprecated,
            "sunset": contract.sunset,
        }
    return {
        "protocol": PROTOCOL,
        "envelope": canonical(RAW_ENVELOPE.model_json_schema()),
        "contracts": contracts,
        "converters": catalog.converters.export(),
    }


@cache
def default_bundle() -> dict:
    """The bundle of the shared registry, built once per process (pages and apps serve it)."""
    return browser_bundle()


def export(directory: Path, catalog: Registry = registry) -> list[Path]:
    """Write `contracts.json` and one full JSON Schema per version into `directory`."""
    directory = Path(directory)
    written = [directory / "contracts.json"]
    directory.mkdir(parents=True, exist_ok=True)
    written[0].write_text(json.dumps(browser_bundle(catalog), indent=2, sort_keys=True) + "\n")
    for contract in catalog.contracts():
        path = directory / "schemas" / file_stem(contract.event) / f"{contract.version}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(contract.schema, indent=2) + "\n")
        written.append(path)
    return written


def file_stem(event: str) -> str:
    """A file-system-safe folder name for an event (`cart:item-added` → `cart.item-added`)."""
    return event.replace(":", ".")
