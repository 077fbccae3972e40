"""Attacks on the running shop, each a test that fails if its defence is removed.

Every attack ends the same way (`still_works`): the cart and the page are untouched, every app
answers `/healthz`, and a valid add right after goes through and leaves the cart exactly as
expected. docs/security.md maps each threat to its defence and to these tests.
"""

import json
import re
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from e2e.attacker import Attacker
from e2e.pages import HostPage
from e2e.processes import get_json, start_shop
from shared_contracts.envelope import new_envelope

APPS = ("host", "products-v1", "checkout-v1")
PRICES = {"mug": 14.5, "grinder": 89.99}
FRAME = "[data-testid='frame-products']"
SET_PRODUCTS_SRC = f"url => {{ document.querySelector({json.dumps(FRAME)}).src = url; }}"

# In a frame: call window.mfe.emit and report {ok, value} or {ok: false, reason, message}.
EMIT = """async ([event, version, data, options]) => {
    try {
        const value = await window.mfe.emit(event, version, data, options ?? undefined);
        return { ok: true, value };
    } catch (error) {
        return { ok: false, reason: error.reason, message: error.message, details: error.details };
    }
}"""


@pytest.fixture(scope="module")
def shop(tmp_path_factory):
    """The five processes of our own (separate from other modules' shops)."""
    with start_shop(tmp_path_factory.mktemp("attack-data")) as running:
        yield running


@pytest.fixture(scope="module")
def attacker():
    """The attacker's site: another port on localhost, so same site but another origin."""
    site = Attacker()
    yield site
    site.close()


@pytest.fixture
def bypass_context(new_context):
    """A context that ignores CSP.

    CSP is bypassed ONLY to get the attacker inside the products frame (products' CSP has
    `frame-src 'none'` and forbids inline scripts, so no frame could be injected there
    otherwise), or to let the products frame load an origin the host's `frame-src` would block.
    The defence under test is then the bus's own origin and source check, which does not
    depend on CSP.
    """
    return new_context(bypass_csp=True)


# --- the check every attack ends with -----------------------------------------------------------


def envelope(product: str = "mug", quantity=1, price=None, **data) -> dict:
    """A `cart:item-added` 1.0.0 envelope as products sends it."""
    payload = {
        "itemId": uuid.uuid4().hex[:12],
        "productId": product,
        "quantity": quantity,
        "price": PRICES[product] if price is None else price,
        **data,
    }
    return new_envelope("cart:item-added", "1.0.0", "products", payload)


def lines_of(cart: dict) -> dict[str, int]:
    """productId -> quantity of a `GET /api/cart` answer."""
    return {line["productId"]: line["quantity"] for line in cart["lines"]}


class BrowserCart:
    """The shopper in the browser: adds through the products frame, sees badge and lines."""

    def __init__(self, shop, host: HostPage):
        self.host = host
        self.cart_url = shop.url("checkout-v1") + "/api/cart"

    def add_valid(self) -> None:
        self.host.products().add("mug")

    def expect(self, cart: dict[str, int]) -> None:
        expect(self.host.badge).to_have_text(str(sum(cart.values())))
        checkout = self.host.checkout()
        expect(checkout.lines).to_have_count(len(cart))
        for product, quantity in cart.items():
            line = checkout.line(product).get_by_test_id("cart-item-quantity")
            expect(line).to_have_text(str(quantity))
        # The server's truth, with this browser's own cookies.
        assert lines_of(self.host.page.context.request.get(self.cart_url).json()) == cart


