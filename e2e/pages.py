"""Page objects: the host page, and each app reached through its frame."""

import re

from playwright.sync_api import Frame, FrameLocator, Locator, Page, expect


def money(value: str) -> str:
    """`$89.97` for `89.97`: how the pages show an amount."""
    return f"${value}"


class HostPage:
    """The host shell with its two frames."""

    def __init__(self, page: Page, url: str):
        self.page = page
        self.url = url
        self.errors: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(f"pageerror: {error}"))

    def _console(self, message) -> None:
        if message.type == "error":
            self.errors.append(f"console: {message.text} at {message.location.get('url')}")

    def open(self) -> "HostPage":
        """Load the host page and wait until both apps finished their handshake."""
        self.page.goto(self.url + "/")
        self.wait_connected()
        return self

    def reload(self) -> "HostPage":
        """Reload the host page (both frames reload with it)."""
        self.page.reload()
        self.wait_connected()
        return self

    def wait_connected(self, *apps: str, timeout: float | None = None) -> None:
        """Wait until the named apps (default both) completed their handshake."""
        for app in apps or ("products", "checkout"):
            self.page.wait_for_function(
                "app => window.mfeHost && window.mfeHost.connected(app)", arg=app, timeout=timeout
            )

    def frame_locator(self, app: str) -> FrameLocator:
        """The iframe of `products` or `checkout`, for locators."""
        return self.page.frame_locator(f"[data-testid='frame-{app}']")

    def frame(self, app: str) -> Frame:
        """The iframe of `products` or `checkout`, for evaluating scripts."""
        return self.page.frame(name=app)

    def shopper_token(self) -> str:
        """The shopper's token the host keeps in its origin's storage (what checkout sends)."""
        return self.page.evaluate("() => localStorage.getItem('mfe-shopper-token')")

    def shopper_headers(self) -> dict[str, str]:
        """The credential checkout's page sends, for a test's own HTTP client."""
        return {"Authorization": f"Bearer {self.shopper_token()}"}

    @property
    def badge(self) -> Locator:
        """The cart badge."""
        return self.page.get_by_test_id("cart-badge")

    @property
    def toasts(self) -> Locator:
        """Every notification on screen."""
        return self.page.get_by_test_id("toast")

    def expect_frame_app(self, app: str, release: int) -> None:
        """The frame shows `app` at `release` (its body's data attributes)."""
        body = self.frame_locator(app).locator("body")
        expect(body).to_have_attribute("data-app", app)
        expect(body).to_have_attribute("data-release", str(release))

    def products(self) -> "ProductsFrame":
        """The products app inside its frame."""
        return ProductsFrame(self)

    def checkout(self) -> "CheckoutFrame":
        """The checkout app inside its frame."""
        return CheckoutFrame(self)

    def expect_no_errors(self) -> None:
        """No console errors and no uncaught exceptions from the pages so far."""
        assert self.errors == []


class FrameApp:
    """Shared by both app frames: the bus API of `window.mfe`."""

    app = ""

    def __init__(self, host: HostPage):
        self.host = host
        self.locator = host.frame_locator(self.app)

    def emit(self, event: str, version: str, data) -> dict:
        """Call `window.mfe.emit` in the frame; returns `{ok, reason, value}`."""
        return self.host.frame(self.app).evaluate(
            """async ([event, version, data]) => {
                try {
                    return { ok: true, value: await window.mfe.emit(event, version, data) };
                } catch (error) {
                    return { ok: false, reason: error.reason, message: error.message };
                }
            }""",
            [event, version, data],
        )

    def history(self) -> list[dict]:
        """`window.mfe.history()` of the frame."""
        return self.host.frame(self.app).evaluate("window.mfe.history()")


class ProductsFrame(FrameApp):
    """The catalog."""

    app = "products"

    def card(self, product_id: str) -> Locator:
        """The card of one product."""
        return self.locator.locator(f"[data-testid='product-card'][data-product-id='{product_id}']")

    def add(self, product_id: str, quantity: int = 1) -> None:
        """Set the quantity and click add to cart."""
        card = self.card(product_id)
        card.get_by_label("Quantity").fill(str(quantity))
        card.get_by_test_id("add-to-cart").click()
        expect(card.locator(".status")).to_have_text(re.compile(r"^(Added|Not added)"))


