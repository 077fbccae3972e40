"""The platform endpoints and headers every app gets: health, manifest, client library."""

import posixpath
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    jsonify,
    request,
    send_from_directory,
    url_for,
)

import shared_contracts
from mfe_platform.web import chaos, errors, headers, modules
from mfe_platform.web.sessions import NoSessions
from shared_contracts.bundle import default_bundle
from shared_contracts.manifests import Manifest

# `/mfe/static/` is one URL space served from two folders: the bus client (this package) and
# the browser half of the contracts, the validator and converters (shared_contracts).
LIBRARY = (
    Path(__file__).resolve().parent.parent / "static" / "mfe",
    Path(shared_contracts.__file__).resolve().parent / "static" / "mfe",
)


def library_file(name: str) -> Path | None:
    """The file served as `/mfe/static/<name>`, from whichever library folder holds it."""
    for root in LIBRARY:
        found = modules.within(root, root / name)
        if found is not None:
            return found
    return None


def library_root(path: Path) -> Path | None:
    """The library folder `path` lies in, if any."""
    return next((root for root in LIBRARY if modules.within(root, path)), None)


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
    found = library_file(filename)
    if found is None:
        abort(404)
    return send_from_directory(found.parent, found.name, max_age=0)


def _resolver(app_static: Path):
    """How an import specifier maps to a file: the shared library, this app's static, relative."""

    def resolve(importer: Path, specifier: str) -> Path:
        if specifier.startswith("/mfe/static/"):
            target = library_file(specifier.removeprefix("/mfe/static/"))
        elif specifier.startswith("/static/"):
            target = modules.within(app_static, app_static / specifier.removeprefix("/static/"))
        elif specifier.startswith(("./", "../")):
            root = library_root(importer)
            if root is None:
                target = modules.within(app_static, importer.parent / specifier)
            else:
                # Relative to a library file: another `/mfe/static/` URL, in either folder.
                folder = importer.parent.relative_to(root).as_posix()
                target = library_file(posixpath.normpath(posixpath.join(folder, specifier)))
        else:
            target = None
        if target is None:
            raise modules.BundleError(f"{importer.name}: cannot resolve {specifier!r}")
        return target

    return resolve


def module_bundle_for(app: Flask, filename: str) -> modules.Bundle | None:
    """This app's static module `filename` joined with its imports (cached until a file changes)."""
    static = Path(app.static_folder).resolve()
    entry = modules.within(static, static / filename) if filename.endswith(".js") else None
    if entry is None:
        return None
    cache = app.extensions.setdefault("mfe_module_bundles", {})
    cached = cache.get(entry)
    if cached is None or not cached.is_current():

        def label(path: Path) -> str:
            root = library_root(path)
            if root is not None:
                return "/mfe/static/" + path.relative_to(root.resolve()).as_posix()
            return "/static/" + path.relative_to(static).as_posix()

        cached = cache[entry] = modules.bundle(entry, _resolver(static), label)
    return cached


@bp.get("/mfe/bundle/<path:filename>")
def module_bundle(filename: str):
    """A page's script with its whole import graph, as one module (see `modules`)."""
    try:
        joined = module_bundle_for(current_app._get_current_object(), filename)
    except modules.BundleError as error:
        # A module the join cannot take (the tests say so too): the page still works, loading
        # its graph file by file as the browser would.
        current_app.logger.warning("serving %s unjoined: %s", filename, error)
        text = f'import "{url_for("static", filename=filename)}";\n'
        joined = modules.Bundle(text, modules.etag_of(text), ())
    if joined is None:
        abort(404)
    response = current_app.response_class(joined.text, mimetype="text/javascript")
    response.cache_control.no_cache = True
    response.set_etag(joined.etag)
    return response.make_conditional(request)


def init_app(app: Flask, manifest: Manifest, frame_ancestors: str, frame_src: str = "'none'"):
    """Give `app` the JSON errors, platform endpoints and security headers."""
    app.extensions["mfe_manifest"] = manifest
    errors.init_app(app)
    headers.init_app(app, frame_ancestors=frame_ancestors, frame_src=frame_src)
    app.register_blueprint(bp)
    if manifest.app != "host":
        chaos.init_app(app)
        # Only the host keeps a session (overrides.py); the children skip its signed cookie.
        app.session_interface = NoSessions()

    @app.context_processor
    def manifest_context():
        # Child pages tell the host in their hello which versions they consume.
        return {"mfe_consumes": manifest.consumes}
