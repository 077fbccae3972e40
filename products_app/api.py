"""The catalog API: list price and current promotion (the same data in both releases)."""

from flask import Blueprint

from mfe_platform.web.errors import ApiError
from products_app import catalog
from shared_contracts.api import ProductList

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.get("/products")
def list_products():
    """Every product."""
    return ProductList(products=catalog.all_products()).model_dump(mode="json")


@bp.get("/products/<product_id>")
def get_product(product_id: str):
    """One product, or 404."""
    product = catalog.find(product_id)
    if product is None:
        raise ApiError(404, "not-found", f"no product {product_id!r}")
    return product.model_dump(mode="json")
