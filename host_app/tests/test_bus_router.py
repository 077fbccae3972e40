"""The host's bus logic (host_app/static/bus/router.js) in Chromium, with fakes and a manual clock.

Every test is one `page.evaluate`: HARNESS (below) followed by the test's body, which returns
plain JSON that the test asserts on in Python. Nothing waits on real time: timers only fire
when the body calls `advance(ms)`.
"""

import pytest

from shared_contracts.tests.jsvalues import shared_object_js

pytestmark = pytest.mark.browser

# The shared JavaScript harness, prepended to every test body. It provides:
#   t, advance(ms)          a manual clock; timers scheduled by the router fire in `advance`
#   makeRouter({...})       a Router with products (emitter) and checkout (consumer) declared
#   connect(router, name)   finish a handshake: messages to `name` land in captured[name]
#   message / emit          build / send an emit of {version: data} from an app
#   sent(name, kind)        messages of one kind the router sent to `name`
#   sendTimes(name)         when the router sent each `deliver` to `name`
#   settle()                let pending promises (services) run
#   plain(value)            a JSON copy, to return
HARNESS = """
const { Router } = await import("/static/bus/router.js");
const bundle = await (await fetch("/mfe/contracts.json")).json();

let t = 0;
let timers = [];
let timerSerial = 0;
const clock = {
  now: () => t,
  schedule: (fn, ms) => {
    const timer = { at: t + ms, fn, serial: timerSerial++ };
    timers.push(timer);
    return timer;
  },
  cancel: (timer) => {
    timers = timers.filter((x) => x !== timer);
  },
};
const advance = (ms) => {
  const end = t + ms;
  for (;;) {
    const due = timers
      .filter((x) => x.at <= end)
      .sort((a, b) => a.at - b.at || a.serial - b.serial)[0];
    if (!due) break;
    clock.cancel(due);
    t = due.at;
    due.fn();
  }
  t = end;
};

const captured = { products: [], checkout: [], audit: [] };
const stamps = [];
const logs = [];
const connect = (router, name) =>
  router.connect(name, (msg) => {
    captured[name].push(msg);
    stamps.push({ to: name, kind: msg.kind, at: t });
  });
const sent = (name, kind) => captured[name].filter((m) => m.kind === kind);
const sendTimes = (name) =>
  stamps.filter((s) => s.to === name && s.kind === "deliver").map((s) => s.at);
const verdicts = (name = "products") => sent(name, "verdict");
const settle = async () => {
  for (let i = 0; i < 20; i += 1) await null;
};
const plain = (value) => JSON.parse(JSON.stringify(value ?? null));

const manifest = (app, release, emits = {}, consumes = {}) =>
  ({ app, release, protocol: "1", emits, consumes });
const makeRouter = ({
  limits = {},
  mode = "strict",
  storage = null,
  release = 1,
  emits = { "cart:item-added": ["1.0.0"] },
  consumes = { "cart:item-added": ["1.0.0"] },
  connected = ["products", "checkout"],
} = {}) => {
  const router = new Router({
    bundle, limits, mode, storage, onLog: (entry) => logs.push(entry), ...clock,
  });
  router.setApp("products", { release, manifest: manifest("products", release, emits) });
  router.setApp("checkout", {
    release: 1,
    manifest: manifest("checkout", 1, { "cart:updated": ["1.0.0"] }, consumes),
  });
  for (const name of connected) connect(router, name);
  return router;
};
const addAudit = (router, versions) => {
  router.setApp("audit", {
    release: 1,
    manifest: manifest("audit", 1, {}, { "cart:item-added": versions }),
  });
  connect(router, "audit");
};

let idSerial = 0;
const newId = () => `00000000-0000-4000-8000-${String(++idSerial).padStart(12, "0")}`;
const message = (byVersion, options = {}) => {
  const { event = "cart:item-added", source = "products", id = newId() } = options;
  const envelopes = Object.entries(byVersion).map(([version, data]) =>
    ({ event, version, id, source, timestamp: 1700000000000, data }));
  return { tag: "mfe-bus", kind: "emit", id, envelopes };
};
const emit = (router, byVersion, options = {}) => {
  const msg = message(byVersion, options);
  router.receive(options.from ?? "products", msg);
  return msg.id;
};
const ack = (router, id, name = "checkout") =>
  router.receive(name, { tag: "mfe-bus", kind: "ack", id });

const ITEM = { itemId: "add-1", productId: "kettle", quantity: 2, price: 49.5 };
const ITEM_V2 = { ...ITEM, discount: 7.5, appliedPromo: "KETTLE-15" };
const BOTH = { "cart:item-added": ["1.0.0", "2.0.0"] };
"""

ITEM = {"itemId": "add-1", "productId": "kettle", "quantity": 2, "price": 49.5}
ITEM_V2 = {**ITEM, "discount": 7.5, "appliedPromo": "KETTLE-15"}


def run(page, body: str, arg=None):
    """Evaluate HARNESS + body in the page (one evaluate) and return its JSON result."""
    return page.evaluate(f"async (arg) => {{\n{HARNESS}\n{body}\n}}", arg)


def accepted(msg_id: str) -> dict:
    """The verdict message the host sends for an accepted emit."""
    return {"tag": "mfe-bus", "kind": "verdict", "id": msg_id, "status": "accepted"}


# ---- routing ----------------------------------------------------------------------------------


def test_valid_emit_is_accepted_and_delivered_once(js):
    """A valid 1.0.0 emit is accepted and reaches the 1.0.0 consumer once, unchanged."""
    out = run(
        js,
        """
        const router = makeRouter();
        const msg = message({ "1.0.0": ITEM });
        router.receive("products", msg);
        advance(0);
        return plain({ msg, products: captured.products, checkout: captured.checkout });
        """,
    )
    msg = out["msg"]
    assert out["products"] == [accepted(msg["id"])]
    assert out["checkout"] == [
        {"tag": "mfe-bus", "kind": "deliver", "envelope": msg["envelopes"][0]}
    ]


@pytest.mark.parametrize(
    ("consumes", "version", "data"),
    [(["1.0.0"], "1.0.0", ITEM), (["1.0.0", "2.0.0"], "2.0.0", ITEM_V2)],
)
def test_each_consumer_gets_its_best_version(js, consumes, version, data):
    """A 2.0.0 emit reaches each consumer in the highest version it takes, converted if need be."""
    out = run(
        js,
        """
        const consumes = { "cart:item-added": arg };
        const router = makeRouter({ release: 2, emits: BOTH, consumes });
        const msg = message({ "2.0.0": ITEM_V2 });
        router.receive("products", msg);
        return plain({ msg, verdicts: verdicts(), delivered: sent("checkout", "deliver") });
        """,
        consumes,
    )
    msg = out["msg"]
    assert out["verdicts"] == [accepted(msg["id"])]
    assert len(out["delivered"]) == 1
    envelope = out["delivered"][0]["envelope"]
    assert envelope == {**msg["envelopes"][0], "version": version, "data": data}
    # The sender's own envelope is not modified by the conversion.
    assert msg["envelopes"][0]["data"] == ITEM_V2


