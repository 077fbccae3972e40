"""Can this release go live? Every event it emits must reach every live consumer (natively
or through converters), and every event it consumes must be produced in a version it takes.
"""

from dataclasses import asdict, dataclass

from shared_contracts.errors import ContractError
from shared_contracts.manifests import PROTOCOL, Manifest
from shared_contracts.registry import Registry, registry
from shared_contracts.versions import sort_versions


@dataclass(frozen=True)
class Finding:
    """One producer → consumer pair for one event, and whether it works."""

    producer: str
    consumer: str
    event: str
    ok: bool
    detail: str
    deprecated: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """JSON-ready form."""
        return {**asdict(self), "deprecated": list(self.deprecated)}


def _label(manifest: Manifest) -> str:
    return f"{manifest.app}@{manifest.release}"


def _steps(catalog: Registry, event: str, source: str, target: str) -> str:
    chain = catalog.converters.path(event, source, target)
    ops = [f"{s.op} {s.field}" for d in chain for s in d.steps]
    return ", ".join(ops) or "no change"


def pair(
    producer: Manifest, consumer: Manifest, event: str, catalog: Registry = registry
) -> Finding:
    """Does what `producer` emits of `event` reach `consumer` in a version it consumes?"""
    offered = sort_versions(producer.emits.get(event, []))
    wanted = sort_versions(consumer.consumes.get(event, []))
    deprecated = tuple(
        f"{event}@{v}"
        for v in sorted(set(offered) | set(wanted))
        if (event, v) in catalog and catalog.get(event, v).deprecated
    )
    unknown = [v for v in offered + wanted if (event, v) not in catalog]
    if unknown:
        return Finding(
            _label(producer),
            _label(consumer),
            event,
            False,
            f"{event} {', '.join(sorted(set(unknown)))} is not in the contract registry; "
            "publish the contract first",
            deprecated,
        )
    for target in reversed(wanted):
        if target in offered:
            return Finding(
                _label(producer), _label(consumer), event, True, f"{target} natively", deprecated
            )
        for source in reversed(offered):
            try:
                how = _steps(catalog, event, source, target)
            except ContractError:
                continue
            return Finding(
                _label(producer),
                _label(consumer),
                event,
                True,
                f"{source} → {target} by conversion ({how})",
                deprecated,
            )
    return Finding(
        _label(producer),
        _label(consumer),
        event,
        False,
        f"{_label(producer)} emits {', '.join(offered)}; {_label(consumer)} takes "
        f"{', '.join(wanted)}; no converter leads from one to the other",
        deprecated,
    )


def dropped(candidate: Manifest, current: Manifest | None, others: list[Manifest]) -> list[Finding]:
    """Events the release being replaced emits to a live consumer, that the candidate no longer
    emits and no other live app produces: deploying it would starve that consumer."""
    if current is None:
        return []
    findings = []
    for event in sorted(e for e, versions in current.emits.items() if versions):
        if candidate.emits.get(event) or any(m.emits.get(event) for m in others):
            continue
        for consumer in others:
            if consumer.consumes.get(event):
                findings.append(
                    Finding(
                        _label(candidate),
                        _label(consumer),
                        event,
                        False,
                        f"{_label(candidate)} no longer emits {event}, which {_label(consumer)} "
                        f"consumes; the live {_label(current)} emits it and no other live app does",
                    )
                )
    return findings


def spoken(candidate: Manifest, others: list[Manifest]) -> list[Finding]:
    """A finding when the candidate speaks another bus protocol than the host's."""
    host = next((m for m in others if m.app == "host"), None)
    protocol = host.protocol if host else PROTOCOL
    if candidate.protocol == protocol:
        return []
    # The host would refuse the frame's hello: nothing it emits or consumes would flow.
    return [
        Finding(
            _label(candidate),
            _label(host) if host else "host",
            "bus protocol",
            False,
            f"{_label(candidate)} speaks bus protocol {candidate.protocol!r}; the host speaks "
            f"{protocol!r} and would refuse its frame at the handshake",
        )
    ]


def check(candidate: Manifest, live: list[Manifest], catalog: Registry = registry) -> list[Finding]:
    """Every pair the candidate takes part in, against the live apps (the host included), and
    what it would stop producing that the live release of its app (in `live`, if known) does."""
    current = next((m for m in live if m.app == candidate.app), None)
    others = [m for m in live if m.app != candidate.app]
    findings = dropped(candidate, current, others) + spoken(candidate, others)
    for event in sorted(candidate.emits):
        for consumer in others:
            if consumer.consumes.get(event):
                findings.append(pair(candidate, consumer, event, catalog))
    for event in sorted(candidate.consumes):
        for producer in others:
            if producer.emits.get(event):
                findings.append(pair(producer, candidate, event, catalog))
    return findings


def deployable(findings: list[Finding]) -> bool:
    """True when every pair works."""
    return all(f.ok for f in findings)
