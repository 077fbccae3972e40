"""The workshop's checks: `pytest -m labN` proves lab N of `docs/workshop/` works on this setup.

One shop serves the whole module; a lab that needs other settings restarts only the process
concerned: the host for naive mode (and back to strict), products-v2 for dual emit (left on;
the lab that needs it off switches it off). Every lab that uses the shop is followed by
`mfe reset`, as the course tells students to.
"""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect
from pydantic import Field

from e2e.pages import HostPage
from e2e.processes import PROCESSES, REPOSITORY, get_json, start_shop
from mfe_cli import main as cli_main
from shared_contracts import publishing
from shared_contracts.converters import Rename
from shared_contracts.events.base import EventData
from shared_contracts.events.cart import CartItemAddedV2
from shared_contracts.fields import describe_fields
from shared_contracts.registry import Registry, registry
from shared_contracts.types import Identifier, Message, Money, PromoCode, Quantity

MFE = str(Path(sys.executable).parent / "mfe")
LAB5 = REPOSITORY / "docs" / "workshop" / "lab5"
TOKEN = "workshop-token"

# Lab 2: the chapter's opening scenario. Products renamed `productId` to `sku` and now sends
# the price as a string; checkout 1 still reads `data.productId`.
CHANGED_PAYLOAD = {"itemId": "lab2-1", "sku": "kettle", "quantity": 1, "price": "49.00"}

# `window.mfe.emit` as a student pastes it, with the error's reason and details kept.
EMIT = """async ([event, version, data]) => {
    try {
        return { ok: true, value: await window.mfe.emit(event, version, data) };
    } catch (error) {
        return { ok: false, reason: error.reason, message: error.message, details: error.details };
    }
}"""


@pytest.fixture(scope="module")
def workshop_shop(tmp_path_factory):
    """The five processes with a known admin token, as `make run` starts them."""
    with start_shop(
        tmp_path_factory.mktemp("workshop-data"), {"MFE_ADMIN_TOKEN": TOKEN}
    ) as running:
        yield running


@pytest.fixture
def shop(workshop_shop):
    """The module's shop (instead of the suite's shared one, which these labs would change);
    `mfe reset` afterwards, so every lab starts from the first state."""
    yield workshop_shop
    result = mfe(workshop_shop, "reset")
    assert result.returncode == 0, result.stdout + result.stderr


def mfe(shop, *args: str) -> subprocess.CompletedProcess:
    """Run the `mfe` CLI against the shop, as a student does in a second terminal."""
    return subprocess.run(
        [MFE, *args], env=shop.env, capture_output=True, text=True, timeout=60, cwd=REPOSITORY
    )


