"""The workshop's pictures: each lab's screen at the point its text describes.

One shop, started from a copy of the repository (lab 5 applies its solution there), is driven
lab by lab with the commands the labs give the student — `mfe deploy`, `mfeHost.override`,
`mfe chaos`, a restart with `MFE_BUS_MODE=naive` — and `mfe reset` between labs.
"""

import socket
import subprocess
import sys
from pathlib import Path

from playwright.sync_api import Browser, Locator, expect

from e2e.pages import HostPage, InspectorPage, ShopperTools
from e2e.processes import REPOSITORY, Shop, free_port
from mfe_platform.readiness import wait_healthy

IMAGES = REPOSITORY / "docs" / "images" / "workshop"
# The port the lab gives your own release (python -m products_app.fork), when it is free.
DEFAULT_FORK_PORT = 8021
VIEWPORT = {"width": 1280, "height": 800}
# Lab 2's changed payload: `productId` renamed `sku`, the price sent as text.
RENAMED = {"itemId": "lab2-1", "sku": "kettle", "quantity": 1, "price": "49.00"}
DISCOUNTED = {
    "itemId": "lab2-2",
    "productId": "kettle",
    "quantity": 1,
    "price": 49,
    "discount": 7.5,
    "appliedPromo": "KETTLE-15",
}


class Studio:
    """The shop, one browser context with the shop and the inspector, and where pictures go."""

    def __init__(self, shop: Shop, browser: Browser):
        self.shop = shop
        self.context = browser.new_context(viewport=VIEWPORT)
        self.host = HostPage(self.context.new_page(), shop.host)
        self.inspector = InspectorPage(self.context.new_page(), shop.host)
        self.written: list[Path] = []

    def mfe(self, *args: str) -> None:
        """The CLI against this shop, as the student types it; fails loudly."""
        self.shop.mfe(*args, check=True)

    def fresh(self) -> None:
        """`mfe reset`, then the shop and the inspector opened anew (the inspector cleared)."""
        self.mfe("reset")
        self.inspector.open()
        self.inspector.page.get_by_test_id("inspector-clear").click()
        self.host.open()

    def shoot(self, name: str, target=None, full_page: bool = False) -> None:
        """Save a page (default: the shop) or one element of it as `name`.png."""
        path = IMAGES / f"{name}.png"
        target = target or self.host.page
        if isinstance(target, Locator):
            target.scroll_into_view_if_needed()
            target.screenshot(path=path)
        else:
            target.screenshot(path=path, full_page=full_page)
        self.written.append(path)

    def shoot_inspector(self, name: str) -> None:
        """The inspector's timeline, scrolled to the table (the flow view is its own picture)."""
        self.inspector.page.locator("table.timeline").scroll_into_view_if_needed()
        self.shoot(name, self.inspector.page)

    def shoot_flow(self, name: str) -> None:
        """The inspector's flow view alone."""
        self.shoot(name, self.inspector.flow)


def lab1(studio: Studio) -> None:
    """Release 1 live, nothing deployed: two mugs added, then the tour's three windows."""
    studio.fresh()
    studio.host.products().add("mug", 2)
    studio.host.checkout().expect_line("mug", 2, "14.50")
    studio.shoot("lab1-shop")
    expect(studio.inspector.arrows(source="host", target="checkout")).not_to_have_count(0)
    studio.shoot_flow("lab1-flow")
    studio.shoot_inspector("lab1-inspector")
    contracts = studio.context.new_page()
    contracts.goto(studio.shop.host + "/contracts")
    studio.shoot("lab1-contracts", contracts)
    contracts.close()


