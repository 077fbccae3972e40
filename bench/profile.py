"""`python -m bench.profile`: where the browser spends its time on the bus (CDP CPU profile).

Starts the shop, opens the bench's bus page (see bench/bus.py), and records a V8 CPU profile
(Chrome DevTools Protocol, `Profiler` domain) of a burst and of sequential full-path events.
The three frames of the page share one renderer main thread (their origins are same-site),
so one profile covers the host and both children. Prints self time per function and per
file; `--save DIR` also writes the `.cpuprofile` files (open them in DevTools).
"""

import argparse
import collections
import json
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

from bench.bus import ADMIN_TOKEN, BusBench, BusSettings, deploy, open_bus_page
from e2e.browsers import launch_options
from e2e.processes import start_shop


def self_times(profile: dict) -> tuple[collections.Counter, collections.Counter, float]:
    """Self time (ms) per function and per script file, and the total sampled."""
    nodes = {node["id"]: node for node in profile["nodes"]}
    per_node: collections.Counter = collections.Counter()
    for sample, delta in zip(profile["samples"], profile["timeDeltas"], strict=True):
        per_node[sample] += delta
    functions: collections.Counter = collections.Counter()
    files: collections.Counter = collections.Counter()
    for node_id, micros in per_node.items():
        frame = nodes[node_id]["callFrame"]
        script = frame["url"].rsplit("/", 1)[-1] or "(native)"
        name = frame["functionName"] or "(anonymous)"
        functions[f"{name}  {script}:{frame['lineNumber'] + 1}"] += micros / 1000
        files[script] += micros / 1000
    return functions, files, sum(per_node.values()) / 1000


def show(title: str, profile: dict, top: int) -> None:
    functions, files, total = self_times(profile)
    print(f"\n== {title}: {total:.0f} ms sampled ==")
    print("-- self time by function --")
    for key, ms in functions.most_common(top):
        print(f"{ms:9.1f} ms {100 * ms / total:5.1f}%  {key}")
    print("-- self time by file --")
    for key, ms in files.most_common(12):
        print(f"{ms:9.1f} ms {100 * ms / total:5.1f}%  {key}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.profile", description=__doc__)
    parser.add_argument("--burst", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--conversion", action="store_true", help="products 2 → checkout 1")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--save", type=Path, help="write the .cpuprofile files here")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)

    settings = BusSettings(burst=args.burst, events=args.events, rounds=1, warmup=200)
    version = "2.0.0" if args.conversion else "1.0.0"
    with (
        tempfile.TemporaryDirectory(prefix="mfe-profile-") as tmp,
        start_shop(Path(tmp), {"MFE_ADMIN_TOKEN": ADMIN_TOKEN}) as shop,
    ):
        if args.conversion:
            deploy(shop, "products", 2)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_options(playwright, full_browser=True))
            bench = BusBench(shop, browser, settings)
            page = open_bus_page(browser.new_context(), shop)
            bench.burst(page, None, "bus", version=version)  # warm-up
            cdp = page.context.new_cdp_session(page)
            cdp.send("Profiler.enable")
            cdp.send("Profiler.setSamplingInterval", {"interval": 100})
            runs = {
                "burst": lambda: bench.burst(page, None, "bus", version=version),
                "sequential full path": lambda: bench.segments(page, None, version)["bus-full"](
                    args.events, 0
                ),
                "sequential emit round trip": lambda: bench.segments(page, None)["bus-echo"](
                    args.events, 0
                ),
            }
            for title, run in runs.items():
                cdp.send("Profiler.start")
                outcome = run()
                profile = cdp.send("Profiler.stop")["profile"]
                if isinstance(outcome, dict):
                    print(f"\n{title}: {outcome['rate']:.0f} events/s, {outcome}")
                show(title, profile, args.top)
                if args.save:
                    args.save.mkdir(parents=True, exist_ok=True)
                    name = title.replace(" ", "-") + ".cpuprofile"
                    (args.save / name).write_text(json.dumps(profile))
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
