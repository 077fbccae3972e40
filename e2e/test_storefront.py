"""The shop as a shopper uses it: products 1 and checkout 1, talking only through the bus."""

import json

import pytest
from playwright.sync_api import expect

from e2e.pages import HostPage


@pytest.fixture
def host(shop, page):
    """The host page, both frames connected."""
    return HostPage(page, shop.host).open()


def test_the_whole_journey(host):
    """Add, merge, remove, order: toasts, badge, lines, exact totals, confirmation, empty cart."""
    products, checkout = host.products(), host.checkout()
    expect(checkout.locator.get_by_test_id("cart-empty")).to_be_visible()

    products.add("grinder", 2)
    expect(host.toasts).to_have_count(1)
    expect(host.toasts.first).to_contain_text("Burr Grinder added to cart")
    expect(host.badge).to_have_text("2")
    checkout.expect_line("grinder", 2, "89.99")
    expect(checkout.total).to_have_text("$179.98")
    expect(checkout.locator.get_by_test_id("cart-empty")).to_be_hidden()

    products.add("mug", 1)
    products.add("grinder", 1)
    expect(host.badge).to_have_text("4")
    expect(checkout.lines).to_have_count(2)
    checkout.expect_line("grinder", 3, "89.99")
    expect(checkout.total).to_have_text("$284.47")

    checkout.remove("mug")
    expect(checkout.lines).to_have_count(1)
    expect(host.badge).to_have_text("3")
    expect(checkout.total).to_have_text("$269.97")

    checkout.place_order("Ana Lima", "ana@example.com", "12 Rua das Flores, Lisboa")
    confirmation = checkout.locator.get_by_test_id("order-confirmation")
    expect(confirmation).to_be_visible()
    expect(confirmation).to_contain_text("ord-")
    expect(confirmation).to_contain_text("$269.97")
    expect(checkout.locator.get_by_test_id("cart-empty")).to_be_visible()
    expect(checkout.total).to_have_text("$0.00")
    expect(host.badge).to_have_text("0")
    expect(host.toasts.filter(has_text="placed")).to_have_count(1)
    host.expect_no_errors()


def test_order_form_shows_messages_next_to_fields(host):
    """Empty or malformed fields get a message beside them and nothing is ordered."""
    host.products().add("beans")
    checkout = host.checkout()
    checkout.place_order("", "not-an-email", "   ")
    form = checkout.locator.locator("#order-form")
    expect(form.locator("#name-error")).not_to_be_empty()
    expect(form.locator("#email-error")).to_contain_text("email")
    expect(form.locator("#address-error")).not_to_be_empty()
    expect(checkout.locator.get_by_test_id("order-confirmation")).to_be_hidden()
    expect(checkout.lines).to_have_count(1)


def test_cart_and_badge_survive_a_reload_and_a_checkout_restart(shop, host):
    """The cart belongs to the browser: reload the host, restart checkout, all still right."""
    host.products().add("kettle", 2)
    expect(host.badge).to_have_text("2")
    host.reload()
    expect(host.badge).to_have_text("2")
    host.checkout().expect_line("kettle", 2, "49.00")

    shop.restart("checkout-v1")
    host.reload()
    expect(host.badge).to_have_text("2")
    host.checkout().expect_line("kettle", 2, "49.00")
    expect(host.checkout().total).to_have_text("$98.00")


def test_an_add_refused_for_its_token_is_retried_and_lands(host):
    """Checkout's server refuses the shopper token once (401: a token it cannot read). That may
    pass later, so the add is failed, not rejected; the page asks the host for the token again,
    and the retry lands, once."""
    refused = []

    def refuse_once(route):
        if refused:
            route.continue_()
            return
        refused.append(route.request.headers.get("authorization", ""))
        body = {"error": "unauthorized", "message": "token refused", "details": []}
        route.fulfill(status=401, content_type="application/json", body=json.dumps(body))

    host.page.route("**/api/cart/items", refuse_once)
    host.products().add("beans")
    host.page.wait_for_function(
        """() => window.mfeHost.log().some((e) => e.type === "fail" && e.app === "checkout")"""
    )
    host.checkout().expect_line("beans", 1, "16.00")
    expect(host.badge).to_have_text("1")
    assert refused == [f"Bearer {host.shopper_token()}"]
    log = host.page.evaluate("window.mfeHost.log()")
    assert not [e for e in log if e["type"] == "ack" and e.get("rejected")], log


