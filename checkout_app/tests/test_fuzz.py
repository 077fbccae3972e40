"""Fuzzing the checkout API: whatever a browser (or an attacker) sends, the answer is a JSON
verdict with a known status, never a 500, and the cart changes only by an accepted add.
"""

import io
import json
import uuid

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from werkzeug.test import EnvironBuilder

from checkout_app.tests.conftest import PRICES, Shopper, envelope

FUZZ = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
STATUSES = {200, 201, 400, 401, 403, 409, 413, 422}
FORBIDDEN = ["__proto__", "constructor", "prototype"]

# --- strategies ---------------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(
        ["", "2", "1e3", "0x10", "grinder", "\u202e", "\ud7ff", "\ud800", "💥" * 8, "\x00"]
    )
)
# Nested junk: lists and objects of junk, with prototype keys among the keys.
junk = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(FORBIDDEN) | st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
quantities = (
    st.integers(min_value=-(2**64), max_value=2**64)
    | st.integers(min_value=-2, max_value=1001)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([1.5, 1.0, "2", True, False, None, 1e21, 10_000_000, [], {}])
)
prices = (
    st.sampled_from(sorted(PRICES.values()))
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from([0.01, 0, -89.99, 89.989999, "89.99", 1e308, True, None])
)


@st.composite
def valid_envelopes(draw) -> dict:
    """A well-formed add of a catalog product, sometimes with harmless unknown fields."""
    body = envelope(
        draw(st.sampled_from(sorted(PRICES))), draw(st.integers(min_value=1, max_value=20))
    )
    body["data"].update(draw(st.dictionaries(st.sampled_from(["note", "x-trace"]), scalars)))
    return body


@st.composite
def mutated_envelopes(draw) -> dict:
    """A cart:item-added envelope with some fields mutated, removed, added or junked."""
    body = envelope(
        # "\u0261rinder" starts with a look-alike of "g".
        draw(st.sampled_from([*PRICES, "missing", "GRINDER", "grinder ", "\u0261rinder"])),
        draw(quantities),
        price=draw(st.none() | prices),
        version=draw(st.sampled_from(["1.0.0", "1.0.0", "2.0.0", "3.0.0", "1.0", "01.0.0"])),
        event_id=draw(st.none() | st.sampled_from(["not-a-uuid", str(uuid.uuid4()).upper()])),
    )
    for key in draw(st.lists(st.sampled_from(sorted(body)), max_size=2, unique=True)):
        action = draw(st.sampled_from(["delete", "junk"]))
        if action == "delete":
            del body[key]
        else:
            body[key] = draw(junk)
    data = body.get("data")
    if isinstance(data, dict) and data:
        for key in draw(st.lists(st.sampled_from(sorted(data)), max_size=2, unique=True)):
            if draw(st.booleans()):
                del data[key]
            else:
                data[key] = draw(junk)
    if isinstance(data, dict):
        data.update(draw(st.dictionaries(st.sampled_from(FORBIDDEN) | st.text(), junk)))
    body.update(draw(st.dictionaries(st.sampled_from(FORBIDDEN) | st.text(max_size=12), junk)))
    return body


envelopes = valid_envelopes() | mutated_envelopes()


raw_bodies = st.binary(max_size=300) | st.sampled_from(
    [
        b"",
        b"{",
        b"null",
        b"[]",
        b'"text"',
        b"NaN",
        b'{"quantity": NaN}',
        b'{"quantity": Infinity}',
        b'{"quantity": -Infinity}',
        b'{"price": 1e309}',
        b'{"a": 1}{"b": 2}',
        b"\xef\xbb\xbf{}",
        b'{"__proto__": {"polluted": 1}}',
        b"[" * 5000 + b"]" * 5000,
        b'{"pad": "' + b"x" * 70_000 + b'"}',
        b'{"a":' * 3000 + b"1" + b"}" * 3000,
        '{"s": "\udcff"}'.encode("utf-8", "surrogatepass"),
    ]
)

# --- invariants ---------------------------------------------------------------------------------


def quantities_of(shopper: Shopper) -> dict[str, int]:
    """productId -> quantity of the shopper's cart."""
    return {line["productId"]: line["quantity"] for line in shopper.cart()["lines"]}


def check_answer(response) -> None:
    """A known status; JSON always; a 4xx names its error, says why and lists details."""
    event(f"status {response.status_code}")
    assert response.status_code in STATUSES, (response.status_code, response.get_data()[:300])
    assert response.is_json, response.get_data()[:300]
    body = response.get_json()
    if response.status_code >= 400:
        assert isinstance(body["error"], str) and body["error"]
        assert isinstance(body["message"], str) and body["message"]
        assert isinstance(body["details"], list)


def check_cart_change(before: dict, after: dict, response, sent) -> None:
    """The cart changes on 201 only, and then by exactly the envelope's quantity."""
    if response.status_code != 201:
        assert after == before, (response.status_code, response.get_json())
        return
    product, quantity = sent["data"]["productId"], sent["data"]["quantity"]
    assert type(quantity) is int
    assert after == {**before, product: before.get(product, 0) + quantity}


# --- the fuzz -----------------------------------------------------------------------------------


