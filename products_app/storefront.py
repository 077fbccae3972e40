"""The storefront page shown inside the host's products frame."""

from flask import Blueprint, current_app, render_template

from mfe_platform.web.chaos import current_mode
from products_app import catalog

bp = Blueprint("storefront", __name__)


@bp.get("/")
def index():
    """The catalog; release 2 also shows promotions."""
    return render_template(
        "storefront/index.html",
        products=catalog.all_products(),
        show_promotions=current_app.config["RELEASE"] >= 2,
        # `mfe chaos products corrupt`: the price this page emits is a cent over the catalog's
        # (the card still shows the right one). Valid against the contract, wrong in fact.
        emitted_offset=0.01 if current_mode() == "corrupt" else 0.0,
    )
