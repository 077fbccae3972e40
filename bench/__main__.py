"""`python -m bench [--quick] [--samples N] [--skip SECTION ...]` — see bench/__init__.py."""

import argparse
import datetime
import os
import platform
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from bench import memory, report
from bench.bus import ADMIN_TOKEN, BusSettings

REPOSITORY = Path(__file__).resolve().parent.parent
SECTIONS = ("bus", "composition", "server", "sockets", "memory")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Measure the shop (real processes, headless Chromium); print a table, "
        "write results.json and the results section of docs/performance.md.",
    )
    parser.add_argument("--quick", action="store_true", help="tiny samples: checks it runs")
    parser.add_argument("--samples", type=int, help="events per latency figure (default 10000)")
    parser.add_argument("--burst", type=int, help="events per throughput burst (default 10000)")
    parser.add_argument("--loads", type=int, help="fresh-context loads of the host (default 20)")
    parser.add_argument("--duration", type=float, help="seconds of HTTP load per figure")
    parser.add_argument("--sockets", type=int, help="page WebSockets held open (default 100)")
    parser.add_argument(
        "--load-generator",
        choices=("auto", "wrk", "python"),
        default="auto",
        help="HTTP load from wrk or from Python; auto takes wrk when installed",
    )
    parser.add_argument("--skip", nargs="*", default=[], choices=SECTIONS, metavar="SECTION")
    parser.add_argument("--output", type=Path, default=REPOSITORY / "bench" / "results.json")
    parser.add_argument("--docs", type=Path, default=REPOSITORY / "docs" / "performance.md")
    return parser.parse_args(argv)


def settings(args: argparse.Namespace) -> tuple[BusSettings, dict]:
    if args.quick:
        bus = BusSettings(
            events=40,
            warmup=10,
            batch=10,
            rounds=2,
            burst=200,
            bursts=1,
            loads=2,
            fallback_loads=1,
        )
        http = {"duration": 0.5, "warmup": 0.0, "sockets": 5}
    else:
        bus = BusSettings()
        http = {"duration": 10.0, "warmup": 1.0, "sockets": 100}
    if args.samples:
        bus.events = args.samples
    if args.burst:
        bus.burst = args.burst
    if args.loads:
        bus.loads = args.loads
    if args.duration:
        http["duration"] = args.duration
    if args.sockets:
        http["sockets"] = args.sockets
    return bus, http


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    bus_settings, http = settings(args)
    from playwright.sync_api import sync_playwright

    from bench import bus, server, sockets
    from e2e.processes import start_shop

    results: dict = {
        "meta": {
            "timestamp": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "cores": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "quick": args.quick,
            "batch": bus_settings.batch,
            "settings": {"bus": asdict(bus_settings), "http": http},
            "browser": None,
            "skipped": args.skip,
            "load_generator": args.load_generator,
            # Other programs share the cores: every figure depends on how busy they were.
            "load_average_start": os.getloadavg()[0],
        },
        "figures": [],
        "notes": [],
    }
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mfe-bench-") as tmp:
        data = Path(tmp)
        (data / "shop").mkdir()
        log("starting the five processes of the Procfile ...")
        shop = start_shop(data / "shop", {"MFE_ADMIN_TOKEN": ADMIN_TOKEN})
        try:
            if "memory" not in args.skip:
                adds = 5 if args.quick else 100
                log(f"memory: one page load and {adds} adds to cart ...")
                with sync_playwright() as playwright:
                    memory.use_the_shop(shop, playwright, adds)
                moment = f" after a page load and {adds} adds"
                results["figures"] += memory.figures(shop, moment)
            if "bus" not in args.skip or "composition" not in args.skip:
                with sync_playwright() as playwright:
                    browser = bus.run(
                        shop,
                        playwright,
                        bus_settings,
                        log=log,
                        skip=set(args.skip),
                    )
                results["meta"]["browser"] = browser["browser"]
                results["meta"]["inspector"] = browser.get("inspector")
                results["figures"] += browser["figures"]
                results["notes"] += browser["notes"]
            if "server" not in args.skip:
                results["figures"] += server.run(
                    shop, http["duration"], http["warmup"], data, args.load_generator, log=log
                )
            if "sockets" not in args.skip:
                results["figures"] += sockets.run(
                    shop,
                    http["sockets"],
                    http["duration"],
                    http["warmup"],
                    data / "sockets",
                    args.load_generator,
                    log=log,
                )
            if "memory" not in args.skip:
                # For comparison only: the target is judged after a page load and 100 adds.
                end = memory.figures(shop, " after the whole bench", ":end")[-1]
                end.pop("target")
                end.pop("meets")
                results["figures"].append(end)
        except BaseException:
            sys.stderr.write(shop.log_tail())
            raise
        finally:
            shop.stop_all()
    results["meta"]["seconds"] = round(time.monotonic() - started, 1)
    results["meta"]["load_average_end"] = os.getloadavg()[0]
    report.write_json(args.output, results)
    report.update_docs(args.docs, report.markdown(results), REPOSITORY / "docs" / "performance.md")
    print(report.table(results))
    print(f"\nwrote {args.output} and {args.docs} in {results['meta']['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
