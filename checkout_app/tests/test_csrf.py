"""CSRF: every state change needs our exact Origin and this session's token."""

import pytest

from checkout_app.tests.conftest import Shopper, envelope, make_app


def refused(response) -> bool:
    """403 csrf-failed in JSON."""
    return response.status_code == 403 and response.json["error"] == "csrf-failed"


def test_the_page_carries_the_token(shopper):
    """The meta tag holds the session's token, stable across page loads."""
    assert len(shopper.token) >= 32
    assert Shopper(shopper.app, cookie=shopper.cookie).token == shopper.token


def test_sessions_get_different_tokens(app):
    """Two browsers, two tokens."""
    assert Shopper(app).token != Shopper(app).token


def test_correct_origin_and_token_pass(shopper):
    """The page's own request is accepted."""
    assert shopper.add("grinder", 1).status_code == 201


def test_no_token(shopper):
    """A request without X-CSRF-Token is refused."""
    response = shopper.post("/api/cart/items", envelope(), headers={"Origin": shopper.origin})
    assert refused(response)
    assert shopper.cart()["itemCount"] == 0


@pytest.mark.parametrize("token", ["wrong", "", "x" * 43])
def test_wrong_token(shopper, token):
    """A token that is not this session's is refused."""
    response = shopper.post(
        "/api/cart/items", envelope(), headers=shopper.headers(**{"X-CSRF-Token": token})
    )
    assert refused(response)
    assert shopper.cart()["itemCount"] == 0


def test_another_sessions_token(app, shopper):
    """A token is bound to its session."""
    other = Shopper(app)
    response = shopper.post(
        "/api/cart/items", envelope(), headers=shopper.headers(**{"X-CSRF-Token": other.token})
    )
    assert refused(response)


def test_token_without_a_session(app, shopper):
    """A stolen token without the cookie is worthless."""
    client = app.test_client()
    response = client.post("/api/cart/items", json=envelope(), headers=shopper.headers())
    assert refused(response)


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
    """Only this release's exact origin may change the cart."""
    response = shopper.post("/api/cart/items", envelope(), headers=shopper.headers(Origin=origin))
    assert refused(response)
    assert shopper.cart()["itemCount"] == 0


def test_missing_origin(shopper):
    """Browsers send Origin on every POST/DELETE; without it, no state change."""
    response = shopper.post("/api/cart/items", envelope(), headers={"X-CSRF-Token": shopper.token})
    assert refused(response)


def test_release_2_has_its_own_origin(tmp_path, shopper):
    """A release-1 page cannot post to release 2, even with the shared session and token."""
    app2 = make_app(tmp_path, release=2)
    same_browser = shopper.in_app(app2)
    assert same_browser.origin == app2.config["CHECKOUT_V2_URL"] != shopper.origin
    response = same_browser.post(
        "/api/cart/items", envelope(), headers=same_browser.headers(Origin=shopper.origin)
    )
    assert refused(response)
    assert same_browser.add("grinder", 1).status_code == 201


def test_cross_origin_form_post(shopper):
    """A form on another port posting into checkout is refused before anything is read."""
    response = shopper.client.post(
        "/api/cart/items",
        data={"event": "cart:item-added"},
        headers={"Origin": "http://localhost:8001"},
    )
    assert refused(response)
    assert shopper.cart()["itemCount"] == 0


def test_orders_need_csrf(shopper):
    """Placing an order is protected too."""
    shopper.add("grinder", 1)
    response = shopper.post(
        "/api/orders",
        {"name": "Ana", "email": "ana@example.com", "address": "1 Main St"},
        headers={"Origin": shopper.origin},
    )
    assert refused(response)
    assert shopper.cart()["itemCount"] == 1


def test_reads_need_no_token(client):
    """GET is never refused for CSRF (it changes nothing)."""
    assert client.get("/api/cart", headers={"Origin": "http://evil.example"}).status_code == 200
