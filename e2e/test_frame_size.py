"""One page, not three scroll boxes: each frame is as tall as its content, safely.

Each child reports its content height on its bus port; the host sizes the iframe to fit, so
the page scrolls as one document. The reports are an attack surface too (a frame making itself
10^9 px tall, a flood of reports): those tests end like every attack (`still_works`).
"""

import math

import pytest
from playwright.sync_api import expect

from e2e.pages import HostPage
from e2e.test_attacks import BrowserCart, still_works

APPS = ("products", "checkout")
MIN_HEIGHT = 120
MAX_HEIGHT = 16000
VIEWPORTS = [
    pytest.param({"width": 375, "height": 740}, id="375x740"),
    pytest.param({"width": 1280, "height": 800}, id="1280x800"),
]

# In the host page: the iframe's content box in viewport coordinates, and the page's scroll.
FRAME_BOX = """app => {
    const iframe = document.querySelector(`[data-testid='frame-${app}']`);
    const r = iframe.getBoundingClientRect();
    return { x: r.x + iframe.clientLeft, y: r.y + iframe.clientTop,
             width: iframe.clientWidth, height: iframe.clientHeight,
             scrollX: window.scrollX, scrollY: window.scrollY,
             viewportWidth: window.innerWidth, viewportHeight: window.innerHeight };
}"""
# In a frame: an element's box in the frame's viewport, and how far the frame scrolled inside.
INNER_BOX = """selector => {
    const r = document.querySelector(selector).getBoundingClientRect();
    return { x: r.x, y: r.y, width: r.width, height: r.height,
             innerScrollX: window.scrollX, innerScrollY: window.scrollY };
}"""
# In a frame: its document fits its iframe (nothing to scroll inside), and the iframe is not
# taller than the content either (a frame stuck at a huge height would "fit" too).
FITS = """() => {
    const root = document.documentElement;
    const content = root.getBoundingClientRect().height;
    return root.scrollHeight <= root.clientHeight && root.scrollWidth <= root.clientWidth
        && Math.abs(root.clientHeight - Math.max(content, 120)) < 2;
}"""


def page_box(host: HostPage, app: str, selector: str) -> dict:
    """The box of `selector` inside `app`'s frame, in page coordinates, with the frame's box."""
    frame = host.page.evaluate(FRAME_BOX, app)
    inner = host.frame(app).evaluate(INNER_BOX, selector)
    return {
        "x": frame["scrollX"] + frame["x"] + inner["x"],
        "y": frame["scrollY"] + frame["y"] + inner["y"],
        "width": inner["width"],
        "height": inner["height"],
        "frame": frame,
        "inner": inner,
    }


def toast_box(host: HostPage) -> dict:
    """The newest toast's box in page coordinates (toasts are fixed to the viewport)."""
    return host.page.evaluate(
        """() => {
            const toasts = document.querySelectorAll("[data-testid='toast']");
            const r = toasts[toasts.length - 1].getBoundingClientRect();
            return { x: r.x + window.scrollX, y: r.y + window.scrollY,
                     width: r.width, height: r.height };
        }"""
    )


def overlaps(a: dict, b: dict) -> bool:
    """Whether two boxes share any area."""
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


def toast_covers_nothing(host: HostPage) -> None:
    """The newest toast covers neither the cart's total nor the order button."""
    toast = toast_box(host)
    for test_id in ("cart-total", "place-order"):
        target = page_box(host, "checkout", f"[data-testid='{test_id}']")
        assert not overlaps(toast, target), (test_id, toast, target)


def scroll_page_to(host: HostPage, y: float) -> None:
    """Scroll the host page (never a frame) so page coordinate `y` is at the viewport's top."""
    host.page.evaluate("y => window.scrollTo(0, y)", y)


def wait_fits(host: HostPage, app: str) -> None:
    """Wait until the frame's document fits its iframe exactly, wherever the page is scrolled."""
    # Polling by timer: a frame out of view gets no animation frames.
    host.frame(app).wait_for_function(FITS, polling=100)


