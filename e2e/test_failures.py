"""Failure is the default: an app that is down gets a fallback, and nothing is lost."""

import pytest
from playwright.sync_api import expect

from e2e.pages import HostPage
from e2e.processes import start_shop


@pytest.fixture(scope="module")
def outage_shop(tmp_path_factory):
    """A shop of its own (these tests stop processes) with a short handshake timeout."""
    with start_shop(
        tmp_path_factory.mktemp("outage-data"),
        {"MFE_ADMIN_TOKEN": "test-token", "MFE_READY_TIMEOUT_MS": "1500"},
    ) as running:
        yield running


@pytest.fixture
def restore(outage_shop):
    """Whatever a test stopped is running again afterwards."""
    yield
    outage_shop.start_many(
        [name for name in ("products-v1", "checkout-v1", "host") if name not in outage_shop.procs]
    )
    outage_shop.mfe("chaos", "checkout", "up", check=True)


def test_checkout_down_then_back_loses_nothing(outage_shop, page, restore):
    """Kill checkout, add three items, reload the host, start checkout: three lines, once each."""
    host = HostPage(page, outage_shop.host).open()
    outage_shop.stop("checkout-v1")
    fallback = page.get_by_test_id("fallback-checkout")
    expect(fallback).to_be_visible()
    expect(fallback.get_by_test_id("fallback-retry")).to_be_visible()

    products = host.products()
    for product in ("dripper", "mug", "beans"):
        products.add(product)
    expect(host.toasts).to_have_count(3)
    assert len(page.evaluate("window.mfeHost.pending('checkout')")) == 3

    page.reload()
    host.wait_connected("products")
    expect(fallback).to_be_visible()
    assert len(page.evaluate("window.mfeHost.pending('checkout')")) == 3

    outage_shop.start("checkout-v1")
    expect(fallback).to_be_hidden()
    checkout = host.checkout()
    expect(checkout.lines).to_have_count(3)
    for product in ("dripper", "mug", "beans"):
        expect(checkout.line(product).get_by_test_id("cart-item-quantity")).to_have_text("1")
    expect(host.badge).to_have_text("3")
    page.wait_for_function("() => window.mfeHost.pending('checkout').length === 0")


def test_the_badge_keeps_the_last_count_across_a_reload_while_checkout_is_down(
    outage_shop, page, restore
):
    """After a reload the badge shows the count checkout last reported, not 0, until it is back;
    and a cart emptied meanwhile (mfe reset) is put right once checkout reports again."""
    host = HostPage(page, outage_shop.host).open()
    host.products().add("kettle", 2)
    expect(host.badge).to_have_text("2")
    outage_shop.stop("checkout-v1")
    page.reload()
    expect(page.get_by_test_id("fallback-checkout")).to_be_visible()
    expect(host.badge).to_have_text("2")

    # checkout-v2 shares the data folder, so the reset empties the cart while v1 is down.
    outage_shop.mfe("reset", check=True)
    outage_shop.start("checkout-v1")
    expect(page.get_by_test_id("fallback-checkout")).to_be_hidden()
    expect(host.checkout().locator.get_by_test_id("cart-empty")).to_be_visible()
    expect(host.badge).to_have_text("0")
    page.reload()
    expect(host.badge).to_have_text("0")


def test_checkout_down_before_its_manifest_was_ever_known_loses_nothing(outage_shop, page, restore):
    """The host starts with checkout down and no copy of its manifest: an add waits, unrouted,
    until checkout comes back and the host pushes the manifest; then it is delivered once."""
    outage_shop.stop("checkout-v1")
    outage_shop.stop("host")
    (outage_shop.data_dir / "host" / "manifests.json").unlink(missing_ok=True)
    outage_shop.start("host")
    page.goto(outage_shop.host + "/")
    host = HostPage(page, outage_shop.host)
    host.wait_connected("products")
    config = page.evaluate("JSON.parse(document.getElementById('page-config').dataset.config)")
    assert config["apps"]["checkout"]["manifest"] is None

    host.products().add("mug")
    expect(host.toasts).to_have_count(1)
    # Whatever checkout might consume waits for it: the add and its toast's notification.
    added = page.evaluate(
        "window.mfeHost.log().find((e) => e.type === 'emit' && e.event === 'cart:item-added').id"
    )
    waiting = page.evaluate("window.mfeHost.pending('checkout').map((r) => r.id)")
    assert added in waiting

    outage_shop.start("checkout-v1")
    checkout = host.checkout()
    expect(checkout.lines).to_have_count(1)
    expect(checkout.line("mug").get_by_test_id("cart-item-quantity")).to_have_text("1")
    page.wait_for_function("() => window.mfeHost.pending('checkout').length === 0")
    # What its manifest does not consume is dropped, and the log says so.
    dropped = page.evaluate(
        "window.mfeHost.log().filter((e) => e.type === 'dropped').map((e) => [e.event, e.reason])"
    )
    assert all(reason == "not-consumed" for _, reason in dropped)
    assert "cart:item-added" not in {event for event, _ in dropped}


