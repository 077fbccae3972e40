"""`make screenshots`: drive the real system and write the pictures in docs/images/.

First each workshop lab's screens (e2e/workshop_screenshots.py, in docs/images/workshop/),
then the shop (products 2 and checkout 2, with discounts in the cart), the inspector (a
down-conversion and a refusal), the contract page, and a fallback while checkout is down.
"""

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from e2e.browsers import launch_options
from e2e.pages import HostPage
from e2e.processes import REPOSITORY, start_shop
from e2e.test_workshop_labs import copy_repository
from e2e.workshop_screenshots import take_all

IMAGES = REPOSITORY / "docs" / "images"
VIEWPORT = {"width": 1280, "height": 800}


def main() -> int:
    """Take the workshop's screenshots and the four overview ones; print where they went."""
    IMAGES.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="mfe-screenshots-"))
    # Lab 5 applies its solution: in a copy, so this work tree stays as it is.
    root = copy_repository(Path(tempfile.mkdtemp(prefix="mfe-screenshots-repo-")))
    print(f"Starting the five processes (data in {data}, code in {root}) ...", flush=True)
    shop = start_shop(
        data, {"MFE_ADMIN_TOKEN": "screenshots", "MFE_READY_TIMEOUT_MS": "2000"}, root=root
    )

    def mfe(*args: str) -> None:
        shop.mfe(*args, check=True)

    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(**launch_options(playwright))
            for path in take_all(shop, browser, root):
                print(f"wrote {path.relative_to(REPOSITORY)}", flush=True)
            context = browser.new_context(viewport=VIEWPORT)
            inspector = context.new_page()
            inspector.goto(shop.host + "/inspector")
            host = HostPage(context.new_page(), shop.host)

            mfe("deploy", "products", "2")
            host.open()
            host.products().add("kettle", 2)
            expect(host.checkout().line("kettle")).to_be_visible()
            host.products().emit(
                "cart:item-added",
                "2.0.0",
                {"itemId": "bad", "productId": "mug", "quantity": -1, "price": 14.5},
            )
            expect(
                inspector.get_by_test_id("inspector-delivery").filter(has_text="converted")
            ).not_to_have_count(0)
            inspector.screenshot(path=IMAGES / "inspector.png")

            mfe("deploy", "checkout", "2")
            host.expect_frame_app("checkout", 2)
            host.wait_connected("checkout")
            host.products().add("beans", 1)
            expect(
                host.checkout().line("beans").get_by_test_id("cart-item-discount")
            ).to_be_visible()
            host.page.screenshot(path=IMAGES / "shop.png")

            contracts = context.new_page()
            contracts.goto(shop.host + "/contracts")
            contracts.screenshot(path=IMAGES / "contracts.png")

            mfe("chaos", "checkout", "down")
            expect(host.page.get_by_test_id("fallback-checkout")).to_be_visible(timeout=20_000)
            host.page.screenshot(path=IMAGES / "fallback.png")
            mfe("chaos", "checkout", "up")
            browser.close()
    finally:
        shop.stop_all()
    for name in ("shop", "inspector", "contracts", "fallback"):
        print(f"wrote {(IMAGES / f'{name}.png').relative_to(REPOSITORY)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