def lab2(studio: Studio) -> None:
    """The changed payload on a naive bus (checkout breaks), then on the strict bus (refused)."""
    studio.shop.restart("host", MFE_BUS_MODE="naive")
    studio.fresh()
    assert studio.host.products().emit("cart:item-added", "1.0.0", RENAMED)["ok"]
    status = studio.host.checkout().locator.get_by_text("Could not add undefined: invalid")
    expect(status).to_be_visible()
    studio.shoot("lab2-naive-shop")
    rejected = studio.inspector.page.get_by_test_id("inspector-delivery").filter(
        has_text="rejected"
    )
    expect(rejected).not_to_have_count(0)
    studio.shoot_inspector("lab2-inspector-naive")
    studio.shop.restart("host", MFE_BUS_MODE="strict")
    studio.fresh()
    products = studio.host.products()
    assert products.emit("cart:item-added", "1.0.0", RENAMED)["reason"] == "invalid"
    assert products.emit("cart:item-added", "2.0.0", DISCOUNTED)["reason"] == "not-allowed"
    expect(studio.inspector.timeline_rows.filter(has_text="not-allowed")).not_to_have_count(0)
    studio.shoot_inspector("lab2-inspector-strict")


def lab3(studio: Studio) -> None:
    """The contract page's card of cart:item-added 2.0.0: fields, comparison, conversions."""
    contracts = studio.context.new_page()
    contracts.goto(studio.shop.host + "/contracts")
    studio.shoot("lab3-contract-2.0.0", contract_card(contracts, "cart:item-added", "2.0.0"))
    contracts.close()


def contract_card(page, event: str, version: str) -> Locator:
    """One version's card on the contract page."""
    return page.locator(
        f"[data-testid='contract-version'][data-event='{event}'][data-version='{version}']"
    )


def lab4(studio: Studio, root: Path) -> None:
    """Products 2 deployed beside checkout 1; then your own release, overridden and deployed."""
    studio.fresh()
    studio.mfe("deploy", "products", "2")
    studio.host.expect_frame_app("products", 2)
    studio.host.wait_connected("products")
    studio.host.products().add("kettle", 1)
    studio.host.checkout().expect_line("kettle", 1, "49.00")
    studio.shoot("lab4-shop")
    converted = studio.inspector.page.get_by_test_id("inspector-delivery").filter(
        has_text="converted"
    )
    expect(converted).not_to_have_count(0)
    studio.shoot_inspector("lab4-inspector")
    studio.shoot_flow("lab4-flow")

    studio.fresh()
    workshop(studio.shop, root, "start", "4")
    fork, url = start_own_release(studio.shop, root)
    try:
        tools = ShopperTools(studio.host)
        tools.override("products", url)
        expect(tools.banner).to_contain_text(url)
        studio.host.expect_frame_app("products", 3)
        studio.host.wait_connected()
        studio.host.products().add("kettle", 1)
        status = studio.host.products().card("kettle").locator(".status")
        expect(status).to_contain_text("not-allowed")
        studio.shoot("lab4-override")
        tools.override("products", None)
    finally:
        fork.terminate()
        fork.wait(timeout=10)
    # Stuck students run the solution: the fixed release, started and deployed for everyone.
    workshop(studio.shop, root, "solve", "4")
    studio.host.expect_frame_app("products", 3)
    studio.host.wait_connected()
    studio.host.products().add("kettle", 1)
    studio.host.checkout().expect_line("kettle", 1, "49.00")
    studio.shoot("lab4-own-release-live")
    workshop(studio.shop, root, "reset")


def workshop(shop: Shop, root: Path, *args: str) -> None:
    """`mfe workshop ARGS` in the copy of the repository (its own CLI), against the shop."""
    command = [sys.executable, "-c", "import sys; from mfe_cli import main; sys.exit(main())"]
    env = {**shop.env, "PYTHONPATH": ""}
    subprocess.run([*command, "workshop", *args], cwd=root, env=env, check=True)


