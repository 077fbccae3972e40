"""Your build in your browser only: per-browser overrides, and who owns what on screen."""

import re

import pytest
from playwright.sync_api import Error, expect

from e2e.pages import HostPage, ShopperTools
from e2e.processes import get_json, start_fork

SET_PRODUCTS_SRC = "url => { document.querySelector('[data-testid=frame-products]').src = url; }"


@pytest.fixture(scope="module")
def fork(shop, tmp_path_factory):
    """Products release 2 on a free port of its own, registered nowhere: a student's build."""
    running = start_fork(shop, "products-v2", tmp_path_factory.mktemp("fork-logs"))
    yield running
    running.stop_all()


@pytest.fixture
def other_context(new_context):
    """A second browser context: another shopper (cookies and storage of its own)."""
    return new_context()


def test_an_override_shows_the_fork_in_this_browser_only(shop, fork, context, other_context):
    """The console call points this browser's products slot at the fork: red banner naming
    it, its can-i-deploy verdict, the fork's release on the bus; kept across a reload. Another
    context and the deployment record still have the live release; reset removes it."""
    fork_url = fork.url("products-v2")
    mine = HostPage(context.new_page(), shop.host).open()
    theirs = HostPage(other_context.new_page(), shop.host).open()
    tools = ShopperTools(mine)

    answer = tools.override("products", fork_url)
    assert fork_url in answer
    expect(tools.banner).to_contain_text(f"products → {fork_url}")
    expect(tools.banner).to_have_css("background-color", "rgb(161, 38, 34)")
    expect(tools.verdict("products")).to_contain_text("can-i-deploy: yes")
    expect(tools.verdict("products")).to_have_attribute("data-deployable", "true")
    mine.expect_frame_app("products", 2)
    mine.wait_connected()
    assert mine.page.evaluate("() => window.mfeHost.overrides()") == {"products": fork_url}
    # The fork is a full member of this page's bus: its add reaches checkout.
    mine.products().add("kettle")
    expect(mine.badge).to_have_text("1")

    mine.reload()
    expect(tools.banner).to_contain_text(fork_url)
    mine.expect_frame_app("products", 2)

    theirs.reload()
    theirs.expect_frame_app("products", 1)
    expect(ShopperTools(theirs).banner).to_have_count(0)
    live = get_json(shop.host + "/api/deployments")["apps"]["products"]
    assert (live["release"], live["url"]) == (1, shop.url("products-v1"))

    tools.reset("products")
    expect(tools.banner).to_have_count(0)
    mine.expect_frame_app("products", 1)
    mine.wait_connected()
    assert mine.page.evaluate("() => window.mfeHost.overrides()") == {}
    mine.expect_no_errors()


def test_the_panel_sets_one_and_the_console_clears_it(shop, fork, context):
    """The Override panel does what the console call does; `override(app, null)` clears."""
    host = HostPage(context.new_page(), shop.host).open()
    tools = ShopperTools(host)
    tools.override_from_panel("products", fork.url("products-v2"))
    expect(tools.banner).to_contain_text(fork.url("products-v2"))
    host.expect_frame_app("products", 2)
    host.wait_connected()

    tools.override("products", None)
    expect(tools.banner).to_have_count(0)
    host.expect_frame_app("products", 1)


@pytest.mark.parametrize(
    "url",
    ["http://example.com:8001", "http://localhost.example.com:8001", "http://10.0.0.1:8001"],
)
def test_a_url_that_is_not_loopback_is_refused(shop, context, url):
    """From the console: an Error saying loopback only. From the panel: the same, shown.
    Nothing changes: no banner, the live release, and the host holds no override."""
    host = HostPage(context.new_page(), shop.host).open()
    tools = ShopperTools(host)
    with pytest.raises(Error, match="only loopback origins"):
        tools.override("products", url)
    tools.override_from_panel("products", url)
    expect(tools.panel_error).to_contain_text("only loopback origins")
    host.page.reload()
    host.wait_connected()
    expect(tools.banner).to_have_count(0)
    host.expect_frame_app("products", 1)
    held = host.page.evaluate("() => fetch('/api/overrides').then((r) => r.json())")
    assert held == {"overrides": {}}


def test_the_fork_origin_is_refused_where_nobody_chose_it(shop, fork, context):
    """In a browser without the override, the products frame navigated to the fork's origin
    is stopped by the page's CSP frame-src, as any look-alike origin is."""
    host = HostPage(context.new_page(), shop.host).open()
    host.page.evaluate(
        """() => {
            window.violations = [];
            document.addEventListener("securitypolicyviolation",
                (e) => window.violations.push([e.effectiveDirective, e.blockedURI]));
        }"""
    )
    fork_url = fork.url("products-v2")
    host.page.evaluate(SET_PRODUCTS_SRC, fork_url + "/")
    host.page.wait_for_function("() => window.violations.length > 0")
    directive, blocked = host.page.evaluate("() => window.violations[0]")
    assert directive == "frame-src" and blocked.startswith(fork_url)
    welcomed = [
        e for e in host.page.evaluate("() => window.mfeHost.log()") if e.get("release") == 2
    ]
    assert welcomed == []


def test_only_the_host_page_can_set_an_override(shop, fork, context):
    """A frame (another origin) asking the host to set one is refused; so is a URL parameter."""
    host = HostPage(context.new_page(), shop.host).open()
    status = host.frame("products").evaluate(
        """([host, url]) => fetch(host + "/api/overrides/products", {
            method: "PUT", credentials: "include", headers: {"Content-Type": "text/plain"},
            body: JSON.stringify({url}),
        }).then((r) => r.status, () => "blocked")""",
        [shop.host, fork.url("products-v2")],
    )
    assert status in (403, "blocked")
    host.page.goto(f"{shop.host}/?override=products&url={fork.url('products-v2')}")
    host.wait_connected()
    expect(ShopperTools(host).banner).to_have_count(0)
    host.expect_frame_app("products", 1)


def test_the_ownership_toggle_labels_each_area_and_survives_a_reload(shop, context):
    """On: each app's area outlined in its team's colour, labelled team · app · release."""
    host = HostPage(context.new_page(), shop.host).open()
    tools = ShopperTools(host)
    expect(tools.ownership_labels).to_have_count(0)
    tools.ownership_toggle.check()
    expect(tools.ownership_labels).to_have_count(3)
    expect(tools.ownership_labels.filter(has_text="products")).to_have_text(
        "Team A · products · release 1"
    )
    expect(tools.ownership_labels.filter(has_text="checkout")).to_have_text(
        "Team B · checkout · release 1"
    )
    expect(tools.ownership_labels.filter(has_text="host")).to_have_text(
        re.compile(r"^Platform team · host · release \d+$")
    )
    expect(host.page.locator("#products")).to_have_css("outline-color", "rgb(29, 95, 209)")

    host.reload()
    expect(tools.ownership_toggle).to_be_checked()
    expect(tools.ownership_labels).to_have_count(3)
    tools.ownership_toggle.uncheck()
    expect(tools.ownership_labels).to_have_count(0)
    host.reload()
    expect(tools.ownership_toggle).not_to_be_checked()
    expect(tools.ownership_labels).to_have_count(0)
