"""The inspector's flow view: each hop of each recent event, with the version on that hop."""

import pytest
from playwright.sync_api import expect

from e2e.pages import HostPage, InspectorPage
from e2e.processes import start_shop
from e2e.test_deploys import api_deploy

TOKEN = "test-token"


@pytest.fixture(scope="module")
def flow_shop(tmp_path_factory):
    """A shop of its own: these tests deploy products 2 through the API."""
    with start_shop(tmp_path_factory.mktemp("flow-data"), {"MFE_ADMIN_TOKEN": TOKEN}) as running:
        yield running


@pytest.fixture
def products_2_live(flow_shop):
    """Products 2 and checkout 1 live (deployed as a team would); reset afterwards."""
    status, body = api_deploy(flow_shop, {"app": "products", "release": 2})
    assert status == 200, body
    assert body["apps"]["checkout"]["release"] == 1
    yield flow_shop
    result = flow_shop.mfe("reset")
    assert result.returncode == 0, result.stdout + result.stderr


def test_an_add_shows_each_hop_with_its_version(products_2_live, new_context):
    """Products 2 emits 2.0.0 to the host; the host delivers 1.0.0 to checkout 1, converted;
    the verdict and the ack go back; the timeline table still has its rows."""
    shopper = new_context()
    watcher = new_context()
    try:
        inspector = InspectorPage(watcher.new_page(), products_2_live.host).open()
        host = HostPage(shopper.new_page(), products_2_live.host).open()
        host.expect_frame_app("products", 2)
        host.products().add("kettle")
        expect(host.badge).to_have_text("1")

        event = "cart:item-added"
        emit = inspector.arrows(source="products", target="host", event=event, hop="emit").last
        expect(emit).to_have_attribute("data-version", "2.0.0")
        expect(emit).to_contain_text("cart:item-added 2.0.0")
        verdict = inspector.arrows(source="host", target="products", event=event).last
        expect(verdict).to_have_attribute("data-hop", "verdict")
        expect(verdict).to_contain_text("accepted")
        delivery = inspector.arrows(source="host", target="checkout", event=event).last
        expect(delivery).to_have_attribute("data-version", "1.0.0")
        expect(delivery).to_have_attribute("data-converted-from", "2.0.0")
        expect(delivery.get_by_test_id("flow-conversion")).to_have_text("2.0.0 → 1.0.0")
        ack = inspector.arrows(source="checkout", target="host", event=event, hop="ack").last
        expect(ack).to_have_attribute("data-version", "1.0.0")
        expect(ack).to_contain_text("ack 1.0.0")
        # Checkout then tells the host the new count: its own emit, unconverted.
        updated = inspector.arrows(source="checkout", target="host", event="cart:updated").last
        expect(updated).to_have_attribute("data-version", "1.0.0")
        expect(updated).to_have_attribute("data-status", "ok")

        added = inspector.timeline_rows.filter(has_text="cart:item-added 2.0.0")
        expect(added).not_to_have_count(0)
        host.expect_no_errors()
    finally:
        shopper.close()
        watcher.close()


def test_a_refusal_is_red_with_its_reason_and_text_stays_text(flow_shop, context):
    """An invalid emit: the verdict arrow is refused with the reason; an event name made of
    markup is shown as text in the view, never parsed."""
    inspector = InspectorPage(context.new_page(), flow_shop.host).open()
    host = HostPage(context.new_page(), flow_shop.host).open()
    refused = host.products().emit("cart:item-added", "1.0.0", {"quantity": -1})
    assert refused["reason"] == "invalid"
    verdict = inspector.arrows(source="host", target="products", hop="verdict", status="refused")
    expect(verdict.last).to_contain_text("refused: invalid")
    expect(verdict.last).to_have_css("color", "rgb(161, 38, 34)")

    markup = '<img src=x data-injected="yes">'
    unknown = host.products().emit(markup, "1.0.0", {})
    assert unknown["reason"] == "unknown-event"
    emit = inspector.arrows(source="products", target="host", hop="emit", status="refused").last
    expect(emit).to_have_attribute("data-event", markup)
    expect(emit).to_contain_text(markup)
    expect(inspector.flow.locator("img")).to_have_count(0)