class ApiCart:
    """A shopper without a browser: the real checkout's cookie, CSRF token and Origin."""

    def __init__(self, shop):
        self.base = shop.url("checkout-v1")
        with urllib.request.urlopen(self.base + "/", timeout=10) as response:
            page = response.read().decode()
            self.cookie = response.headers["Set-Cookie"].split(";")[0]
        self.token = re.search(r'<meta name="csrf-token" content="([^"]+)">', page).group(1)

    def post(self, body, content_type: str = "application/json") -> tuple[int, dict]:
        """POST to /api/cart/items: a dict as JSON, bytes as they are, an iterator chunked."""
        data = json.dumps(body).encode() if isinstance(body, dict) else body
        request = urllib.request.Request(
            self.base + "/api/cart/items",
            data=data,
            method="POST",
            headers={
                "Content-Type": content_type,
                "Origin": self.base,
                "X-CSRF-Token": self.token,
                "Cookie": self.cookie,
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())

    def add_valid(self) -> None:
        status, body = self.post(envelope("mug"))
        assert status == 201, body

    def expect(self, cart: dict[str, int]) -> None:
        answer = get_json(self.base + "/api/cart", headers={"Cookie": self.cookie})
        assert lines_of(answer) == cart


def still_works(shop, shopper, cart: dict[str, int] | None = None) -> None:
    """After an attack: the cart is exactly `cart`, every app is healthy, and a valid add right
    after goes through and leaves exactly `cart` plus one mug."""
    cart = cart or {}
    shopper.expect(cart)
    for name in APPS:
        assert get_json(shop.url(name) + "/healthz")["status"] == "ok", name
    shopper.add_valid()
    shopper.expect({**cart, "mug": cart.get("mug", 0) + 1})


def refused(result: dict, reason: str) -> None:
    """A clear refusal: the promised reason and a message a developer can read."""
    assert (result["ok"], result.get("reason")) == (False, reason), result
    assert result["message"], result


# --- helpers for the browser attacks ------------------------------------------------------------


def open_host(shop, page: Page) -> HostPage:
    """The host page with both apps connected."""
    return HostPage(page, shop.host).open()


def bus_log(host: HostPage) -> list[dict]:
    """The host page's bus log."""
    return host.page.evaluate("() => window.mfeHost.log()")


def wait_refused(host: HostPage, origin: str, verdict: str) -> None:
    """Wait until the host logged a refused message from `origin` with `verdict`."""
    host.page.wait_for_function(
        """([origin, verdict]) => window.mfeHost.log().some(
            (e) => e.type === "refused" && e.origin === origin && e.verdict === verdict)""",
        arg=[origin, verdict],
    )


def emit(frame, event: str, version: str, data, options=None) -> dict:
    """`window.mfe.emit` in a frame, with its optional 4th argument."""
    return frame.evaluate(EMIT, [event, version, data, options])


def welcomed(host: HostPage, app: str) -> int:
    """How many hellos of `app` the host has welcomed."""
    return sum(
        1
        for e in bus_log(host)
        if (e["type"], e.get("app"), e.get("verdict")) == ("hello", app, "welcomed")
    )


def inject_frame(frame, src: str = "", srcdoc: str = "", sandbox: str | None = None) -> None:
    """Put an iframe inside `frame` (needs the CSP-bypassing context)."""
    frame.evaluate(
        """([src, srcdoc, sandbox, name]) => {
            const inner = document.createElement("iframe");
            inner.name = name;
            if (sandbox !== null) inner.setAttribute("sandbox", sandbox);
            if (srcdoc) inner.srcdoc = srcdoc;
            else if (src) inner.src = src;
            document.body.append(inner);
        }""",
        [src, srcdoc, sandbox, "intruder"],
    )


def messages_for(app: str = "products") -> str:
    """JavaScript building a well-formed hello and emit, as a real products frame sends them."""
    return f"""
        const id = crypto.getRandomValues(new Uint8Array(16)).join("").slice(0, 12);
        const uuid = "aaaaaaaa-aaaa-4aaa-8aaa-" + id.padEnd(12, "0");
        const hello = {{ tag: "mfe-bus", kind: "hello", protocol: "1", app: "{app}",
                        release: 1, instance: uuid, consumes: {{}} }};
        const envelope = {{ event: "cart:item-added", version: "1.0.0", id: uuid,
                           source: "products", timestamp: Date.now(),
                           data: {{ itemId: "evil", productId: "grinder", quantity: 5,
                                   price: 89.99 }} }};
        const emit = {{ tag: "mfe-bus", kind: "emit", id: uuid, envelopes: [envelope] }};
    """


# --- foreign origins ----------------------------------------------------------------------------


def test_a_foreign_opener_is_severed_and_reaches_nothing(shop, attacker, context):
    """The attacker opens the host in a popup and posts to it and its frames: COOP severs the
    opener's handle, so nothing arrives, nothing is logged, the cart stays empty."""
    lure = context.new_page()
    lure.goto(attacker.url("opener", target=shop.host + "/", rounds=15))
    with context.expect_page() as opened:
        lure.click("#go")
    host = HostPage(opened.value, shop.host)
    host.wait_connected()
    lure.wait_for_function("() => report.done")
    report = lure.evaluate("() => report")
    # Cross-Origin-Opener-Policy: same-origin put the host in its own browsing context group.
    assert report["opened"] and report["closed"] is True and report["frameCount"] == 0, report
    assert host.page.evaluate("() => window.opener") is None
    log = bus_log(host)
    assert [e for e in log if e.get("origin") == attacker.origin] == []
    assert [e for e in log if e["type"] == "emit" and e["app"] == "products"] == []
    assert welcomed(host, "products") == 1
    still_works(shop, BrowserCart(shop, host))


@pytest.mark.parametrize("name", APPS)
def test_no_foreign_page_can_frame_an_app(shop, attacker, context, name):
    """CSP frame-ancestors (and X-Frame-Options on the host): a page on another port that
    frames an app gets an error page, never the app."""
    lure = context.new_page()
    lure.goto(attacker.url("frame", src=shop.url(name) + "/"))
    lure.wait_for_function("() => report.loaded === true")
    victim = lure.frame(name="victim")
    assert not victim.url.startswith(shop.url(name)), victim.url
    try:
        shown = victim.evaluate(
            "() => Boolean(document.querySelector('body[data-app], [data-testid=cart-badge]'))"
        )
    except Exception:  # an error page may not even run scripts: that is not the app either
        shown = False
    assert shown is False
    still_works(shop, BrowserCart(shop, open_host(shop, context.new_page())))


def test_a_foreign_frame_inside_products_is_refused(shop, attacker, bypass_context):
    """A frame of another origin nested in products posts hellos, emits and deliveries to the
    top window: wrong source, so every one is refused and the cart does not move."""
    host = open_host(shop, bypass_context.new_page())
    inject_frame(host.frame("products"), src=attacker.url("nested", rounds=3))
    wait_refused(host, attacker.origin, "unknown-source")
    intruder = host.frame("products").child_frames[0]
    # Polling by timer: an off-screen cross-origin frame gets no animation frames.
    intruder.wait_for_function("() => report.done", polling=100)
    assert intruder.evaluate("() => report.posted") > 0
    from_attacker = [e for e in bus_log(host) if e.get("origin") == attacker.origin]
    assert {(e["type"], e["verdict"]) for e in from_attacker} == {("refused", "unknown-source")}
    assert host.page.evaluate("() => window.mfeHost.connected('products')") is True
    assert welcomed(host, "products") == 1
    still_works(shop, BrowserCart(shop, host))


@pytest.mark.parametrize(
    ("lookalike", "bypass"),
    [
        # Another host name for the same server: the host's frame-src would stop it first (see
        # the next test), so CSP is bypassed to reach the bus's own check.
        pytest.param("127.0.0.1", True, id="127.0.0.1"),
        # Another origin of the same app (a products release on another port, standing in
        # for http://localhost:18001): allowed by frame-src, refused by the bus.
        pytest.param("products-v2", False, id="another-products-origin"),
    ],
)
def test_the_products_frame_at_a_look_alike_origin_is_refused(
    shop, context, bypass_context, lookalike, bypass
):
    """The products iframe itself (right `event.source`) loads a look-alike origin while
    products-v1 is live: its hello is refused `wrong-origin`, products stays disconnected, and
    an emit from that frame times out."""
    live = shop.url("products-v1")
    target = (
        live.replace("localhost", "127.0.0.1") if lookalike == "127.0.0.1" else shop.url(lookalike)
    )
    host = open_host(shop, (bypass_context if bypass else context).new_page())
    host.page.evaluate(SET_PRODUCTS_SRC, target + "/")
    wait_refused(host, target, "wrong-origin")
    refusal = next(e for e in bus_log(host) if e.get("origin") == target)
    assert (refusal["app"], refusal["expected"], refusal["kind"]) == ("products", live, "hello")
    frame = host.frame("products")
    assert frame.url.startswith(target)
    assert host.page.evaluate("() => window.mfeHost.connected('products')") is False
    result = emit(
        frame,
        "cart:item-added",
        "1.0.0",
        envelope("grinder", 5)["data"],
        {"timeout": 1500},
    )
    refused(result, "timeout")
    assert host.page.evaluate("() => window.mfeHost.connected('products')") is False
    assert welcomed(host, "products") == 1
    host.reload()
    still_works(shop, BrowserCart(shop, host))


def test_the_host_frame_src_stops_a_look_alike_origin_first(shop, context):
    """Without bypassing CSP the look-alike never even loads: the host's `frame-src` names the
    exact registered origins, and 127.0.0.1 is not one of them."""
    host = open_host(shop, context.new_page())
    host.page.evaluate(
        """() => {
            window.violations = [];
            document.addEventListener("securitypolicyviolation",
                (e) => window.violations.push([e.effectiveDirective, e.blockedURI]));
        }"""
    )
    lookalike = shop.url("products-v1").replace("localhost", "127.0.0.1")
    host.page.evaluate(SET_PRODUCTS_SRC, lookalike + "/")
    host.page.wait_for_function("() => window.violations.length > 0")
    directive, blocked = host.page.evaluate("() => window.violations[0]")
    assert directive == "frame-src" and blocked.startswith(lookalike)
    assert [e for e in bus_log(host) if e.get("origin") == lookalike] == []
    assert not any(f.url.startswith(lookalike) for f in host.page.frames)
    host.reload()
    still_works(shop, BrowserCart(shop, host))


def test_a_null_origin_in_the_products_frame_is_refused(shop, bypass_context):
    """A data: document in the products iframe (right source, origin "null") says hello:
    "null" never equals an origin, so it is refused `wrong-origin`."""
    host = open_host(shop, bypass_context.new_page())
    script = messages_for() + "parent.postMessage(hello, '*'); parent.postMessage(emit, '*');"
    host.page.evaluate(SET_PRODUCTS_SRC, "data:text/html,<script>" + script + "</script>")
    wait_refused(host, "null", "wrong-origin")
    assert host.page.evaluate("() => window.mfeHost.connected('products')") is False
    assert welcomed(host, "products") == 1
    host.reload()
    still_works(shop, BrowserCart(shop, host))


def test_a_sandboxed_srcdoc_frame_inside_products_is_refused(shop, bypass_context):
    """A sandboxed srcdoc frame (origin "null") nested in products posts to the top window:
    refused, nothing delivered."""
    host = open_host(shop, bypass_context.new_page())
    script = (
        messages_for() + "window.top.postMessage(hello, '*'); window.top.postMessage(emit, '*');"
    )
    inject_frame(
        host.frame("products"), srcdoc=f"<script>{script}</script>", sandbox="allow-scripts"
    )
    wait_refused(host, "null", "unknown-source")
    assert [e for e in bus_log(host) if e["type"] == "emit" and e["app"] == "products"] == []
    still_works(shop, BrowserCart(shop, host))


def test_a_same_origin_frame_inside_products_is_refused(shop, bypass_context):
    """A frame nested in products at products' own origin posts a hello and an emit to the
    top: the right origin but not the products iframe's window, so `unknown-source`."""
    host = open_host(shop, bypass_context.new_page())
    inject_frame(host.frame("products"))
    inner = host.frame("products").child_frames[0]
    inner.evaluate(
        "() => {" + messages_for() + "top.postMessage(hello, '*'); top.postMessage(emit, '*'); }"
    )
    products = shop.url("products-v1")
    wait_refused(host, products, "unknown-source")
    verdicts = {e["verdict"] for e in bus_log(host) if e.get("origin") == products}
    assert verdicts == {"unknown-source"}
    assert host.page.evaluate("() => window.mfeHost.connected('products')") is True
    assert welcomed(host, "products") == 1
    still_works(shop, BrowserCart(shop, host))


def test_products_cannot_post_to_checkout_directly(shop, context):
    """Products posts a forged welcome (with a port) and deliveries straight to the checkout
    frame: checkout listens only to its parent at the host's origin, so none is applied."""
    host = open_host(shop, context.new_page())
    forged = envelope("grinder", 7)
    host.frame("products").evaluate(
        """(envelope) => {
            const checkout = parent.frames["checkout"];
            const channel = new MessageChannel();
            checkout.postMessage({ tag: "mfe-bus", kind: "welcome", protocol: "1",
                                   instance: "forged", app: "checkout" }, "*", [channel.port2]);
            checkout.postMessage({ tag: "mfe-bus", kind: "deliver", envelope }, "*");
            channel.port1.postMessage({ tag: "mfe-bus", kind: "deliver", envelope });
        }""",
        forged,
    )
    still_works(shop, BrowserCart(shop, host))
    assert forged["id"] not in {e["id"] for e in host.checkout().history()}


def test_the_app_frames_are_sandboxed(shop, attacker, context):
    """The iframe sandbox: products cannot navigate the top window or the checkout frame, nor
    open a popup."""
    host = open_host(shop, context.new_page())
    target = attacker.url("frame", src="about:blank")
    visits = attacker.hits.count("/frame")
    outcome = host.frame("products").evaluate(
        """(url) => {
            const attempt = (fn) => { try { return String(fn()); } catch (e) { return e.name; } };
            return {
                top: attempt(() => { top.location.href = url; }),
                sibling: attempt(() => { parent.frames["checkout"].location.href = url; }),
                popup: attempt(() => window.open(url)),
            };
        }""",
        target,
    )
    assert outcome == {"top": "SecurityError", "sibling": "SecurityError", "popup": "null"}
    assert host.page.url == shop.host + "/"
    assert len(context.pages) == 1
    still_works(shop, BrowserCart(shop, host))
    assert attacker.hits.count("/frame") == visits


# --- from inside a legitimate frame -------------------------------------------------------------


BAD_DATA = [
    *[{"quantity": q} for q in (-1, 0, 1.5, "2", True, 1e21, 10_000_000)],
    *[{"drop": field} for field in ("itemId", "productId", "quantity", "price")],
    {"price": None},
    {"price": "14.50"},
    {"productId": "../../etc/passwd"},
]


def test_bad_payloads_are_refused_as_invalid(shop, context):
    """Wrong types, out-of-range numbers and missing fields: each emit is refused `invalid`
    with the path at fault, and none reaches checkout."""
    host = open_host(shop, context.new_page())
    products = host.frame("products")
    for change in BAD_DATA:
        data = envelope("mug")["data"]
        if "drop" in change:
            del data[change["drop"]]
        else:
            data.update(change)
        result = emit(products, "cart:item-added", "1.0.0", data)
        refused(result, "invalid")
        assert result["details"] and result["details"][0]["path"].startswith("$.data"), result
    refused(emit(products, "cart:item-added", "1.0.0", None), "invalid")
    still_works(shop, BrowserCart(shop, host))
    received = [e for e in host.checkout().history() if e["direction"] == "received"]
    assert [e["data"]["productId"] for e in received] == ["mug"]
    host.expect_no_errors()


def test_an_event_the_app_may_not_emit_is_not_allowed(shop, context):
    """Products' manifest does not declare cart:updated or 2.0.0: `not-allowed`, the badge
    (fed by cart:updated) does not move."""
    host = open_host(shop, context.new_page())
    products = host.frame("products")
    updated = {"itemCount": 99, "total": 1.0}
    refused(emit(products, "cart:updated", "1.0.0", updated), "not-allowed")
    refused(emit(products, "cart:item-added", "2.0.0", envelope()["data"]), "not-allowed")
    expect(host.badge).to_have_text("0")
    still_works(shop, BrowserCart(shop, host))


def test_an_oversized_message_is_too_large_and_its_log_stays_small(shop, context):
    """A 5 MB emit is refused `too-large`; a refused emit's log entry (which goes to the host's
    server and every inspector) echoes only a clipped part of what was sent."""
    host = open_host(shop, context.new_page())
    products = host.frame("products")
    data = {**envelope("mug")["data"], "padding": "x" * 5_000_000}
    refused(emit(products, "cart:item-added", "1.0.0", data), "too-large")
    long_name = "cart:" + "x" * 60_000
    refused(emit(products, long_name, "1.0.0", {}), "unknown-event")
    entry = next(e for e in reversed(bus_log(host)) if e["type"] == "emit")
    size = len(json.dumps(entry))
    assert entry["verdict"] == "unknown-event" and size < 5_000, size
    still_works(shop, BrowserCart(shop, host))


def test_a_flood_of_invalid_messages_leaves_the_host_responsive(shop, context):
    """2,000 invalid emits fired within one second: each gets its refusal, the host page keeps
    answering, and a valid add right after still works."""
    host = open_host(shop, context.new_page())
    outcome = host.frame("products").evaluate(
        """async () => {
            const started = performance.now();
            const answers = [];
            for (let i = 0; i < 2000; i += 1) {
                answers.push(window.mfe.emit("cart:item-added", "1.0.0",
                    { itemId: "x", productId: "mug", quantity: -i, price: 14.5 })
                    .then(() => "accepted", (error) => error.reason));
            }
            const fired = performance.now() - started;
            const reasons = {};
            for (const reason of await Promise.all(answers)) {
                reasons[reason] = (reasons[reason] || 0) + 1;
            }
            return { fired, reasons };
        }"""
    )
    assert outcome["fired"] < 1000, outcome
    assert set(outcome["reasons"]) <= {"invalid", "rate-limited"}, outcome
    assert sum(outcome["reasons"].values()) == 2000
    assert host.page.evaluate("() => 6 * 7") == 42
    still_works(shop, BrowserCart(shop, host))


def test_an_emit_that_cannot_be_cloned_fails_alone(shop, context):
    """Data the browser cannot clone (a function) is refused `invalid` at once, and the emits
    posted in the same task (so in the same batch) still reach the host and are accepted."""
    host = open_host(shop, context.new_page())
    outcome = host.frame("products").evaluate(
        """async () => {
            const note = (message) => window.mfe.emit("notification:show", "1.0.0",
                { message, type: "info" }).then((r) => r.status, (error) => error.reason);
            return Promise.all([note("before"), note(() => "not data"), note("after")]);
        }"""
    )
    # `invalid`, not `timeout`: refused when its batch left, not after the 5 s wait.
    assert outcome == ["accepted", "invalid", "accepted"], outcome
    expect(host.page.get_by_test_id("toast").filter(has_text="after")).to_have_count(1)
    still_works(shop, BrowserCart(shop, host))


def test_prototype_pollution_is_refused(shop, context):
    """`__proto__` and `constructor.prototype` keys are refused `invalid`, and no page's
    Object.prototype gains a property."""
    host = open_host(shop, context.new_page())
    products = host.frame("products")
    for text in (
        '{"__proto__": {"polluted": 1}, "itemId": "a", "productId": "mug", "quantity": 1,'
        ' "price": 14.5}',
        '{"itemId": "a", "productId": "mug", "quantity": 1, "price": 14.5,'
        ' "extra": {"constructor": {"prototype": {"polluted": 1}}}}',
    ):
        result = products.evaluate(
            """async (text) => {
                try {
                    return { ok: true, value: await window.mfe.emit(
                        "cart:item-added", "1.0.0", JSON.parse(text)) };
                } catch (error) {
                    return { ok: false, reason: error.reason, message: error.message,
                             details: error.details };
                }
            }""",
            text,
        )
        refused(result, "invalid")
        assert "forbidden key" in json.dumps(result["details"]), result
    for frame in (host.page, host.frame("products"), host.frame("checkout")):
        clean = "() => ({}).polluted === undefined && !('polluted' in Object.prototype)"
        assert frame.evaluate(clean) is True
    still_works(shop, BrowserCart(shop, host))


def test_notification_markup_is_shown_as_text(shop, context):
    """A notification whose message is HTML (by emit or by request) shows as text: no element
    is created and its handler never runs."""
    host = open_host(shop, context.new_page())
    products = host.frame("products")
    payload = "<img src=x onerror=\"document.body.dataset.pwned='1'\">"
    result = emit(products, "notification:show", "1.0.0", {"message": payload, "type": "error"})
    assert result["ok"], result
    products.evaluate(
        "(message) => window.mfe.request('notifications.show', { message, type: 'info' })",
        payload + " again",
    )
    expect(host.toasts.filter(has_text="<img src=x")).to_have_count(2)
    assert host.page.locator("#toasts img").count() == 0
    assert host.page.locator("body[data-pwned]").count() == 0
    still_works(shop, BrowserCart(shop, host))


def test_a_tampered_price_passes_the_bus_but_not_checkout(shop, context):
    """price 0.01 is schema-valid, so the bus accepts it; checkout prices on the server and
    refuses it (`price-mismatch`), acks it as rejected so it is not retried and the host's log
    says why, and the cart does not move."""
    host = open_host(shop, context.new_page())
    result = emit(
        host.frame("products"), "cart:item-added", "1.0.0", envelope("grinder", 3, 0.01)["data"]
    )
    assert result["ok"], result
    event_id = result["value"]["id"]
    host.page.wait_for_function(
        """(id) => window.mfeHost.log().some(
            (e) => e.type === "ack" && e.app === "checkout" && e.id === id)""",
        arg=event_id,
    )
    (ack,) = host.page.evaluate(
        """(id) => window.mfeHost.log().filter(
            (e) => e.type === "ack" && e.app === "checkout" && e.id === id)""",
        event_id,
    )
    assert ack["rejected"] == "price-mismatch" and ack["message"], ack
    assert not [e for e in host.page.evaluate("window.mfeHost.log()") if e["type"] == "fail"]
    expect(host.checkout().locator.locator("#status")).to_contain_text("price-mismatch")
    assert host.page.evaluate("() => window.mfeHost.pending('checkout')") == []
    still_works(shop, BrowserCart(shop, host))


def test_a_websocket_from_another_origin_is_refused(shop, attacker, context):
    """The host's WebSocket accepts upgrades from its own origin only."""
    lure = context.new_page()
    lure.goto(attacker.url("socket", url=shop.host.replace("http", "ws", 1) + "/ws"))
    lure.wait_for_function("() => report.done")
    report = lure.evaluate("() => report")
    assert report.get("open") is None and report.get("message") is None and report["closed"]
    still_works(shop, BrowserCart(shop, open_host(shop, context.new_page())))


# --- cross-site requests against checkout from the browser --------------------------------------


def test_a_cross_origin_form_post_is_refused(shop, attacker, context):
    """An attacker page auto-submits a text/plain form holding a JSON envelope to checkout.
    The browser sends the cart cookie along (SameSite=Lax does not help: every port of
    localhost is the same site); checkout refuses it for its Origin and missing token."""
    host = open_host(shop, context.new_page())
    host.products().add("mug")
    expect(host.badge).to_have_text("1")
    lure = context.new_page()
    action = shop.url("checkout-v1") + "/api/cart/items"
    with lure.expect_response(lambda r: r.url == action) as answered:
        lure.goto(attacker.url("form", action=action, body=json.dumps(envelope("grinder", 9))))
    response = answered.value
    # The CSRF check answers first; the text/plain body would be a 400 behind it anyway.
    assert (response.status, response.json()["error"]) == (403, "csrf-failed")
    assert "mfe_checkout_session=" in response.request.all_headers().get("cookie", "")
    still_works(shop, BrowserCart(shop, host), {"mug": 1})


@pytest.mark.parametrize(
    ("headers", "mode"),
    [
        # A "simple" request: no preflight, so it reaches checkout with the cookie.
        pytest.param({"Content-Type": "text/plain"}, "no-cors", id="simple-request"),
        # JSON and a guessed token need a CORS preflight, which checkout never grants.
        pytest.param(
            {"Content-Type": "application/json", "X-CSRF-Token": "guess"},
            "cors",
            id="json-with-preflight",
        ),
    ],
)
def test_a_credentialed_fetch_from_another_origin_is_refused(
    shop, attacker, context, headers, mode
):
    """`fetch(..., {credentials: "include", method: "POST"})` from another port: refused (403)
    or stopped by the browser, and the cart is unchanged."""
    host = open_host(shop, context.new_page())
    host.products().add("mug")
    expect(host.badge).to_have_text("1")
    lure = context.new_page()
    statuses = []
    lure.on(
        "response",
        lambda r: statuses.append(r.status) if r.url.endswith("/api/cart/items") else None,
    )
    lure.goto(
        attacker.url(
            "fetch",
            url=shop.url("checkout-v1") + "/api/cart/items",
            body=json.dumps(envelope("grinder", 9)),
            headers=json.dumps(headers),
            mode=mode,
        )
    )
    lure.wait_for_function("() => report.done")
    report = lure.evaluate("() => report")
    if mode == "no-cors":
        assert report["type"] == "opaque"
        assert statuses == [403], statuses
    else:
        assert "Failed to fetch" in report["error"], report
        assert statuses == [], statuses
    still_works(shop, BrowserCart(shop, host), {"mug": 1})


# --- straight to the checkout API ---------------------------------------------------------------


def raw_envelope(quantity_text: str) -> bytes:
    """An envelope whose quantity is written as raw JSON text."""
    return json.dumps(envelope("mug", "QUANTITY")).replace('"QUANTITY"', quantity_text).encode()


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        *[
            pytest.param(envelope("mug", q), 422, "invalid", id=f"quantity={q!r}")
            for q in (-1, 0, 1.5, "2", True, 1e21, 10_000_000)
        ],
        *[
            pytest.param(raw_envelope(text), 400, "bad-json", id=f"quantity={text}")
            for text in ("NaN", "Infinity", "-Infinity", "1e309")
        ],
        pytest.param(b'{"event": "cart:item-added",', 400, "bad-json", id="malformed"),
        pytest.param(b"[1, 2, 3]", 400, "bad-json", id="not-an-object"),
        pytest.param(
            {k: v for k, v in envelope("mug").items() if k != "data"}, 422, "invalid", id="no-data"
        ),
        pytest.param(
            {**envelope("mug"), "data": {"productId": "mug", "quantity": 1}},
            422,
            "invalid",
            id="missing-fields",
        ),
        pytest.param(envelope("mug", 1, 0.01), 422, "price-mismatch", id="client-price"),
    ],
)
def test_the_api_refuses_bad_bodies(shop, body, status, error):
    """Bad values, non-JSON numbers, malformed JSON, missing fields, a client price: a JSON
    refusal with its status and code, and the cart does not move."""
    cart = ApiCart(shop)
    answer = cart.post(body)
    assert answer[0] == status and answer[1]["error"] == error, answer
    assert answer[1]["message"] and isinstance(answer[1]["details"], list)
    still_works(shop, cart)