@FUZZ
@given(body=envelopes)
def test_mutated_envelopes(shopper, body):
    """Random envelopes: a verdict for each, and the cart moves only by an accepted add."""
    before = quantities_of(shopper)
    response = shopper.post("/api/cart/items", body)
    check_answer(response)
    check_cart_change(before, quantities_of(shopper), response, body)


@FUZZ
@given(body=envelopes, version=st.sampled_from(["1.0.0", "2.0.0"]))
def test_mutated_envelopes_to_release_2(shopper2, body, version):
    """The same against release 2, which also takes 2.0.0 and its discount."""
    if isinstance(body.get("data"), dict) and version == "2.0.0":
        body["version"] = version
        body["data"].setdefault("discount", 7.5)
    before = quantities_of(shopper2)
    response = shopper2.post("/api/cart/items", body)
    check_answer(response)
    check_cart_change(before, quantities_of(shopper2), response, body)


@FUZZ
@given(first=valid_envelopes(), second=envelopes, same_body=st.booleans())
def test_reused_ids(shopper, first, second, same_body):
    """An id already applied: the same body is a 200 duplicate, anything else never adds."""
    applied = shopper.post("/api/cart/items", first)
    check_answer(applied)
    again = json.loads(json.dumps(first)) if same_body else {**second, "id": first["id"]}
    before = quantities_of(shopper)
    response = shopper.post("/api/cart/items", again)
    check_answer(response)
    assert response.status_code != 201
    if applied.status_code == 201 and same_body:
        assert response.status_code == 200 and response.get_json()["duplicate"] is True
    assert quantities_of(shopper) == before


@FUZZ
@given(
    raw=raw_bodies,
    content_type=st.sampled_from(
        [
            "application/json",
            "application/json; charset=latin-1",
            "application/merge-patch+json",
            "text/plain",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
            "",
        ]
    ),
)
def test_raw_bodies(shopper, raw, content_type):
    """Raw bytes under any content type: a 4xx JSON verdict, never a change."""
    before = quantities_of(shopper)
    response = shopper.client.post(
        "/api/cart/items", data=raw, headers=shopper.headers(**{"Content-Type": content_type})
    )
    check_answer(response)
    assert response.status_code in {400, 413, 422}
    assert quantities_of(shopper) == before


@FUZZ
@given(body=envelopes, strip=st.sampled_from(["origin", "token", "both"]))
def test_no_credential_no_change(shopper, body, strip):
    """With another Origin or without the shopper's token (403 both), even a perfect envelope
    changes nothing in the shopper's cart."""
    headers = shopper.headers()
    if strip in ("origin", "both"):
        headers["Origin"] = "http://localhost:1"
    if strip in ("token", "both"):
        del headers["Authorization"]
    before = quantities_of(shopper)
    response = shopper.post("/api/cart/items", body, headers=headers)
    check_answer(response)
    assert response.status_code == 403
    assert quantities_of(shopper) == before


@FUZZ
@given(
    number=st.sampled_from(["NaN", "-NaN", "Infinity", "-Infinity", "1e309", "-1e309", "1E400"]),
    field=st.sampled_from(["quantity", "price", "discount", "timestamp"]),
)
def test_non_finite_numbers_are_bad_json(shopper, number, field):
    """JSON has no NaN or Infinity, and 1e309 overflows a double: 400, wherever they hide."""
    body = envelope("grinder", 1)
    holder = body if field == "timestamp" else body["data"]
    holder[field] = "NUMBER"
    raw = json.dumps(body).replace('"NUMBER"', number)
    before = quantities_of(shopper)
    response = shopper.post("/api/cart/items", raw=raw)
    check_answer(response)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"] == "bad-json"
    assert quantities_of(shopper) == before


def post_chunked(shopper: Shopper, raw: bytes):
    """POST a body without Content-Length, as a chunked request reaches the app in gunicorn."""
    environ = EnvironBuilder(
        path="/api/cart/items",
        method="POST",
        headers=shopper.headers(**{"Content-Type": "application/json"}),
        input_stream=io.BytesIO(raw),
    ).get_environ()
    del environ["CONTENT_LENGTH"]
    # What a server that de-chunks the body itself (gunicorn) tells the application.
    environ["wsgi.input_terminated"] = True
    return shopper.app.response_class.from_app(shopper.app, environ)


@FUZZ
@given(
    body=valid_envelopes(),
    padding=st.integers(min_value=0, max_value=70_000) | st.sampled_from([65_000, 65_536]),
    junk=st.sampled_from([b"", b"not JSON", b"}"]),
)
def test_chunked_bodies_are_never_cut(shopper, body, padding, junk):
    """Without Content-Length the limit still holds: at 64 KiB or more it is a 413, never the
    first 64 KiB parsed as if they were the whole body."""
    raw = json.dumps(body).encode() + b" " * padding + junk
    before = quantities_of(shopper)
    response = post_chunked(shopper, raw)
    check_answer(response)
    if len(raw) >= shopper.app.config["MAX_CONTENT_LENGTH"]:
        assert response.status_code == 413, response.get_json()
    elif junk:
        assert response.status_code == 400, response.get_json()
    else:
        assert response.status_code == 201, response.get_json()
    check_cart_change(before, quantities_of(shopper), response, body)