def sizes(host: HostPage) -> dict:
    """What the host's sizer received and applied, per app."""
    return host.page.evaluate("() => window.mfeHost.frameSizes()")


def iframe_height(host: HostPage, app: str) -> float:
    """The iframe's height on the host page."""
    return host.page.evaluate(FRAME_BOX, app)["height"]


def open_at(new_context, shop, viewport: dict) -> tuple:
    """A fresh context at `viewport` with the host page open and both apps connected."""
    context = new_context(viewport=viewport)
    return context, HostPage(context.new_page(), shop.host).open()


def reach_by_scrolling_the_page(host: HostPage, product: str) -> None:
    """Scroll the page (not the frame) to the product's card: it is then wholly in view, and
    wholly inside its iframe's box (a frame too short would clip it)."""
    selector = f"[data-testid='product-card'][data-product-id='{product}']"
    scroll_page_to(host, page_box(host, "products", selector)["y"] - 8)
    card = page_box(host, "products", selector)
    frame, inner = card["frame"], card["inner"]
    assert (inner["innerScrollX"], inner["innerScrollY"]) == (0, 0), product
    top = frame["y"] + inner["y"]
    assert top >= 0, card
    assert top + inner["height"] <= frame["viewportHeight"], card
    assert inner["y"] >= 0, card
    assert inner["y"] + inner["height"] <= frame["height"], card


def cart_placement(host: HostPage, wide: bool) -> None:
    """Wide: the cart is beside the products and wholly in view; narrow: it follows them."""
    products = host.page.evaluate(FRAME_BOX, "products")
    checkout = host.page.evaluate(FRAME_BOX, "checkout")
    if wide:
        assert checkout["x"] >= products["x"] + products["width"]
        assert checkout["y"] >= 0
        assert checkout["y"] + checkout["height"] <= checkout["viewportHeight"]
    else:
        assert checkout["y"] >= products["y"] + products["height"]


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_the_page_scrolls_as_one_document(shop, new_context, viewport):
    """Neither frame scrolls inside; every product card (six or more) is reached by scrolling
    the page; the cart stays in view beside the products (wide) or follows them (narrow);
    after an add the toast covers neither the cart's total nor the order button."""
    context, host = open_at(new_context, shop, viewport)
    try:
        cards = host.products().locator.get_by_test_id("product-card")
        # The catalog has at least six products (design.md); every one must be reachable.
        expect(cards.nth(5)).to_be_attached()
        for app in APPS:
            wait_fits(host, app)
        ids = [card.get_attribute("data-product-id") for card in cards.all()]
        for product in ids:
            reach_by_scrolling_the_page(host, product)
        # Now scrolled to the last product.
        cart_placement(host, wide=viewport["width"] > 720)

        host.products().add(ids[-1])
        expect(host.toasts).to_have_count(1)
        expect(host.checkout().lines).to_have_count(1)
        # Where the shopper is right after the add, then at the cart (the masthead's link).
        toast_covers_nothing(host)
        host.page.locator(".cart-link").click()
        toast_covers_nothing(host)
        host.expect_no_errors()
    finally:
        context.close()


def test_the_cart_below_the_products_is_sized_while_out_of_view(shop, new_context):
    """On a phone the cart is far below the first product: an add changes it while it is out
    of view (where the browser renders nothing), and it still fits its iframe."""
    context, host = open_at(new_context, shop, {"width": 375, "height": 740})
    try:
        wait_fits(host, "checkout")
        first = host.products().locator.get_by_test_id("product-card").first
        first.get_by_test_id("add-to-cart").click()
        expect(host.checkout().lines).to_have_count(1)
        checkout = host.page.evaluate(FRAME_BOX, "checkout")
        assert checkout["y"] > checkout["viewportHeight"], checkout
        wait_fits(host, "checkout")
        assert host.page.evaluate(FRAME_BOX, "checkout")["y"] > checkout["viewportHeight"]
    finally:
        context.close()


