"""Parity between Python and the browser: pydantic vs validator.js, converters.py vs converters.js.

The shared vectors (parity_vectors.json) hold only values both JSON and JavaScript carry
alike: no NaN, and no integral floats (JS cannot tell `2.0` from `2`). Values only JavaScript
has (NaN, Infinity, undefined, BigInt, ...) are built in JS by a separate test.

The browser tests serve the shared library and the bundle to Chromium through Playwright's
request interception, on a made-up origin: no server, and no import of any app.
"""

import json
import mimetypes
import random
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from pydantic import BaseModel, ConfigDict

from shared_contracts import ContractError, NoConversionPath, Registry, registry
from shared_contracts.bundle import browser_bundle
from shared_contracts.converters import Add, Drop, MapValues, Rename
from shared_contracts.tests.jsvalues import shared_object_js

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "static" / "mfe"
VECTORS_TEXT = (HERE / "parity_vectors.json").read_text()
VECTORS = json.loads(VECTORS_TEXT)
ORIGIN = "http://contracts.test"

# ---- helpers --------------------------------------------------------------------------------


def pydantic_accepts(event: str, version: str, data) -> bool:
    """Whether `registry.validate_data` accepts `data` (a value, or JSON text)."""
    try:
        registry.validate_data(event, version, data)
    except ContractError:
        return False
    return True


def serve(route):
    """Answer the page's requests: a blank page, the bundle, and the shared library."""
    path = urlsplit(route.request.url).path
    if path == "/":
        route.fulfill(status=200, content_type="text/html", body="<!doctype html><title>t</title>")
    elif path == "/mfe/contracts.json":
        route.fulfill(status=200, content_type="application/json", json=browser_bundle())
    elif path.startswith("/mfe/static/") and (STATIC / path.rsplit("/", 1)[1]).is_file():
        file = STATIC / path.rsplit("/", 1)[1]
        kind = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        route.fulfill(status=200, content_type=kind, body=file.read_text())
    else:
        route.fulfill(status=404, body="not found")


@pytest.fixture(scope="module")
def page(browser):
    """A Chromium page at ORIGIN, where `/mfe/static/*.js` and `/mfe/contracts.json` load."""
    context = browser.new_context()
    tab = context.new_page()
    tab.route(f"{ORIGIN}/**", serve)
    tab.goto(f"{ORIGIN}/")
    yield tab
    context.close()


def in_browser(page, body: str, arg=None):
    """Run `body` with `validate`, the converter functions and `bundle` in scope."""
    return page.evaluate(
        f"""async (arg) => {{
          const {{ validate }} = await import("/mfe/static/validator.js");
          const {{ convertAlong, findPath, indexConverters }} =
            await import("/mfe/static/converters.js");
          const bundle = await (await fetch("/mfe/contracts.json")).json();
          {body}
        }}""",
        arg,
    )


def label(vector: dict) -> str:
    """A short name of a vector for ids and messages."""
    return f"{vector['event']}@{vector['version']}: {vector['why']}"


def walk(value):
    """Every value nested in `value`, itself included."""
    yield value
    children = (
        value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    )
    for child in children:
        yield from walk(child)


# ---- the shared vectors -----------------------------------------------------------------------


def test_every_contract_has_valid_and_invalid_vectors():
    """Each registered (event, version) has at least 8 vectors, some valid and some invalid."""
    known = {(c.event, c.version) for c in registry.contracts()}
    found = {key: {True: 0, False: 0} for key in known}
    for vector in VECTORS:
        key = (vector["event"], vector["version"])
        assert key in known, f"vector for an unknown contract: {label(vector)}"
        assert set(vector) == {"event", "version", "data", "valid", "why"}, label(vector)
        found[key][vector["valid"]] += 1
    thin = {
        key: n for key, n in found.items() if n[True] < 1 or n[False] < 1 or sum(n.values()) < 8
    }
    assert not thin, (
        f"contracts with too few vectors: {thin}; add at least 8 (some valid, some invalid) "
        "to shared_contracts/tests/parity_vectors.json (docs/adding-an-event.md, step 2)"
    )


