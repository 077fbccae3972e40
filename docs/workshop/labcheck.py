"""What every lab's `check.py` uses: points, each verified or failed with a hint.

`mfe workshop check N` runs `docs/workshop/labN/check.py` from the repository root and reads
the one JSON line `report()` prints.
"""

import contextlib
import json
import urllib.request


class NotYet(Exception):
    """A point that is not there yet; its text says what was found."""


class Points:
    """The points of one lab's check, in the order they are declared."""

    def __init__(self):
        self.points: list[dict] = []

    def point(self, what: str, hint: str):
        """Decorator: run the function now; it passes unless it raises (NotYet or any error)."""

        def run(test):
            try:
                test()
            except NotYet as missing:
                self.points.append({"ok": False, "what": what, "hint": f"{hint}\n{missing}"})
            except Exception as error:
                found = f"{type(error).__name__}: {error}"
                self.points.append({"ok": False, "what": what, "hint": f"{hint}\n{found}"})
            else:
                self.points.append({"ok": True, "what": what, "hint": ""})
            return test

        return run

    def passed(self, what: str) -> bool:
        """Whether the point named `what` passed (later points may depend on it)."""
        return any(p["ok"] for p in self.points if p["what"] == what)

    def report(self) -> None:
        """Print the points as the one line `mfe workshop check` reads."""
        print(json.dumps({"points": self.points}))


def get_json(url: str, timeout: float = 5.0):
    """GET a URL of the running shop and parse its JSON."""
    with urllib.request.urlopen(url, timeout=timeout) as reply:
        return json.loads(reply.read())


@contextlib.contextmanager
def headless_browser(points: Points):
    """A headless Chromium for the points that drive the shop; None, with a point that says how
    to get Playwright, when the dev extras are not installed."""
    try:
        from playwright.sync_api import sync_playwright

        from e2e.browsers import launch_options
    except ImportError as error:
        missing = str(error)

        @points.point(
            "Playwright drives a browser",
            "install the dev extras: `make install-dev` (or `pip install playwright`)",
        )
        def _():
            raise NotYet(missing)

        yield None
        return
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**launch_options(playwright))
        try:
            yield browser
        finally:
            browser.close()
