"""No ambient credential: nothing of the shop's reaches another local server, and no page on
`localhost` can toss a cookie that breaks or swaps the shopper's cart.

Browsers scope cookies by host name, not by port, so a cookie of checkout's went to every server
on `localhost` and any page there could overwrite it. The shopper's token now lives in the host
origin's storage, and checkout's page sends it itself (docs/security.md).
"""

import json
import re
import secrets
import urllib.request

import pytest
from playwright.sync_api import expect

from e2e.attacker import Attacker
from e2e.pages import HostPage
from e2e.processes import get_json
from shared_contracts.envelope import new_envelope

COOKIE = "mfe_checkout_session"


@pytest.fixture
def attacker():
    """Another server on localhost: another port, so the same site as the shop."""
    site = Attacker()
    yield site
    site.close()


def shop_in(host: HostPage) -> None:
    """Add a grinder and a mug, and see both in the cart."""
    host.products().add("grinder")
    host.products().add("mug")
    expect(host.badge).to_have_text("2")


def toss(context, attacker: Attacker, **params) -> dict:
    """Open an attacker page in the shopper's browser that writes cookies for `localhost`."""
    lure = context.new_page()
    lure.goto(attacker.url("toss", **params))
    lure.wait_for_function("() => report.done")
    report = lure.evaluate("() => report")
    lure.close()
    return report


def test_another_local_server_receives_no_credential(shop, attacker, context, page):
    """After shopping, a page of another local server (and its requests back home) gets no
    cookie and no token of any app, and the browser holds no cookie at all."""
    host = HostPage(page, shop.host).open()
    shop_in(host)
    host.checkout().expect_line("mug", 1, "14.50")
    lure = context.new_page()
    lure.goto(attacker.url("socket", url=attacker.origin.replace("http", "ws", 1) + "/ws"))
    lure.wait_for_function("() => report.done")
    assert attacker.received_headers, "the attacker's server saw no request"
    for headers in attacker.received_headers:
        assert "cookie" not in headers and "authorization" not in headers, headers
    assert context.cookies() == []
    # Only checkout is handed the token: products asking for it is refused.
    refused = host.frame("products").evaluate(
        """() => mfe.request("shopper.token").then(() => "given", (error) => error.reason)"""
    )
    assert refused == "not-allowed"
    # The token exists, in the host origin's storage only; the cart answers to it.
    cart = get_json(shop.url("checkout-v1") + "/api/cart", headers=host.shopper_headers())
    assert cart["itemCount"] == 2


def test_a_cookie_tossed_on_the_api_path_changes_nothing(shop, attacker, context, page):
    """A page elsewhere on localhost writes a year-long `mfe_checkout_session` for `path=/api`
    (it used to win over the real one and make every add a 403): adds and the order still go."""
    host = HostPage(page, shop.host).open()
    shop_in(host)
    toss(context, attacker, name=COOKIE, value="planted", path="/api")
    host.products().add("kettle")
    expect(host.badge).to_have_text("3")
    host.reload()
    expect(host.badge).to_have_text("3")
    host.checkout().expect_line("kettle", 1, "49.00")
    checkout = host.checkout()
    checkout.place_order("Ana Lima", "ana@example.com", "1 Main St")
    expect(checkout.locator.get_by_test_id("order-confirmation")).to_contain_text("3 item(s)")


def test_junk_cookies_cannot_evict_the_cart_or_plant_another(shop, attacker, context, page):
    """200 junk cookies (past the browser's per-host limit, which evicts the oldest) and then a
    planted `mfe_checkout_session` carrying the attacker's own cart: the shopper's cart stays,
    and the order is placed from it, not from the attacker's."""
    host = HostPage(page, shop.host).open()
    shop_in(host)
    # The attacker's own cart, made through the API with a token of its own.
    theirs = secrets.token_urlsafe(32)
    planted = new_envelope(
        "cart:item-added",
        "1.0.0",
        "products",
        {"itemId": "evil", "productId": "kettle", "quantity": 7, "price": 49.0},
    )
    request = urllib.request.Request(
        shop.url("checkout-v1") + "/api/cart/items",
        json.dumps(planted).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {theirs}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
    report = toss(context, attacker, junk="200", name=COOKIE, value=theirs)
    assert report["cookies"] > 100, report
    host.reload()
    expect(host.badge).to_have_text("2")
    checkout = host.checkout()
    expect(checkout.lines).to_have_count(2)
    checkout.place_order("Ana Lima", "ana@example.com", "1 Main St")
    confirmation = checkout.locator.get_by_test_id("order-confirmation")
    expect(confirmation).to_contain_text(re.compile(r"2 item\(s\), \$104\.49"))
    their_cart = get_json(
        shop.url("checkout-v1") + "/api/cart", headers={"Authorization": f"Bearer {theirs}"}
    )
    assert their_cart["itemCount"] == 7
