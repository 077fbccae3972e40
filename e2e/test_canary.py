"""Canary rollouts in real browsers: cohorts drawn per session and kept across reloads, live
swaps of the canary's pages only, rollback without a reload, and the host's analysis rolling
a corrupted canary back (and promoting a healthy one) by itself."""

import contextlib
import re

import pytest
from playwright.sync_api import expect

from e2e.pages import HostPage
from e2e.processes import get_json, start_shop

# Workshop lab 9 demonstrates these (docs/workshop/lab9-canary.md).
pytestmark = pytest.mark.lab9

TOKEN = "canary-token"
CONTEXTS = 40
# Pages loading at once: enough to overlap their waits, few enough for two busy cores.
AT_ONCE = 5


@pytest.fixture(scope="module")
def canary_shop(tmp_path_factory):
    """A shop of its own: these tests change what is live."""
    with start_shop(tmp_path_factory.mktemp("canary-data"), {"MFE_ADMIN_TOKEN": TOKEN}) as shop:
        yield shop


@pytest.fixture(autouse=True)
def reset_after(canary_shop):
    """Every test starts from release 1 of both apps, chaos off, an empty log."""
    yield
    result = canary_shop.mfe("reset")
    assert result.returncode == 0, result.stdout + result.stderr


def products_state(shop) -> dict:
    """The products entry of the host's deployment state."""
    return get_json(shop.host + "/api/deployments")["apps"]["products"]


def deploy_rows(shop) -> list[dict]:
    """The event log's deploy rows, oldest first."""
    entries = get_json(shop.host + "/api/events?limit=5000")["entries"]
    return [entry for entry in entries if entry["type"] == "deploy"]


def frame_release(page) -> int:
    """What the products frame of a host page runs (its body's data-release)."""
    return int(page.frame(name="products").evaluate("document.body.dataset.release"))


def open_host(context, url: str, cohort: str | None = None) -> HostPage:
    """A host page in `context`, optionally pinned to a cohort, with both apps connected."""
    host = HostPage(context.new_page(), url)
    host.page.goto(url + (f"/?cohort={cohort}" if cohort else "/"))
    host.wait_connected()
    return host


def test_fresh_sessions_split_and_keep_their_release(canary_shop, new_context):
    """40 fresh sessions split between 1 and 2 (each at least 10); each keeps its release
    across a reload; an add from either side reaches checkout once, as 1.0.0."""
    mfe = canary_shop.mfe("deploy", "products", "2", "--canary", "50", check=True)
    assert "50% of pages" in mfe.stdout
    seen: dict[int, int] = {1: 0, 2: 0}
    keep: dict[int, HostPage] = {}
    for start in range(0, CONTEXTS, AT_ONCE):
        batch = [new_context() for _ in range(start, min(start + AT_ONCE, CONTEXTS))]
        hosts = [HostPage(context.new_page(), canary_shop.host) for context in batch]
        for host in hosts:
            host.page.goto(canary_shop.host + "/", wait_until="commit")
        releases = []
        for host in hosts:
            host.wait_connected("products")
            releases.append(frame_release(host.page))
            assert host.page.evaluate("mfeHost.live().products.release") == releases[-1]
            host.page.reload(wait_until="commit")
        for host, release in zip(hosts, releases, strict=True):
            host.wait_connected("products")
            assert frame_release(host.page) == release, "a reload changed the cohort"
            seen[release] += 1
            if release in keep:
                host.page.context.close()
            else:
                keep[release] = host
    assert seen[1] >= 10 and seen[2] >= 10, seen
    for release, host in keep.items():
        host.products().add("kettle")
        # Checkout 1 takes 1.0.0: release 2's add arrives converted, without its discount.
        host.checkout().expect_line("kettle", 1, "49.00")
        acks = [
            entry
            for entry in host.page.evaluate("mfeHost.log()")
            if entry["type"] == "ack" and entry["event"] == "cart:item-added"
        ]
        assert [(a["to"], a["from"], a["duplicate"]) for a in acks] == [
            ("1.0.0", "1.0.0" if release == 1 else "2.0.0", False)
        ]
        host.page.context.close()


