"""The shopper's credential: a bearer token sent explicitly, never a cookie; our Origin only."""

import secrets
from pathlib import Path

import pytest

from checkout_app.tests.conftest import Shopper, envelope, make_app


def unauthorized(response) -> bool:
    """401 unauthorized in JSON: a malformed token."""
    return response.status_code == 401 and response.json["error"] == "unauthorized"


def forbidden(response) -> bool:
    """403 csrf-failed in JSON: no token at all, as the CSRF check always answered."""
    return response.status_code == 403 and response.json["error"] == "csrf-failed"


def wrong_origin(response) -> bool:
    """403 csrf-failed in JSON."""
    return response.status_code == 403 and response.json["error"] == "csrf-failed"


def test_the_token_opens_the_cart(shopper):
    """The page's own request is accepted, and the same token reads the same cart."""
    assert shopper.add("grinder", 1).status_code == 201
    assert Shopper(shopper.app, token=shopper.token).cart()["itemCount"] == 1


def test_two_tokens_two_carts(app, shopper):
    """Another token is another cart."""
    shopper.add("grinder", 1)
    assert Shopper(app).cart()["itemCount"] == 0


def test_no_cookie_is_ever_set_or_read(app, shopper):
    """Nothing checkout answers sets a cookie, and a cookie opens no cart."""
    responses = [
        shopper.client.get("/"),
        shopper.add("grinder", 1),
        shopper.client.get("/api/cart", headers=shopper.headers()),
        shopper.remove("grinder"),
    ]
    assert [r.headers.get_all("Set-Cookie") for r in responses] == [[]] * 4
    shopper.add("kettle", 1)
    stranger = app.test_client()
    stranger.set_cookie("mfe_checkout_session", shopper.token)
    assert stranger.get("/api/cart").json["itemCount"] == 0
    response = stranger.post("/api/cart/items", json=envelope(), headers={"Origin": shopper.origin})
    assert forbidden(response)


def test_no_token_no_change(shopper):
    """A state change without the token is refused, before its body is read."""
    response = shopper.post("/api/cart/items", envelope(), headers={"Origin": shopper.origin})
    assert forbidden(response)
    assert shopper.cart()["itemCount"] == 0


@pytest.mark.parametrize(
    "header",
    ["Bearer ", "Bearer short", "Basic " + "x" * 43, "x" * 43, "Bearer " + "x" * 42 + "!"],
)
def test_malformed_token(shopper, header):
    """An Authorization header that is not 'Bearer <43+ base64url>' is a 401."""
    response = shopper.post(
        "/api/cart/items", envelope(), headers=shopper.headers(Authorization=header)
    )
    assert unauthorized(response)
    assert shopper.cart()["itemCount"] == 0


def test_the_database_holds_no_token(app, shopper):
    """Carts are keyed by an HMAC of the token: reading the database gives no credential."""
    shopper.add("grinder", 1)
    folder = Path(app.config["APP_DATA_DIR"])
    stored = b"".join(path.read_bytes() for path in folder.iterdir() if path.is_file())
    assert b"grinder" in stored and shopper.token.encode() not in stored


def test_a_token_is_a_cart_in_both_releases(tmp_path, shopper):
    """Both releases share the data folder and the key: one token, one cart (a deploy keeps it)."""
    shopper.add("grinder", 2)
    same = shopper.in_app(make_app(tmp_path, release=2))
    assert same.cart()["itemCount"] == 2
    assert same.add("kettle", 1).status_code == 201
    assert shopper.cart()["itemCount"] == 3


def test_another_key_another_cart(tmp_path, shopper):
    """The cart id is derived under checkout's key: another key never finds this cart."""
    shopper.add("grinder", 1)
    other = make_app(tmp_path, release=1, SECRET_KEY=secrets.token_hex(32))
    assert shopper.in_app(other).cart()["itemCount"] == 0


@pytest.mark.parametrize(
    "origin",
    [
        "http://localhost:18002",
        "http://127.0.0.1:8002",
        "null",
        "http://localhost:8001",
        "http://localhost:8000",
        "https://localhost:8002",
        "http://localhost:8002/",
        "",
    ],
)
def test_wrong_origin(shopper, origin):
    """Defence in depth: even with the token, a browser page of another origin changes nothing."""
    response = shopper.post("/api/cart/items", envelope(), headers=shopper.headers(Origin=origin))
    assert wrong_origin(response)
    assert shopper.cart()["itemCount"] == 0


def test_a_client_outside_a_browser_sends_no_origin(shopper):
    """The token alone is the credential: a script without an Origin header may change its cart."""
    headers = shopper.headers()
    del headers["Origin"]
    assert shopper.post("/api/cart/items", envelope(), headers=headers).status_code == 201


def test_release_2_has_its_own_origin(tmp_path, shopper):
    """A release-1 page cannot post to release 2, even with the shopper's token."""
    app2 = make_app(tmp_path, release=2)
    same = shopper.in_app(app2)
    assert same.origin == app2.config["CHECKOUT_V2_URL"] != shopper.origin
    response = same.post("/api/cart/items", envelope(), headers=same.headers(Origin=shopper.origin))
    assert wrong_origin(response)
    assert same.add("grinder", 1).status_code == 201


def test_cross_origin_form_post(shopper):
    """A form on another port posting into checkout is refused before anything is read."""
    response = shopper.client.post(
        "/api/cart/items",
        data={"event": "cart:item-added"},
        headers={"Origin": "http://localhost:8001"},
    )
    assert wrong_origin(response)
    assert shopper.cart()["itemCount"] == 0


def test_orders_need_the_token(shopper):
    """Placing an order is protected too."""
    shopper.add("grinder", 1)
    response = shopper.post(
        "/api/orders",
        {"name": "Ana", "email": "ana@example.com", "address": "1 Main St"},
        headers={"Origin": shopper.origin},
    )
    assert forbidden(response)
    assert shopper.cart()["itemCount"] == 1


def test_a_read_without_a_token_is_an_empty_cart(client, shopper):
    """GET changes nothing: without a token it answers the empty cart, never someone's."""
    shopper.add("grinder", 1)
    answer = client.get("/api/cart", headers={"Origin": "http://evil.example"})
    assert answer.status_code == 200 and answer.json["itemCount"] == 0


@pytest.mark.parametrize("path", ["/api//cart", "/api//cart?x=1"])
def test_a_double_slash_redirect_stays_on_our_origin(client, path):
    """Werkzeug merges `//` with a redirect: its Location is this release's configured origin,
    whatever Host the request named."""
    response = client.get(path, headers={"Host": "evil.example:1234"})
    assert response.status_code == 308
    origin = client.application.config["CHECKOUT_V1_URL"]
    expected = f"{origin}/api/cart" + ("?x=1" if "?" in path else "")
    assert response.headers["Location"] == expected
