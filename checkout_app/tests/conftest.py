"""Fixtures: a checkout app on a temporary data folder with an injected catalog, and a shopper."""

import copy
import secrets
import uuid

import pytest
from flask import Flask
from werkzeug.test import TestResponse

from checkout_app import create_app
from mfe_platform import settings
from shared_contracts.envelope import new_envelope

# The catalog as products' `GET /api/products` serves it (kettle and beans are on promotion).
CATALOG = [
    {
        "id": "grinder",
        "name": "Burr Grinder",
        "description": "Forty grind settings.",
        "price": 89.99,
        "promotion": None,
    },
    {
        "id": "kettle",
        "name": "Gooseneck Kettle",
        "description": "Steady, slow pours.",
        "price": 49.0,
        "promotion": {"discount": 7.5, "code": "KETTLE-15"},
    },
    {
        "id": "beans",
        "name": "Single-Origin Beans",
        "description": "250 g, roasted this week.",
        "price": 16.0,
        "promotion": {"discount": 2.0, "code": "BEANS-2"},
    },
    {
        "id": "filters",
        "name": "Paper Filters",
        "description": "100 unbleached filters.",
        "price": 5.25,
        "promotion": None,
    },
]
PRICES = {product["id"]: product["price"] for product in CATALOG}
DISCOUNTS = {p["id"]: p["promotion"]["discount"] for p in CATALOG if p["promotion"]}


def make_app(data_dir, release: int = 1, **config) -> Flask:
    """A checkout app of `release` on `data_dir`, with the test catalog unless overridden."""
    return create_app(
        {
            "TESTING": True,
            "DATA_DIR": str(data_dir),
            "RELEASE": release,
            "CATALOG": copy.deepcopy(CATALOG),
            **config,
        }
    )


def envelope(
    product: str = "grinder",
    quantity=1,
    price=None,
    version: str = "1.0.0",
    event_id: str | None = None,
    **data,
) -> dict:
    """A `cart:item-added` envelope; the price defaults to the catalog price."""
    payload = {
        "itemId": uuid.uuid4().hex[:12],
        "productId": product,
        "quantity": quantity,
        "price": PRICES.get(product, 1.0) if price is None else price,
        **data,
    }
    return new_envelope("cart:item-added", version, "products", payload, id=event_id)


class Shopper:
    """One shopper as checkout's page calls the API: its bearer token and this release's Origin."""

    def __init__(self, app: Flask, token: str | None = None):
        self.app = app
        self.client = app.test_client()
        # As the host's page makes it: 32 random bytes, base64url.
        self.token = token or secrets.token_urlsafe(32)
        self.origin = app.config[settings.url_key("checkout", app.config["RELEASE"])]

    def in_app(self, app: Flask) -> "Shopper":
        """The same shopper talking to another app (release) on the same data folder."""
        return Shopper(app, token=self.token)

    def headers(self, **extra) -> dict:
        """The headers our own page sends: the token, and the Origin a browser adds."""
        return {"Origin": self.origin, "Authorization": f"Bearer {self.token}", **extra}

    def post(self, path: str, body=None, *, raw: str | None = None, headers=None) -> TestResponse:
        """POST JSON (a value, or raw JSON text) as the page would."""
        if raw is not None:
            return self.client.post(
                path, data=raw, content_type="application/json", headers=headers or self.headers()
            )
        return self.client.post(path, json=body, headers=headers or self.headers())

    def add(self, *args, **kwargs) -> TestResponse:
        """POST an envelope built by `envelope(...)`."""
        return self.post("/api/cart/items", envelope(*args, **kwargs))

    def remove(self, product_id: str) -> TestResponse:
        """DELETE one cart line."""
        return self.client.delete(f"/api/cart/items/{product_id}", headers=self.headers())

    def order(self, **form) -> TestResponse:
        """POST an order with a valid form, fields overridable."""
        body = {"name": "Ana Lima", "email": "ana@example.com", "address": "1 Main St", **form}
        return self.post("/api/orders", {k: v for k, v in body.items() if v is not None})

    def cart(self) -> dict:
        """GET the cart."""
        response = self.client.get("/api/cart", headers=self.headers())
        assert response.status_code == 200, response.json
        return response.json


@pytest.fixture
def app(tmp_path) -> Flask:
    """Checkout release 1 on a temporary data folder."""
    return make_app(tmp_path, release=1)


@pytest.fixture
def app2(tmp_path) -> Flask:
    """Checkout release 2 on the same temporary data folder."""
    return make_app(tmp_path, release=2)


@pytest.fixture
def client(app):
    """A plain test client (no session, no token)."""
    return app.test_client()


@pytest.fixture
def shopper(app) -> Shopper:
    """A shopper of release 1."""
    return Shopper(app)


@pytest.fixture
def shopper2(app2) -> Shopper:
    """A shopper of release 2."""
    return Shopper(app2)
