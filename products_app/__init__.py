"""Products: the catalog and the add-to-cart button (team A)."""

from flask import Flask

from mfe_platform import web
from products_app import api, storefront
from products_app.manifest import manifest


def create_app(test_config: dict | None = None) -> Flask:
    """Create the products app (release from `MFE_RELEASE`)."""
    app = Flask(__name__)
    web.configure(app, "products", {}, test_config)
    web.init_app(
        app,
        manifest(app.config["RELEASE"], app.config["DUAL_EMIT"]),
        frame_ancestors=app.config["HOST_URL"],
    )
    app.register_blueprint(storefront.bp)
    app.register_blueprint(api.bp)
    return app
