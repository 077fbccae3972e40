"""Products: the catalog API, platform endpoints per release, and the storefront page."""

import re
from html.parser import HTMLParser

import pytest

from products_app import catalog, create_app
from shared_contracts.api import Product, Promotion

HOST = "http://localhost:8000"


# No `MFE_*` variable of the caller's shell leaks into these tests.
pytestmark = pytest.mark.usefixtures("clean_environment")


def make_app(data_dir, release: int = 1, **config):
    """A products app of `release` on `data_dir`."""
    return create_app(
        {"TESTING": True, "DATA_DIR": str(data_dir), "RELEASE": release, "HOST_URL": HOST, **config}
    )


@pytest.fixture(params=[1, 2], ids=["release1", "release2"])
def release(request) -> int:
    """Each test runs against both releases."""
    return request.param


@pytest.fixture
def client(tmp_path, release):
    """A test client of products at `release`."""
    return make_app(tmp_path, release).test_client()


class Page(HTMLParser):
    """The storefront's elements: `<body>` attributes, scripts, and `data-testid` elements."""

    def __init__(self, html: str):
        super().__init__()
        self.body: dict = {}
        self.scripts: list[dict] = []
        self.cards: list[dict] = []
        self._open: list[tuple[str, dict]] = []  # elements with a test id whose text we collect
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "body":
            self.body = attributes
        if tag == "script":
            self.scripts.append(attributes)
        testid = attributes.get("data-testid")
        if testid == "product-card":
            self.cards.append({**attributes, "parts": {}})
        elif testid and self.cards:
            self.cards[-1]["parts"][testid] = ""
            self._open.append((tag, testid))

    def handle_endtag(self, tag):
        if self._open and self._open[-1][0] == tag:
            self._open.pop()

    def handle_data(self, data):
        for _, testid in self._open:
            self.cards[-1]["parts"][testid] += data


def page(client) -> Page:
    """GET `/` and parse it."""
    response = client.get("/")
    assert response.status_code == 200
    return Page(response.get_data(as_text=True))


# --- the API -------------------------------------------------------------------------------


def test_products_list_has_the_catalog(client):
    """At least six products with id, name, list price; at least two on promotion."""
    response = client.get("/api/products")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    products = response.get_json()["products"]
    assert len(products) >= 6
    ids = [p["id"] for p in products]
    assert len(set(ids)) == len(ids)
    assert {"dripper", "kettle", "grinder", "beans"} <= set(ids), "ids are stable"
    for product in products:
        assert isinstance(product["price"], float | int) and product["price"] > 0
        assert product["name"] and product["description"]
    promoted = [p for p in products if p["promotion"]]
    assert len(promoted) >= 2
    for product in promoted:
        assert 0 < product["promotion"]["discount"] < product["price"]
        assert product["promotion"]["code"]


def test_both_releases_serve_the_same_catalog(tmp_path):
    """The catalog JSON is byte-for-byte the same in release 1 and 2."""
    one = make_app(tmp_path, 1).test_client().get("/api/products")
    two = make_app(tmp_path, 2).test_client().get("/api/products")
    assert one.status_code == two.status_code == 200
    assert one.get_data() == two.get_data()


def test_one_product(client):
    """`/api/products/<id>` is that product, the same as in the list."""
    listed = {p["id"]: p for p in client.get("/api/products").get_json()["products"]}
    response = client.get("/api/products/kettle")
    assert response.status_code == 200
    assert response.get_json() == listed["kettle"]
    assert response.get_json()["promotion"] == {"discount": 7.5, "code": "KETTLE-15"}


@pytest.mark.parametrize("product_id", ["no-such-product", "KETTLE", "kettle%20"])
def test_unknown_product_is_a_json_404(client, product_id):
    """An unknown id answers 404 in the shared JSON error shape."""
    response = client.get(f"/api/products/{product_id}")
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == "not-found"
    assert set(body) == {"error", "message", "details"}


# --- platform endpoints per release ---------------------------------------------------------


def test_healthz_names_the_release(client, release):
    """`/healthz` says ok, products, and this release."""
    assert client.get("/healthz").get_json() == {
        "status": "ok",
        "app": "products",
        "release": release,
    }