def test_a_late_first_read_of_the_cart_never_hides_an_add_saved_after_it(shop, page):
    """Checkout's first GET of the cart, held back, neither holds an add up nor, answered after
    the add was saved, overwrites it."""
    held, answers = [], []

    def hold_first_read(route):
        # The answer is read now (an empty cart) and handed to the page only when the test says.
        if route.request.method == "GET" and not held:
            held.append(route)
            answers.append(route.fetch())
            # Said in the page, where the test can wait for it.
            page.evaluate("() => { window.__firstReadHeld = true; }")
        else:
            route.continue_()

    page.route(f"{shop.url('checkout-v1')}/api/cart", hold_first_read)
    host = HostPage(page, shop.host).open()
    # The held answer must be read before the add, or it would not be older than the add (a CI
    # run once added first, while the read was still on its way).
    page.wait_for_function("() => window.__firstReadHeld === true")
    host.products().add("filters", 3)
    host.checkout().expect_line("filters", 3, "5.25")
    route, stale = held[0], answers[0]
    # Read before the add: the answer held back is the empty cart, older than the add.
    assert stale.json()["itemCount"] == 0
    route.fulfill(response=stale)
    # Two cart:updated emits from checkout: the first read's and the add's, in either order.
    host.page.wait_for_function(
        """() => window.mfeHost.log().filter(
            (e) => e.type === "emit" && e.app === "checkout" && e.event === "cart:updated"
        ).length >= 2"""
    )
    host.checkout().expect_line("filters", 3, "5.25")
    expect(host.badge).to_have_text("3")


def test_a_first_read_of_the_cart_that_fails_is_tried_again(shop, page):
    """Checkout's server refuses the first read of the cart (it was down as the page loaded):
    the frame reads it again by itself and shows the cart, with no reload."""
    reads = []

    def refuse_first_read(route):
        if route.request.method != "GET":
            route.continue_()
            return
        reads.append(route.request.url)
        if len(reads) == 1:
            route.fulfill(status=503, content_type="application/json", body='{"error": "down"}')
        else:
            route.continue_()

    page.route(f"{shop.url('checkout-v1')}/api/cart", refuse_first_read)
    host = HostPage(page, shop.host).open()
    checkout = host.checkout()
    expect(checkout.locator.get_by_test_id("cart-empty")).to_be_visible()
    expect(checkout.locator.locator("#cart")).to_have_attribute("aria-busy", "false")
    expect(checkout.locator.locator("#status")).to_be_empty()
    assert len(reads) == 2
    host.products().add("mug")
    checkout.expect_line("mug", 1, "14.50")


@pytest.mark.parametrize(
    ("event", "version", "data", "reason"),
    [
        ("cart:item-added", "1.0.0", {"quantity": -1}, "invalid"),
        ("cart:item-added", "1.0.0", {"quantity": 0}, "invalid"),
        ("cart:item-added", "1.0.0", {"quantity": 1.5}, "invalid"),
        ("cart:item-added", "1.0.0", {"quantity": "2"}, "invalid"),
        ("cart:item-added", "1.0.0", {"price": None}, "invalid"),
        ("cart:item-removed", "1.0.0", {}, "unknown-event"),
        ("cart:item-added", "3.0.0", {}, "unknown-version"),
        ("foo", "1.0.0", {}, "unknown-event"),
        ("cart:item-added", "1.0", {}, "unknown-version"),
        ("cart:item-added", "2.0.0", {}, "not-allowed"),
        ("cart:updated", "1.0.0", {"itemCount": 99, "total": 1.0}, "not-allowed"),
    ],
)
def test_refused_emits_reject_with_a_reason_and_change_nothing(host, event, version, data, reason):
    """A frame's bad emit is refused with its reason; the cart and the badge stay as they were."""
    products, checkout = host.products(), host.checkout()
    products.add("mug")
    expect(host.badge).to_have_text("1")
    payload = {"itemId": "x1", "productId": "mug", "quantity": 1, "price": 14.5, **data}
    if event != "cart:item-added":
        payload = data
    result = products.emit(event, version, payload)
    assert (result["ok"], result.get("reason")) == (False, reason), result
    # A valid add right after still works, and only it changes the cart.
    products.add("mug")
    expect(host.badge).to_have_text("2")
    checkout.expect_line("mug", 2, "14.50")
    received = [e for e in checkout.history() if e["direction"] == "received"]
    assert [e["data"]["quantity"] for e in received] == [1, 1]
    host.expect_no_errors()


