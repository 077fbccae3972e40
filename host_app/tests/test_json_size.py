"""host_app/static/bus/jsonsize.js in Chromium: the exact UTF-8 size of a value's JSON, up to a
limit and no further, without building the JSON."""

import pytest

from shared_contracts.tests.jsvalues import shared_object_js

pytestmark = pytest.mark.browser

IMPORT = 'const { jsonSize } = await import("/static/bus/jsonsize.js");'


def run(page, body: str):
    """Evaluate the import and `body` in the page; returns its JSON result."""
    return page.evaluate(f"async () => {{\n{IMPORT}\n{body}\n}}")


def test_the_size_is_exactly_that_of_json_stringify_in_utf8(js):
    """Escapes, control characters, 2-, 3- and 4-byte characters, lone surrogates, numbers of
    every form, holes, null-prototype objects: the size is the encoded JSON's, to the byte, and
    one byte less of limit is over."""
    out = run(
        js,
        """
        const strings = ["", "plain", '"quoted" \\\\ back', "\\b\\t\\n\\f\\r",
          "\\u0000\\u0001\\u001f", "é ß ü", "€ ✓ 中", "😀 𝄞", "\\ud800 lone", "lone \\udfff",
          "\\u2028\\u2029", "\\u007f"];
        const bare = Object.create(null);
        bare.k = [1, 2];
        const values = [
          ...strings, 0, -0, 1, -1.5, 1e21, 1.2345678901234567e-7, -0.0000012345678901234567,
          Number.MAX_SAFE_INTEGER, 5e-324, NaN, Infinity, true, false, null,
          [], {}, [1, , 3], new Array(5), { a: { b: [{ c: "d" }, null] } }, bare,
          Object.fromEntries(strings.map((s, i) => [s, i])),
        ];
        return values.map((value) => {
          const size = new TextEncoder().encode(JSON.stringify(value)).length;
          return { value: JSON.stringify(value).slice(0, 20), size,
                   found: jsonSize(value, Infinity), atLimit: jsonSize(value, size),
                   under: jsonSize(value, size - 1) };
        });
        """,
    )
    wrong = [r for r in out if r["found"] != r["size"] or r["atLimit"] != r["size"]]
    assert wrong == []
    assert [r for r in out if r["under"] != float("inf")] == []


def test_values_that_are_not_json_data_are_nan(js):
    """undefined, functions, BigInt, Date, Map, boxed numbers, cycles and nesting past 1,000
    levels have no size here (NaN): the validator reports them."""
    out = run(
        js,
        """
        const cycle = { a: 1 };
        cycle.self = cycle;
        let deep = {};
        for (let i = 0; i < 1100; i += 1) deep = { deep };
        const values = [undefined, () => 1, 10n, new Date(0), new Map(), new Number(1), cycle, deep,
                        { x: undefined }, [1, Symbol("s")]];
        return values.map((value) => String(jsonSize(value, 1e9)));
        """,
    )
    assert out == ["NaN"] * 10


def test_what_is_not_json_data_and_where(js):
    """`problem` names the keys and indexes down to the first value that is not JSON data."""
    out = run(
        js,
        """
        const cycle = { a: 1 };
        cycle.self = [cycle];
        const cases = [{ a: [1, { b: new Date(0) }] }, { x: { y: cycle } }, [1, 2n]];
        return cases.map((value) => {
          const problem = {};
          return [String(jsonSize(value, 1e9, problem)), problem];
        });
        """,
    )
    assert out == [
        ["NaN", {"trail": ["a", 1, "b"], "message": "not JSON data (Date)"}],
        ["NaN", {"trail": ["x", "y", "self", 0], "message": "contains itself"}],
        ["NaN", {"trail": [1], "message": "not JSON data (bigint)"}],
    ]


def test_a_huge_value_behind_a_tiny_clone_is_over_at_once(js):
    """One object referenced 10^9 times, a sparse array of 2^32 - 1 slots, a string of 10^8
    characters, a key of 10^8 characters: over the limit after a few reads, not after the
    minutes JSON.stringify takes."""
    out = run(
        js,
        shared_object_js(9)
        + """
        const long = "x".repeat(1e8);
        const sizes = [shared, new Array(2 ** 32 - 1), long, { [long]: 1 }]
          .map((value) => String(jsonSize(value, 65536)));
        return { sizes, reads };
        """,
    )
    assert out["sizes"] == ["Infinity"] * 4
    assert 0 < out["reads"] < 10_000


def test_an_object_with_more_keys_than_the_limit_can_hold_is_over_once_listed(js):
    """Each member takes at least 5 bytes: 20,000 keys are over 64 KiB as soon as they are
    listed, before any is read; `spent` gets the keys listed and the bytes, like a walk."""
    out = run(
        js,
        """
        const target = {};
        for (let i = 0; i < 20000; i += 1) target[`k${i}`] = 1;
        let reads = 0;
        const big = new Proxy(target, { get: (t, key) => ((reads += 1), t[key]) });
        const spent = { bytes: 0, listed: 0 };
        const over = jsonSize({ big }, 65536, null, spent);
        const small = { bytes: 0, listed: 0 };
        const size = jsonSize({ a: 1, b: [{ c: 2 }] }, 65536, null, small);
        return { over, reads, spent, size, small };
        """,
    )
    assert out["over"] == float("inf")
    assert out["reads"] == 0
    assert out["spent"] == {"bytes": 65536, "listed": 20001}
    assert out["small"] == {"bytes": out["size"], "listed": 3}