def test_vectors_hold_only_values_json_and_js_carry_alike():
    """No integral floats (JS reads 2.0 as 2) and no duplicate reasons in the vectors."""
    for vector in VECTORS:
        floats = [v for v in walk(vector["data"]) if isinstance(v, float) and v.is_integer()]
        assert not floats, f"{label(vector)} holds integral floats {floats}"
    whys = [label(v) for v in VECTORS]
    assert len(whys) == len(set(whys))


@pytest.mark.parametrize(
    "vector",
    [pytest.param(v, id=label(v)) for v in VECTORS],
)
def test_pydantic_agrees_with_the_vector(vector):
    """pydantic (from a dict and from JSON text) gives the vector's verdict."""
    event, version, data = vector["event"], vector["version"], vector["data"]
    assert pydantic_accepts(event, version, data) is vector["valid"]
    assert pydantic_accepts(event, version, json.dumps(data)) is vector["valid"]


@pytest.mark.browser
def test_browser_validator_agrees_with_every_vector(page):
    """validate.js gives every vector's verdict (all vectors in one call, all mismatches shown)."""
    errors = in_browser(
        page,
        """
        const schemaOf = (v) => bundle.contracts[v.event][v.version].schema;
        return JSON.parse(arg).map((v) => validate(schemaOf(v), v.data));
        """,
        VECTORS_TEXT,
    )
    assert len(errors) == len(VECTORS)
    mismatches = [
        f"{label(v)}: expected {'valid' if v['valid'] else 'invalid'}, JS says {found or 'valid'}"
        for v, found in zip(VECTORS, errors, strict=True)
        if (not found) is not v["valid"]
    ]
    assert not mismatches, "\n".join(mismatches)


# Values only JavaScript has: each must make its payload invalid.
JS_ONLY = [
    # (event, version, field, name of a value in SPECIAL below)
    ("cart:item-added", "1.0.0", "price", "NaN"),
    ("cart:item-added", "1.0.0", "price", "Infinity"),
    ("cart:item-added", "1.0.0", "price", "-Infinity"),
    ("cart:item-added", "1.0.0", "price", "undefined"),
    ("cart:item-added", "1.0.0", "quantity", "NaN"),
    ("cart:item-added", "1.0.0", "quantity", "Infinity"),
    ("cart:item-added", "1.0.0", "quantity", "bigint"),
    ("cart:item-added", "2.0.0", "discount", "NaN"),
    ("cart:item-added", "2.0.0", "discount", "Infinity"),
    ("cart:updated", "1.0.0", "total", "-Infinity"),
    ("cart:updated", "1.0.0", "itemCount", "NaN"),
    ("notification:show", "1.0.0", "duration", "Infinity"),
    ("order:placed", "1.0.0", "total", "NaN"),
    ("cart:item-added", "1.0.0", "extra", "NaN"),
    ("cart:item-added", "1.0.0", "extra", "date"),
    ("cart:item-added", "1.0.0", "extra", "map"),
    ("cart:item-added", "1.0.0", "extra", "function"),
]
BASES = {
    ("cart:item-added", "1.0.0"): {"itemId": "a", "productId": "b", "quantity": 1, "price": 1.5},
    ("cart:item-added", "2.0.0"): {"itemId": "a", "productId": "b", "quantity": 1, "price": 1.5},
    ("cart:updated", "1.0.0"): {"itemCount": 1, "total": 1.5},
    ("notification:show", "1.0.0"): {"message": "hi", "type": "info"},
    ("order:placed", "1.0.0"): {"orderId": "o-1", "itemCount": 1, "total": 1.5},
}
PYTHON_VALUES = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


