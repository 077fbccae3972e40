"""Start an app on its production server (or Flask's development server) at its URL's port.

`python -m products_app --release 2` runs this: the port comes from the app's `MFE_*_URL`
(honcho's `PORT` is ignored), so the Procfile, the CLI and the tests all agree.
"""

import argparse
import importlib
import os
import sys
from urllib.parse import urlsplit

from shared_contracts import settings

# Why these servers: the host holds every open page's WebSocket, so it runs one process with
# gevent (a socket costs a greenlet, not a thread). Products and checkout are plain
# request/response apps: several gthread workers use both cores.
SERVERS = {
    "host": {"worker_class": "gevent", "workers": 1, "worker_connections": 2000},
    "products": {"worker_class": "gthread", "workers": 4, "threads": 2},
    "checkout": {"worker_class": "gthread", "workers": 4, "threads": 2},
}


def bind_address(url: str) -> str:
    """`host:port` to bind for a URL; `localhost` binds the IPv4 loopback."""
    parts = urlsplit(url)
    host = "127.0.0.1" if parts.hostname == "localhost" else parts.hostname
    return f"{host}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def parse_args(app: str, argv: list[str]) -> argparse.Namespace:
    """Command-line options of `python -m <app>_app`."""
    parser = argparse.ArgumentParser(prog=f"python -m {app}_app", description=f"Run the {app} app.")
    if app != "host":
        parser.add_argument("--release", type=int, choices=settings.RELEASES, default=1)
    parser.add_argument("--dev", action="store_true", help="Flask's development server")
    parser.add_argument("--workers", type=int, help="override the number of workers")
    parser.add_argument(
        "--reload",
        action="store_true",
        help="restart when code changes (MFE_RELOAD=1 in the environment does the same)",
    )
    args = parser.parse_args(argv)
    # `MFE_RELOAD=1 make run`: every process of the Procfile restarts when its code changes.
    args.reload = args.reload or settings.flag(settings.env("RELOAD", ""))
    return args


# The project's own packages: the code a reloaded worker must read anew.
PACKAGES = ("host_app", "products_app", "checkout_app", "shared_contracts")


def _load(target: str):
    module, _, factory = target.partition(":")
    return getattr(importlib.import_module(module), factory)()


def forget_project_modules() -> None:
    """Drop the project's modules a worker inherited from the master, so it imports them anew.

    `python -m host_app` imports the app (and `shared_contracts` with every contract) in the
    gunicorn master before it forks; a worker restarted by `--reload` is a fresh fork of that
    master, so without this it would run the old code again.
    """
    for name in [name for name in sys.modules if name.partition(".")[0] in PACKAGES]:
        del sys.modules[name]


def serve(app: str, target: str, argv: list[str] | None = None) -> None:
    """Run `target` (`module:create_app`) for `app` on its configured port."""
    args = parse_args(app, sys.argv[1:] if argv is None else argv)
    release = getattr(args, "release", None)
    if release is not None:
        os.environ["MFE_RELEASE"] = str(release)
    url = settings.app_url(app, release)
    bind = bind_address(url)
    label = app if release is None else f"{app} release {release}"
    if args.dev:
        host, port = bind.rsplit(":", 1)
        print(f"{label}: Flask development server on {url}", flush=True)
        _load(target).run(host=host, port=int(port), threaded=True, use_reloader=args.reload)
        return

    from gunicorn.app.base import BaseApplication

    options = {
        "bind": bind,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "graceful_timeout": 5,
        "keepalive": 5,
        "reload": args.reload,
        # Five servers run side by side; a shared control socket path would collide.
        "control_socket_disable": True,
        **SERVERS[app],
    }
    if args.workers:
        options["workers"] = args.workers

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            # Imported in the worker, after gevent has patched the standard library.
            if options["reload"]:
                forget_project_modules()
            return _load(target)

    print(f"{label}: {options['worker_class']} on {url}", flush=True)
    Server().run()