def test_products_down_checkout_and_badge_keep_working(outage_shop, page, restore):
    """With products gone its fallback shows; checkout still places an order, the badge follows."""
    host = HostPage(page, outage_shop.host).open()
    host.products().add("scale", 2)
    expect(host.badge).to_have_text("2")
    outage_shop.stop("products-v1")
    expect(page.get_by_test_id("fallback-products")).to_be_visible()
    checkout = host.checkout()
    checkout.place_order("Ana Lima", "ana@example.com", "12 Rua das Flores, Lisboa")
    expect(checkout.locator.get_by_test_id("order-confirmation")).to_be_visible()
    expect(host.badge).to_have_text("0")

    outage_shop.start("products-v1")
    expect(page.get_by_test_id("fallback-products")).to_be_hidden()
    host.wait_connected("products")
    host.products().add("mug")
    expect(host.badge).to_have_text("1")


def test_chaos_down_and_up_without_a_kill(outage_shop, page, restore):
    """`mfe chaos checkout down` shows the fallback and holds adds; `up` delivers them once."""
    host = HostPage(page, outage_shop.host).open()
    down = outage_shop.mfe("chaos", "checkout", "down")
    assert down.returncode == 0, down.stdout + down.stderr
    fallback = page.get_by_test_id("fallback-checkout")
    expect(fallback).to_be_visible()
    host.products().add("filters", 3)
    up = outage_shop.mfe("chaos", "checkout", "up")
    assert up.returncode == 0
    expect(fallback).to_be_hidden()
    host.checkout().expect_line("filters", 3, "5.25")
    expect(host.badge).to_have_text("3")


def test_fallback_retry_button_restores_the_frame(outage_shop, page, restore):
    """The retry button reloads the frame at once when the app is back."""
    host = HostPage(page, outage_shop.host).open()
    outage_shop.stop("checkout-v1")
    fallback = page.get_by_test_id("fallback-checkout")
    expect(fallback).to_be_visible()
    outage_shop.start("checkout-v1")
    fallback.get_by_test_id("fallback-retry").click()
    expect(fallback).to_be_hidden()
    host.wait_connected("checkout")


def test_page_reconnects_after_a_host_restart(outage_shop, page, restore):
    """Restart the host with a page open: the socket comes back and later deploys reach it."""
    host = HostPage(page, outage_shop.host).open()
    page.wait_for_function("() => window.mfeHost.socketOpen()")
    outage_shop.restart("host")
    page.wait_for_function("() => window.mfeHost.socketOpen()")
    deployed = outage_shop.mfe("deploy", "products", "2")
    assert deployed.returncode == 0, deployed.stdout + deployed.stderr
    host.expect_frame_app("products", 2)
    outage_shop.mfe("deploy", "products", "1", check=True)
    host.expect_frame_app("products", 1)


@pytest.fixture(scope="module")
def one_token_shop(tmp_path_factory):
    """Host, products 1 and checkout 1 with a bus that lets each app one message a second."""
    with start_shop(
        tmp_path_factory.mktemp("one-token-data"),
        {"MFE_BUS_RATE": "1", "MFE_BUS_BURST": "1"},
        names=("host", "products-v1", "checkout-v1"),
    ) as running:
        yield running


def test_an_add_whose_notification_is_refused_still_says_added(one_token_shop, page):
    """The add takes products' one token, its toast is refused `rate-limited`: the card says
    the item was added (it was: the cart has it), not "Not added"."""
    host = HostPage(page, one_token_shop.host).open()
    products = host.products()
    card = products.card("mug")
    card.get_by_test_id("add-to-cart").click()
    expect(card.locator(".status")).to_have_text("Added 1 (no notification: rate-limited)")
    expect(host.checkout().line("mug").get_by_test_id("cart-item-quantity")).to_have_text("1")
    expect(host.toasts).to_have_count(0)
