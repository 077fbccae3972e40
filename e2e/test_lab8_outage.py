"""Workshop lab 8, a Playwright test of your own (this is its solution): checkout goes down, a
shopper adds anyway, checkout comes back, and the add lands once.

Watch it: `.venv/bin/pytest e2e/test_lab8_outage.py --headed --slowmo 500`.
"""

import pytest
from playwright.sync_api import expect

from e2e.pages import HostPage

pytestmark = pytest.mark.lab8


def test_an_add_made_while_checkout_is_down_lands_once(shop, page):
    """Chaos takes checkout down; the add waits in the outbox; it lands once checkout is up."""
    host = HostPage(page, shop.host).open()
    shop.mfe("chaos", "checkout", "down", check=True)
    try:
        expect(page.get_by_test_id("fallback-checkout")).to_be_visible()
        host.products().add("dripper")
        expect(host.toasts).to_have_count(1)
        assert len(page.evaluate("window.mfeHost.pending('checkout')")) == 1
    finally:
        shop.mfe("chaos", "checkout", "up", check=True)
    expect(page.get_by_test_id("fallback-checkout")).to_be_hidden()
    host.checkout().expect_line("dripper", 1, "24.00")
    page.wait_for_function("() => window.mfeHost.pending('checkout').length === 0")
    shop.mfe("reset", check=True)