def test_dual_emit_delivers_each_consumer_once_in_its_best_version(js):
    """One message with 1.0.0 and 2.0.0 (one id): one delivery per consumer, each its best."""
    out = run(
        js,
        """
        const router = makeRouter({ release: 2, emits: BOTH });
        addAudit(router, ["1.0.0", "2.0.0"]);
        const msg = message({ "1.0.0": ITEM, "2.0.0": ITEM_V2 });
        router.receive("products", msg);
        return plain({
          msg,
          verdicts: verdicts(),
          checkout: sent("checkout", "deliver"),
          audit: sent("audit", "deliver"),
        });
        """,
    )
    v1, v2 = out["msg"]["envelopes"]
    assert out["verdicts"] == [accepted(v1["id"])]
    assert [m["envelope"] for m in out["checkout"]] == [v1]
    assert [m["envelope"] for m in out["audit"]] == [v2]


# ---- refusals ---------------------------------------------------------------------------------

QUANTITY = "$.data.quantity"
REFUSALS = {
    # name: (JS that makes `router` refuse one emit, reason, a path expected in the details)
    "quantity -1": ('emit(router, { "1.0.0": { ...ITEM, quantity: -1 } })', "invalid", QUANTITY),
    "quantity 0": ('emit(router, { "1.0.0": { ...ITEM, quantity: 0 } })', "invalid", QUANTITY),
    "quantity 1.5": ('emit(router, { "1.0.0": { ...ITEM, quantity: 1.5 } })', "invalid", QUANTITY),
    "quantity '2'": ('emit(router, { "1.0.0": { ...ITEM, quantity: "2" } })', "invalid", QUANTITY),
    "quantity true": (
        'emit(router, { "1.0.0": { ...ITEM, quantity: true } })',
        "invalid",
        QUANTITY,
    ),
    "quantity 1e21": (
        'emit(router, { "1.0.0": { ...ITEM, quantity: 1e21 } })',
        "invalid",
        QUANTITY,
    ),
    "quantity 10000000": (
        'emit(router, { "1.0.0": { ...ITEM, quantity: 10000000 } })',
        "invalid",
        QUANTITY,
    ),
    "quantity NaN": ('emit(router, { "1.0.0": { ...ITEM, quantity: NaN } })', "invalid", QUANTITY),
    "missing price": (
        'const { price, ...rest } = ITEM; emit(router, { "1.0.0": rest })',
        "invalid",
        "$.data.price",
    ),
    "unknown event": (
        'emit(router, { "1.0.0": ITEM }, { event: "cart:item-removed" })',
        "unknown-event",
        None,
    ),
    "unknown version": ('emit(router, { "9.9.9": ITEM })', "unknown-version", None),
    # Names outside the catalog's form are still just names the catalog lacks.
    "unknown event not in domain:name form": (
        'emit(router, { "1.0.0": ITEM }, { event: "foo" })',
        "unknown-event",
        None,
    ),
    "unknown event named like an Object property": (
        'emit(router, { "1.0.0": ITEM }, { event: "constructor" })',
        "unknown-event",
        None,
    ),
    "unknown version not in x.y.z form": ('emit(router, { "1.0": ITEM })', "unknown-version", None),
    "unknown version named like an Object property": (
        'emit(router, { "toString": ITEM })',
        "unknown-version",
        None,
    ),
    "a second envelope naming an unknown event": (
        'const msg = message({ "1.0.0": ITEM, "2.0.0": ITEM_V2 });'
        'msg.envelopes[1].event = "foo"; msg.envelopes[1].version = "1.0";'
        'router.receive("products", msg)',
        "invalid",
        "$.event",
    ),
    "a number for the event": (
        'emit(router, { "1.0.0": ITEM }, { event: 7 })',
        "invalid",
        "$.event",
    ),
    "version not in the manifest": ('emit(router, { "2.0.0": ITEM_V2 })', "not-allowed", None),
    "event not in the manifest": (
        'emit(router, { "1.0.0": { itemCount: 1, total: 2 } }, { event: "cart:updated" })',
        "not-allowed",
        None,
    ),
    "over maxBytes": (
        "router = makeRouter({ limits: { maxBytes: 2048 } });"
        'emit(router, { "1.0.0": { ...ITEM, note: "x".repeat(2048) } })',
        "too-large",
        None,
    ),
    "over maxBytes as JSON, in a sparse array": (
        # 500 holes are a few bytes to clone but 2,500 bytes of JSON ("null" each).
        "router = makeRouter({ limits: { maxBytes: 2048 } });"
        'emit(router, { "1.0.0": { ...ITEM, note: new Array(500) } })',
        "too-large",
        None,
    ),
    "over maxBytes as JSON, one object referenced 10^9 times": (
        # A few bytes to clone; JSON.stringify took 100 s on it before giving up.
        shared_object_js(9) + 'emit(router, { "1.0.0": { ...ITEM, note: shared } })',
        "too-large",
        None,
    ),
    "over maxBytes in UTF-8 bytes": (
        # 900 characters but 2700 bytes: the limit is in bytes.
        "router = makeRouter({ limits: { maxBytes: 2048 } });"
        'emit(router, { "1.0.0": { ...ITEM, note: "\\u20ac".repeat(900) } })',
        "too-large",
        None,
    ),
    "a BigInt in the payload": (
        'emit(router, { "1.0.0": { ...ITEM, note: 10n } })',
        "invalid",
        None,
    ),
    "a cycle in the payload": (
        'const data = { ...ITEM }; data.self = data; emit(router, { "1.0.0": data })',
        "invalid",
        None,
    ),
    "source is not the sender": (
        'emit(router, { "1.0.0": ITEM }, { source: "checkout" })',
        "invalid",
        None,
    ),
    "__proto__ key": (
        'emit(router, { "1.0.0": JSON.parse('
        '\'{"__proto__": {"x": 1}, "itemId": "a", "productId": "b",'
        ' "quantity": 1, "price": 1}\') })',
        "invalid",
        "$.data.__proto__",
    ),
    "constructor key": (
        'emit(router, { "1.0.0": { ...ITEM, constructor: { x: 1 } } })',
        "invalid",
        "$.data.constructor",
    ),
    "prototype key": (
        'emit(router, { "1.0.0": { ...ITEM, prototype: { x: 1 } } })',
        "invalid",
        "$.data.prototype",
    ),
    "__proto__ nested in an unknown field": (
        """emit(router, { "1.0.0": { ...ITEM, extra: JSON.parse('{"__proto__": {"x": 1}}') } })""",
        "invalid",
        "$.data.extra.__proto__",
    ),
    "a Date nested in an unknown field": (
        'emit(router, { "1.0.0": { ...ITEM, extra: { when: new Date(0) } } })',
        "invalid",
        "$.data.extra.when",
    ),
    # Not JSON data is refused before the validator could follow it: 2^33 paths through a
    # 300-byte clone took 45 s and then the heap; so did a Date ahead of a shared object.
    "a cycle with two ways round": (
        'const c = {}; c.a = c; c.b = c;emit(router, { "1.0.0": { ...ITEM, junk: c } })',
        "invalid",
        "$.data.junk.a",
    ),
    "a Date ahead of one object referenced 10^9 times": (
        shared_object_js(9) + 'const msg = message({ "1.0.0": ITEM });'
        "msg.envelopes[0] = { when: new Date(0), ...msg.envelopes[0], junk: shared };"
        'router.receive("products", msg)',
        "invalid",
        "$.when",
    ),
    # Several checks fail: the reason is the first in the order of the checks (size first).
    "too large, of an unknown event and from the wrong source": (
        "router = makeRouter({ limits: { maxBytes: 2048 } });"
        'emit(router, { "1.0.0": { ...ITEM, note: "x".repeat(2048) } },'
        ' { event: "cart:item-removed", source: "checkout" })',
        "too-large",
        None,
    ),
    "envelopes with different ids": (
        "router = makeRouter({ emits: BOTH });"
        'const msg = message({ "1.0.0": ITEM, "2.0.0": ITEM_V2 });'
        "msg.envelopes[1].id = newId();"
        'router.receive("products", msg)',
        "invalid",
        None,
    ),
    "more than 8 envelopes": (
        'const msg = message({ "1.0.0": ITEM });'
        "msg.envelopes = Array(9).fill(msg.envelopes[0]);"
        'router.receive("products", msg)',
        "invalid",
        None,
    ),
}


