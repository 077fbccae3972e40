"""Checkout: the cart and the order (team B)."""

from flask import Flask

from checkout_app import admin, api, cart_page, catalog_client, db, redirects, shopper
from checkout_app.manifest import manifest
from mfe_platform import web


def create_app(test_config: dict | None = None) -> Flask:
    """Create the checkout app (release from `MFE_RELEASE`)."""
    app = Flask(__name__)
    web.configure(app, "checkout", {}, test_config)
    web.init_app(app, manifest(app.config["RELEASE"]), frame_ancestors=app.config["HOST_URL"])
    db.init_app(app)
    catalog_client.init_app(app)
    shopper.init_app(app)
    redirects.init_app(app)
    app.register_blueprint(cart_page.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(admin.bp)
    return app