def test_the_api_refuses_a_body_over_the_limit(shop):
    """Over 64 KiB: 413, with a Content-Length and also chunked (where a server that stops
    reading at the limit would parse a truncated prefix as the whole body)."""
    cart = ApiCart(shop)
    valid = json.dumps(envelope("grinder", 3)).encode()
    assert cart.post(valid + b" " * 70_000)[0] == 413
    # Chunked: the first 64 KiB are a valid envelope and blanks; the whole is not even JSON.
    chunks = iter([valid, b" " * 70_000, b"not JSON"])
    status, body = cart.post(chunks)
    assert (status, body["error"]) == (413, "request-entity-too-large"), body
    # A small chunked body is read whole and applied as usual.
    status, body = cart.post(iter([json.dumps(envelope("mug")).encode()]))
    assert status == 201, body
    # Megabytes: the server reads what it refuses, so the sender gets its 413 rather than a
    # broken pipe (8 MB broke the connection every time before).
    for size in (3_000_000, 8_000_000):
        for _ in range(3):
            status, body = cart.post(b'{"a":"' + b"x" * size + b'"}')
            assert (status, body["error"]) == (413, "request-entity-too-large"), body
    still_works(shop, cart, {"mug": 1})


def test_the_api_refuses_a_reused_id_with_another_body(shop):
    """The same id again is a harmless duplicate; with another body it is a 409 conflict."""
    cart = ApiCart(shop)
    first = envelope("mug", 2)
    assert cart.post(first)[0] == 201
    assert cart.post(first)[0] == 200
    status, body = cart.post({**first, "data": {**first["data"], "quantity": 9}})
    assert (status, body["error"]) == (409, "id-conflict"), body
    still_works(shop, cart, {"mug": 2})


