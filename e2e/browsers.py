"""Which Chromium the browser tests launch: chosen here and nowhere else.

Order: `MFE_BROWSER` (a path), then Playwright's own Chromium if installed, then Debian's.
Like Playwright's own, Debian's comes in two builds: a headless run takes
`/usr/bin/chromium-headless-shell` when it is installed, and `/usr/bin/chromium` otherwise
(and for `--headed`). The bench asks for the full browser even headless: it measures what a
shopper's Chromium does, and the shell is lighter than that (docs/performance.md).
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
# The build Playwright itself runs headless: no browser window to keep, so a fresh context and
# a page load cost half the CPU of the full browser's headless mode (docs/performance.md).
SYSTEM_HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")

HOW_TO_GET_ONE = """No Chromium found for the browser tests. Get one of:
  - Playwright's own:   .venv/bin/playwright install chromium
  - Debian or Ubuntu:   sudo apt-get install chromium chromium-headless-shell
  - any Chromium build: export MFE_BROWSER=/path/to/chromium
then run `make test` again."""


def launch_options(playwright, headless: bool = True, full_browser: bool = False) -> dict:
    """Keyword arguments for `playwright.chromium.launch`; RuntimeError if there is no browser.

    `full_browser`: the whole Chromium in its headless mode, never the headless shell.
    """
    explicit = os.environ.get("MFE_BROWSER")
    if explicit:
        if not Path(explicit).exists():
            raise RuntimeError(f"MFE_BROWSER={explicit} does not exist.\n\n{HOW_TO_GET_ONE}")
        return {"executable_path": explicit, "args": LAUNCH_ARGS}
    bundled = Path(playwright.chromium.executable_path)
    if bundled.exists():
        # Playwright picks its own headless shell by itself, unless asked for this channel.
        return (
            {"channel": "chromium", "args": LAUNCH_ARGS} if full_browser else {"args": LAUNCH_ARGS}
        )
    if headless and not full_browser and SYSTEM_HEADLESS_SHELL.exists():
        return {"executable_path": str(SYSTEM_HEADLESS_SHELL), "args": LAUNCH_ARGS}
    if SYSTEM_CHROMIUM.exists():
        return {"executable_path": str(SYSTEM_CHROMIUM), "args": LAUNCH_ARGS}
    raise RuntimeError(HOW_TO_GET_ONE)