@pytest.mark.parametrize("name", REFUSALS)
def test_refused_emit(js, name):
    """A bad emit gets a refused verdict with its reason, a log entry, and reaches nobody."""
    code, reason, path = REFUSALS[name]
    out = run(
        js,
        f"""
        let router = makeRouter();
        {code};
        advance(60000);
        return plain({{
          verdicts: verdicts(),
          delivered: sent("checkout", "deliver"),
          pending: router.pending().length,
          logged: logs.filter((e) => e.type === "emit").map((e) => e.verdict),
        }});
        """,
    )
    [verdict] = out["verdicts"]
    assert (verdict["status"], verdict.get("reason")) == ("refused", reason), verdict
    assert verdict["message"]
    if path is not None:
        assert path in [d["path"] for d in verdict["details"]], verdict["details"]
    assert out["delivered"] == []
    assert out["pending"] == 0
    assert out["logged"] == [reason]


def test_size_limit_is_exact_near_the_limit(js):
    """Under the cheap bound or not, the limit is the exact UTF-8 size of the envelopes' JSON."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { maxBytes: 2048 } });
        const size = (note) => new TextEncoder().encode(JSON.stringify(
          message({ "1.0.0": { ...ITEM, note } }).envelopes)).length;
        // Grow an ASCII note, then a euro-sign note, to exactly the limit and one byte past it.
        const fit = (unit) => {
          let note = "";
          while (size(note + unit) <= 2048) note += unit;
          return note;
        };
        const ascii = fit("a");
        const euro = fit("\u20ac");
        for (const note of [ascii, ascii + "a", euro, euro + "\u20ac"]) {
          emit(router, { "1.0.0": { ...ITEM, note } });
        }
        return plain({ sizes: [ascii, euro].map(size),
                       outcome: verdicts().map((v) => v.reason ?? v.status) });
        """,
    )
    assert out["sizes"][0] == 2048
    assert 2046 <= out["sizes"][1] <= 2048
    assert out["outcome"] == ["accepted", "too-large", "accepted", "too-large"]


def test_size_limit_counts_long_numbers_in_full(js):
    """Numbers whose JSON is 25 characters (-0.0000012345678901234567) cannot slip an envelope
    past the limit: 2,550 of them make about 66.5 KB, over the default 64 KiB."""
    out = run(
        js,
        """
        const router = makeRouter();
        const data = { ...ITEM, note: Array(2550).fill(-1.2345678901234567e-6) };
        const size = new TextEncoder().encode(JSON.stringify(
          message({ "1.0.0": data }).envelopes)).length;
        emit(router, { "1.0.0": data });
        return plain({ size, outcome: verdicts().map((v) => v.reason ?? v.status) });
        """,
    )
    assert out["size"] > 64 * 1024
    assert out["outcome"] == ["too-large"]


def test_rate_limit_refuses_over_burst_and_refills(js):
    """Emits beyond `burst` in one instant are rate-limited; a second later one more passes."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { burst: 3, ratePerSecond: 1 } });
        const outcome = () => verdicts().map((v) => v.reason ?? v.status);
        for (let i = 0; i < 4; i += 1) emit(router, { "1.0.0": ITEM });
        const burst = outcome();
        captured.products.length = 0;
        advance(1000);
        emit(router, { "1.0.0": ITEM });
        emit(router, { "1.0.0": ITEM });
        return { burst, refilled: outcome(), delivered: sent("checkout", "deliver").length };
        """,
    )
    assert out["burst"] == ["accepted", "accepted", "accepted", "rate-limited"]
    assert out["refilled"] == ["accepted", "rate-limited"]
    assert out["delivered"] == 4


def test_byte_rate_refuses_past_the_allowance_and_refills(js):
    """Emits past `byteRate` bytes in one instant are rate-limited; a second refills it. Each
    is charged its size bound (at most 6 a character), not the whole allowance."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { byteRate: 100000 } });
        const size = JSON.stringify(message({ "1.0.0": ITEM }).envelopes).length;
        for (let i = 0; i < 1000; i += 1) emit(router, { "1.0.0": ITEM });
        const first = verdicts().map((v) => v.reason ?? v.status);
        const why = verdicts().at(-1).message;
        captured.products.length = 0;
        advance(1000);
        emit(router, { "1.0.0": ITEM });
        return {
          size, first, why,
          refilled: verdicts().map((v) => v.reason ?? v.status),
          delivered: sent("checkout", "deliver").length,
        };
        """,
    )
    passed = out["first"].count("accepted")
    # Charged between the real size and six times it (the bound of a string's escapes).
    assert 100000 // (6 * out["size"]) <= passed <= 100000 // out["size"]
    assert out["first"] == ["accepted"] * passed + ["rate-limited"] * (1000 - passed)
    assert "100000 bytes of messages per second" in out["why"]
    assert out["refilled"] == ["accepted"]
    assert out["delivered"] == passed + 1


def test_default_limits_let_a_full_burst_of_usual_emits_through(js):
    """The byte bucket must not bind before the message bucket for usual events: a burst of
    20,000 single emits, then (a second later) 10,000 dual emits, all accepted."""
    out = run(
        js,
        """
        const router = makeRouter({ emits: BOTH, consumes: BOTH, release: 2 });
        for (let i = 0; i < 20000; i += 1) {
          emit(router, { "1.0.0": ITEM });
          ack(router, captured.checkout.at(-1)?.envelope?.id);
        }
        const single = verdicts().filter((v) => v.status === "accepted").length;
        captured.products.length = 0;
        advance(1000);
        for (let i = 0; i < 10000; i += 1) {
          emit(router, { "1.0.0": ITEM, "2.0.0": ITEM_V2 });
          ack(router, captured.checkout.at(-1)?.envelope?.id);
        }
        const dual = verdicts().filter((v) => v.status === "accepted").length;
        return { single, dual };
        """,
    )
    assert out == {"single": 20000, "dual": 10000}


def test_emits_sharing_one_payload_stop_being_walked_once_the_allowance_is_spent(js):
    """One clone can share a payload among many emits: the walking stops with the allowance."""
    out = run(
        js,
        shared_object_js(3)
        + """
        const router = makeRouter({ limits: { byteRate: 100000 } });
        const readsAfter = [];
        for (let i = 0; i < 100; i += 1) {
          emit(router, { "1.0.0": { ...ITEM, note: shared } });
          readsAfter.push(reads);
        }
        const reasons = verdicts().map((v) => v.reason ?? v.status);
        advance(1000);
        emit(router, { "1.0.0": { ...ITEM, note: shared } });
        return {
          reasons, readsAfter, readsRefilled: reads,
          size: JSON.stringify(shared).length,
          refilled: verdicts().at(-1).reason ?? verdicts().at(-1).status,
        };
        """,
    )
    walked = out["reasons"].count("accepted")
    # About 100000 / 17000 emits are walked (and pass: the contract takes extra fields).
    assert out["size"] > 10000
    assert 1 <= walked <= 100000 // out["size"]
    assert out["reasons"] == ["accepted"] * walked + ["rate-limited"] * (100 - walked)
    # The first refused one is walked only as far as the allowance left; then not one more
    # read. A second later the next one is walked again.
    reads = out["readsAfter"]
    assert reads[walked] - reads[walked - 1] < reads[0]
    assert reads[walked + 1 :] == [reads[walked]] * (99 - walked)
    assert out["readsRefilled"] > out["readsAfter"][-1]
    assert out["refilled"] == "accepted"