@pytest.mark.browser
def test_js_only_values_are_invalid(page):
    """NaN, ±Infinity, undefined, BigInt, unsafe integers and non-plain objects never pass."""
    cases = [
        {"event": e, "version": v, "field": f, "special": s, "base": BASES[(e, v)]}
        for e, v, f, s in JS_ONLY
    ]
    verdicts = in_browser(
        page,
        """
        const SPECIAL = {
          NaN: NaN, Infinity: Infinity, "-Infinity": -Infinity, undefined: undefined,
          bigint: 10n, date: new Date(0), map: new Map(), function: () => 1,
        };
        const errors = arg.map((c) => validate(
          bundle.contracts[c.event][c.version].schema,
          { ...c.base, [c.field]: SPECIAL[c.special] },
        ));
        const bases = arg.map((c) => validate(bundle.contracts[c.event][c.version].schema, c.base));
        // Integers beyond ±2^53 are not exact in JS: never an "integer".
        const unsafe = [2 ** 53, -(2 ** 53), 1e21].map((n) => validate({ type: "integer" }, n));
        return { errors, bases, unsafe };
        """,
        cases,
    )
    assert all(found == [] for found in verdicts["bases"]), "a base payload is itself invalid"
    assert all(found != [] for found in verdicts["unsafe"]), "an unsafe integer passed as integer"
    accepted = [case for case, found in zip(JS_ONLY, verdicts["errors"], strict=True) if not found]
    assert not accepted, f"validate.js accepted {accepted}"
    # pydantic refuses the values Python can hold too (in the fields it reads).
    for event, version, field, special in JS_ONLY:
        if special in PYTHON_VALUES and field != "extra":
            data = {**BASES[(event, version)], field: PYTHON_VALUES[special]}
            assert not pydantic_accepts(event, version, data), (event, version, field, special)


# ---- a seeded fuzz: pydantic and validate.js on the same generated payloads --------------------

SMILE = "\U0001f600"
COMBINING = "e\u0301"
ALPHABET = [*"abcXYZ019-_ .", "\u00e9", COMBINING, SMILE, "\u4e2d", "\u200b", "\n", "\ud83d"]
FUZZ_FIELDS = {
    ("cart:item-added", "2.0.0"): {
        "itemId": "identifier",
        "productId": "identifier",
        "quantity": "quantity",
        "price": "money",
        "discount": "money-or-null",
        "appliedPromo": "promo",
    },
    ("notification:show", "1.0.0"): {"message": "message", "type": "kind", "duration": "duration"},
}


def text(rng: random.Random) -> str:
    """A string of mixed scripts, emoji, combining marks and the odd lone surrogate."""
    size = rng.choice([0, 1, 2, 5, 31, 32, 33, 63, 64, 65, 499, 500, 501])
    return "".join(rng.choice(ALPHABET) for _ in range(size))


def fraction(rng: random.Random) -> float:
    """A float that is not an integer (integral floats read as integers in JS)."""
    value = rng.choice([0.5, -0.5, 1e6 + 0.5, 5e-324, 498.99, rng.uniform(-2e6, 2e6)])
    return value if not value.is_integer() else 0.25


def looks_valid(rng: random.Random, kind: str):
    """A value that is probably valid for a field of this kind."""
    choices = {
        "identifier": lambda: rng.choice(
            ["kettle", "a", "A" * 64, "x-1_b", f"id{rng.randint(0, 99)}"]
        ),
        "quantity": lambda: rng.choice([1, 999, rng.randint(1, 999)]),
        "money": lambda: rng.choice(
            [0, 1_000_000, rng.randint(0, 10**6), round(rng.random() * 999, 2)]
        ),
        "money-or-null": lambda: rng.choice([None, 0, 7.5, rng.randint(0, 10**6)]),
        "promo": lambda: rng.choice([None, "A", "KETTLE-15", "Z" * 32]),
        "message": lambda: rng.choice(
            ["Added", "x" * 500, SMILE * 500, COMBINING * 250, text(rng)]
        ),
        "kind": lambda: rng.choice(["success", "error", "info"]),
        "duration": lambda: rng.choice([None, 500, 60_000, rng.randint(500, 60_000)]),
    }
    return choices[kind]()


