"""Accessibility: axe finds no serious or critical violation, and the shop works by keyboard."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from e2e.pages import HostPage

BLOCKING = {"serious", "critical"}


def violations(target) -> list[str]:
    """Serious and critical axe violations of a page or a frame, as readable lines."""
    results = Axe().run(target)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in BLOCKING
    ]


@pytest.fixture
def host(shop, page):
    """The shop with one item in the cart, so the cart markup is checked too."""
    host = HostPage(page, shop.host).open()
    host.products().add("mug")
    expect(host.badge).to_have_text("1")
    return host


def test_host_page_and_both_apps_have_no_serious_violations(host):
    """The host page, the products frame and the checkout frame, each checked by axe."""
    assert violations(host.page) == []
    assert violations(host.frame("products")) == []
    assert violations(host.frame("checkout")) == []


@pytest.mark.parametrize("path", ["/inspector", "/contracts"])
def test_inspector_and_contract_page_have_no_serious_violations(shop, page, path):
    """The inspector and the contract page."""
    page.goto(shop.host + path)
    expect(page.locator("h1")).to_be_visible()
    assert violations(page) == []


def test_add_to_cart_and_order_by_keyboard_alone(host):
    """Type a quantity, Tab to the button, Enter; fill the form with Tab and submit with Enter."""
    page = host.page
    quantity = host.products().card("beans").get_by_label("Quantity")
    quantity.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("2")
    page.keyboard.press("Tab")
    expect(host.products().card("beans").get_by_test_id("add-to-cart")).to_be_focused()
    page.keyboard.press("Enter")
    expect(host.badge).to_have_text("3")

    checkout = host.checkout()
    checkout.locator.locator("[name='name']").focus()
    page.keyboard.type("Ana Lima")
    page.keyboard.press("Tab")
    page.keyboard.type("ana@example.com")
    page.keyboard.press("Tab")
    page.keyboard.type("12 Rua das Flores, Lisboa")
    page.keyboard.press("Tab")
    expect(checkout.locator.get_by_test_id("place-order")).to_be_focused()
    page.keyboard.press("Enter")
    expect(checkout.locator.get_by_test_id("order-confirmation")).to_be_visible()
    expect(host.badge).to_have_text("0")


def test_usable_at_375_pixels_wide(shop, new_context):
    """On a 375 px phone screen nothing scrolls sideways and add to cart still works."""
    context = new_context(viewport={"width": 375, "height": 740})
    try:
        host = HostPage(context.new_page(), shop.host).open()
        assert host.page.evaluate("() => document.documentElement.scrollWidth") <= 375
        host.products().add("mug")
        expect(host.badge).to_have_text("1")
        host.checkout().expect_line("mug", 1, "14.50")
    finally:
        context.close()
