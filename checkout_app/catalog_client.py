"""What checkout knows of the catalog: read over HTTP from products, never imported.

Both products releases serve the same data, so the first one that answers will do. A short
in-process cache keeps the cart fast; prices are re-read at order time at most
`CATALOG_TTL` seconds old.
"""

import http.client
import logging
import threading
import time
import urllib.request
from dataclasses import dataclass

from flask import Flask, current_app
from pydantic import ValidationError

from checkout_app.money import to_cents
from mfe_platform.web import chaos
from mfe_platform.web.errors import ApiError
from shared_contracts.api import Product, ProductList

log = logging.getLogger(__name__)

# Products runs beside checkout: an answer takes milliseconds, and a hung release must not hold
# one of checkout's few workers for long; but one slowed by `mfe chaos products slow` still
# answers in time.
TIMEOUT_SECONDS = 2 * chaos.SLOW_SECONDS
CACHE_SECONDS = 30.0
# After every release failed, adds and orders get their 503 at once for this long, instead of
# each waiting for the timeouts again (a frozen products made checkout's /healthz time out).
RETRY_SECONDS = 2.0
# The catalog is a few KiB; refuse to buffer anything absurd.
MAX_RESPONSE_BYTES = 1024 * 1024


class CatalogUnavailable(ApiError):
    """No products release answered with a valid catalog."""

    def __init__(self, message: str = "the product catalog cannot be reached; try again soon"):
        super().__init__(503, "catalog-unavailable", message)


@dataclass(frozen=True)
class CatalogItem:
    """One product as checkout prices it: list price and current promotion, in cents."""

    id: str
    name: str
    price_cents: int
    discount_cents: int


def _item(product: Product) -> CatalogItem:
    discount = product.promotion.discount if product.promotion else 0
    return CatalogItem(product.id, product.name, to_cents(product.price), to_cents(discount))


def _parse(products: ProductList) -> dict[str, CatalogItem]:
    return {product.id: _item(product) for product in products.products}


# Products runs beside us: never route the call through a proxy from the environment.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def _fetch(base_url: str) -> dict[str, CatalogItem]:
    request = urllib.request.Request(
        f"{base_url}/api/products", headers={"Accept": "application/json"}
    )
    with _opener.open(request, timeout=TIMEOUT_SECONDS) as response:
        body = response.read(MAX_RESPONSE_BYTES + 1)
    if len(body) > MAX_RESPONSE_BYTES:
        raise ValueError("catalog response too large")
    return _parse(ProductList.model_validate_json(body))


class CatalogCache:
    """The last catalog fetched, per app, for `CACHE_SECONDS`."""

    def __init__(self):
        self._lock = threading.Lock()
        self._items: dict[str, CatalogItem] | None = None
        self._expires = 0.0
        self._retry_at = 0.0
        self._answered: str | None = None

    def get(self, urls: list[str]) -> dict[str, CatalogItem]:
        """The cached catalog, or a fresh one from the first URL that answers."""
        # One thread refreshes; the others wait for its answer instead of piling on products.
        with self._lock:
            now = time.monotonic()
            if self._items is not None and now < self._expires:
                return self._items
            if now < self._retry_at:
                raise CatalogUnavailable()
            # The release that answered last is asked first.
            for url in sorted(urls, key=lambda url: url != self._answered):
                try:
                    items = _fetch(url)
                except (OSError, http.client.HTTPException, ValidationError, ValueError) as error:
                    log.warning("catalog at %s unavailable: %s", url, error)
                    continue
                self._items, self._expires = items, time.monotonic() + CACHE_SECONDS
                self._answered = url
                return items
            self._retry_at = time.monotonic() + RETRY_SECONDS
        raise CatalogUnavailable()


def products() -> dict[str, CatalogItem]:
    """Every product by id; raises CatalogUnavailable (503) if products cannot be reached."""
    injected = current_app.config.get("CATALOG")
    if injected is not None:
        # Tests hand in the catalog as products' JSON would carry it.
        try:
            return _parse(ProductList.model_validate({"products": injected}))
        except (ValidationError, ValueError) as error:
            raise CatalogUnavailable(f"the injected catalog is invalid: {error}") from None
    config = current_app.config
    urls = [config["PRODUCTS_V1_URL"], config["PRODUCTS_V2_URL"]]
    return current_app.extensions["checkout_catalog"].get(urls)


def init_app(app: Flask) -> None:
    """Give the app its own catalog cache."""
    app.config.setdefault("CATALOG", None)
    app.extensions["checkout_catalog"] = CatalogCache()
