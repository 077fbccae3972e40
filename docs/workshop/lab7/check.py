"""Lab 7's check, on your running shop (MFE_HOST_URL, default http://localhost:8000), in headless
Chromium: the attacks of the lab are refused, and an order shows the host's notification, asked
for through the shared service (`mfe.request("notifications.show", ...)`)."""

from labcheck import NotYet, Points, get_json, headless_browser

from mfe_platform import settings

points = Points()
HOST = settings.app_url("host")
# Each entry of mfeHost.log() after `since` about the products frame: refused or welcomed.
VERDICT = """([since]) => {
    const entries = window.mfeHost.log().slice(since);
    const refused = entries.find((e) => e.type === "refused" && e.verdict === "wrong-origin");
    if (refused) return "refused";
    const welcomed = entries.find((e) => e.type === "hello" && e.app === "products");
    return welcomed ? "welcomed" : null;
}"""


def stale_products_url() -> str:
    """A registered products release that is not the live one: what the attacker loads."""
    live = get_json(f"{HOST}/api/deployments")["apps"]["products"]
    for release in settings.RELEASES:
        url = settings.app_url("products", release)
        if url != live["url"]:
            return url
    raise NotYet("no products release besides the live one")


def attack(page, host) -> None:
    """Load a release that is not live into the products frame; the host must refuse it."""
    stale = stale_products_url()
    since = page.evaluate("window.mfeHost.log().length")
    page.evaluate(
        "(url) => { document.querySelector(\"[data-testid='frame-products']\").src = url; }",
        stale + "/",
    )
    verdict = page.wait_for_function(VERDICT, arg=[since], timeout=15_000).json_value()
    if verdict != "refused":
        raise NotYet(
            f"the host welcomed {stale} into the products frame, though products is live at "
            "another origin: the origin check let it in"
        )


def order_toast(page, host) -> None:
    """Place an order; the host's notification service must show `Order … placed`."""
    from playwright.sync_api import expect

    host.reload()
    products = host.products()
    products.add("filters")
    expect(host.checkout().line("filters")).to_be_visible()
    host.checkout().place_order("Lab Seven", "lab7@example.com", "7 Origin Road")
    expect(host.checkout().locator.get_by_test_id("order-confirmation")).to_be_visible()
    toast = host.toasts.filter(has_text="placed")
    try:
        expect(toast).to_have_count(1, timeout=8_000)
    except AssertionError:
        shown = host.toasts.all_inner_texts()
        raise NotYet(f"no toast says the order was placed (toasts: {shown})") from None


def run_in_browser() -> None:
    """One headless Chromium for every point."""
    with headless_browser(points) as browser:
        if browser is None:
            return
        from e2e.pages import HostPage

        page = browser.new_page()

        @points.point(
            "your shop answers and both frames connect",
            f"start the shop (make run; restart it after `mfe workshop start 7`): {HOST}",
        )
        def _():
            HostPage(page, HOST).open()

        if not points.passed("your shop answers and both frames connect"):
            return
        host = HostPage(page, HOST)

        @points.point(
            "a release that is not live, loaded into the products frame, is refused wrong-origin",
            "host_app/static/bus/frames.js: compare event.origin with the live release's "
            "origin exactly (===): a hostname is not an origin",
        )
        def _():
            attack(page, host)

        @points.point(
            "an order shows the host's notification, asked for as a shared service",
            "checkout_app/static/checkout.js, after the order is placed: await "
            'mfe.request("notifications.show", {message: `Order ${order.orderId} placed`, '
            'type: "success"})',
        )
        def _():
            order_toast(page, host)


run_in_browser()
points.report()
