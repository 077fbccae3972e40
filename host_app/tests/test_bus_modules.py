"""The host's bus is plain ES modules a student reads one at a time (host_app/static/bus)."""

import re
from pathlib import Path

import pytest

BUS = Path(__file__).resolve().parents[1] / "static" / "bus"
MODULES = sorted(BUS.glob("*.js"))
IMPORTS = re.compile(r'^import\s*\{[^}]*\}\s*from\s*"([^"]+)"', re.M)


def imports_of(name: str) -> set[str]:
    """The module specifiers that bus module `name` imports."""
    return set(IMPORTS.findall((BUS / name).read_text()))


@pytest.mark.parametrize("module", MODULES, ids=lambda path: path.name)
def test_each_module_is_small_and_says_what_it_holds_first(module):
    lines = module.read_text().splitlines()
    assert len(lines) <= 300, f"{module.name} has {len(lines)} lines"
    assert lines[0].startswith("// "), f"{module.name} does not open with what it holds"


def test_one_module_checks_envelopes_and_the_router_only_coordinates():
    """Only envelopes.js validates; router.js hands each job to its module."""
    validating = [m.name for m in MODULES if "/mfe/static/validator.js" in imports_of(m.name)]
    assert validating == ["envelopes.js"]
    assert imports_of("router.js") >= {
        "./envelopes.js",
        "./limits.js",
        "./routing.js",
        "./outbox.js",
        "./persistence.js",
        "./services.js",
    }
    router = (BUS / "router.js").read_text()
    for job in ("validSize", "jsonSize", "setItem", "findPath", "new Bucket", "schedule("):
        assert job not in router, f"router.js does {job} itself"
