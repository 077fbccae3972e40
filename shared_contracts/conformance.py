"""Does a page's JavaScript keep to its app's manifest?

The host refuses an emit its manifest does not declare, but only at run time, in a browser. This
reads the page's `mfe.emit`, `mfe.emitAll` and `mfe.on` calls as text, so a test catches the
mismatch first, naming the line.
"""

import re
from pathlib import Path

from shared_contracts.manifests import Manifest

# mfe.emit("event", "version", ...), mfe.emitAll("event", {...}), mfe.on("event", handler)
CALL = re.compile(
    r"\bmfe\.(emit|emitAll|on)\(\s*[\"']([^\"']+)[\"'](?:\s*,\s*[\"']([^\"']+)[\"'])?"
)


def undeclared_in_page(script: Path, manifests: list[Manifest]) -> list[str]:
    """Each call in `script` that no release's manifest declares, as `file:line: what`."""
    emits = {(event, v) for m in manifests for event, versions in m.emits.items() for v in versions}
    consumes = {event for m in manifests for event in m.consumes}
    problems = []
    for number, line in enumerate(script.read_text().splitlines(), start=1):
        for kind, event, version in CALL.findall(line):
            if kind == "on" and event not in consumes:
                what = f"mfe.on({event!r}) but no release consumes {event}"
            elif kind == "emitAll" and event not in {e for e, _ in emits}:
                what = f"mfe.emitAll({event!r}) but no release emits {event}"
            elif kind == "emit" and (event, version) not in emits:
                what = f"mfe.emit({event!r}, {version!r}) but no release emits {event}@{version}"
            else:
                continue
            problems.append(f"{script.name}:{number}: {what}")
    return problems
