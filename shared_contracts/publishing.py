"""The published lock: the JSON Schema of every released version, kept in the repository.

`check` fails when a model no longer matches its published schema (a released contract was
edited), when a published version disappeared, or when a new version can be neither
converted to nor from its predecessor. `publish` adds new versions and never rewrites one.
"""

import json
from dataclasses import asdict, dataclass
from pathlib import Path

from shared_contracts.bundle import file_stem
from shared_contracts.compatibility import compare
from shared_contracts.registry import Registry, registry
from shared_contracts.schemas import canonical

LOCK_DIR = Path(__file__).resolve().parent / "published"


@dataclass(frozen=True)
class Problem:
    """One reason `mfe contracts check` fails."""

    code: str
    event: str
    version: str
    message: str

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return asdict(self)


def lock_file(lock_dir: Path, event: str, version: str) -> Path:
    """Where the published schema of (event, version) lives."""
    return Path(lock_dir) / file_stem(event) / f"{version}.json"


def _lock_dir(lock_dir: Path | None) -> Path:
    """`lock_dir`, or `LOCK_DIR` as it is at call time (so tests can repoint it)."""
    return Path(LOCK_DIR if lock_dir is None else lock_dir)


def published(lock_dir: Path | None = None) -> dict[tuple[str, str], dict]:
    """Every published schema, keyed by (event, version), read from its `title`-less file path."""
    found = {}
    for path in sorted(_lock_dir(lock_dir).glob("*/*.json")):
        schema = json.loads(path.read_text())
        event = path.parent.name.replace(".", ":")
        found[(event, path.stem)] = schema
    return found


def _major(version: str) -> int:
    return int(version.split(".")[0])


def _transition_problems(catalog: Registry, event: str, version: str) -> list[Problem]:
    """Problems between a new version and its predecessor: a breaking change needs a new major
    version, and both directions need a converter."""
    versions = catalog.versions(event)
    index = versions.index(version)
    if index == 0:
        return []
    previous = versions[index - 1]
    breaking = compare(catalog.schema(event, previous), catalog.schema(event, version)).breaking(
        "full"
    )
    if breaking and _major(version) <= _major(previous):
        # Consumers pin majors: a break under a minor or patch number reads as safe to take.
        reasons = "; ".join(f"{c.code} at {c.path}" for c in breaking)
        return [
            Problem(
                "breaking-change-needs-major",
                event,
                version,
                f"{version} breaks {previous} ({reasons}): publish it as "
                f"{max(_major(v) for v in versions) + 1}.0.0, with converters both ways",
            )
        ]
    converters = catalog.converters
    missing = [
        (source, target)
        for source, target in ((previous, version), (version, previous))
        if not converters.can_convert(event, source, target)
    ]
    if not missing:
        return []
    reasons = "; ".join(f"{c.code} at {c.path} ({c.message}); fix: {c.fix}" for c in breaking)
    directions = " and ".join(f"{s} → {t}" for s, t in missing)
    return [
        Problem(
            "incompatible-without-converter",
            event,
            version,
            f"no converter for {directions}: {reasons or 'schemas differ'}",
        )
    ]


def check(catalog: Registry = registry, lock_dir: Path | None = None) -> list[Problem]:
    """Every problem with the lock; empty when all is well."""
    problems = []
    locked = published(lock_dir)
    for (event, version), schema in sorted(locked.items()):
        if (event, version) not in catalog:
            problems.append(
                Problem(
                    "published-version-removed",
                    event,
                    version,
                    "a published version is missing from the registry; restore its model",
                )
            )
            continue
        current = catalog.schema(event, version)
        if canonical(current) != canonical(schema):
            changes = compare(schema, current).changes
            summary = "; ".join(f"{c.code} at {c.path}" for c in changes) or "schemas differ"
            problems.append(
                Problem(
                    "published-schema-changed",
                    event,
                    version,
                    f"the model no longer matches its published schema ({summary}); "
                    "published versions are immutable: publish a new version instead",
                )
            )
    for contract in catalog.contracts():
        if (contract.event, contract.version) not in locked:
            problems.extend(_transition_problems(catalog, contract.event, contract.version))
    return problems


def unpublished(
    catalog: Registry = registry, lock_dir: Path | None = None
) -> list[tuple[str, str]]:
    """Registered versions that are not in the lock yet."""
    locked = published(lock_dir)
    return [(c.event, c.version) for c in catalog.contracts() if (c.event, c.version) not in locked]


def publish(catalog: Registry = registry, lock_dir: Path | None = None) -> list[Path]:
    """Write the schema of each new version; refuses (ValueError) while `check` finds problems."""
    lock_dir = _lock_dir(lock_dir)
    problems = check(catalog, lock_dir)
    if problems:
        raise ValueError("; ".join(f"{p.event}@{p.version}: {p.message}" for p in problems))
    written = []
    for event, version in unpublished(catalog, lock_dir):
        path = lock_file(lock_dir, event, version)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(catalog.schema(event, version), indent=2) + "\n")
        written.append(path)
    return written
