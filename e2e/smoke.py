"""One add to cart on a shop of its own, in headless Chromium: the last step of `mfe doctor`.

`python -m e2e.smoke` starts the host, products 1 and checkout 1 from the Procfile on free ports
with a temporary data folder (as the tests do), adds a mug, waits for the badge to say 1, stops
them, and prints one JSON line per step: `{"what", "ok", "detail", "fix"}`.
"""

import json
import tempfile
import time
from pathlib import Path


def say(what: str, ok: bool, detail: str = "", fix: str = "") -> None:
    """One step's result, for `mfe doctor` to print."""
    print(json.dumps({"what": what, "ok": ok, "detail": detail, "fix": fix}), flush=True)


def main() -> int:
    """Run the steps; exit 0 when the add to cart worked."""
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        say(
            "Playwright (a dev extra) drives a browser",
            False,
            "not installed",
            "`make install-dev` (or `.venv/bin/pip install playwright`)",
        )
        return 1
    from e2e.browsers import launch_options
    from e2e.pages import HostPage
    from e2e.processes import start_shop

    with sync_playwright() as playwright:
        try:
            options = launch_options(playwright)
        except RuntimeError as error:
            say("a Chromium for Playwright", False, "none found", str(error))
            return 1
        where = options.get("executable_path", "Playwright's own Chromium")
        say("a Chromium for Playwright", True, where)
        began = time.monotonic()
        with tempfile.TemporaryDirectory() as data:
            try:
                # The live pair and the host: the other two releases run the same code.
                shop = start_shop(Path(data), names=("host", "products-v1", "checkout-v1"))
            except (RuntimeError, AssertionError, OSError) as error:
                lines = str(error).strip().splitlines()[-6:]
                say("the shop starts", False, "\n".join(lines), "the error above names the app")
                return 1
            with shop:
                browser = playwright.chromium.launch(**options)
                try:
                    host = HostPage(browser.new_page(), shop.host).open()
                    host.products().add("mug")
                    expect(host.badge).to_have_text("1", timeout=20_000)
                except Exception as error:
                    detail = str(error).strip().splitlines()[0]
                    say("one add to cart", False, detail, "run `make test` to see which part fails")
                    return 1
                finally:
                    browser.close()
        seconds = time.monotonic() - began
        say("one add to cart in headless Chromium, on a shop of its own", True, f"{seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
