"""Independent releases: every pairing of products 1|2 and checkout 1|2 works.

Discounts appear only when both sides are on release 2, and checkout release 1 never
receives a 2.0.0 envelope: the host converts down. Dual emit adds once, not twice.
"""

import pytest
from playwright.sync_api import expect

from e2e.pages import HostPage
from e2e.processes import start_shop


@pytest.fixture(scope="module")
def versions_shop(tmp_path_factory):
    """A shop of its own: these tests restart the host with other releases live."""
    with start_shop(tmp_path_factory.mktemp("versions-data")) as running:
        yield running


def go_live(shop, products: int, checkout: int, dual_emit: bool = False) -> None:
    """Restart the host seeded with these releases (and products 2 with or without dual emit)."""
    wanted = "1" if dual_emit else "0"
    if shop.env.get("MFE_DUAL_EMIT", "0") != wanted:
        shop.restart("products-v2", MFE_DUAL_EMIT=wanted)
    shop.restart("host", MFE_LIVE=f"products={products},checkout={checkout}")


@pytest.mark.parametrize(("products_release", "checkout_release"), [(1, 1), (1, 2), (2, 1), (2, 2)])
def test_version_matrix(versions_shop, page, products_release, checkout_release):
    """Both adds land; the kettle's promotion shows and applies only with 2 and 2."""
    go_live(versions_shop, products_release, checkout_release)
    host = HostPage(page, versions_shop.host).open()
    host.expect_frame_app("products", products_release)
    host.expect_frame_app("checkout", checkout_release)
    products, checkout = host.products(), host.checkout()

    kettle_discount = products.card("kettle").get_by_test_id("product-discount")
    if products_release == 2:
        expect(kettle_discount).to_have_text("$7.50")
        expect(products.card("grinder").get_by_test_id("product-discount")).to_have_count(0)
    else:
        expect(kettle_discount).to_have_count(0)

    products.add("kettle", 2)
    products.add("grinder", 1)
    expect(host.badge).to_have_text("3")
    discounted = products_release == 2 and checkout_release == 2
    checkout.expect_line("kettle", 2, "49.00", "7.50" if discounted else None)
    checkout.expect_line("grinder", 1, "89.99")
    expect(checkout.total).to_have_text("$172.99" if discounted else "$187.99")

    received = [e for e in checkout.history() if e["direction"] == "received"]
    assert len(received) == 2
    # Each consumer gets the highest version it takes: checkout 2 gets 1.0.0 converted up.
    assert {e["version"] for e in received} == {"2.0.0" if checkout_release == 2 else "1.0.0"}
    if not discounted:
        assert all(e["data"].get("discount") is None for e in received)
    host.expect_no_errors()


@pytest.mark.parametrize("checkout_release", [1, 2])
def test_dual_emit_adds_once(versions_shop, page, checkout_release):
    """Products 2 with MFE_DUAL_EMIT=1 sends 1.0.0 and 2.0.0 as one event: one click, quantity 1."""
    go_live(versions_shop, 2, checkout_release, dual_emit=True)
    host = HostPage(page, versions_shop.host).open()
    products, checkout = host.products(), host.checkout()
    products.add("dripper", 1)
    expect(host.badge).to_have_text("1")
    sent = [
        e
        for e in products.history()
        if e["direction"] == "sent" and e["event"] == "cart:item-added"
    ]
    assert sorted(e["version"] for e in sent) == ["1.0.0", "2.0.0"]
    assert len({e["id"] for e in sent}) == 1
    received = [e for e in checkout.history() if e["direction"] == "received"]
    assert [e["version"] for e in received] == ["2.0.0" if checkout_release == 2 else "1.0.0"]
    checkout.expect_line("dripper", 1, "24.00", "4.00" if checkout_release == 2 else None)
    expect(host.toasts).to_have_count(1)