def mfe_ok(shop, *args: str) -> str:
    """Run `mfe`, expect exit 0, return its output."""
    result = mfe(shop, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def inspector(context, shop):
    """The inspector in a second tab of the same browser, live before anything happens."""
    page = context.new_page()
    page.goto(shop.host + "/inspector")
    expect(page.get_by_test_id("inspector-connection")).to_have_text("live")
    return page


def dual_emit(shop, on: bool) -> None:
    """Products release 2 with or without `MFE_DUAL_EMIT=1` (restarted only when it changes)."""
    wanted = "1" if on else "0"
    if shop.env.get("MFE_DUAL_EMIT", "0") != wanted:
        shop.restart("products-v2", MFE_DUAL_EMIT=wanted)


def rows(inspector_page, **attributes):
    """Inspector rows whose data attributes (type, verdict, event) match."""
    selector = "".join(f"[data-{name}='{value}']" for name, value in attributes.items())
    return inspector_page.locator(f"[data-testid='inspector-row']{selector}")


# ---- Lab 1: run it and take the tour ----------------------------------------------------------


@pytest.mark.lab1
def test_lab1_tour(shop, page):
    """Five processes healthy, both frames composed, the inspector and contract page answer."""
    for name in PROCESSES:
        health = get_json(f"{shop.url(name)}/healthz")
        assert health["status"] == "ok", (name, health)
    status = mfe_ok(shop, "status")
    assert "products  1" in status and "checkout  1" in status
    assert status.count(" up ") >= 2

    host = HostPage(page, shop.host).open()
    host.expect_frame_app("products", 1)
    host.expect_frame_app("checkout", 1)
    expect(host.products().card("kettle")).to_be_visible()
    expect(host.checkout().locator.get_by_test_id("cart-empty")).to_be_visible()
    expect(host.badge).to_have_text("0")

    tour = page.context.new_page()
    answer = tour.goto(shop.host + "/inspector")
    assert answer.status == 200
    expect(tour.get_by_role("heading", name="Event inspector")).to_be_visible()
    expect(tour.get_by_test_id("inspector-connection")).to_have_text("live")
    answer = tour.goto(shop.host + "/contracts")
    assert answer.status == 200
    expect(tour.get_by_role("heading", name="Event contracts")).to_be_visible()
    expect(tour.get_by_test_id("contract-version")).to_have_count(len(registry.contracts()))
    host.expect_no_errors()


# ---- Lab 2: the wrong way ---------------------------------------------------------------------


@pytest.mark.lab2
def test_lab2_naive_bus_lets_a_changed_payload_break_checkout(shop, page, context):
    """Naive mode delivers the renamed, retyped payload; checkout fails and rejects it (the
    inspector says so); strict mode refuses it."""
    try:
        shop.restart("host", MFE_BUS_MODE="naive")
        host = HostPage(page, shop.host).open()
        watch = inspector(context, shop)
        naive = host.frame("products").evaluate(EMIT, ["cart:item-added", "1.0.0", CHANGED_PAYLOAD])
        assert naive["ok"] is True and naive["value"]["status"] == "accepted", naive
        checkout = host.checkout()
        expect(checkout.locator.get_by_role("status")).to_have_text(
            "Could not add undefined: invalid"
        )
        delivery = rows(watch, type="emit", event="cart:item-added").get_by_test_id(
            "inspector-delivery"
        )
        expect(delivery).to_have_text(
            re.compile(r"^checkout@1 ← 1\.0\.0, rejected in .* ms: invalid")
        )
        expect(checkout.locator.get_by_test_id("cart-empty")).to_be_visible()
        expect(checkout.lines).to_have_count(0)
        expect(host.badge).to_have_text("0")
    finally:
        shop.restart("host", MFE_BUS_MODE="strict")

    host = HostPage(page, shop.host).open()
    strict = host.frame("products").evaluate(EMIT, ["cart:item-added", "1.0.0", CHANGED_PAYLOAD])
    assert strict["ok"] is False and strict["reason"] == "invalid", strict
    assert {d["path"] for d in strict["details"]} == {"$.data.productId", "$.data.price"}
    expect(host.checkout().locator.get_by_role("status")).to_have_text("")
    expect(host.checkout().locator.get_by_test_id("cart-empty")).to_be_visible()


# ---- Lab 3: typed contracts -------------------------------------------------------------------


@pytest.mark.lab3
def test_lab3_contracts_on_the_command_line_and_the_contract_page(shop, page):
    """`mfe contracts show` lists 2.0.0's fields; the page shows every version, 1.0.0's sunset."""
    listing = mfe_ok(shop, "contracts", "list")
    assert "deprecated, sunset 2027-06-30" in listing
    shown = mfe_ok(shop, "contracts", "show", "cart:item-added", "2.0.0")
    fields = {line.split()[0] for line in shown.splitlines() if line[:1].isalpha()}
    assert {"itemId", "productId", "quantity", "price", "discount", "appliedPromo"} <= fields
    assert '"discount": 7.5' in shown

    page.goto(shop.host + "/contracts")
    articles = page.get_by_test_id("contract-version")
    expect(articles).to_have_count(len(registry.contracts()))
    for contract in registry.contracts():
        article = page.locator(
            f"[data-testid='contract-version'][data-event='{contract.event}']"
            f"[data-version='{contract.version}']"
        )
        fields = describe_fields(contract.schema)
        expect(article.locator("table.fields tbody td:first-child")).to_have_text(
            [field.path for field in fields]
        )
        expect(article.locator("table.fields tbody td:nth-child(3)")).to_have_text(
            ["yes" if field.required else "no" for field in fields]
        )
    item_added = "[data-testid='contract-version'][data-event='cart:item-added']"
    old = page.locator(f"{item_added}[data-version='1.0.0'] h3")
    expect(old).to_contain_text("deprecated, sunset 2027-06-30")
    expect(page.locator(f"{item_added}[data-version='2.0.0'] h3")).not_to_contain_text("deprecated")
    new = page.locator(f"{item_added}[data-version='2.0.0']")
    expect(new).to_contain_text("1.0.0 → 2.0.0")
    expect(new).to_contain_text("2.0.0 → 1.0.0")


# ---- Lab 4: an independent deploy -------------------------------------------------------------


@pytest.mark.lab4
def test_lab4_products_2_with_checkout_1_converts_down(shop, page, context):
    """Deploy products 2 under an open page; the inspector shows checkout 1 got 1.0.0, converted."""
    dual_emit(shop, on=False)
    host = HostPage(page, shop.host).open()
    watch = inspector(context, shop)
    assert "by conversion" in mfe_ok(shop, "can-i-deploy", "products", "2")
    mfe_ok(shop, "deploy", "products", "2")
    host.expect_frame_app("products", 2)
    host.expect_frame_app("checkout", 1)
    host.wait_connected("products")

    products = host.products()
    expect(products.card("kettle").get_by_test_id("product-discount")).to_have_text("$7.50")
    expect(products.card("kettle").locator(".discount")).to_have_text("\N{MINUS SIGN}$7.50")
    products.add("kettle")
    host.checkout().expect_line("kettle", 1, "49.00")

    added = rows(watch, type="emit", event="cart:item-added")
    expect(added).to_have_count(1)
    expect(added).to_contain_text("products@2")
    delivery = added.get_by_test_id("inspector-delivery")
    expect(delivery).to_contain_text("checkout@1 ← 1.0.0 (converted from 2.0.0), acked in")
    expect(rows(watch, type="deploy")).to_contain_text("products → release 2")

    mfe_ok(shop, "reset")
    host.expect_frame_app("products", 1)


# ---- Lab 5: evolve a contract -----------------------------------------------------------------


def diff(capsys, name: str, *options: str) -> tuple[int, str]:
    """`mfe contracts diff [options] lab5/2.0.0.json lab5/<name>.json`: exit code and output.

    The CLI's own entry point, run in this process (the same code as `.venv/bin/mfe`, without
    starting Python eight times).
    """
    code = cli_main(
        ["contracts", "diff", *options, str(LAB5 / "2.0.0.json"), str(LAB5 / f"{name}.json")]
    )
    return code, capsys.readouterr().out


@pytest.mark.lab5
def test_lab5_schema_files_diff_with_reason_codes_and_fixes(capsys):
    """The lab's files: the additive change passes, the chapter's three breaking changes do not."""
    exported = json.loads((LAB5 / "2.0.0.json").read_text())
    assert exported == registry.schema("cart:item-added", "2.0.0"), "re-export lab5/2.0.0.json"
    installed = subprocess.run(
        [MFE, "contracts", "diff", "2.0.0.json", "optional-field-added.json"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=LAB5,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr

    compatible = {
        "optional-field-added": "property-added",
        "fix-required-field-with-default": "required-property-added-with-default",
        "fix-type-changed-new-field": "property-added",
        "fix-field-removed-deprecated": "property-added",
    }
    for name, reason in compatible.items():
        code, out = diff(capsys, name)
        assert code == 0, (name, out)
        assert "compatible in full mode" in out
        assert "fix " not in out
        assert reason in out, (name, out)

    breaking = {
        "field-removed": ("property-removed", "$.productId", "ok", "BREAKS"),
        "type-changed": ("type-changed", "$.price", "BREAKS", "BREAKS"),
        "required-field-added": ("required-property-added", "$.currency", "BREAKS", "ok"),
    }
    for name, (reason, path, backward, forward) in breaking.items():
        code, out = diff(capsys, name)
        assert code == 1, (name, out)
        row = next(line.split() for line in out.splitlines() if line.startswith(reason))
        assert row[:4] == [reason, path, backward, forward], (name, row)
        assert f"fix {path} ({reason}): " in out, (name, out)
        assert "NOT compatible in full mode" in out

    # Forward is what "products on 2, checkout on 1" needs: a removed field breaks only that way.
    assert diff(capsys, "field-removed", "--mode", "forward")[0] == 1
    assert diff(capsys, "field-removed", "--mode", "backward")[0] == 0


class GiftNoteV2_1(CartItemAddedV2):
    """2.0.0 plus an optional gift note."""

    giftNote: Message | None = Field(default=None, description="Printed on the gift receipt.")


class RenamedPriceV3(EventData):
    """The price is now called unitPrice: a breaking rename."""

    itemId: Identifier = Field(description="Id of this add, chosen by the producer.")
    productId: Identifier = Field(description="Catalog id of the product.")
    quantity: Quantity = Field(description="Units added.")
    unitPrice: Money = Field(description="Unit list price.")
    discount: Money | None = Field(default=None, description="Amount off each unit.")
    appliedPromo: PromoCode | None = Field(default=None, description="Promotion code applied.")
    giftNote: Message | None = Field(default=None, description="Printed on the gift receipt.")


@pytest.mark.lab5
def test_lab5_publish_a_new_version_properly(tmp_path):
    """A copy of the catalog and of the lock: additive publishes, a rename needs a converter."""
    catalog = Registry()
    for contract in registry.contracts():
        catalog.register(
            contract.event, contract.version, deprecated=contract.deprecated, sunset=contract.sunset
        )(contract.model)
    for declaration in registry.declared_converters():
        catalog.declare_converter(
            declaration.event, declaration.source, declaration.target, declaration.steps
        )
    lock = tmp_path / "published"
    shutil.copytree(publishing.LOCK_DIR, lock)
    assert publishing.check(catalog, lock) == []

    # An optional field: compatible both ways, converters derived, it publishes.
    catalog.register("cart:item-added", "2.1.0")(GiftNoteV2_1)
    assert publishing.check(catalog, lock) == []
    assert publishing.unpublished(catalog, lock) == [("cart:item-added", "2.1.0")]
    written = publishing.publish(catalog, lock)
    assert [p.relative_to(lock).as_posix() for p in written] == ["cart.item-added/2.1.0.json"]
    assert json.loads(written[0].read_text()) == catalog.schema("cart:item-added", "2.1.0")

    # A rename: no converter can be derived, so check and publish refuse, naming the fix.
    catalog.register("cart:item-added", "3.0.0")(RenamedPriceV3)
    problems = publishing.check(catalog, lock)
    assert [(p.code, p.version) for p in problems] == [("incompatible-without-converter", "3.0.0")]
    assert "property-removed at $.price" in problems[0].message
    assert "fix: " in problems[0].message
    with pytest.raises(
        ValueError, match=r"no converter for 2\.1\.0 → 3\.0\.0 and 3\.0\.0 → 2\.1\.0"
    ):
        publishing.publish(catalog, lock)
    assert not (lock / "cart.item-added" / "3.0.0.json").exists()

    # Declared converters (data, both ways): now it publishes, and old events convert.
    catalog.declare_converter(
        "cart:item-added", "2.1.0", "3.0.0", [Rename(field="price", to="unitPrice")]
    )
    catalog.declare_converter(
        "cart:item-added", "3.0.0", "2.1.0", [Rename(field="unitPrice", to="price")]
    )
    assert publishing.check(catalog, lock) == []
    written = publishing.publish(catalog, lock)
    assert [p.name for p in written] == ["3.0.0.json"]
    old = {"itemId": "a1", "productId": "kettle", "quantity": 1, "price": 49.0}
    assert catalog.converters.convert("cart:item-added", old, "1.0.0", "3.0.0")["unitPrice"] == 49.0

    # The real lock is untouched.
    assert not (publishing.LOCK_DIR / "cart.item-added" / "2.1.0.json").exists()
    assert publishing.check() == []


# ---- Lab 6: dual emit -------------------------------------------------------------------------


@pytest.mark.lab6
def test_lab6_dual_emit_is_one_event_with_one_id(shop, page, context):
    """Products 2 dual-emits: one click, two versions, one id, one row, one unit in the cart."""
    dual_emit(shop, on=True)  # products-v2 stays so; labs that mind switch it off
    mfe_ok(shop, "deploy", "products", "2")
    host = HostPage(page, shop.host).open()
    host.expect_frame_app("products", 2)
    watch = inspector(context, shop)

    products, checkout = host.products(), host.checkout()
    products.add("dripper")
    expect(host.badge).to_have_text("1")
    checkout.expect_line("dripper", 1, "24.00")
    sent = [
        e
        for e in products.history()
        if e["direction"] == "sent" and e["event"] == "cart:item-added"
    ]
    assert sorted(e["version"] for e in sent) == ["1.0.0", "2.0.0"]
    assert len({e["id"] for e in sent}) == 1

    added = rows(watch, type="emit", event="cart:item-added")
    expect(added).to_have_count(1)
    expect(added).to_contain_text("cart:item-added 1.0.0 + 2.0.0")
    expect(added.get_by_test_id("inspector-delivery")).to_have_count(1)
    # Checkout 1 takes the 1.0.0 that was offered: nothing to convert.
    expect(added.get_by_test_id("inspector-delivery")).to_contain_text(
        "checkout@1 ← 1.0.0, acked in"
    )

    # The consumer's own guard: the same event id saved again changes nothing.
    again = host.frame("checkout").evaluate(
        """async () => {
            const received = mfe.history().filter((e) => e.direction === "received");
            const { direction, ...envelope } = received.at(-1);
            const { token } = await mfe.request("shopper.token");
            const response = await fetch("/api/cart/items", {
                method: "POST",
                headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
                body: JSON.stringify(envelope),
            });
            return { status: response.status, cart: await response.json() };
        }"""
    )
    assert again["status"] == 200, again
    assert again["cart"]["duplicate"] is True and again["cart"]["itemCount"] == 1, again

    # The chapter's transition: two emits (two ids) for one "click" count the mug twice ...
    mug = {"productId": "mug", "quantity": 1, "price": 14.5}
    twice = host.frame("products").evaluate(
        """async (mug) => [
            await mfe.emit("cart:item-added", "1.0.0", { itemId: "lab6-a", ...mug }),
            await mfe.emit("cart:item-added", "2.0.0", { itemId: "lab6-a", ...mug }),
        ].map((verdict) => verdict.id)""",
        mug,
    )
    assert len(set(twice)) == 2, twice
    expect(checkout.line("mug").get_by_test_id("cart-item-quantity")).to_have_text("2")
    # ... the shop's: one logical event in both versions adds exactly one more.
    host.frame("products").evaluate(
        """(mug) => mfe.emitAll("cart:item-added",
            { "1.0.0": { itemId: "lab6-b", ...mug }, "2.0.0": { itemId: "lab6-b", ...mug } })""",
        mug,
    )
    expect(checkout.line("mug").get_by_test_id("cart-item-quantity")).to_have_text("3")
    expect(host.badge).to_have_text("4")


# ---- Lab 7: attack it -------------------------------------------------------------------------


@pytest.mark.lab7
def test_lab7_spoofed_frames_are_refused(shop, page, context):
    """A look-alike origin in the products frame is refused `wrong-origin`; other spoofs too."""
    host = HostPage(page, shop.host).open()
    watch = inspector(context, shop)
    set_src = "(url) => { document.querySelector(\"[data-testid='frame-products']\").src = url; }"
    products_v1 = shop.url("products-v1")

    # 127.0.0.1 is the same server under another name: the host's CSP does not even load it.
    look_alike = products_v1.replace("localhost", "127.0.0.1")
    with page.expect_console_message(
        lambda message: "Content Security Policy" in message.text and look_alike in message.text
    ):
        page.evaluate(set_src, look_alike + "/")

    # A registered origin that is not the live release's: it loads, says hello, is refused.
    stale = shop.url("products-v2")
    page.evaluate(set_src, stale + "/")
    refused = rows(watch, type="refused", verdict="wrong-origin")
    expect(refused.first).to_contain_text(stale)
    expect(refused.first).to_contain_text(f"expected {products_v1}")
    expect(rows(watch, type="refused").filter(has_text="127.0.0.1")).to_have_count(0)

    # A compromised checkout frame claiming to be products, and an emit sent around the port.
    host.frame("checkout").evaluate(
        """(hostOrigin) => parent.postMessage({ tag: "mfe-bus", kind: "hello", protocol: "1",
            app: "products", release: 1, instance: crypto.randomUUID(), consumes: {} },
            hostOrigin)""",
        shop.host,
    )
    expect(rows(watch, type="refused", verdict="wrong-app")).to_have_count(1)
    host.frame("checkout").evaluate(
        """(hostOrigin) => parent.postMessage({ tag: "mfe-bus", kind: "emit", id: "x",
            envelopes: [] }, hostOrigin)""",
        shop.host,
    )
    expect(rows(watch, type="refused", verdict="not-a-hello")).to_have_count(1)
    expect(host.checkout().locator.get_by_test_id("cart-empty")).to_be_visible()


# ---- Lab 8: failure ---------------------------------------------------------------------------


@pytest.mark.lab8
def test_lab8_checkout_down_then_back_loses_nothing(shop, page):
    """Chaos takes checkout down; two adds wait; it comes back; each lands once; reset empties."""
    host = HostPage(page, shop.host).open()
    assert "answers 503" in mfe_ok(shop, "chaos", "checkout", "down")
    fallback = page.get_by_test_id("fallback-checkout")
    expect(fallback).to_be_visible()
    expect(fallback.get_by_test_id("fallback-retry")).to_be_visible()

    products = host.products()
    products.add("beans")
    products.add("mug")
    expect(host.toasts).to_have_count(2)
    assert len(page.evaluate("window.mfeHost.pending('checkout')")) == 2

    mfe_ok(shop, "chaos", "checkout", "up")
    expect(fallback).to_be_hidden()
    # Both waiting adds delivered and acknowledged (checkout acks only after saving).
    page.wait_for_function("() => window.mfeHost.pending('checkout').length === 0")
    # The live view (checkout saves one change at a time), then what it stored, read fresh.
    checkout = host.checkout()
    for _ in range(2):
        expect(checkout.lines).to_have_count(2)
        checkout.expect_line("beans", 1, "16.00")
        checkout.expect_line("mug", 1, "14.50")
        expect(host.badge).to_have_text("2")
        host.reload()

    mfe_ok(shop, "reset")
    host.reload()
    expect(host.checkout().locator.get_by_test_id("cart-empty")).to_be_visible()
    expect(host.badge).to_have_text("0")