@pytest.mark.parametrize(
    "payload",
    # Beside the contract's fields (walked as plain data), or the payload itself (walked by
    # the contract's compiled check).
    ["{ ...ITEM, note: big }", "big"],
)
def test_a_huge_object_is_listed_once_and_its_keys_are_paid_for(js, payload):
    """Listing an object's keys is work past any allowance: 20,000 keys (more than 64 KiB can
    hold) are listed once per walk and paid for, so the bucket runs dry after a few emits."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { byteRate: 200000 } });
        const target = {};
        for (let i = 0; i < 20000; i += 1) target[`k${i}`] = 1;
        let listings = 0;
        const big = new Proxy(target, {
          ownKeys: (t) => ((listings += 1), Reflect.ownKeys(t)),
        });
        const listed = [];
        for (let i = 0; i < 50; i += 1) {
          emit(router, { "1.0.0": PAYLOAD });
          listed.push(listings);
        }
        return { listed, reasons: verdicts().map((v) => v.reason ?? v.status) };
        """.replace("PAYLOAD", payload),
    )
    walked = out["reasons"].count("too-large")
    # 4 bytes a key: 80,000 a listing, so 200,000 pays for two or three emits' walks.
    assert 1 <= walked <= 3
    assert out["reasons"] == ["too-large"] * walked + ["rate-limited"] * (50 - walked)
    # One listing per walked emit (not a second one by the exact measure); the first refused
    # one may list once with what is left of the bucket, and it pays; then none lists.
    listed = out["listed"]
    assert listed[walked - 1] == walked
    assert listed[walked] <= walked + 1
    assert listed[-1] == listed[walked]


def test_consumer_without_a_conversion_path_refuses_the_emit(js):
    """A consumer taking only a version no converter reaches: `no-conversion`, no delivery."""
    out = run(
        js,
        """
        const router = makeRouter({ consumes: { "cart:item-added": ["3.0.0"] } });
        emit(router, { "1.0.0": ITEM });
        return plain({ verdicts: verdicts(), delivered: sent("checkout", "deliver"),
                       pending: router.pending().length });
        """,
    )
    [verdict] = out["verdicts"]
    assert (verdict["status"], verdict["reason"]) == ("refused", "no-conversion")
    assert verdict["details"] == [{"app": "checkout", "consumes": ["3.0.0"], "offered": ["1.0.0"]}]
    assert out["delivered"] == []
    assert out["pending"] == 0


def test_who_consumes_follows_each_manifest_change(js):
    """The consumers of an event are re-read after setApp: a new consumer gets the next event,
    one that stops taking every offered version makes the next emit `no-conversion`."""
    out = run(
        js,
        """
        const router = makeRouter();
        const first = emit(router, { "1.0.0": ITEM });
        addAudit(router, ["1.0.0"]);
        const second = emit(router, { "1.0.0": ITEM });
        router.setApp("audit", { release: 2,
          manifest: manifest("audit", 2, {}, { "cart:item-added": ["3.0.0"] }) });
        emit(router, { "1.0.0": ITEM });
        return plain({ first, second,
                       audit: sent("audit", "deliver").map((m) => m.envelope.id),
                       outcome: verdicts().map((v) => v.reason ?? v.status) });
        """,
    )
    assert out["audit"] == [out["second"]]
    assert out["outcome"] == ["accepted", "accepted", "no-conversion"]


# ---- delivery: dedupe, buffering, acks, retries -----------------------------------------------


def test_same_emit_twice_is_accepted_twice_and_delivered_once(js):
    """Dedupe by id: a repeated emit message is accepted again but delivered only once."""
    out = run(
        js,
        """
        const router = makeRouter();
        const msg = message({ "1.0.0": ITEM });
        router.receive("products", msg);
        router.receive("products", msg);
        ack(router, msg.id);
        router.receive("products", msg);
        advance(60000);
        return plain({ id: msg.id, verdicts: verdicts(), delivered: sent("checkout", "deliver"),
                       logged: logs.filter((e) => e.type === "emit").map((e) => e.verdict) });
        """,
    )
    assert out["verdicts"] == [accepted(out["id"])] * 3
    assert len(out["delivered"]) == 1
    assert out["logged"] == ["accepted", "duplicate", "duplicate"]


def test_dedupe_remembers_the_last_limit_ids_and_forgets_older_ones(js):
    """With a dedupe limit of 3, the last 3 ids are duplicates; one 6 emits back is not."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { dedupeLimit: 3 } });
        const msgs = Array.from({ length: 7 },
          (_, i) => message({ "1.0.0": { ...ITEM, itemId: `i-${i}` } }));
        for (const msg of msgs) router.receive("products", msg);
        logs.length = 0;
        // The newest three must still be known; the first was seven ids ago.
        for (const msg of [msgs[6], msgs[5], msgs[4], msgs[0]]) router.receive("products", msg);
        return plain(logs.filter((e) => e.type === "emit").map((e) => e.verdict));
        """,
    )
    assert out == ["duplicate", "duplicate", "duplicate", "accepted"]


def test_recent_ids_keep_at_least_the_limit(js):
    """RecentIds: after any number of adds, the last `limit` are members; memory stays < 2x."""
    out = run(
        js,
        """
        const { RecentIds } = await import("/mfe/static/recent.js");
        const recent = new RecentIds(100);
        const failures = [];
        let largest = 0;
        for (let n = 1; n <= 1000; n += 1) {
          recent.add(`id-${n}`);
          largest = Math.max(largest, recent.size);
          for (const back of [0, 1, 50, 99]) {
            if (n - back >= 1 && !recent.has(`id-${n - back}`)) failures.push([n, back]);
          }
        }
        return plain({ failures, largest,
                       forgotten: !recent.has("id-1"), stranger: recent.has("x") });
        """,
    )
    assert out["failures"] == []
    assert out["largest"] < 200
    assert out["forgotten"] is True
    assert out["stranger"] is False


def test_delivery_waits_for_the_consumer_handshake(js):
    """Until checkout connects its event waits in the outbox; connecting delivers it."""
    out = run(
        js,
        """
        const router = makeRouter({ connected: ["products"] });
        const id = emit(router, { "1.0.0": ITEM });
        advance(60000);
        const before = { pending: router.pending("checkout").map((r) => r.envelope.id),
                         delivered: sent("checkout", "deliver").length };
        connect(router, "checkout");
        return plain({ id, before, delivered: sent("checkout", "deliver").map((m) => m.envelope.id),
                       verdicts: verdicts() });
        """,
    )
    assert out["verdicts"] == [accepted(out["id"])]
    assert out["before"] == {"pending": [out["id"]], "delivered": 0}
    assert out["delivered"] == [out["id"]]