def mutant(rng: random.Random):
    """Any JSON value both languages carry alike, biased towards edges."""
    maker = rng.choice(
        [
            lambda: rng.choice(
                [0, -1, 1, 499, 999, 1000, 60_001, 10**6 + 1, 2**53 - 1, -(2**53 - 1)]
            ),
            lambda: rng.randint(-(2**53 - 1), 2**53 - 1),
            lambda: rng.randint(-10, 70_000),
            lambda: fraction(rng),
            lambda: text(rng),
            lambda: rng.choice(["", "INFO", "kettle-15", "-KETTLE", "abc\n", "2", "true"]),
            lambda: rng.choice([True, False, None]),
            lambda: rng.choice([[], {}, [1, "a"], {"k": None}]),
        ]
    )
    return maker()


def fuzz_examples(count: int = 300, seed: int = 20240611) -> list[dict]:
    """`count` payloads over FUZZ_FIELDS: mostly valid-looking fields, some mutated or missing."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    examples = []
    for i in range(count):
        event, version = list(FUZZ_FIELDS)[i % len(FUZZ_FIELDS)]
        data = {}
        for name, kind in FUZZ_FIELDS[(event, version)].items():
            roll = rng.random()
            if roll < 0.04:
                continue
            data[name] = looks_valid(rng, kind) if roll < 0.88 else mutant(rng)
        if rng.random() < 0.15:
            data[rng.choice(["note", "meta", "discountCode"])] = mutant(rng)
        examples.append({"event": event, "version": version, "data": data})
    # What both sides read: the payloads after a trip through JSON text.
    return json.loads(json.dumps(examples))


@pytest.mark.browser
def test_fuzzed_payloads_get_the_same_verdict_in_both_validators(page):
    """~300 seeded payloads: pydantic and validate.js agree on every one."""
    examples = fuzz_examples()
    python = [pydantic_accepts(x["event"], x["version"], x["data"]) for x in examples]
    share = sum(python) / len(python)
    assert 0.15 < share < 0.85, f"the fuzz is lopsided: {share:.0%} valid"
    errors = in_browser(
        page,
        """
        const schemaOf = (x) => bundle.contracts[x.event][x.version].schema;
        return JSON.parse(arg).map((x) => validate(schemaOf(x), x.data));
        """,
        json.dumps(examples),
    )
    mismatches = [
        f"{x['event']}@{x['version']} {json.dumps(x['data'])[:300]}: "
        f"pydantic {'accepts' if ok else 'refuses'}, JS {found or 'accepts'}"
        for x, ok, found in zip(examples, python, errors, strict=True)
        if ok is not (not found)
    ]
    assert not mismatches, f"{len(mismatches)} disagreements:\n" + "\n".join(mismatches[:25])


@pytest.mark.browser
def test_valid_size_gives_the_same_verdict_and_bounds_the_json_size(page):
    """validSize: -1 exactly when validate finds errors, else at least the UTF-8 size of the JSON.

    The router accepts an emit in one walk when this bound is under its size limit, so a bound
    below the real size would let an oversized message through. Inputs: the shared vectors,
    the fuzzed payloads, whole envelopes around them, and strings that JSON escapes or encodes
    in 2 to 4 bytes per character.
    """
    examples = [{"event": v["event"], "version": v["version"], "data": v["data"]} for v in VECTORS]
    examples += fuzz_examples()
    outcome = in_browser(
        page,
        """
        const { validSize } = await import("/mfe/static/validator.js");
        const bytes = (value) => new TextEncoder().encode(JSON.stringify(value)).length;
        const odd = ["\\u0000\\u001f", '"\\\\', "é ü", "€ ✓", "😀 𝄞", "\\u2028", "x".repeat(60)];
        const cases = [];
        for (const x of JSON.parse(arg)) {
          const schema = bundle.contracts[x.event][x.version].schema;
          cases.push([schema, x.data]);
          for (const text of odd) {
            cases.push([schema, { ...x.data, note: { text, list: [text, 1e-7] } }]);
          }
          // Holes: skipped by the checks, written as null by JSON.stringify.
          cases.push([schema, { ...x.data, note: [1, , 2], more: new Array(50) }]);
          const envelope = {
            event: x.event, version: x.version, id: "4f1c2d3e-0a1b-4c5d-8e9f-0a1b2c3d4e5f",
            source: "products", timestamp: 1795715163457, data: x.data,
          };
          cases.push([bundle.envelope, envelope]);
        }
        const problems = [];
        let measuredValid = 0;
        for (const [schema, value] of cases) {
          const size = validSize(schema, value);
          const valid = validate(schema, value).length === 0;
          const json = JSON.stringify(value);
          if ((size >= 0) !== valid) problems.push(`verdict ${size} for ${json}`);
          else if (valid && size < bytes(value)) problems.push(`bound ${size}: ${json}`);
          else if (valid && size !== Infinity) measuredValid += 1;
        }
        return { problems: problems.slice(0, 20), cases: cases.length, measuredValid };
        """,
        json.dumps(examples),
    )
    assert outcome["problems"] == []
    # Not vacuous: most valid values are measured, not waved through as Infinity.
    assert outcome["measuredValid"] > outcome["cases"] // 4


@pytest.mark.browser
def test_valid_size_stops_at_its_limit(page):
    """Past its limit validSize stops walking and answers Infinity. The values are small to
    clone but huge to walk: one object referenced 10^5 times (each read counted), a sparse
    array, a long string."""
    outcome = in_browser(
        page,
        """
        const { validSize } = await import("/mfe/static/validator.js");
        const schema = bundle.contracts["cart:item-added"]["1.0.0"].schema;
        const base = { itemId: "a", productId: "b", quantity: 1, price: 1.5 };
        """
        + shared_object_js(5)
        + """
        const values = {
          shared: { ...base, extra: shared },
          sparse: { ...base, extra: new Array(1e6) },
          long: { ...base, extra: "x".repeat(1e5) },
        };
        const out = {};
        for (const [name, value] of Object.entries(values)) {
          reads = 0;
          const limited = validSize(schema, value, 1000);
          const limitedReads = reads;
          out[name] = { limited, limitedReads, unlimited: validSize(schema, value), reads,
                        json: new TextEncoder().encode(JSON.stringify(value)).length };
        }
        out.small = validSize(schema, base, 1000);
        return JSON.parse(JSON.stringify(out, (k, v) => (v === Infinity ? "Infinity" : v)));
        """,
    )
    for name in ("shared", "sparse", "long"):
        found = outcome[name]
        assert found["limited"] == "Infinity", (name, found)
        assert found["unlimited"] != "Infinity" and found["unlimited"] >= found["json"], (
            name,
            found,
        )
    # The limited walk read a few hundred of the shared object's members, not all 111,110.
    assert outcome["shared"]["limitedReads"] < 500 < 100_000 < outcome["shared"]["reads"]
    assert 0 < outcome["small"] <= 1000


@pytest.mark.browser
def test_validate_names_every_broken_rule_where_the_verdict_stops_at_the_first(page):
    """One set of checks, run two ways: `validate` goes on past each broken rule and names them
    all, missing fields first, then each field in order; isValid and validSize say no."""
    outcome = in_browser(
        page,
        """
        const { isValid, validSize } = await import("/mfe/static/validator.js");
        const schema = {
          type: "object", required: ["name", "count"], additionalProperties: false,
          properties: {
            name: { type: "string", minLength: 3, pattern: "^[a-z]+$" },
            count: { type: "integer", minimum: 1 },
            tags: { type: "array", maxItems: 1, items: { type: "string" } },
            kind: { enum: ["a", "b"] },
          },
        };
        const value = { name: "X", tags: ["a", 2], kind: "c", extra: 1 };
        return { errors: validate(schema, value), valid: isValid(schema, value),
                 size: validSize(schema, value) };
        """,
    )
    assert outcome["errors"] == [
        {"path": "$.count", "message": "field required"},
        {"path": "$.name", "message": "must have at least 3 characters"},
        {"path": "$.name", "message": "must match ^[a-z]+$"},
        {"path": "$.tags", "message": "must have at most 1 items"},
        {"path": "$.tags[1]", "message": "expected string, got integer"},
        {"path": "$.kind", "message": 'must be one of ["a","b"]'},
        {"path": "$.extra", "message": "unknown field"},
    ]
    assert outcome["valid"] is False
    assert outcome["size"] == -1


@pytest.mark.browser
def test_a_walk_keeps_its_state_to_itself(page):
    """A check run inside another (a getter of the value validating something else) does not
    change the outer one's size bound or budget: each run carries its own state."""
    outcome = in_browser(
        page,
        """
        const { validSize } = await import("/mfe/static/validator.js");
        const schema = bundle.contracts["cart:item-added"]["1.0.0"].schema;
        const base = { itemId: "a", productId: "b", quantity: 1, price: 1.5 };
        const plain = { ...base, note: "x".repeat(100) };
        const nested = { ...base };
        Object.defineProperty(nested, "note", {
          enumerable: true,
          get: () => (validSize(schema, { ...base, more: "y".repeat(500) }, 10), "x".repeat(100)),
        });
        return { plain: validSize(schema, plain, 1000), nested: validSize(schema, nested, 1000) };
        """,
    )
    assert outcome["plain"] > 600
    assert outcome["nested"] == outcome["plain"]