@pytest.mark.parametrize(
    ("release", "dual_emit", "versions"),
    [
        (1, False, ["1.0.0"]),
        (1, True, ["1.0.0"]),
        (2, False, ["2.0.0"]),
        (2, True, ["1.0.0", "2.0.0"]),
        (2, "1", ["1.0.0", "2.0.0"]),
    ],
)
def test_manifest_per_release(tmp_path, release, dual_emit, versions):
    """Release 1 emits item-added 1.0.0; release 2 emits 2.0.0, plus 1.0.0 when dual-emitting."""
    client = make_app(tmp_path, release, DUAL_EMIT=dual_emit).test_client()
    body = client.get("/mfe-manifest.json").get_json()
    assert body["app"] == "products"
    assert body["release"] == release
    assert body["emits"]["cart:item-added"] == versions
    assert body["emits"]["notification:show"] == ["1.0.0"]
    assert body["consumes"] == {}


def test_dual_emit_from_the_environment(tmp_path, monkeypatch):
    """`MFE_DUAL_EMIT=1` turns dual emit on for release 2."""
    monkeypatch.setenv("MFE_DUAL_EMIT", "1")
    body = make_app(tmp_path, 2).test_client().get("/mfe-manifest.json").get_json()
    assert body["emits"]["cart:item-added"] == ["1.0.0", "2.0.0"]


# --- the storefront page -------------------------------------------------------------------


def test_page_body_names_app_and_release(client, release):
    """`<body data-app="products" data-release="N">`."""
    body = page(client).body
    assert body["data-app"] == "products"
    assert body["data-release"] == str(release)


def test_one_card_per_product(client):
    """Each product has a card with its id, name, two-decimal price and an add button."""
    products = client.get("/api/products").get_json()["products"]
    cards = page(client).cards
    assert [c["data-product-id"] for c in cards] == [p["id"] for p in products]
    for card, product in zip(cards, products, strict=True):
        parts = card["parts"]
        assert parts["product-name"].strip() == product["name"]
        assert re.fullmatch(r"\$\d+\.\d\d", parts["product-price"].strip())
        assert parts["product-price"].strip() == f"${product['price']:.2f}"
        assert "add-to-cart" in parts


def test_discounts_shown_by_release_2_only(client, release):
    """Release 2 shows a discount on exactly the promoted products; release 1 on none."""
    promoted = {
        p["id"] for p in client.get("/api/products").get_json()["products"] if p["promotion"]
    }
    shown = {c["data-product-id"] for c in page(client).cards if "product-discount" in c["parts"]}
    assert shown == (promoted if release == 2 else set())


def test_discount_amount_has_two_decimals(tmp_path):
    """The kettle's discount in release 2 reads 7.50."""
    cards = {c["data-product-id"]: c for c in page(make_app(tmp_path, 2).test_client()).cards}
    assert cards["kettle"]["parts"]["product-discount"].strip() == "$7.50"
    assert cards["kettle"]["data-discount"] == "7.50"


def test_page_headers_allow_only_own_scripts_and_the_host_as_parent(client):
    """CSP: scripts from this origin only, framed only by the host."""
    response = client.get("/")
    directives = {d.strip() for d in response.headers["Content-Security-Policy"].split(";")}
    assert "script-src 'self'" in directives
    assert f"frame-ancestors {HOST}" in directives
    assert not any("unsafe-inline" in d for d in directives)
    assert "X-Frame-Options" not in response.headers


def test_page_has_no_inline_script(client):
    """Every `<script>` has a `src` (the CSP would block inline code anyway)."""
    scripts = page(client).scripts
    assert scripts, "the page loads its module"
    assert all(s.get("src") for s in scripts)


def test_product_names_are_escaped(tmp_path, monkeypatch):
    """A name with markup is shown as text, never as HTML."""
    crafted = Product(
        id="crafted",
        name='<b>Bold</b> "quoted" <script>alert(1)</script>',
        description="<i>desc</i>",
        price=1.0,
        promotion=Promotion(discount=0.5, code="X-1"),
    )
    monkeypatch.setitem(catalog.PRODUCTS, "crafted", crafted)
    html = make_app(tmp_path, 2).test_client().get("/").get_data(as_text=True)
    assert "<b>Bold</b>" not in html
    assert "<script>alert(1)</script>" not in html
    assert "<i>desc</i>" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt;" in html
    cards = {c["data-product-id"]: c for c in Page(html).cards}
    assert cards["crafted"]["parts"]["product-name"].strip() == crafted.name
