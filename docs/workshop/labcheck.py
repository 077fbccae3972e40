"""What every lab's `check.py` uses: points, each verified or failed with a hint.

`mfe workshop check N` runs `docs/workshop/labN/check.py` from the repository root and reads
the one JSON line `report()` prints.
"""

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
