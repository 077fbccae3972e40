"""Typed, versioned event contracts shared by the host, products and checkout apps."""

from shared_contracts import events
from shared_contracts.envelope import Envelope, from_cloudevent, new_envelope, to_cloudevent
from shared_contracts.errors import ContractError, NoConversionPath
from shared_contracts.registry import Contract, Registry, registry

__all__ = [
    "Contract",
    "ContractError",
    "Envelope",
    "NoConversionPath",
    "Registry",
    "events",
    "from_cloudevent",
    "new_envelope",
    "registry",
    "to_cloudevent",
]