def test_a_cart_taller_than_the_screen_shows_its_end_and_then_stays(shop, new_context):
    """Wide but short screen: a cart taller than the screen scrolls with the page until its
    bottom shows, then stays there while the products scroll on."""
    context, host = open_at(new_context, shop, {"width": 1280, "height": 600})
    try:
        host.products().add("mug")
        expect(host.checkout().lines).to_have_count(1)
        wait_fits(host, "checkout")
        scroll_page_to(host, 0)
        cart = host.page.evaluate(FRAME_BOX, "checkout")
        assert cart["height"] > cart["viewportHeight"], cart
        # Scrolled just far enough for the cart's bottom to show, then 100 px further.
        first = cart["y"] + cart["height"] + 16 - cart["viewportHeight"]
        bottoms = []
        for y in (first, first + 100):
            scroll_page_to(host, y)
            cart = host.page.evaluate(FRAME_BOX, "checkout")
            assert cart["scrollY"] == y, "the products column is long enough to scroll on"
            button = page_box(host, "checkout", "[data-testid='place-order']")
            top = button["frame"]["y"] + button["inner"]["y"]
            assert 0 <= top <= cart["viewportHeight"] - button["height"], (y, button)
            bottoms.append(cart["y"] + cart["height"])
        assert bottoms == [cart["viewportHeight"] - 16] * 2, bottoms
    finally:
        context.close()


# --- attacks: what a compromised frame can send on its own port ---------------------------------

# In a frame: catch the port the page's own bus client posts on (what script running in a
# compromised app can do), kept as `window.stolenPort`.
STEAL_PORT = """async () => {
    const post = MessagePort.prototype.postMessage;
    const caught = new Promise((resolve) => {
        MessagePort.prototype.postMessage = function (...args) {
            MessagePort.prototype.postMessage = post;
            resolve(this);
            return post.apply(this, args);
        };
    });
    window.mfe.emit("no:such-event", "1.0.0", {}).catch(() => {});
    window.stolenPort = await caught;
    return window.stolenPort instanceof MessagePort;
}"""
# In a frame: post size reports on the stolen port, one message each.
SEND_SIZES = """heights => {
    for (const height of heights) {
        window.stolenPort.postMessage({ tag: "mfe-bus", kind: "size", height });
    }
}"""


def steal_port(host: HostPage, app: str = "products") -> None:
    """Give the test the real, authenticated port of `app`'s bus client."""
    assert host.frame(app).evaluate(STEAL_PORT) is True


def send_sizes(host: HostPage, heights: list, app: str = "products") -> None:
    """Post size reports (any values) from `app`'s frame on its stolen port."""
    host.frame(app).evaluate(SEND_SIZES, heights)


def wait_height(host: HostPage, app: str, height: int) -> None:
    """Wait until the host made `app`'s iframe exactly `height` pixels tall."""
    host.page.wait_for_function(
        "([app, height]) => window.mfeHost.frameSizes()[app].height === height",
        arg=[app, height],
    )
    assert iframe_height(host, app) == height


def clamp_log(host: HostPage) -> list[dict]:
    """The host's log entries of clamped size reports."""
    return [e for e in host.page.evaluate("() => window.mfeHost.log()") if e["type"] == "size"]


