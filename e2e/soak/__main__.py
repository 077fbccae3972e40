"""`python -m e2e.soak [--minutes M] [--shoppers N] [--seed S]`: run the chaos soak once.

Exit 0 when nothing was lost or doubled and every invariant held, 1 otherwise (naming the seed
that replays the run), 2 when the shop could not even start.
"""

import argparse
import contextlib
import json
import random
import secrets
import signal
import sys
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

from playwright.sync_api import sync_playwright

from e2e.browsers import launch_options
from e2e.processes import PROCESSES, REPOSITORY, start_shop
from e2e.soak import invariants
from e2e.soak.chaos import Chaos, draw_schedule, restart_if_silent
from e2e.soak.shopper import Shopper
from mfe_platform.readiness import wait_healthy

# What a shopper does next, and how often.
ACTIONS = {"add": 6, "remove": 1, "order": 1}
DEFAULT_REPORT = REPOSITORY / "test-results" / "soak-report.json"


def heal(shop, chaos: Chaos) -> None:
    """Every process running and every app out of chaos, whatever the schedule left."""
    chaos.finish()
    for name in PROCESSES:
        # A release left in chaos `down` (its `up` failed while the host restarted) is cleared
        # below; a restart would not help it.
        with contextlib.suppress(AssertionError):
            restart_if_silent(shop, name)
    for app in ("products", "checkout"):
        shop.mfe("chaos", app, "up")
        # A canary still undecided (its decision failed while the host was down) ends here.
        shop.mfe("rollback", app)
    # What still does not answer /healthz now is reported by the checks, not a crash here.
    wait_healthy([shop.url(name) for name in PROCESSES], timeout=60)