def test_history_shows_what_was_sent_and_received_as_it_was(host):
    """`mfe.history()`: the sent envelope in products, the received one in checkout, each with
    its direction; a handler that changes its envelope, or a caller that changes what
    history() returned, does not change history."""
    products = host.products()
    host.frame("checkout").evaluate(
        """() => { window.mfe.on("cart:item-added", (data, envelope) => {
            envelope.version = "9.9.9";
        }); }"""
    )
    products.add("mug")
    expect(host.badge).to_have_text("1")
    [sent] = [e for e in products.history() if e["event"] == "cart:item-added"]
    assert (sent["direction"], sent["version"], sent["source"]) == ("sent", "1.0.0", "products")
    assert sent["data"]["productId"] == "mug"
    received = host.frame("checkout").evaluate(
        """() => { const mine = window.mfe.history().filter((e) => e.direction === "received");
            mine.at(-1).version = "changed by the caller";
            return window.mfe.history().filter((e) => e.direction === "received"); }"""
    )
    assert [(e["id"], e["version"], e["data"]) for e in received] == [
        (sent["id"], "1.0.0", sent["data"])
    ]


def test_emit_resolves_with_id_and_status(host):
    """`window.mfe.emit` resolves `{id, status: "accepted"}` once the host accepted it."""
    result = host.products().emit(
        "notification:show", "1.0.0", {"message": "hello from a test", "type": "info"}
    )
    assert result["ok"] and result["value"]["status"] == "accepted"
    assert len(result["value"]["id"]) == 36
    expect(host.toasts.filter(has_text="hello from a test")).to_have_count(1)


def test_every_notification_of_a_busy_minute_gets_its_toast(host):
    """One toast per notification: twelve at once are twelve toasts (a flood still has a cap)."""
    products = host.products()
    for n in range(12):
        notification = {"message": f"note {n}", "type": "info", "duration": 60000}
        assert products.emit("notification:show", "1.0.0", notification)["ok"]
    expect(host.toasts).to_have_count(12)
    expect(host.toasts.last).to_contain_text("note 11")
    # They sit over the checkout column: a click on a toast's text goes through to the page
    # below it, and only its close button closes it.
    box = host.toasts.last.bounding_box()
    hit = host.page.evaluate(
        "([x, y]) => document.elementFromPoint(x, y)?.closest('[data-testid=toast]') ?? null",
        [box["x"] + 10, box["y"] + box["height"] / 2],
    )
    assert hit is None
    host.toasts.last.get_by_role("button", name="Dismiss notification").click()
    expect(host.toasts).to_have_count(11)


def test_notification_markup_is_shown_as_text(host):
    """A notification whose message is HTML shows as text; its handler never runs."""
    message = "<img src=x onerror=\"document.body.dataset.pwned='1'\">"
    result = host.products().emit(
        "notification:show", "1.0.0", {"message": message, "type": "error"}
    )
    assert result["ok"], result
    expect(host.toasts.filter(has_text="<img src=x")).to_have_count(1)
    assert host.page.locator("body[data-pwned]").count() == 0
    assert host.page.locator(".toast img").count() == 0
