"""Lab 9's check: your canary analysis (`host_app/analysis.py`, imported as saved) counts a
consumer's rejection against the release that sent the event and fails a canary that does worse
than the stable release; then, in headless Chromium, your running shop (MFE_HOST_URL, default
http://localhost:8000) rolls a corrupted canary back by itself."""

import contextlib
import io
import re
import time

from labcheck import NotYet, Points, get_json, headless_browser

from mfe_cli import main as mfe
from mfe_platform import settings

points = Points()
HOST = settings.app_url("host")
# What a check of the shop may take: a few one-second analysis intervals, on a slow laptop.
ROLLOUT_SECONDS = 60
CODE_POINTS = (
    "a rejected event counts against the release that sent it",
    "a canary that does worse than the stable release fails its check",
    "a corrupted canary's interval, as the host counts it, aborts the rollout",
)


def emit(release: int, event_id: str) -> dict:
    """An event-log entry: products `release` emitted `event_id`, and the bus accepted it."""
    return {
        "type": "emit",
        "app": "products",
        "release": release,
        "id": event_id,
        "verdict": "accepted",
    }


def ack(event_id: str, rejected: str | None = None) -> dict:
    """An event-log entry: checkout 1 acknowledged `event_id`, rejecting it or not."""
    entry = {"type": "ack", "app": "checkout", "release": 1, "id": event_id}
    return {**entry, "rejected": rejected} if rejected else entry


@points.point(
    CODE_POINTS[0],
    "host_app/analysis.py, Tally._count, the `ack` branch: when entry.get('rejected') is set, "
    "find the sender with self._senders.get(entry.get('id')) and add 1 to the `rejected` of "
    "self._of(*sender) (when there is one)",
)
def _():
    from host_app.analysis import Tally

    tally = Tally()
    tally.watch(["products"])
    tally.observe([emit(2, "e-2"), emit(1, "e-1"), ack("e-2", "price-mismatch"), ack("e-1")])
    counts = tally.take("products")
    canary, stable = counts.get(2), counts.get(1)
    if canary is None or canary.rejected != 1 or canary.failures != 1:
        found = canary.to_dict() if canary else None
        raise NotYet(f"products 2 sent e-2 and checkout rejected it; release 2 counts {found}")
    if stable is None or stable.failures != 0:
        found = stable.to_dict() if stable else None
        raise NotYet(f"checkout accepted products 1's e-1, yet release 1 counts {found}")
    tally.observe([ack("never-seen", "price-mismatch")])
    if any(c.failures for c in tally.take("products").values()):
        raise NotYet("a rejection of an event nobody watched sent was counted against a release")


@points.point(
    CODE_POINTS[1],
    "host_app/analysis.py, judge: `over` is how many points the CANARY's rate is above the "
    "stable's: (canary.rate - stable.rate) * 100",
)
def _():
    from host_app.analysis import Counts, Options, judge

    options = Options(threshold=5.0, min_events=4)
    worse = judge(Counts(samples=10, rejected=5), Counts(samples=10), options)
    if worse.outcome != "failed":
        raise NotYet(f"a canary at 50 % failures against a stable at 0 %: {worse.outcome}")
    better = judge(Counts(samples=10), Counts(samples=10, rejected=5), options)
    if better.outcome != "passed":
        raise NotYet(f"a canary at 0 % failures against a stable at 50 %: {better.outcome}")
    close = judge(Counts(samples=100, rejected=7), Counts(samples=100, rejected=5), options)
    if close.outcome != "passed":
        raise NotYet(f"7 % against 5 % is within a 5-point threshold, yet: {close.outcome}")
    few = judge(Counts(samples=3, rejected=3), Counts(samples=10), options)
    if few.outcome != "inconclusive":
        raise NotYet(f"3 canary events, fewer than min_events 4: {few.outcome}")


