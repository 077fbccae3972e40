"""Your own products release: products' code, a manifest of your own, a port of your own.

The workshop's "bring your own release" (docs/workshop/lab4-independent-deploy.md): run it with
`python -m products_app.fork --port 8021`, then point your browser at it
(`mfeHost.override("products", "http://localhost:8021")`), ask `mfe can-i-deploy products 3
--url http://localhost:8021`, and `mfe deploy products 3 --url http://localhost:8021`.
"""

import argparse
import os
import sys

from flask import Flask

from mfe_platform.serving import serve
from products_app import create_app as create_products_app
from products_app.manifest import manifest as products_manifest
from shared_contracts.manifests import Manifest

RELEASE = 3
DEFAULT_PORT = 8021

# What your release emits. Its page sends every add as cart:item-added 2.0.0 (any release
# after 1 does), and the host lets a frame emit only what its manifest declares.
EMITS = {
    "cart:item-added": ["2.0.0"],
    "notification:show": ["1.0.0"],
}


def fork_manifest(release: int = RELEASE) -> Manifest:
    """The manifest this release serves at `/mfe-manifest.json`."""
    # Every event EMITS does not name is declared as products' release 2 declares it: the page
    # is products' code, so an event products gains needs no edit here.
    own = products_manifest(2)
    # Built as given, not checked against the registry: a release may declare a version nobody
    # published yet, and `mfe can-i-deploy` is where that is caught, with the reason.
    return Manifest(
        app="products", release=release, emits={**own.emits, **EMITS}, consumes=own.consumes
    )


def create_app() -> Flask:
    """The products app, announcing itself as your release with your manifest."""
    release = int(os.environ.get("MFE_FORK_RELEASE", RELEASE))
    app = create_products_app()
    app.config["RELEASE"] = release
    app.extensions["mfe_manifest"] = fork_manifest(release)
    return app


def main(argv: list[str] | None = None) -> None:
    """Serve the fork on `--port` as release `--release` (one worker: it is a lab's release)."""
    parser = argparse.ArgumentParser(prog="python -m products_app.fork", description=__doc__)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--release", type=int, default=RELEASE)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    if args.release < 3:
        parser.error("releases 1 and 2 are products' own; give yours a number from 3 up")
    # The serving code runs an app at its configured release URL: lend it release 2's slot.
    os.environ["MFE_PRODUCTS_V2_URL"] = f"http://localhost:{args.port}"
    os.environ["MFE_FORK_RELEASE"] = str(args.release)
    serve("products", "products_app.fork:create_app", ["--release", "2", "--workers", "1"])


if __name__ == "__main__":
    main()