# ---- converters: the same declarations give the same results ----------------------------------

V1_ITEM = {"itemId": "add-1", "productId": "kettle", "quantity": 2, "price": 49.5}
V2_ITEM = {**V1_ITEM, "discount": 7.5, "appliedPromo": "KETTLE-15"}
REAL_CONVERSIONS = [
    ("cart:item-added", "2.0.0", "1.0.0", V2_ITEM),
    ("cart:item-added", "2.0.0", "1.0.0", {**V1_ITEM, "discount": None, "appliedPromo": None}),
    ("cart:item-added", "2.0.0", "1.0.0", {**V2_ITEM, "note": {"keep": [1, {"a": None}]}}),
    ("cart:item-added", "1.0.0", "2.0.0", V1_ITEM),
    ("cart:item-added", "1.0.0", "2.0.0", {**V1_ITEM, "note": "kept"}),
    ("cart:item-added", "2.0.0", "2.0.0", V2_ITEM),
    ("cart:item-added", "1.0.0", "3.0.0", V1_ITEM),
    ("cart:updated", "1.0.0", "2.0.0", {"itemCount": 1, "total": 2.5}),
    ("nope:event", "1.0.0", "2.0.0", {}),
]


def toy_registry() -> Registry:
    """Three versions with every kind of step: rename (nested), map, add, drop, and a chain."""
    toy = Registry()

    class Loose(BaseModel):
        model_config = ConfigDict(extra="ignore")

    @toy.register("toy:thing", "1.0.0")
    class V1(Loose):
        name: str
        kind: str
        size: int = 0

    @toy.register("toy:thing", "2.0.0")
    class V2(Loose):
        title: str
        kind: str
        meta: dict = {}
        tags: list[str] = []

    @toy.register("toy:thing", "3.0.0")
    class V3(V2):
        flag: bool = True

    forward = [
        Rename(field="name", to="title"),
        # "3" is a key too: a number 3 in the payload must not be mapped by it.
        MapValues(field="kind", values={"small": "S", "large": "L", "3": "M"}),
        Rename(field="size", to="meta.size"),
        Add(field="tags", default=["new"]),
    ]
    backward = [
        Rename(field="title", to="name"),
        MapValues(field="kind", values={"S": "small", "L": "large"}),
        Rename(field="meta.size", to="size"),
        Drop(field="meta"),
        Drop(field="tags"),
    ]
    toy.declare_converter("toy:thing", "1.0.0", "2.0.0", forward)
    toy.declare_converter("toy:thing", "2.0.0", "1.0.0", backward)
    return toy


