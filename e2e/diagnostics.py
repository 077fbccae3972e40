"""What a failed browser test's page said about its bus: added to pytest's report, so a
failure that happens once in CI still shows where an event stopped."""

import json

# A page whose main thread is stuck must not hang the run: each read gives up after this.
READ_TIMEOUT_MS = 2000

# In the host page: the releases it runs and its cohort, its frames' connections, the fallbacks
# showing, what waits in its outbox, and its last log entries. Wrapped in an object, so that
# "no shell here" (null) is an answer too.
HOST_STATE = """() => ({ state: (() => {
  const host = window.mfeHost;
  if (!host) return null;
  const short = (e) => Object.fromEntries(Object.entries(e).filter(([k, v]) =>
    ["type", "app", "release", "event", "verdict", "reason", "message", "attempt", "id"].includes(k)
    && v !== null && v !== undefined));
  return {
    live: host.live(),
    cohort: host.cohort(),
    connected: { products: host.connected("products"), checkout: host.connected("checkout") },
    fallbacks: [...document.querySelectorAll("div.fallback")]
      .filter((element) => !element.hidden).map((element) => element.dataset.testid),
    pending: host.pending(),
    log: host.log().slice(-25).map(short),
  };
})() })"""

# In a frame: what its page tells the shopper, and whether its cart finished loading.
FRAME_STATE = """() => ({
  release: document.body.dataset.release ?? null,
  status: [...document.querySelectorAll(".status")].map((n) => n.textContent).filter(Boolean),
  busy: document.querySelector("[aria-busy]")?.getAttribute("aria-busy") ?? null,
})"""


def read(where, script: str):
    """Run `script` (which returns a truthy object) in a page or frame, or give up in time."""
    # `evaluate` has no timeout; `wait_for_function` does, and returns once the result is truthy.
    return where.wait_for_function(script, timeout=READ_TIMEOUT_MS).json_value()


def host_state(page) -> dict | None:
    """What the host page says of its bus (see HOST_STATE); None where the shell never ran."""
    return read(page, HOST_STATE)["state"]


def describe(page) -> str:
    """The host page's bus state and each frame's words, one JSON line each (never raises)."""
    lines = [f"host page {page.url}"]
    try:
        host = host_state(page)
        if host is None:
            lines.append("no window.mfeHost: the shell's script never ran")
        else:
            log = host.pop("log")
            lines.append(json.dumps(host))
            lines.append(f"its last {len(log)} log entries:")
            lines += [f"  {json.dumps(entry)}" for entry in log]
        for frame in page.frames:
            if frame.name in ("products", "checkout"):
                said = json.dumps(read(frame, FRAME_STATE))
                lines.append(f"{frame.name} frame {frame.url}: {said}")
    # A closed or crashed page still gets a report, saying why it has nothing more to say.
    except Exception as error:
        lines.append(f"unreadable: {str(error).splitlines()[0]}")
    return "\n".join(lines)
