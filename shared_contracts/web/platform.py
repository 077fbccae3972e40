"""The platform endpoints and headers every app gets: health, manifest, client library."""

from pathlib import Path

from flask import Blueprint, Flask, current_app, jsonify, send_from_directory

from shared_contracts.bundle import default_bundle
from shared_contracts.manifests import Manifest
from shared_contracts.web import chaos, errors, headers

STATIC = Path(__file__).resolve().parent.parent / "static" / "mfe"

bp = Blueprint("mfe", __name__)


@bp.get("/healthz")
def healthz():
    """Liveness: this app, its release, status ok."""
    return {
        "status": "ok",
        "app": current_app.config["APP_NAME"],
        "release": current_app.config["RELEASE"],
    }


@bp.get("/mfe-manifest.json")
def manifest():
    """What this release emits and consumes."""
    return jsonify(current_app.extensions["mfe_manifest"].model_dump(mode="json"))


@bp.get("/mfe/contracts.json")
def contracts():
    """Schemas and converter declarations for the browser."""
    return jsonify(default_bundle())


@bp.get("/mfe/static/<path:filename>")
def client_library(filename: str):
    """The shared browser library, served from this app's own origin."""
    return send_from_directory(STATIC, filename, max_age=0)


def init_app(app: Flask, manifest: Manifest, frame_ancestors: str, frame_src: str = "'none'"):
    """Give `app` the JSON errors, platform endpoints and security headers."""
    app.extensions["mfe_manifest"] = manifest
    errors.init_app(app)
    headers.init_app(app, frame_ancestors=frame_ancestors, frame_src=frame_src)
    app.register_blueprint(bp)
    if manifest.app != "host":
        chaos.init_app(app)

    @app.context_processor
    def manifest_context():
        # Child pages tell the host in their hello which versions they consume.
        return {"mfe_consumes": manifest.consumes}