def test_ack_clears_the_delivery(js):
    """An ack removes the delivery from the outbox and stops its retries."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { ackTimeoutMs: 100 } });
        const id = emit(router, { "1.0.0": ITEM });
        const before = router.pending("checkout").length;
        ack(router, id);
        advance(60000);
        return { before, after: router.pending().length, times: sendTimes("checkout") };
        """,
    )
    assert out == {"before": 1, "after": 0, "times": [0]}


def test_a_rejecting_ack_clears_the_delivery_and_logs_its_reason_clipped(js):
    """A consumer that refused the event for good acks it `rejected`: no retry, and the log
    entry carries the reason and message, clipped; a reason that is no string is ignored."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { ackTimeoutMs: 100 } });
        const id = emit(router, { "1.0.0": ITEM });
        router.receive("checkout", { tag: "mfe-bus", kind: "ack", id,
          rejected: "price-mismatch" + "x".repeat(100), message: "m".repeat(900) });
        const other = emit(router, { "1.0.0": { ...ITEM, itemId: "add-2" } });
        router.receive("checkout", { tag: "mfe-bus", kind: "ack", id: other, rejected: ["a"] });
        advance(60000);
        const acks = logs.filter((e) => e.type === "ack");
        return {
          pending: router.pending().length,
          times: sendTimes("checkout"),
          rejected: acks.map((e) => e.rejected ?? null).map((r) => r && r.length),
          starts: acks[0].rejected.slice(0, 14),
          message: acks[0].message.length,
        };
        """,
    )
    assert out == {
        "pending": 0,
        "times": [0, 0],
        "rejected": [64, None],
        "starts": "price-mismatch",
        "message": 500,
    }


def test_ack_from_another_app_does_not_clear_the_delivery(js):
    """Only the consumer itself can ack its delivery."""
    out = run(
        js,
        """
        const router = makeRouter();
        const id = emit(router, { "1.0.0": ITEM });
        ack(router, id, "products");
        return { pending: router.pending("checkout").length };
        """,
    )
    assert out == {"pending": 1}


def test_unacked_delivery_is_retried_with_backoff_then_parked(js):
    """No ack: re-sent after ackTimeoutMs, doubling each time, parked after maxAttempts."""
    out = run(
        js,
        """
        const limits = { ackTimeoutMs: 100, maxAttempts: 4, parkedRetryMs: 1000000 };
        const router = makeRouter({ limits });
        const id = emit(router, { "1.0.0": ITEM });
        advance(99);
        const early = sendTimes("checkout").length;
        advance(100000);
        const parked = {
          times: sendTimes("checkout"),
          pending: router.pending().map((r) => r.envelope.id),
        };
        connect(router, "checkout");
        const reconnected = sendTimes("checkout").slice(4);
        return plain({
          id, early, parked, reconnected,
          attempts: logs.filter((e) => e.type === "deliver").map((e) => e.attempt),
          parkedLogs: logs.filter((e) => e.type === "parked").length,
          ids: sent("checkout", "deliver").map((m) => m.envelope.id),
        });
        """,
    )
    assert out["early"] == 1
    assert out["parked"] == {"times": [0, 100, 300, 700], "pending": [out["id"]]}
    assert out["parkedLogs"] == 1
    assert out["reconnected"] == [100099]
    assert out["attempts"] == [1, 2, 3, 4, 1]
    assert set(out["ids"]) == {out["id"]}


def test_a_parked_delivery_is_tried_again_while_its_consumer_stays_connected(js):
    """Parked after maxAttempts (logged once), it is sent again every parkedRetryMs while its
    consumer stays connected, until an ack clears it; no timer is left behind."""
    out = run(
        js,
        """
        const limits = { ackTimeoutMs: 100, maxAttempts: 3, parkedRetryMs: 250 };
        const router = makeRouter({ limits });
        const id = emit(router, { "1.0.0": ITEM });
        // Sent at 0, 100 and 300 (its ack wait capped at 250); parked at 550, then tried at
        // 800, 1050, 1300, 1550 and 1800.
        advance(1800);
        const times = sendTimes("checkout");
        ack(router, id);
        advance(100000);
        return plain({
          times, after: sendTimes("checkout").length, pending: router.pending().length,
          parkedLogs: logs.filter((e) => e.type === "parked").length, timersLeft: timers.length,
        });
        """,
    )
    assert out["times"] == [0, 100, 300, 800, 1050, 1300, 1550, 1800]
    assert out["after"] == 8
    assert out["pending"] == 0
    assert out["parkedLogs"] == 1
    assert out["timersLeft"] == 0


def test_one_parked_delivery_probes_for_all_and_its_ack_sends_the_others(js):
    """Three parked deliveries to one consumer: only the first is tried each parkedRetryMs;
    once it is acked, the other two go at once."""
    out = run(
        js,
        """
        const limits = { ackTimeoutMs: 100, maxAttempts: 1, parkedRetryMs: 1000 };
        const router = makeRouter({ limits });
        const ids = [0, 1, 2].map((i) => emit(router, { "1.0.0": { ...ITEM, itemId: `p-${i}` } }));
        // All three unacked at 100: parked. The first is the probe: tried at 1100 and 2100.
        advance(2100);
        const delivered = () => sent("checkout", "deliver").map((m) => m.envelope.id);
        const probes = delivered().slice(3);
        ack(router, ids[0]);
        const after = delivered().slice(3 + probes.length);
        return plain({
          ids, probes, after, times: sendTimes("checkout"),
          parked: logs.filter((e) => e.type === "parked").map((e) => e.id),
        });
        """,
    )
    ids = out["ids"]
    assert out["parked"] == ids
    assert out["probes"] == [ids[0], ids[0]]
    assert out["times"][3:] == [1100, 2100, 2100, 2100]
    assert out["after"] == [ids[1], ids[2]]


def test_a_probe_that_is_dropped_hands_its_role_to_the_next_parked_delivery(js):
    """The consumer's new manifest no longer takes the event: the probe is dropped at its try,
    and the next parked delivery becomes the probe (else it would wait for a handshake)."""
    out = run(
        js,
        """
        const limits = { ackTimeoutMs: 100, maxAttempts: 1, parkedRetryMs: 1000 };
        const router = makeRouter({ limits });
        const ids = [0, 1].map((i) => emit(router, { "1.0.0": { ...ITEM, itemId: `p-${i}` } }));
        advance(100);
        router.setApp("checkout", { release: 1, manifest: manifest("checkout", 1, {}, {}) });
        advance(5000);
        return plain({
          ids, pending: router.pending().length,
          dropped: logs.filter((e) => e.type === "dropped").map((e) => [e.id, e.reason]),
        });
        """,
    )
    ids = out["ids"]
    assert out["dropped"] == [[ids[0], "not-consumed"], [ids[1], "not-consumed"]]
    assert out["pending"] == 0


def test_a_delivery_that_keeps_failing_is_parked_then_tried_again(js):
    """A handler that fails every time: retried after its waits, parked, then tried again
    later; the ack of the try that works clears it."""
    out = run(
        js,
        """
        const limits = { ackTimeoutMs: 100, maxAttempts: 2, parkedRetryMs: 5000 };
        const router = makeRouter({ limits });
        const id = emit(router, { "1.0.0": ITEM });
        const failure = { tag: "mfe-bus", kind: "fail", id, message: "503" };
        const fail = () => router.receive("checkout", failure);
        fail();
        advance(100);
        fail();
        advance(4999);
        const beforeTry = sendTimes("checkout");
        advance(301);
        const tried = sendTimes("checkout");
        ack(router, id);
        return plain({ beforeTry, tried, pending: router.pending().length });
        """,
    )
    # Failed at 0, retried at 100 (wait 100), failed again at 100: parked after a wait of 200
    # (at 300), then tried at 5300.
    assert out["beforeTry"] == [0, 100]
    assert out["tried"] == [0, 100, 5300]
    assert out["pending"] == 0