V3_THING = {"title": "a", "kind": "S", "meta": {"size": 3, "note": 1}, "tags": ["x"], "flag": False}
TOY_CONVERSIONS = [
    ("toy:thing", "1.0.0", "3.0.0", {"name": "a", "kind": "small", "size": 3}),
    ("toy:thing", "1.0.0", "3.0.0", {"name": "b", "kind": "medium"}),
    ("toy:thing", "1.0.0", "2.0.0", {"name": "c", "kind": "large", "size": 1, "meta": 5}),
    ("toy:thing", "1.0.0", "2.0.0", {"name": "d", "kind": 3, "tags": ["mine"]}),
    ("toy:thing", "3.0.0", "1.0.0", V3_THING),
    ("toy:thing", "3.0.0", "1.0.0", {"title": "e", "kind": "L", "meta": "not an object"}),
    ("toy:thing", "2.0.0", "3.0.0", {"title": "f", "kind": "S", "flag": "kept"}),
]


def python_conversion(catalog: Registry, event, source, target, data):
    """`{chain, data}` as converters.py computes it, or `None` when there is no path."""
    try:
        chain = catalog.converters.path(event, source, target)
    except NoConversionPath:
        return None
    converted = catalog.converters.convert(event, data, source, target)
    return {"chain": [[d.source, d.target] for d in chain], "data": converted}