def start_own_release(shop: Shop, root: Path) -> tuple[subprocess.Popen, str]:
    """`python -m products_app.fork` on a free port, as the student runs it in terminal 3."""
    port = DEFAULT_FORK_PORT if port_is_free(DEFAULT_FORK_PORT) else free_port()
    log = (shop.data_dir / "fork.log").open("ab")
    fork = subprocess.Popen(
        [sys.executable, "-m", "products_app.fork", "--port", str(port)],
        cwd=root,
        env=shop.env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://localhost:{port}"
    assert not wait_healthy([url], timeout=30), f"the fork did not start: {log.name}"
    return fork, url


def port_is_free(port: int) -> bool:
    """Whether nothing listens on `port` of the loopback."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def lab5(studio: Studio, root: Path) -> None:
    """After publishing 2.1.0 and 3.0.0 (the lab's solution): the contract page's new cards."""
    workshop(studio.shop, root, "solve", "5")
    studio.shop.restart("host")
    contracts = studio.context.new_page()
    contracts.goto(studio.shop.host + "/contracts")
    card = contract_card(contracts, "cart:item-added", "3.0.0")
    expect(card).to_be_visible()
    studio.shoot("lab5-contract-2.1.0", contract_card(contracts, "cart:item-added", "2.1.0"))
    studio.shoot("lab5-contract-3.0.0", card)
    contracts.close()
    workshop(studio.shop, root, "reset")
    studio.shop.restart("host")


def lab6(studio: Studio) -> None:
    """Dual emit: products 2 sends one click as 1.0.0 and 2.0.0, one id, one delivery."""
    studio.shop.restart("products-v2", MFE_DUAL_EMIT="1")
    studio.fresh()
    studio.mfe("deploy", "products", "2")
    studio.host.reload()
    studio.host.expect_frame_app("products", 2)
    studio.host.products().add("dripper", 1)
    studio.host.checkout().expect_line("dripper", 1, "24.00")
    expect(studio.inspector.timeline_rows.filter(has_text="1.0.0 + 2.0.0")).to_have_count(1)
    studio.shoot_inspector("lab6-inspector")
    studio.shoot_flow("lab6-flow")
    studio.shop.restart("products-v2", MFE_DUAL_EMIT="0")


def lab7(studio: Studio) -> None:
    """Products release 2's origin loaded into the live products 1 frame: wrong-origin."""
    studio.fresh()
    studio.inspector.page.get_by_test_id("filter-verdict").select_option("refused")
    studio.host.page.evaluate(
        "url => { document.querySelector(\"[data-testid='frame-products']\").src = url; }",
        studio.shop.url("products-v2") + "/",
    )
    wrong = studio.inspector.timeline_rows.filter(has_text="wrong-origin")
    expect(wrong).not_to_have_count(0, timeout=15_000)
    # The refused frame says hello again and again: pause at the first refusals, filter in view.
    studio.inspector.page.get_by_test_id("inspector-pause").click()
    studio.inspector.page.evaluate("window.scrollTo(0, 0)")
    studio.shoot("lab7-wrong-origin", studio.inspector.page)
    studio.host.open()


def lab8(studio: Studio) -> None:
    """Checkout down: the fallback while two adds wait; then back up, each line once."""
    studio.fresh()
    studio.mfe("chaos", "checkout", "down")
    fallback = studio.host.page.get_by_test_id("fallback-checkout")
    expect(fallback).to_be_visible(timeout=20_000)
    studio.host.products().add("beans", 1)
    studio.host.products().add("mug", 1)
    studio.shoot("lab8-fallback")
    studio.mfe("chaos", "checkout", "up")
    expect(fallback).to_be_hidden(timeout=20_000)
    expect(studio.host.badge).to_have_text("2", timeout=20_000)
    studio.host.checkout().expect_line("beans", 1, "16.00")
    studio.shoot("lab8-recovered")


def take_all(shop: Shop, browser: Browser, root: Path) -> list[Path]:
    """Every lab's pictures, in lab order; returns the files written."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    studio = Studio(shop, browser)
    lab1(studio)
    lab2(studio)
    lab3(studio)
    lab4(studio, root)
    lab5(studio, root)
    lab6(studio)
    lab7(studio)
    lab8(studio)
    studio.mfe("reset")
    studio.context.close()
    return studio.written