@points.point(
    CODE_POINTS[2],
    "the two points above together: Tally counts the rejections, judge fails the canary, "
    "next_move aborts at the failure limit",
)
def _():
    from host_app.analysis import Options, Tally, judge, next_move

    tally = Tally()
    tally.watch(["products"])
    for n in range(5):
        tally.observe([emit(2, f"c{n}"), ack(f"c{n}", "price-mismatch")])
        tally.observe([emit(1, f"s{n}"), ack(f"s{n}")])
    counts = tally.take("products")
    options = Options(min_events=4, failures=1)
    check = judge(counts[2], counts[1], options)
    move = next_move(check.outcome, 0, int(check.outcome == "failed"), True, options)
    if move != "abort":
        raise NotYet(f"the check said {check.outcome} ({check.reason}), and the rollout: {move}")


def quietly(*args: str) -> int:
    """Run one `mfe` command; its output would only clutter the check's."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return mfe(list(args))


def products_entry() -> dict:
    """The products entry of your shop's deployment state."""
    return get_json(f"{HOST}/api/deployments")["apps"]["products"]


def candidate(entry: dict) -> int:
    """A registered products release that is not live: the one to canary."""
    for release in sorted(entry["releases"], key=int):
        if int(release) != entry["release"]:
            return int(release)
    raise NotYet("your shop has no products release besides the live one")


def add_until_decided(host, deadline: float) -> dict:
    """Add to cart in the canary page until the rollout is decided (or the deadline passes)."""
    from playwright.sync_api import expect

    while time.monotonic() < deadline:
        rollout = products_entry().get("rollout") or {}
        if rollout.get("status") != "progressing":
            return rollout
        card = host.products().card("kettle")
        card.get_by_test_id("add-to-cart").click()
        # The frame may swap away under the click (the rollout just ended): the loop looks again.
        with contextlib.suppress(AssertionError):
            expect(card.locator(".status")).to_have_text(re.compile("Added"), timeout=3000)
    return products_entry().get("rollout") or {}


def corrupted_canary(browser) -> None:
    """Canary a corrupted release under --auto; your shop must abort it, with the figures."""
    from e2e.pages import HostPage

    entry = products_entry()
    if (entry.get("rollout") or {}).get("status") == "progressing":
        raise NotYet("a products rollout is in progress: `mfe rollback products`, then check")
    stable, release = entry["release"], candidate(entry)
    try:
        if quietly("chaos", "products", "corrupt", "--release", str(release)):
            raise NotYet(f"`mfe chaos products corrupt --release {release}` failed")
        deployed = quietly(
            *("deploy", "products", str(release), "--canary", "50", "--auto"),
            *("--interval", "1", "--min-events", "2", "--failures", "1", "--passes", "2"),
        )
        if deployed:
            raise NotYet(f"`mfe deploy products {release} --canary 50 --auto` was refused")
        host = HostPage(browser.new_page(), HOST)
        host.page.goto(f"{HOST}/?cohort=canary")
        host.wait_connected()
        host.expect_frame_app("products", release)
        rollout = add_until_decided(host, time.monotonic() + ROLLOUT_SECONDS)
    finally:
        quietly("chaos", "products", "up")
        decided = products_entry()
        if (decided.get("rollout") or {}).get("status") == "progressing":
            quietly("rollback", "products")
        elif decided["release"] != stable:
            quietly("deploy", "products", str(stable))
    if rollout.get("status") != "aborted":
        raise NotYet(
            f"your shop's rollout of the corrupted products {release} ended "
            f"{rollout.get('status')!r}: {rollout.get('reason')}"
        )


def run_in_browser() -> None:
    """One headless Chromium for the shop's point."""
    with headless_browser(points) as browser:
        if browser is None:
            return

        @points.point(
            "your shop rolls a corrupted canary back by itself",
            f"restart the shop (Ctrl-C, make run) so it runs your analysis: {HOST}",
        )
        def _():
            corrupted_canary(browser)


if all(points.passed(what) for what in CODE_POINTS):
    run_in_browser()
else:

    @points.point(
        "your shop rolls a corrupted canary back by itself",
        "first make the points above pass; then restart the shop so it runs your code",
    )
    def _():
        raise NotYet("not tried: your analysis code is not there yet")


points.report()