class CheckoutFrame(FrameApp):
    """The cart and the order form."""

    app = "checkout"

    def line(self, product_id: str) -> Locator:
        """The cart line of one product."""
        return self.locator.locator(f"[data-testid='cart-item'][data-product-id='{product_id}']")

    @property
    def lines(self) -> Locator:
        """Every cart line."""
        return self.locator.get_by_test_id("cart-item")

    @property
    def total(self) -> Locator:
        """The cart total."""
        return self.locator.get_by_test_id("cart-total")

    def expect_line(self, product_id: str, quantity: int, price: str, discount: str | None = None):
        """A line shows its quantity, unit list price and (or no) discount."""
        line = self.line(product_id)
        expect(line.get_by_test_id("cart-item-quantity")).to_have_text(str(quantity))
        expect(line.get_by_test_id("cart-item-price")).to_have_text(money(price))
        if discount is None:
            expect(line.get_by_test_id("cart-item-discount")).to_have_count(0)
        else:
            expect(line.get_by_test_id("cart-item-discount")).to_have_text(money(discount))

    def remove(self, product_id: str) -> None:
        """Remove one line."""
        self.line(product_id).get_by_test_id("remove-item").click()

    def place_order(self, name: str, email: str, address: str) -> None:
        """Fill the form and place the order."""
        form = self.locator.locator("#order-form")
        form.locator("[name='name']").fill(name)
        form.locator("[name='email']").fill(email)
        form.locator("[name='address']").fill(address)
        self.locator.get_by_test_id("place-order").click()


class ShopperTools:
    """The host page's own tools: per-browser overrides (console and panel) and ownership."""

    def __init__(self, host: HostPage):
        self.host = host
        self.page = host.page

    def override(self, app: str, url: str | None) -> str:
        """`mfeHost.override(app, url)` in the console; the page then reloads with it."""
        return self.page.evaluate("([app, url]) => window.mfeHost.override(app, url)", [app, url])

    def override_from_panel(self, app: str, url: str) -> None:
        """Open the Override panel, fill it in and submit."""
        panel = self.page.get_by_test_id("override-panel")
        panel.locator("summary").click()
        panel.get_by_test_id("override-app").select_option(app)
        panel.get_by_test_id("override-url").fill(url)
        panel.get_by_test_id("override-apply").click()

    @property
    def panel_error(self) -> Locator:
        """The Override panel's error line."""
        return self.page.get_by_test_id("override-error")

    @property
    def banner(self) -> Locator:
        """The red banner shown while an override is active."""
        return self.page.get_by_test_id("override-banner")

    def verdict(self, app: str) -> Locator:
        """The can-i-deploy verdict of `app`'s override, in the banner."""
        return self.banner.locator(f".override-line[data-app='{app}']").get_by_test_id(
            "override-verdict"
        )

    def reset(self, app: str) -> None:
        """Click the banner's reset button of `app`'s override."""
        self.banner.locator(f".override-line[data-app='{app}']").get_by_test_id(
            "override-reset"
        ).click()

    @property
    def ownership_toggle(self) -> Locator:
        """The "who owns what" switch."""
        return self.page.get_by_test_id("ownership-toggle")

    @property
    def ownership_labels(self) -> Locator:
        """The team labels on each app's area (present only while the switch is on)."""
        return self.page.get_by_test_id("ownership-label")


class InspectorPage:
    """The live inspector: its timeline table and its flow view."""

    def __init__(self, page: Page, host_url: str):
        self.page = page
        self.url = host_url + "/inspector"

    def open(self) -> "InspectorPage":
        """Load it and wait until it streams live."""
        self.page.goto(self.url)
        expect(self.page.get_by_test_id("inspector-connection")).to_have_text("live")
        return self

    @property
    def flow(self) -> Locator:
        """The flow view."""
        return self.page.get_by_test_id("flow-view")

    def arrows(self, **attributes: str) -> Locator:
        """Flow arrows with these data attributes (`source`/`target` stand for from/to)."""
        names = {"source": "from", "target": "to"}
        selector = "".join(f"[data-{names.get(k, k)}='{v}']" for k, v in attributes.items())
        return self.flow.locator(f"[data-testid='flow-arrow']{selector}")

    @property
    def timeline_rows(self) -> Locator:
        """The timeline table's rows, one per message."""
        return self.page.locator("table tbody tr")
