"""The host: the shell that composes products and checkout and relays their events."""

from flask import Flask

from host_app import (
    analyzer,
    approvals,
    buslimits,
    canonical,
    deploy_api,
    deployment_store,
    docs,
    eventlog,
    health,
    inspector,
    manifest_cache,
    overrides,
    realtime,
    rollouts,
    shell,
)
from host_app.manifest import manifest
from mfe_platform import settings, web
from mfe_platform.web.admin import admin_token, redacted


def create_app(test_config: dict | None = None) -> Flask:
    """Create the host app."""
    app = Flask(__name__)
    web.configure(
        app,
        "host",
        {
            "RELEASE": 1,
            **buslimits.defaults(),
            "READY_TIMEOUT_MS": 5000,
        },
        test_config,
    )
    buslimits.init_app(app)
    deployment_store.init_app(app)
    manifest_cache.init_app(app)
    approvals.init_app(app)
    health.init_app(app)
    eventlog.init_app(app)
    web.init_app(
        app,
        manifest(),
        frame_ancestors="'none'",
        # The registered releases, and this browser's own overrides (see overrides.py).
        frame_src=lambda: " ".join(overrides.frame_origins()),
    )
    canonical.init_app(app)
    # Generated on first start when MFE_ADMIN_TOKEN is not set; the CLI reads the same file.
    token = admin_token(app.config)
    origin = (
        "MFE_ADMIN_TOKEN"
        if app.config.get("ADMIN_TOKEN")
        else str(settings.admin_token_path(app.config["DATA_DIR"]))
    )
    app.logger.info("admin token %s (from %s)", redacted(token), origin)
    app.register_blueprint(shell.bp)
    app.register_blueprint(deploy_api.bp)
    app.register_blueprint(rollouts.bp)
    app.register_blueprint(docs.bp)
    app.register_blueprint(inspector.bp)
    overrides.init_app(app)
    realtime.init_app(app)
    analyzer.init_app(app)
    return app