# --- secrets, cookies and headers of the running processes -------------------------------------


def test_secrets_cookies_and_headers_of_the_running_shop(shop):
    """Each app has its own private secret key; checkout's cookie is HttpOnly, SameSite=Lax and
    named for its app; the admin token never appears in full in a log; every page carries the
    security headers."""
    data = Path(shop.env["MFE_DATA_DIR"])
    keys = [data / app / "secret_key" for app in ("host", "products", "checkout")]
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in keys)
    assert len({path.read_text() for path in keys}) == 3
    token = (data / "host" / "admin_token").read_text().strip()
    for log in shop.logs.values():
        assert token not in log.read_text(errors="replace")
    with urllib.request.urlopen(shop.url("checkout-v1") + "/", timeout=10) as response:
        cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("mfe_checkout_session=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    for name in APPS:
        with urllib.request.urlopen(shop.url(name) + "/", timeout=10) as response:
            headers = response.headers
        csp = headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "object-src 'none'" in csp
        ancestors = "'none'" if name == "host" else shop.host
        assert f"frame-ancestors {ancestors}" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "no-referrer"
        if name == "host":
            assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
            assert headers["X-Frame-Options"] == "DENY"
            frame_src = re.search(r"frame-src ([^;]+)", csp).group(1).split()
            assert shop.url("products-v1") in frame_src and "*" not in frame_src
