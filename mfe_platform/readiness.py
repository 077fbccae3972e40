"""Wait until apps answer `/healthz`: used by `make run` to print the shop's URL when ready."""

import http.client
import json
import sys
import time
import urllib.request

from mfe_platform import settings


def healthy(url: str, timeout: float = 2.0) -> dict | None:
    """The `/healthz` answer of the app at `url`, or None if it does not answer ok."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=timeout) as response:
            body = json.loads(response.read())
    except (OSError, ValueError, RecursionError, http.client.HTTPException):
        # Not answering, not HTTP, cut short, or not JSON: not healthy, never a crash.
        return None
    return body if isinstance(body, dict) and body.get("status") == "ok" else None


def wait_until(condition, timeout: float, interval: float = 0.2):
    """Poll `condition()` until it is truthy or `timeout` passes; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(interval)


def wait_all(urls: list[str], ready, timeout: float = 60.0, interval: float = 0.2) -> list[str]:
    """Poll until `ready(url)` holds for every URL or `timeout` passes; returns the others."""
    pending = list(urls)

    def all_ready() -> bool:
        pending[:] = [url for url in pending if not ready(url)]
        return not pending

    wait_until(all_ready, timeout, interval)
    return pending


def wait_healthy(urls: list[str], timeout: float = 60.0, interval: float = 0.2) -> list[str]:
    """Poll until every URL is healthy or `timeout` passes; returns the ones still down."""
    return wait_all(urls, lambda url: healthy(url) is not None, timeout, interval)


def main() -> int:
    """Print the shop's URL once all five processes answer (exit 1 if some never do)."""
    everything = settings.urls()
    down = wait_healthy(list(everything.values()), timeout=90)
    if down:
        print(f"mfe: not answering after 90 s: {', '.join(down)}", file=sys.stderr, flush=True)
        return 1
    print(
        f"\n  The shop is up: {everything['HOST_URL']}   (Ctrl-C stops all five processes)\n",
        flush=True,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
