"""The live inspector, `mfe events tail`, and the living contract page."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from e2e.pages import HostPage
from e2e.processes import start_shop
from shared_contracts import registry


@pytest.fixture(scope="module")
def watched_shop(tmp_path_factory):
    """A shop of its own with products 2 live, so deliveries to checkout 1 are converted."""
    with start_shop(
        tmp_path_factory.mktemp("inspector-data"),
        {"MFE_ADMIN_TOKEN": "inspector-token", "MFE_LIVE": "products=2,checkout=1"},
    ) as running:
        yield running


@pytest.fixture
def inspector(watched_shop, context):
    """The inspector page, live."""
    page = context.new_page()
    page.goto(watched_shop.host + "/inspector")
    expect(page.get_by_test_id("inspector-connection")).to_have_text("live")
    return page


def rows(inspector, **attributes):
    """Inspector rows with the given data attributes."""
    selector = "".join(f"[data-{k}='{v}']" for k, v in attributes.items())
    return inspector.locator(f"[data-testid='inspector-row']{selector}")


def test_inspector_shows_verdicts_conversions_and_acks(watched_shop, context, inspector):
    """An add from products 2: accepted, delivered to checkout 1 as 1.0.0 converted, acked."""
    host = HostPage(context.new_page(), watched_shop.host).open()
    host.products().add("kettle")
    row = rows(inspector, type="emit", event="cart:item-added", verdict="accepted").last
    expect(row).to_contain_text("products@2")
    expect(row).to_contain_text("cart:item-added 2.0.0")
    delivery = row.get_by_test_id("inspector-delivery").filter(has_text="checkout@1")
    expect(delivery).to_contain_text("1.0.0 (converted from 2.0.0)")
    expect(delivery).to_contain_text("acked in")

    refused = host.products().emit("cart:item-added", "2.0.0", {"quantity": -1})
    assert refused["reason"] == "invalid"
    expect(rows(inspector, type="emit", verdict="invalid").last).to_contain_text("does not match")


def test_filters_pause_clear_and_export(watched_shop, context, inspector):
    """Filter by verdict and event, pause holds rows back, clear empties, export downloads JSON."""
    host = HostPage(context.new_page(), watched_shop.host).open()
    host.products().add("mug")
    host.products().emit("notification:show", "1.0.0", {"message": "", "type": "info"})
    expect(rows(inspector, verdict="invalid").last).to_be_visible()

    inspector.get_by_test_id("filter-verdict").select_option("refused")
    expect(rows(inspector, verdict="accepted").first).to_be_hidden()
    expect(rows(inspector, verdict="invalid").last).to_be_visible()
    inspector.get_by_test_id("filter-verdict").select_option("")
    inspector.get_by_test_id("filter-event").select_option("cart:updated")
    expect(rows(inspector, event="cart:item-added").first).to_be_hidden()
    expect(rows(inspector, event="cart:updated").last).to_be_visible()
    inspector.get_by_test_id("filter-event").select_option("")

    with inspector.expect_download() as download:
        inspector.get_by_test_id("inspector-export").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert {e["type"] for e in exported} >= {"emit"}
    assert any(e.get("verdict") == "invalid" for e in exported)

    inspector.get_by_test_id("inspector-pause").click()
    before = rows(inspector).count()
    host.products().add("beans")
    expect(host.badge).not_to_have_text("0")
    expect(inspector.locator("#counts")).to_contain_text("held while paused")
    assert rows(inspector).count() == before
    inspector.get_by_test_id("inspector-pause").click()
    expect(rows(inspector)).not_to_have_count(before)
    assert rows(inspector).count() > before

    inspector.get_by_test_id("inspector-clear").click()
    expect(rows(inspector)).to_have_count(0)


def test_opened_after_the_fact_it_shows_history_and_deploys(watched_shop, context):
    """Traffic and a deploy first, the inspector later: both are in its timeline."""
    host = HostPage(context.new_page(), watched_shop.host).open()
    host.products().add("filters")
    expect(host.badge).not_to_have_text("0")
    assert watched_shop.mfe("deploy", "checkout", "2").returncode == 0
    try:
        late = context.new_page()
        late.goto(watched_shop.host + "/inspector")
        expect(rows(late, type="emit", event="cart:item-added").first).to_be_visible()
        expect(rows(late, type="deploy").last).to_contain_text("checkout → release 2")
    finally:
        assert watched_shop.mfe("deploy", "checkout", "1").returncode == 0


def test_events_tail_prints_the_same_stream(watched_shop, context):
    """`mfe events tail --count N --json` prints entries the pages sent, then exits."""
    host = HostPage(context.new_page(), watched_shop.host).open()
    host.products().add("scale")
    expect(host.badge).not_to_have_text("0")
    host.page.wait_for_function(
        "() => window.mfeHost.log().some((e) => e.type === 'ack' && e.app === 'checkout')"
    )
    result = watched_shop.mfe("events", "tail", "--json", "--count", "5")
    assert result.returncode == 0, result.stderr
    entries = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(entries) == 5
    assert all("type" in e and "seq" in e for e in entries)
    text = watched_shop.mfe("events", "tail", "--count", "3")
    assert text.returncode == 0 and len(text.stdout.splitlines()) == 3


def test_contract_page_is_generated_from_the_registry_and_live_manifests(watched_shop, page):
    """Every version with fields, example, compatibility, conversions, usage and deprecation."""
    page.goto(watched_shop.host + "/contracts")
    versions = page.get_by_test_id("contract-version")
    # One section per registered version, however many the catalog holds today.
    expect(versions).to_have_count(len(registry.contracts()))
    v2 = versions.filter(has=page.locator("h3", has_text="cart:item-added 2.0.0"))
    expect(v2).to_contain_text("discount")
    expect(v2).to_contain_text("Compared with 1.0.0")
    expect(v2).to_contain_text("property-added")
    expect(v2).to_contain_text("2.0.0 → 1.0.0")
    expect(v2).to_contain_text("Emitted by: products@2")
    v1 = versions.filter(has=page.locator("h3", has_text="cart:item-added 1.0.0"))
    expect(v1).to_contain_text("deprecated, sunset 2027-06-30")
    expect(v1).to_contain_text("Consumed by: checkout@1")
    expect(page.get_by_test_id("deprecated-in-use")).to_contain_text("1 deprecated version")
    expect(page.locator("table.matrix")).to_contain_text("products@2")


def test_can_i_deploy_counts_deprecated_versions_in_use(watched_shop):
    """can-i-deploy names the deprecated versions the pairs still rely on."""
    result = watched_shop.mfe("can-i-deploy", "checkout", "1")
    assert result.returncode == 0
    assert "deprecated versions still in use: cart:item-added@1.0.0" in result.stdout