def test_canary_swaps_its_pages_live_and_rollback_returns_them(canary_shop, new_context):
    """Pages open before the canary: only the canary's swaps; rollback brings it back to 1
    live, in the same document, with the checkout form's typed text."""
    canary = open_host(new_context(), canary_shop.host, "canary")
    stable = open_host(new_context(), canary_shop.host, "stable")
    for host in (canary, stable):
        host.page.evaluate("window.__sameDocument = true")
    typed = canary.frame_locator("checkout").locator("[name='name']")
    typed.fill("typed during the canary")

    canary_shop.mfe("deploy", "products", "2", "--canary", "50", check=True)
    canary.expect_frame_app("products", 2)
    canary.wait_connected("products")
    assert canary.page.evaluate("mfeHost.cohort()")["canary"] == ["products"]

    status = canary_shop.mfe("status", check=True).stdout
    assert re.search(r"^products\s+1 .* 50%", status, re.M)
    assert re.search(r"^products\s+2 .* 50% canary", status, re.M)

    result = canary_shop.mfe("rollback", "products", check=True)
    assert "aborted" in result.stdout
    canary.expect_frame_app("products", 1)
    canary.wait_connected("products")
    expect(typed).to_have_value("typed during the canary")
    for host in (canary, stable):
        assert host.page.evaluate("window.__sameDocument") is True
    assert frame_release(stable.page) == 1
    swaps = [e for e in stable.page.evaluate("mfeHost.log()") if e["type"] == "swap"]
    assert swaps == [], "the stable cohort's page was touched"
    assert products_state(canary_shop)["rollout"]["status"] == "aborted"
    canary.expect_no_errors()
    for host in (canary, stable):
        host.page.context.close()


def add_until(host: HostPage, shop, done) -> dict:
    """Add to cart from `host` until the products rollout satisfies `done`; returns it."""
    for _ in range(120):
        rollout = products_state(shop)["rollout"]
        if done(rollout):
            return rollout
        card = host.products().card("kettle")
        card.get_by_test_id("add-to-cart").click()
        # The frame may swap away under the click (the rollout just ended): a short wait,
        # and the loop looks at the rollout again.
        with contextlib.suppress(AssertionError):
            expect(card.locator(".status")).to_have_text(re.compile("Added"), timeout=3000)
    raise AssertionError(f"the rollout never got there: {rollout}")


def test_a_corrupted_canary_is_rolled_back_by_the_host(canary_shop, new_context):
    """Release 2 emits prices a cent off: checkout rejects them (price-mismatch), the analysis
    fails the canary against stable, and the host aborts it alone, saying why with figures."""
    canary_shop.mfe("chaos", "products", "corrupt", "--release", "2", check=True)
    canary_shop.mfe(
        "deploy", "products", "2", "--canary", "50", "--auto",
        "--interval", "1", "--min-events", "2", "--failures", "1",
        check=True,
    )  # fmt: skip
    host = open_host(new_context(), canary_shop.host, "canary")
    host.expect_frame_app("products", 2)
    host.page.evaluate("window.__sameDocument = true")

    rollout = add_until(host, canary_shop, lambda r: r["status"] != "progressing")
    assert rollout["status"] == "aborted", rollout
    host.expect_frame_app("products", 1)
    assert host.page.evaluate("window.__sameDocument") is True

    rows = deploy_rows(canary_shop)
    aborted = rows[-1]
    assert aborted["verdict"] == "aborted" and "failed check" in aborted["summary"]
    assert aborted["figures"]["canary"]["rejected"] >= 1
    assert aborted["figures"]["canary"]["release"] == 2
    assert any(row["verdict"] == "failed" for row in rows)
    rejected = [
        e
        for e in get_json(canary_shop.host + "/api/events")["entries"]
        if e["type"] == "ack" and e.get("rejected")
    ]
    assert rejected and {e["rejected"] for e in rejected} == {"price-mismatch"}
    host.page.context.close()


def test_a_healthy_canary_walks_its_steps_and_is_promoted(canary_shop, new_context):
    """Passing checks step 50% → 75%, then promote: a stable page swaps to 2 live too."""
    stable = open_host(new_context(), canary_shop.host, "stable")
    canary_shop.mfe(
        "deploy", "products", "2", "--canary", "50", "--auto", "--steps", "50,75",
        "--interval", "1", "--min-events", "2", "--passes", "2",
        check=True,
    )  # fmt: skip
    canary = open_host(new_context(), canary_shop.host, "canary")
    canary.expect_frame_app("products", 2)

    rollout = add_until(canary, canary_shop, lambda r: r["status"] != "progressing")
    assert rollout["status"] == "promoted", rollout
    assert products_state(canary_shop)["release"] == 2
    stable.expect_frame_app("products", 2)
    verdicts = [row["verdict"] for row in deploy_rows(canary_shop)]
    assert verdicts[0] == "canary" and verdicts[-1] == "promoted"
    assert "stepped" in verdicts and "failed" not in verdicts
    for host in (canary, stable):
        host.page.context.close()