def test_failed_handler_is_retried_and_then_acked(js):
    """A `fail` cancels the ack timer, re-sends after the backoff, and a later ack clears it."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { ackTimeoutMs: 100 } });
        const id = emit(router, { "1.0.0": ITEM });
        advance(10);
        router.receive("checkout", { tag: "mfe-bus", kind: "fail", id, message: "db locked" });
        advance(99);
        const beforeRetry = sendTimes("checkout");
        advance(1);
        const afterRetry = sendTimes("checkout");
        ack(router, id);
        advance(100000);
        return plain({
          beforeRetry, afterRetry, final: sendTimes("checkout"), pending: router.pending().length,
          failLog: logs.find((e) => e.type === "fail"),
        });
        """,
    )
    assert out["beforeRetry"] == [0]
    assert out["afterRetry"] == [0, 110]
    assert out["final"] == [0, 110]
    assert out["pending"] == 0
    assert out["failLog"]["message"] == "db locked"


def test_one_timer_keeps_every_delivery_deadline(js):
    """Many deliveries share one ack timer, yet each is retried at its own deadline; acked
    ones are not, and a delivery acked before its deadline leaves no retry behind."""
    out = run(
        js,
        """
        const limits = { ackTimeoutMs: 100, maxAttempts: 2, parkedRetryMs: 1000000 };
        const router = makeRouter({ limits });
        const ids = [];
        for (let i = 0; i < 5; i += 1) {
          ids.push(emit(router, { "1.0.0": { ...ITEM, itemId: `add-${i}` } }));
          advance(10);
        }
        const armed = timers.length;
        ack(router, ids[1]);
        ack(router, ids[3]);
        advance(1000);
        const delivered = sent("checkout", "deliver").map((m) => m.envelope.id);
        return plain({
          ids, armed, times: sendTimes("checkout"),
          retried: delivered.slice(5),
          parked: logs.filter((e) => e.type === "parked").map((e) => e.id),
          timersLeft: timers.length,
        });
        """,
    )
    ids = out["ids"]
    assert out["armed"] == 1
    # Sent at 0, 10, 20, 30, 40; the unacked ones again at +100 (110, 130, 150), then parked.
    assert out["times"] == [0, 10, 20, 30, 40, 100, 120, 140]
    assert out["retried"] == [ids[0], ids[2], ids[4]]
    assert out["parked"] == [ids[0], ids[2], ids[4]]
    # One timer for the parked ones' next try, none for the acked ones.
    assert out["timersLeft"] == 1


def test_an_earlier_deadline_rearms_the_shared_timer(js):
    """The shared timer waits for a retry's later deadline; a new delivery due sooner still
    gets its retry on time, and a `fail` is retried after its own backoff."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { ackTimeoutMs: 100, maxAttempts: 2 } });
        const first = emit(router, { "1.0.0": ITEM });
        advance(150);
        const second = emit(router, { "1.0.0": { ...ITEM, itemId: "add-2" } });
        advance(1000);
        const third = emit(router, { "1.0.0": { ...ITEM, itemId: "add-3" } });
        advance(5);
        router.receive("checkout", { tag: "mfe-bus", kind: "fail", id: third, message: "busy" });
        advance(99);
        const beforeRetry = sendTimes("checkout").length;
        advance(1);
        const delivered = sent("checkout", "deliver").map((m) => m.envelope.id);
        const times = sendTimes("checkout");
        return plain({ first, second, third, beforeRetry, times, delivered });
        """,
    )
    # first: 0, retried at 100 (its next deadline, 300, is when it parks); second: 150, 250.
    # third: 1150, failed at 1155, retried after 100 ms at 1255.
    assert out["times"] == [0, 100, 150, 250, 1150, 1255]
    assert out["beforeRetry"] == 5
    first, second, third = out["first"], out["second"], out["third"]
    assert out["delivered"] == [first, first, second, second, third, third]


def test_disconnect_stops_retries_and_reconnect_resumes_them(js):
    """A disconnected consumer gets no retries; reconnecting delivers and retries again."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { ackTimeoutMs: 100 } });
        emit(router, { "1.0.0": ITEM });
        advance(50);
        router.disconnect("checkout");
        const timersLeft = timers.length;
        advance(100000);
        const whileAway = { times: sendTimes("checkout"), pending: router.pending().length,
                            connected: router.isConnected("checkout"), timersLeft };
        connect(router, "checkout");
        advance(100);
        return { whileAway, times: sendTimes("checkout") };
        """,
    )
    assert out["whileAway"] == {"times": [0], "pending": 1, "connected": False, "timersLeft": 0}
    assert out["times"] == [0, 100050, 100150]


# ---- the outbox survives a reload -------------------------------------------------------------


def test_waiting_delivery_follows_a_rollback_of_the_consumer(js):
    """After checkout rolls back to a 1.0.0-only release, a waiting event arrives as 1.0.0."""
    out = run(
        js,
        """
        const router = makeRouter({ release: 2, emits: BOTH, connected: ["products"],
                                    consumes: { "cart:item-added": ["1.0.0", "2.0.0"] } });
        emit(router, { "2.0.0": ITEM_V2 });
        router.setApp("checkout", {
          release: 1,
          manifest: manifest("checkout", 1, {}, { "cart:item-added": ["1.0.0"] }),
        });
        connect(router, "checkout");
        return plain(sent("checkout", "deliver").map((m) => m.envelope));
        """,
    )
    assert [(e["version"], e["data"]) for e in out] == [("1.0.0", ITEM)]


def test_a_consumer_whose_manifest_is_unknown_gets_its_delivery_once_the_manifest_arrives(js):
    """Checkout was down when the page loaded (no manifest): the emit waits, then is delivered."""
    out = run(
        js,
        """
        const router = makeRouter();
        router.setApp("checkout", { release: 1, manifest: null });
        const id = emit(router, { "1.0.0": ITEM });
        const before = {
          verdict: verdicts().at(-1).status,
          sent: sent("checkout", "deliver").length,
          pending: router.pending("checkout").length,
        };
        router.setApp("checkout", {
          release: 1,
          manifest: manifest("checkout", 1, {}, { "cart:item-added": ["1.0.0"] }),
        });
        const delivered = sent("checkout", "deliver").map((m) => m.envelope.id);
        ack(router, id);
        return { before, delivered, id, after: router.pending().length };
        """,
    )
    assert out["before"] == {"verdict": "accepted", "sent": 0, "pending": 1}
    assert out["delivered"] == [out["id"]]
    assert out["after"] == 0


def test_a_waiting_delivery_is_dropped_with_a_log_when_the_manifest_does_not_consume_it(js):
    """The manifest that arrives does not consume the event: dropped, logged, not retried."""
    out = run(
        js,
        """
        const router = makeRouter();
        router.setApp("checkout", { release: 1, manifest: null });
        emit(router, { "1.0.0": ITEM });
        router.setApp("checkout", { release: 1, manifest: manifest("checkout", 1, {}, {}) });
        advance(60000);
        const dropped = logs.filter((e) => e.type === "dropped").map((e) => e.reason);
        const pending = router.pending().length;
        return { dropped, sent: sent("checkout", "deliver").length, pending };
        """,
    )
    assert out == {"dropped": ["not-consumed"], "sent": 0, "pending": 0}


