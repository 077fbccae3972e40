"""Start an app on its production server (or Flask's development server) at its URL's port.

`python -m products_app --release 2` runs this: the port comes from the app's `MFE_*_URL`
(honcho's `PORT` is ignored), so the Procfile, the CLI and the tests all agree.
"""

import argparse
import os
import sys
from urllib.parse import urlsplit

from mfe_platform import reloading, settings

# Why these servers: the host holds every open page's WebSocket, so it runs gunicorn with one
# gevent process (a socket costs a greenlet, not a thread; flask-sock needs gunicorn's socket).
# Products and checkout are plain request/response apps on granian, whose HTTP layer is Rust
# and costs a fraction of gunicorn's per request (measured in docs/performance.md). Each is one
# process (each Python process of the shop costs 55-60 MiB, and a laptop runs five of them):
# one event loop, and four threads that run the app, one at a time; the next joins only while
# those before it are stuck on slow requests (lanes.py: under the GIL, threads running side
# by side slow each other). Four stuck requests, not one, are what it takes to stop the app.
# `MFE_WORKERS=3` runs three single-threaded worker processes instead, for load tests.
# Granian serves them through its own interface (RSGI) with a front that reads each body
# whole, under a deadline, before a thread runs the WSGI app: its WSGI interface let a client
# trickling a body hold the thread (buffered.py).
SERVERS = {
    "host": {
        "server": "gunicorn",
        "worker_class": "gevent",
        "workers": 1,
        "worker_connections": 2000,
    },
    # blocking_threads: the threads (lanes.py) that run the app.
    "products": {"server": "granian", "workers": 1, "processes": False, "blocking_threads": 4},
    "checkout": {"server": "granian", "workers": 1, "processes": False, "blocking_threads": 4},
}

# `--reload` (labs only) serves products and checkout with gunicorn too, as the host: its worker
# imports the app after the reloader is watching, so a file that cannot be imported gets a 500
# naming the error (reloading.py), and saving the fix reloads. A granian worker imports
# `shared_contracts` before any code of ours can catch an error in it (lab 5 edits
# `shared_contracts/events/cart.py`), and died leaving the port open and unanswered.
RELOADING = {"server": "gunicorn", "worker_class": "gthread", "workers": 1, "threads": 8}


def bind_address(url: str) -> str:
    """`host:port` to bind for a URL; `localhost` binds the IPv4 loopback."""
    parts = urlsplit(url)
    host = "127.0.0.1" if parts.hostname == "localhost" else parts.hostname
    return f"{host}:{parts.port or (443 if parts.scheme == 'https' else 80)}"


def worker_processes(environ=None) -> int | None:
    """`MFE_WORKERS`: how many worker processes products and checkout run (unset: one process)."""
    text = settings.env("WORKERS", "", environ).strip()
    if not text:
        return None
    if not text.isdigit() or not 1 <= int(text) <= 16:
        raise ValueError(f"MFE_WORKERS must be a whole number from 1 to 16, not {text!r}")
    return int(text)


def parse_args(app: str, argv: list[str]) -> argparse.Namespace:
    """Command-line options of `python -m <app>_app`."""
    parser = argparse.ArgumentParser(prog=f"python -m {app}_app", description=f"Run the {app} app.")
    if app != "host":
        parser.add_argument("--release", type=int, choices=settings.RELEASES, default=1)
    parser.add_argument("--dev", action="store_true", help="Flask's development server")
    parser.add_argument(
        "--workers", type=int, help="worker processes (products, checkout; as MFE_WORKERS)"
    )
    parser.add_argument(
        "--reload",
        action="store_true",
        help="restart when code changes (MFE_RELOAD=1 in the environment does the same)",
    )
    args = parser.parse_args(argv)
    if app != "host" and args.workers is None:
        try:
            args.workers = worker_processes()
        except ValueError as error:
            parser.error(str(error))
    # `MFE_RELOAD=1 make run`: every process of the Procfile restarts when its code changes.
    args.reload = args.reload or settings.flag(settings.env("RELOAD", ""), "MFE_RELOAD")
    return args


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
        reloading.load(target).run(
            host=host, port=int(port), threaded=True, use_reloader=args.reload
        )
        return

    server = dict(RELOADING if args.reload and app != "host" else SERVERS[app])
    kind = server.pop("server")
    if args.workers:
        server["workers"] = args.workers
        # More workers are for load tests: processes, one interpreter lock and one thread each.
        if kind == "granian":
            server.update(processes=True, blocking_threads=1)
    print(f"{label}: {kind}{' (reload mode)' if args.reload else ''} on {url}", flush=True)
    if kind == "granian":
        _run_granian(target, bind, server)
    else:
        _run_gunicorn(target, bind, server, args.reload)


