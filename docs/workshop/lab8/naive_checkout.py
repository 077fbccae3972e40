"""A pytest plugin for lab 8's check: checkout's server as lab 2's naive handler (1.0.0 only).

A contract test of both versions must fail against it; one that passes tests nothing.
"""

import checkout_app.item_added
from shared_contracts import ContractError, registry


def naive_parse(raw: dict, release: int):
    """The chapter's naive consumer: it knows 1.0.0 and nothing else."""
    if raw.get("version") != "1.0.0":
        raise ContractError("unknown-version", f"checkout reads 1.0.0, not {raw.get('version')}")
    return registry.validate_envelope(raw)


def pytest_configure(config):
    """Swap checkout's parse for the naive one before any test runs."""
    checkout_app.item_added.parse = naive_parse
