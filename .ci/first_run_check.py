"""Check a shop started by `make run` in a fresh clone: called by `.ci/first-run`.

It waits until all five processes answer `/healthz`, loads the shop page in Chromium until both
frames finished their handshake, and compares the clone's installed packages with its runtime
lock. Any failure prints the last lines of `make run`'s log and exits 1.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

from packaging.markers import Marker  # noqa: E402 (after the path above)
from packaging.utils import canonicalize_name  # noqa: E402

from e2e.browsers import launch_options  # noqa: E402
from e2e.processes import URL_VARIABLES  # noqa: E402
from mfe_platform import settings  # noqa: E402
from mfe_platform.readiness import healthy  # noqa: E402

# The default URLs of design.md (no MFE_* variable): a first run uses them.
URLS = {name: settings.urls({})[var.removeprefix("MFE_")] for name, var in URL_VARIABLES.items()}
# Installing from the lock and starting five processes: generous for a slow machine.
STARTUP_SECONDS = 300
PAGE_SECONDS = 60


class FirstRunFailed(Exception):
    """What went wrong, in one line for the user."""


def running(pid: int) -> bool:
    """Whether `make run` is still going (it exits as soon as honcho stops the processes)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def wait_for_processes(pid: int) -> None:
    """Wait until every process answers, telling what is pending every 15 s."""
    started = time.monotonic()
    next_report = started + 15
    pending = dict(URLS)
    while pending:
        pending = {name: url for name, url in pending.items() if healthy(url) is None}
        if not pending:
            break
        now = time.monotonic()
        if not running(pid):
            raise FirstRunFailed(f"`make run` stopped before {', '.join(pending)} answered")
        if now - started > STARTUP_SECONDS:
            raise FirstRunFailed(f"not answering after {STARTUP_SECONDS} s: {', '.join(pending)}")
        if now >= next_report:
            print(f"  ... {int(now - started)} s, waiting for {', '.join(pending)}", flush=True)
            next_report = now + 15
        time.sleep(0.5)
    print(f"  all five processes answer /healthz ({time.monotonic() - started:.0f} s)", flush=True)


def check_page() -> None:
    """Load the shop page and wait until both frames completed their handshake."""
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options(playwright))
        try:
            page = browser.new_page()
            page.goto(URLS["host"] + "/")
            for app in ("products", "checkout"):
                page.wait_for_function(
                    "app => window.mfeHost && window.mfeHost.connected(app)",
                    arg=app,
                    timeout=PAGE_SECONDS * 1000,
                )
        except Error as error:
            raise FirstRunFailed(f"the shop page did not get both frames ready: {error}") from None
        finally:
            browser.close()
    print("  the shop page loads in Chromium with both frames ready")


def locked_versions(lock: Path) -> dict[str, str]:
    """Name → version of every pin in `lock` whose environment marker applies here."""
    versions = {}
    for line in lock.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)\s*(?:;\s*([^\\]+))?", line)
        if match and (match[3] is None or Marker(match[3].strip()).evaluate()):
            versions[canonicalize_name(match[1])] = match[2]
    return versions


def check_installed(shop: Path) -> None:
    """The clone's .venv holds exactly the runtime lock (and the project itself)."""
    listing = subprocess.run(
        [str(shop / ".venv/bin/python"), "-m", "pip", "list", "--format=json"],
        capture_output=True,
        text=True,
        check=True,
    )
    installed = {
        canonicalize_name(package["name"]): package["version"]
        for package in json.loads(listing.stdout)
    }
    installed.pop("mfe-contracts-shop", None)
    locked = locked_versions(shop / "requirements.txt")
    if installed != locked:
        extra = sorted(f"{n}=={v}" for n, v in installed.items() if locked.get(n) != v)
        missing = sorted(f"{n}=={v}" for n, v in locked.items() if installed.get(n) != v)
        raise FirstRunFailed(f"pip list differs from requirements.txt: {extra} vs {missing}")
    print(f"  pip list equals the runtime lock ({len(locked)} packages)")


def main() -> int:
    """Run the three checks; exit 1 with the log's last lines on the first failure."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shop", type=Path, required=True, help="the fresh clone")
    parser.add_argument("--log", type=Path, required=True, help="make run's output")
    parser.add_argument("--pid", type=int, required=True, help="make run's process")
    options = parser.parse_args()
    try:
        wait_for_processes(options.pid)
        check_page()
        check_installed(options.shop)
    except FirstRunFailed as failure:
        tail = options.log.read_text(errors="replace").splitlines()[-40:]
        print(f"\nFirst run FAILED: {failure}\nLast lines of `make run`:", file=sys.stderr)
        print("\n".join(f"  | {line}" for line in tail), file=sys.stderr)
        return 1
    print("First run: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