@pytest.mark.browser
@pytest.mark.parametrize(
    ("catalog", "conversions"),
    [(registry, REAL_CONVERSIONS), (toy_registry(), TOY_CONVERSIONS)],
    ids=["real-catalog", "toy-catalog"],
)
def test_converters_agree(page, catalog, conversions):
    """converters.js follows the same chain and gives the same data as converters.py."""
    js = in_browser(
        page,
        """
        const graph = indexConverters(arg.converters);
        return arg.conversions.map(([event, source, target, data]) => {
          const chain = findPath(graph, event, source, target);
          if (chain === null) return null;
          return { chain: chain.map((d) => [d.source, d.target]), data: convertAlong(chain, data) };
        });
        """,
        {"converters": browser_bundle(catalog)["converters"], "conversions": conversions},
    )
    python = [python_conversion(catalog, *conversion) for conversion in conversions]
    mismatches = [
        f"{c[:3]} {c[3]}: python {p}, js {j}"
        for c, p, j in zip(conversions, python, js, strict=True)
        if p != j
    ]
    assert not mismatches, "\n".join(mismatches)


@pytest.mark.browser
def test_a_conversion_copies_the_data_deeply_and_keeps_odd_keys_as_data(page):
    """convertAlong never touches its input (nested values included), and a "__proto__" key
    in the data stays an own key of the copy instead of becoming its prototype."""
    out = in_browser(
        page,
        """
        const data = JSON.parse('{"a": {"b": [1, {"c": 2}]}, "__proto__": {"x": 1}, "n": null}');
        const steps = [{ op: "drop", field: "n" }];
        const drop = [{ event: "e", source: "1", target: "2", steps }];
        const copy = convertAlong(drop, data);
        copy.a.b[1].c = 99;
        return {
          input: JSON.stringify(data),
          nestedShared: copy.a === data.a || copy.a.b === data.a.b,
          protoKeyIsOwn: Object.prototype.hasOwnProperty.call(copy, "__proto__"),
          protoUnchanged: Object.getPrototypeOf(copy) === Object.prototype,
          keys: Object.keys(copy),
        };
        """,
    )
    assert out["input"] == '{"a":{"b":[1,{"c":2}]},"__proto__":{"x":1},"n":null}'
    assert out["nestedShared"] is False
    assert out["protoKeyIsOwn"] is True
    assert out["protoUnchanged"] is True
    assert out["keys"] == ["a", "__proto__"]