def _run_granian(target: str, bind: str, server: dict) -> None:
    from granian.constants import HTTPModes, Interfaces
    from granian.server import MPServer

    from mfe_platform import buffered

    host, port = bind.rsplit(":", 1)
    # The WSGI app behind an RSGI front that reads each body whole, under a deadline, before a
    # thread runs the app: a client trickling its body cannot hold a worker (buffered.py).
    os.environ[buffered.TARGET_VARIABLE] = target
    os.environ[buffered.THREADS_VARIABLE] = str(server["blocking_threads"])
    kind = MPServer if server.get("processes", True) else _thread_workers()
    kind(
        f"{buffered.__name__}:from_environment",
        address=host,
        port=int(port),
        interface=Interfaces.RSGI,
        # HTTP/1.1 only, which is all browsers speak without TLS: there a body always says
        # so (Content-Length or chunked), which buffered.py counts on. HTTP/2 would not.
        http=HTTPModes.http1,
        factory=True,
        websockets=False,
        workers=server["workers"],
        # The front's own threads run the app (buffered.py); granian's run the event loop.
        blocking_threads=1,
        # A worker that dies (OOM, a crash in C) comes back instead of taking the app down.
        respawn_failed_workers=True,
        workers_kill_timeout=5,
    ).serve()


def _thread_workers():
    """granian's server whose workers are threads of this process, allowed with the GIL."""
    from granian.server import MTServer

    class ThreadWorkers(MTServer):
        def _check_gil(self):
            # granian offers thread workers only on free-threaded Python, where they run in
            # parallel. With the GIL they take turns in Python code, like gunicorn's threads,
            # while granian's Rust side still reads and writes the sockets side by side.
            pass

        def serve(self, *args, **kwargs):
            # MTServer's own serve only adds a warning that free-threaded Python is experimental.
            super(MTServer, self).serve(*args, **kwargs)

    return ThreadWorkers


# How long the host's greenlet yields after each response: any time above zero will do.
YIELD_SECONDS = 1e-6


def _yield_after_request(worker, req, environ, resp) -> None:
    """gunicorn's `post_request` hook: let the other connections' greenlets run."""
    import gevent

    # A keep-alive connection whose next request has already arrived is served again at once,
    # without returning to gevent's hub: under a steady load a few connections took turns and
    # the others waited (docs/performance.md, "Why these servers"). Not `sleep(0)`: that
    # resumes us before gevent next polls the sockets, so the connections already read kept
    # taking turns, and one whose request waited in the poll waited (p99 30-38 ms at 8
    # clients). A timer fires only after the poll.
    gevent.sleep(YIELD_SECONDS)


def _run_gunicorn(target: str, bind: str, server: dict, reload: bool) -> None:
    from gunicorn.app.base import BaseApplication

    options = {
        "bind": bind,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "graceful_timeout": 5,
        "keepalive": 5,
        "reload": reload,
        # Five servers run side by side; a shared control socket path would collide.
        "control_socket_disable": True,
        **server,
    }
    if reload:
        # gunicorn watches the modules a worker imported; one that failed to import is not among
        # them, so saving its fix would never reload the worker.
        options["reload_extra_files"] = reloading.project_sources()
        options["reload_engine"] = reloading.since_boot_reloader()
    if server["worker_class"] == "gevent":
        options["post_request"] = _yield_after_request

    class Server(BaseApplication):
        def load_config(self):
            for key, value in options.items():
                self.cfg.set(key, value)

        def load(self):
            # Imported in the worker, after gevent has patched the standard library.
            if options["reload"]:
                reloading.forget_project_modules()
                return reloading.load_or_explain(target)
            return reloading.load(target)

    Server().run()