FAKE_STORAGE = """
const saved = new Map();
let writes = 0;
const storage = {
  getItem: (key) => (saved.has(key) ? saved.get(key) : null),
  setItem: (key, value) => { writes += 1; saved.set(key, String(value)); },
};
"""


def test_outbox_survives_a_new_router_over_the_same_storage(js):
    """Undelivered events are saved (one write per 200 ms) and a new Router delivers them."""
    out = run(
        js,
        FAKE_STORAGE
        + """
        const first = makeRouter({ storage, connected: ["products"] });
        const ids = [emit(first, { "1.0.0": ITEM }), emit(first, { "1.0.0": ITEM })];
        advance(199);
        const writesBefore = writes;
        advance(1);
        const writesAfter = writes;
        const second = makeRouter({ storage, connected: ["products"] });
        const restored = second.pending("checkout").map((r) => r.envelope.id);
        connect(second, "checkout");
        const delivered = sent("checkout", "deliver").map((m) => m.envelope);
        for (const id of ids) ack(second, id);
        second.flush();
        const third = makeRouter({ storage, connected: ["products"] });
        return plain({ ids, writesBefore, writesAfter, restored, delivered,
                       afterAck: third.pending().length });
        """,
    )
    assert out["writesBefore"] == 0
    assert out["writesAfter"] == 1
    assert out["restored"] == out["ids"]
    assert [e["id"] for e in out["delivered"]] == out["ids"]
    assert all(e["data"] == ITEM and e["version"] == "1.0.0" for e in out["delivered"])
    assert out["afterAck"] == 0


def test_a_delivery_older_than_its_age_limit_is_dropped_not_delivered(js):
    """Bounded state: a delivery that waited past `maxAgeMs` (wall clock, kept across reloads)
    is dropped as expired, so checkout's idempotency window always outlasts the outbox."""
    out = run(
        js,
        FAKE_STORAGE
        + """
        const first = makeRouter({ storage, connected: ["products"] });
        const old = emit(first, { "1.0.0": ITEM });
        const fresh = emit(first, { "1.0.0": ITEM });
        first.flush();
        // The page was closed for a day and a bit: age the first delivery as a reload would see it.
        const entries = JSON.parse(saved.get("mfe-outbox"));
        entries[0].queuedAt -= 25 * 60 * 60 * 1000;
        saved.set("mfe-outbox", JSON.stringify(entries));
        const second = makeRouter({ storage, connected: ["products"] });
        connect(second, "checkout");
        return plain({
          old, fresh,
          delivered: sent("checkout", "deliver").map((m) => m.envelope.id),
          dropped: logs.filter((e) => e.type === "dropped").map((e) => [e.id, e.reason]),
          pending: second.pending().map((r) => r.envelope.id),
        });
        """,
    )
    assert out["delivered"] == [out["fresh"]]
    assert out["dropped"] == [[out["old"], "expired"]]
    assert out["pending"] == [out["fresh"]]


@pytest.mark.parametrize(
    "content",
    ["not json{", '{"a": 1}', '[null, 5, {"app": "checkout"}, {"envelope": {"id": "x"}}]'],
)
def test_corrupt_storage_is_ignored(js, content):
    """Unreadable outbox content is ignored: no exception, nothing pending, the bus works."""
    out = run(
        js,
        FAKE_STORAGE
        + """
        saved.set("mfe-outbox", arg);
        const router = makeRouter({ storage });
        const pendingAtStart = router.pending().length;
        emit(router, { "1.0.0": ITEM });
        return { pendingAtStart, verdicts: verdicts().map((v) => v.status),
                 delivered: sent("checkout", "deliver").length };
        """,
        content,
    )
    assert out == {"pendingAtStart": 0, "verdicts": ["accepted"], "delivered": 1}


def test_storage_write_error_is_logged_not_thrown(js):
    """A storage that throws on write (quota) is logged; the emit is still accepted."""
    out = run(
        js,
        """
        const storage = { getItem: () => null, setItem: () => { throw new Error("quota"); } };
        const router = makeRouter({ storage, connected: ["products"] });
        emit(router, { "1.0.0": ITEM });
        advance(200);
        const errors = logs.filter((e) => e.type === "storage-error").map((e) => e.message);
        return plain({ verdicts: verdicts().map((v) => v.status), errors });
        """,
    )
    assert out == {"verdicts": ["accepted"], "errors": ["quota"]}


# ---- the host as a consumer, and host services ------------------------------------------------


def test_host_local_subscriber_receives_cart_updated(js):
    """`setLocal` makes the host a consumer: its handler gets checkout's `cart:updated`."""
    out = run(
        js,
        """
        const router = makeRouter();
        const got = [];
        router.setLocal("host", manifest("host", 1, {}, { "cart:updated": ["1.0.0"] }), {
          "cart:updated": (data, envelope) => got.push({ data, envelope }),
        });
        const id = emit(router, { "1.0.0": { itemCount: 3, total: 112.5 } },
                        { event: "cart:updated", from: "checkout", source: "checkout" });
        await settle();
        return plain({ id, got, verdicts: verdicts("checkout"), pending: router.pending().length,
                       acks: logs.filter((e) => e.type === "ack").map((e) => e.app) });
        """,
    )
    assert out["verdicts"] == [accepted(out["id"])]
    assert [g["data"] for g in out["got"]] == [{"itemCount": 3, "total": 112.5}]
    assert out["got"][0]["envelope"]["id"] == out["id"]
    assert out["pending"] == 0
    assert out["acks"] == ["host"]


def test_the_verdict_leaves_before_a_host_handler_runs(js):
    """The host's handler runs after the router has handled the emit (in a promise reaction
    queued behind the port's batch of verdicts), so the emitter's verdict never waits for it."""
    out = run(
        js,
        """
        const router = makeRouter();
        const got = [];
        router.setLocal("host", manifest("host", 1, {}, { "cart:updated": ["1.0.0"] }), {
          "cart:updated": (data) => got.push({ data, verdictsSent: verdicts("checkout").length }),
        });
        emit(router, { "1.0.0": { itemCount: 1, total: 4.5 } },
             { event: "cart:updated", from: "checkout", source: "checkout" });
        const during = got.length;
        await settle();
        return plain({ during, got });
        """,
    )
    assert out["during"] == 0
    assert out["got"] == [{"data": {"itemCount": 1, "total": 4.5}, "verdictsSent": 1}]


SERVICE = """
const router = makeRouter();
const calls = [];
router.service("notifications.show", (params, context) => {
  calls.push({ params, context });
  return { shown: true };
});
router.service("explode", () => { throw new Error("boom"); });
router.service("explode.later", async () => { throw new Error("later boom"); });
const request = async (method, params) => {
  router.receive("products", { tag: "mfe-bus", kind: "request", rid: "r-1", method, params });
  await settle();
  return plain({ responses: sent("products", "response"), calls });
};
"""


def test_service_request_gets_its_result(js):
    """A request to a registered service gets `response` ok with the service's result."""
    out = run(js, SERVICE + 'return await request("notifications.show", { message: "hi" });')
    assert out["responses"] == [
        {"tag": "mfe-bus", "kind": "response", "rid": "r-1", "ok": True, "result": {"shown": True}}
    ]
    assert out["calls"] == [{"params": {"message": "hi"}, "context": {"app": "products"}}]


