"""The storefront page shown inside the host's products frame."""

from flask import Blueprint, current_app, render_template

from products_app import catalog

bp = Blueprint("storefront", __name__)


@bp.get("/")
def index():
    """The catalog; release 2 also shows promotions."""
    return render_template(
        "storefront/index.html",
        products=catalog.all_products(),
        show_promotions=current_app.config["RELEASE"] >= 2,
    )
