"""Which Chromium the browser tests launch: chosen here and nowhere else.

Order: `MFE_BROWSER` (a path), then Playwright's own Chromium if installed, then Debian's
`/usr/bin/chromium`.
"""

import os
from pathlib import Path

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SYSTEM_CHROMIUM = Path("/usr/bin/chromium")

HOW_TO_GET_ONE = """No Chromium found for the browser tests. Get one of:
  - Playwright's own:   .venv/bin/playwright install chromium
  - Debian or Ubuntu:   sudo apt-get install chromium
  - any Chromium build: export MFE_BROWSER=/path/to/chromium
then run `make test` again."""


def launch_options(playwright) -> dict:
    """Keyword arguments for `playwright.chromium.launch`; RuntimeError if there is no browser."""
    explicit = os.environ.get("MFE_BROWSER")
    if explicit:
        if not Path(explicit).exists():
            raise RuntimeError(f"MFE_BROWSER={explicit} does not exist.\n\n{HOW_TO_GET_ONE}")
        return {"executable_path": explicit, "args": LAUNCH_ARGS}
    bundled = Path(playwright.chromium.executable_path)
    if bundled.exists():
        return {"args": LAUNCH_ARGS}
    if SYSTEM_CHROMIUM.exists():
        return {"executable_path": str(SYSTEM_CHROMIUM), "args": LAUNCH_ARGS}
    raise RuntimeError(HOW_TO_GET_ONE)