def test_a_frame_reporting_an_absurd_size_is_clamped(shop, new_context):
    """Products reports 10^9 px, then -10^9, then non-numbers, on its real port: the frame is
    held within [MIN_HEIGHT, MAX_HEIGHT] (logged once), non-numbers change nothing, the cart
    below it on a phone stays within reach, and products' own next report restores it."""
    context, host = open_at(new_context, shop, {"width": 375, "height": 740})
    try:
        wait_fits(host, "products")
        steal_port(host)
        send_sizes(host, [1e9])
        wait_height(host, "products", MAX_HEIGHT)
        send_sizes(host, [-1e9])
        wait_height(host, "products", MIN_HEIGHT)
        before = sizes(host)["products"]
        send_sizes(host, ["1e9", None, math.nan, {"height": 1e9}, [1e9], 1e9])
        host.page.wait_for_function(
            "n => window.mfeHost.frameSizes().products.reports >= n", arg=before["reports"] + 6
        )
        wait_height(host, "products", MAX_HEIGHT)
        # Only the number counted: one layout for the six reports.
        assert sizes(host)["products"]["layouts"] == before["layouts"] + 1
        assert [(e["app"], e["verdict"], e["height"]) for e in clamp_log(host)] == [
            ("products", "clamped", MAX_HEIGHT)
        ]
        # The page is long, not endless: the cart's order button is reached by scrolling it.
        page_height = host.page.evaluate("() => document.documentElement.scrollHeight")
        assert page_height < MAX_HEIGHT + 3000, page_height
        button = page_box(host, "checkout", "[data-testid='place-order']")
        scroll_page_to(host, button["y"] - 100)
        button = page_box(host, "checkout", "[data-testid='place-order']")
        top = button["frame"]["y"] + button["inner"]["y"]
        assert 0 <= top <= button["frame"]["viewportHeight"] - button["height"]
        # Products' own client reports its real height at its next change of size.
        host.frame("products").evaluate(
            "() => { const d = document.createElement('div'); d.style.height = '10px';"
            " document.body.append(d); }"
        )
        wait_fits(host, "products")
        still_works(shop, BrowserCart(shop, host))
        host.expect_no_errors()
    finally:
        context.close()


def test_a_flood_of_size_reports_costs_one_layout_per_animation_frame(shop, context):
    """20,000 reports on products' port, as fast as it can post: each is counted, the last one
    wins, and the host lays out at most once per animation frame it ran meanwhile."""
    host = HostPage(context.new_page(), shop.host).open()
    wait_fits(host, "products")
    steal_port(host)
    before = sizes(host)["products"]
    host.page.evaluate(
        """() => {
            window.framesSeen = 0;
            const tick = () => { window.framesSeen += 1; requestAnimationFrame(tick); };
            requestAnimationFrame(tick);
        }"""
    )
    send_sizes(host, [500 + (i % 2) * 300 for i in range(20000)] + [777])
    host.page.wait_for_function(
        "n => window.mfeHost.frameSizes().products.reports >= n", arg=before["reports"] + 20001
    )
    wait_height(host, "products", 777)
    frames_seen = host.page.evaluate("() => window.framesSeen")
    layouts = sizes(host)["products"]["layouts"] - before["layouts"]
    assert 1 <= layouts <= frames_seen + 1, (layouts, frames_seen)
    assert layouts < 200, layouts
    assert host.page.evaluate("() => 6 * 7") == 42
    still_works(shop, BrowserCart(shop, host))


def test_a_size_report_outside_the_port_is_refused(shop, context):
    """A size report posted as a window message (not on the authenticated port) is refused
    `not-a-hello` and sizes nothing."""
    host = HostPage(context.new_page(), shop.host).open()
    wait_fits(host, "products")
    before = sizes(host)["products"]
    host.frame("products").evaluate(
        """origin => parent.postMessage({ tag: "mfe-bus", kind: "size", height: 1e9 }, origin)""",
        shop.host,
    )
    origin = shop.url("products-v1")
    host.page.wait_for_function(
        """origin => window.mfeHost.log().some((e) => e.type === "refused"
            && e.origin === origin && e.verdict === "not-a-hello" && e.kind === "size")""",
        arg=origin,
    )
    # Two animation frames later, still nothing applied.
    host.page.evaluate(
        "() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))"
    )
    assert sizes(host)["products"] == before
    assert iframe_height(host, "products") == before["height"]
    still_works(shop, BrowserCart(shop, host))


def test_the_client_reports_at_most_once_per_animation_frame(shop, context):
    """A hundred changes of products' height in one task make one report, of the final size."""
    host = HostPage(context.new_page(), shop.host).open()
    wait_fits(host, "products")
    before = sizes(host)["products"]
    host.frame("products").evaluate(
        """() => {
            for (let i = 0; i < 100; i += 1) {
                const d = document.createElement("div");
                d.style.height = "10px";
                document.body.append(d);
            }
        }"""
    )
    host.page.wait_for_function(
        "h => window.mfeHost.frameSizes().products.height >= h", arg=before["height"] + 1000
    )
    wait_fits(host, "products")
    assert sizes(host)["products"]["reports"] == before["reports"] + 1
