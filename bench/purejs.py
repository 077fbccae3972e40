"""`python -m bench.purejs`: the bus's own JavaScript per event, without the browser's messaging.

Starts the shop, opens a page at the host's origin and runs `js/purejs.js` there: the real
router and two real bus clients wired by function calls, so the figures are the cost of
validation, routing, dedupe, logging and bookkeeping alone (no structured clone, no tasks).
Prints µs per event for the emit round trip's work and the full path's work: the best and
the median round. docs/performance.md, section 11, uses it.
"""

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.bus import ADMIN_TOKEN
from e2e.browsers import launch_options
from e2e.processes import get_json, start_shop

SCRIPT = (Path(__file__).resolve().parent / "js" / "purejs.js").read_text()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.purejs", description=__doc__)
    parser.add_argument("--rounds", type=int, default=30, help="timed rounds per path")
    parser.add_argument("--events", type=int, default=2000, help="events per round")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    with (
        tempfile.TemporaryDirectory(prefix="mfe-purejs-") as tmp,
        start_shop(Path(tmp), {"MFE_ADMIN_TOKEN": ADMIN_TOKEN}) as shop,
    ):
        live = get_json(f"{shop.host}/api/deployments")["apps"]
        manifests = {name: live[name]["manifest"] for name in ("products", "checkout")}
        manifests["host"] = get_json(f"{shop.host}/mfe-manifest.json")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_options(playwright, full_browser=True))
            page = browser.new_page()
            page.goto(f"{shop.host}/contracts")
            out = page.evaluate(
                SCRIPT, {"manifests": manifests, "rounds": args.rounds, "events": args.events}
            )
            version = browser.version
            browser.close()
    print(f"Chromium {version}: µs of the bus's own JavaScript per event")
    for path in ("echo", "full"):
        rounds = out[path]
        print(f"  {path:5s} best {min(rounds):6.2f}   median {statistics.median(rounds):6.2f}")
    expected = (5 + args.rounds) * args.events
    if out["handled"] != expected:
        print(f"  checkout handled {out['handled']} of {expected} events", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
