"""Checkout: the cart and the order (team B)."""

from flask import Flask

from checkout_app import cart
from checkout_app.contracts import manifest
from shared_contracts import web


def create_app(test_config: dict | None = None) -> Flask:
    """Create the checkout app (release from `MFE_RELEASE`)."""
    app = Flask(__name__)
    web.configure(app, "checkout", {}, test_config)
    web.init_app(app, manifest(app.config["RELEASE"]), frame_ancestors=app.config["HOST_URL"])
    app.register_blueprint(cart.bp)
    return app