def test_unknown_service_is_refused(js):
    """A request to an unknown method gets ok:false with reason `unknown-method`."""
    out = run(js, SERVICE + 'return await request("nope", {});')
    [response] = out["responses"]
    assert (response["rid"], response["ok"]) == ("r-1", False)
    assert response["error"]["reason"] == "unknown-method"


@pytest.mark.parametrize("method", ["explode", "explode.later"])
def test_throwing_service_answers_not_ok(js, method):
    """A service that throws (or rejects) answers ok:false with its message."""
    out = run(js, SERVICE + "return await request(arg, {});", method)
    [response] = out["responses"]
    assert (response["rid"], response["ok"]) == ("r-1", False)
    assert response["error"]["reason"] == "failed"
    assert "boom" in response["error"]["message"]


# ---- naive mode and the log -------------------------------------------------------------------


def test_naive_mode_skips_contracts_but_checks_the_source(js):
    """Naive mode hands any payload over unchanged, but still refuses a forged `source`."""
    out = run(
        js,
        """
        const router = makeRouter({ mode: "naive", emits: {} });
        const nonsense = { ...ITEM_V2, quantity: "lots", discount: { much: true } };
        const msg = message({ "2.0.0": nonsense });
        router.receive("products", msg);
        emit(router, { "1.0.0": ITEM }, { source: "checkout" });
        return plain({ msg, verdicts: verdicts(), delivered: sent("checkout", "deliver") });
        """,
    )
    first, forged = out["verdicts"]
    assert first == accepted(out["msg"]["id"])
    assert (forged["status"], forged["reason"]) == ("refused", "invalid")
    assert [m["envelope"] for m in out["delivered"]] == out["msg"]["envelopes"]


def test_log_records_the_emit_and_the_ack_latency(js):
    """`onLog` gets the emit with its verdict and the ack with its round-trip latency."""
    out = run(
        js,
        """
        const router = makeRouter();
        advance(1000);
        const id = emit(router, { "1.0.0": ITEM });
        advance(25);
        ack(router, id);
        return plain({ id, logs });
        """,
    )
    by_type = {entry["type"]: entry for entry in out["logs"]}
    emitted = by_type["emit"]
    assert (emitted["verdict"], emitted["app"], emitted["id"]) == (
        "accepted",
        "products",
        out["id"],
    )
    assert (emitted["event"], emitted["versions"]) == ("cart:item-added", ["1.0.0"])
    acked = by_type["ack"]
    assert (acked["app"], acked["id"], acked["latencyMs"]) == ("checkout", out["id"], 25)
    assert (acked["from"], acked["to"], acked["attempt"]) == ("1.0.0", "1.0.0", 1)


# ---- backpressure ---------------------------------------------------------------------------


def test_full_outbox_refuses_instead_of_dropping(js):
    """With the outbox full, an emit is refused (rate-limited), never accepted and then lost."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { outboxLimit: 1 }, connected: ["products"] });
        emit(router, { "1.0.0": ITEM });
        emit(router, { "1.0.0": { ...ITEM, itemId: "add-2" } });
        return plain({
          verdicts: verdicts().map((v) => [v.status, v.reason ?? null]),
          pending: router.pending("checkout").length,
        });
        """,
    )
    assert out["verdicts"] == [["accepted", None], ["refused", "rate-limited"]]
    assert out["pending"] == 1


def test_requests_share_the_rate_limit_and_size_cap(js):
    """Requests count against the sender's bucket and the size cap, like emits."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { burst: 2, ratePerSecond: 1, maxBytes: 200 } });
        let calls = 0;
        router.service("notifications.show", () => { calls += 1; return { shown: true }; });
        const method = "notifications.show";
        const ask = (rid, params) =>
          router.receive("products", { tag: "mfe-bus", kind: "request", rid, method, params });
        ask("r1", { message: "x".repeat(500), type: "info" });
        ask("r2", { message: "ok", type: "info" });
        ask("r3", { message: "ok", type: "info" });
        await settle();
        const answers = Object.fromEntries(
          sent("products", "response").map((r) => [r.rid, r.ok ? "ok" : r.error.reason]),
        );
        return plain({ answers, calls });
        """,
    )
    assert out["answers"] == {"r1": "too-large", "r2": "ok", "r3": "rate-limited"}
    assert out["calls"] == 1


def test_requests_share_the_byte_allowance(js):
    """Requests' params count against the sender's byte allowance, like emits."""
    out = run(
        js,
        """
        const router = makeRouter({ limits: { byteRate: 70000 } });
        router.service("notifications.show", () => ({ shown: true }));
        const ask = (rid) => router.receive("products", {
          tag: "mfe-bus", kind: "request", rid, method: "notifications.show",
          params: { message: "x".repeat(30000), type: "info" },
        });
        ask("r1");
        ask("r2");
        ask("r3");
        await settle();
        advance(1000);
        ask("r4");
        await settle();
        return plain(Object.fromEntries(
          sent("products", "response").map((r) => [r.rid, r.ok ? "ok" : r.error.reason]),
        ));
        """,
    )
    assert out == {"r1": "ok", "r2": "ok", "r3": "rate-limited", "r4": "ok"}


def test_waiting_deliveries_do_not_go_to_the_old_frame_of_a_swapped_app(js):
    """The manifest arrives with a new release while the old frame is connected: the waiting
    delivery goes to the new frame once it connects, once, and never to the old one."""
    out = run(
        js,
        """
        const router = makeRouter();
        router.setApp("checkout", { release: 1, manifest: null });
        const id = emit(router, { "1.0.0": ITEM });
        router.setApp("checkout", {
          release: 2,
          manifest: manifest("checkout", 2, {}, { "cart:item-added": ["1.0.0"] }),
        });
        const toOld = sent("checkout", "deliver").length;
        router.disconnect("checkout");
        connect(router, "checkout");
        return { toOld, toNew: sent("checkout", "deliver").map((m) => m.envelope.id), id };
        """,
    )
    assert out["toOld"] == 0
    assert out["toNew"] == [out["id"]]


def test_acks_fails_and_requests_never_turn_a_non_string_into_a_string(js):
    """An id, message or method that is not a string is not stringified (a tiny clone of an
    array shared 2^25 ways took seconds): such acks and fails are ignored, such a request
    answered without echoing it."""
    out = run(
        js,
        """
        const router = makeRouter();
        let stringified = 0;
        const trap = [1];
        trap.toString = () => ((stringified += 1), "x");
        const id = emit(router, { "1.0.0": ITEM });
        router.receive("checkout", { tag: "mfe-bus", kind: "ack", id: trap });
        router.receive("checkout", { tag: "mfe-bus", kind: "fail", id: trap, message: "m" });
        router.receive("checkout", { tag: "mfe-bus", kind: "fail", id, message: trap });
        router.receive("products", { tag: "mfe-bus", kind: "request", rid: trap, method: "m" });
        router.receive("products", { tag: "mfe-bus", kind: "request", rid: "r1", method: trap });
        await settle();
        const fails = logs.filter((e) => e.type === "fail").map((e) => e.message);
        const answers = sent("products", "response").map((r) => [r.rid, r.error?.message]);
        return { stringified, fails, answers, pending: router.pending().length };
        """,
    )
    assert out["stringified"] == 0
    assert out["fails"] == [""]
    assert out["answers"] == [["r1", "no service (not a string)"]]
    assert out["pending"] == 1