def shop_for_a_while(shoppers: list[Shopper], chaos: Chaos, rng: random.Random, seconds: float):
    """The shoppers' loop: random actions until time is up; reloads when the chaos asks."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        while not chaos.reloads.empty():
            shoppers[chaos.reloads.get() % len(shoppers)].reload()
        shopper = rng.choice(shoppers)
        if not shopper.settle_pending_order():
            continue
        action = rng.choices(list(ACTIONS), weights=list(ACTIONS.values()))[0]
        if action == "add":
            shopper.add(rng)
        elif action == "remove":
            shopper.remove(rng)
        else:
            shopper.order()


def run(
    minutes: float, shoppers: int, seed: int, report: Path, headed: bool = False, calm: bool = False
) -> int:
    """Run the soak; print one line of figures; write the JSON report; return the exit code."""
    seconds = minutes * 60
    token = secrets.token_hex(16)
    data_dir = Path(tempfile.mkdtemp(prefix="mfe-soak-"))
    print(
        f"soak: seed {seed}, {shoppers} shoppers, {minutes:g} min; data in {data_dir}", flush=True
    )
    try:
        shop = start_shop(data_dir, {"MFE_ADMIN_TOKEN": token})
    except (RuntimeError, AssertionError) as error:
        print(f"soak: the shop did not start: {error}", file=sys.stderr)
        return 2
    problems: list[str] = []
    details: list[dict] = []
    with shop, sync_playwright() as playwright:
        options = launch_options(playwright)
        browser = playwright.chromium.launch(**options, headless=not headed)
        people = [Shopper(browser, shop.host, f"shopper{i + 1}") for i in range(shoppers)]
        for person in people:
            person.open()
        chaos = Chaos(shop, [] if calm else draw_schedule(seed, seconds), token)
        chaos.start()
        try:
            shop_for_a_while(people, chaos, random.Random(seed), seconds)  # noqa: S311
        finally:
            # Stopped early (Ctrl-C, SIGTERM): no chaos step may start a server while the
            # shop is being stopped, or that server would outlive the soak.
            chaos.stop()
        heal(shop, chaos)
        print("soak: faults healed; waiting for every cart to settle ...", flush=True)
        for person in people:
            # Every process is back, but a page may need a moment to read its cart again.
            for _ in range(5):
                if person.settle_pending_order():
                    break
            person.page.reload()
        lost = doubled = unverified = 0
        for person in people:
            name = person.record.name
            settled = invariants.settle_cart(person)
            if settled is None:
                # Not counted as lost: the units may all be there, the page just never said.
                units = sum(person.record.certain.values())
                unverified += units
                problems.append(f"{name}: no cart shown, {units} units unverified")
            else:
                person_lost, person_doubled = settled
                if not (person_lost or person_doubled):
                    continue
                lost += person_lost
                doubled += person_doubled
                problems.append(f"{name}: lost {person_lost}, doubled {person_doubled}")
            # What the shopper did and what its cart and page show: the report says why.
            page = person.page_state() or {}
            # The page's log is the shop's to report (below), not each shopper's.
            page.pop("log", None)
            details.append(
                {
                    "cart": person.cart(),
                    "pending": page.pop("pending", None),
                    "page": page or None,
                    **person.record.report(),
                    "traced": invariants.trace_adds(data_dir, person.record),
                }
            )
        records = [person.record for person in people]
        products = shop.url("products-v1")
        problems += invariants.check_orders(data_dir, products, records)
        problems += invariants.check_processes(shop)
        logged = invariants.log_entries(shop, token)
        problems += invariants.check_logs(shop, logged)
        if details:
            details.append({"log": invariants.losses_in_log(logged)})
        problems += [f"{p.record.name}: {e}" for p in people for e in p.unexplained_errors()]
        browser.close()
    figures = chaos.figures
    summary = {
        "seed": seed,
        "minutes": minutes,
        "shoppers": shoppers,
        "adds": sum(r.adds for r in records),
        "orders": sum(len(r.orders) for r in records),
        **{k: v for k, v in asdict(figures).items() if k != "failures"},
        "lost": lost,
        "doubled": doubled,
        "unverified": unverified,
        "problems": problems,
        "chaos_not_applied": figures.failures,
        "details": details,
    }
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(json.dumps(summary, indent=2) + "\n")
    print(
        f"soak seed {seed}: shoppers {shoppers}, adds {summary['adds']}, "
        f"orders {summary['orders']}, deploys {figures.deploys}, canaries {figures.canaries}, "
        f"kills {figures.kills}, "
        f"restarts {figures.restarts}, chaos {figures.chaos}, reloads {figures.reloads}, "
        f"lost {lost}, doubled {doubled}"
        + (f", unverified {unverified}" if unverified else "")
        + f"  (report: {report})"
    )
    if problems:
        print("soak FAILED:\n  " + "\n  ".join(problems), file=sys.stderr)
        print(f"replay it with: make soak SEED={seed}  (python -m e2e.soak --seed {seed})")
        return 1
    return 0


def stop_on_sigterm(*_) -> None:
    """Unwind as Ctrl-C does; a second SIGTERM must not cut the shop's stopping short."""
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    sys.exit(143)


def main(argv: list[str] | None = None) -> int:
    """Parse the options and run."""
    parser = argparse.ArgumentParser(prog="python -m e2e.soak", description=__doc__)
    parser.add_argument("--minutes", type=float, default=3.0, help="how long (default 3)")
    parser.add_argument("--shoppers", type=int, default=4, help="browser contexts (default 4)")
    parser.add_argument("--seed", type=int, default=None, help="replay a run (default: random)")
    parser.add_argument("--report", type=Path, default=DEFAULT_REPORT, help="JSON report path")
    parser.add_argument("--headed", action="store_true", help="show the browser")
    parser.add_argument("--calm", action="store_true", help="no faults: the control run")
    options = parser.parse_args(argv)
    if options.minutes <= 0 or options.shoppers < 1:
        parser.error("--minutes must be positive and --shoppers at least 1")
    seed = options.seed if options.seed is not None else secrets.randbelow(1_000_000)
    # Stopped from outside (a CI timeout, `kill`): unwind like Ctrl-C, so the shop it started
    # stops too instead of leaving five servers behind.
    signal.signal(signal.SIGTERM, stop_on_sigterm)
    return run(
        options.minutes, options.shoppers, seed, options.report, options.headed, options.calm
    )


if __name__ == "__main__":
    sys.exit(main())
