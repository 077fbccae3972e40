"""Reload mode (`--reload`, `MFE_RELOAD=1`; labs only): gunicorn restarts a worker when a file of
the project is saved, and a worker whose code cannot be imported answers 500 with the reason
instead of dying (which stopped honcho, and the whole shop, at one bad save)."""

import importlib
import json
import os
import sys
import time
import traceback

from mfe_platform import settings

# The project's own packages: the code a reloaded worker must read anew.
PACKAGES = (
    "host_app",
    "products_app",
    "checkout_app",
    "shared_contracts",
    "mfe_platform",
    "mfe_cli",
)


def project_sources() -> list[str]:
    """The project's Python files outside its tests: what gunicorn's reloader must watch."""
    return sorted(
        str(path)
        for package in PACKAGES
        for path in (settings.REPOSITORY / package).rglob("*.py")
        if "tests" not in path.relative_to(settings.REPOSITORY).parts
    )


def load(target: str):
    """The WSGI app that `module:factory` makes."""
    module, _, factory = target.partition(":")
    return getattr(importlib.import_module(module), factory)()


def failing_app(reason: BaseException):
    """A WSGI app that answers every request 500 with why the real app could not be loaded."""
    lines = traceback.format_exception(reason)
    body = json.dumps(
        {
            "error": "app-not-loaded",
            "message": f"the app could not be loaded: {type(reason).__name__}: {reason}",
            "details": [line.rstrip() for line in lines],
        }
    ).encode()

    def app(environ, start_response):
        start_response(
            "500 Internal Server Error",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return app


def load_or_explain(target: str):
    """In reload mode: the app, or `failing_app` while its code cannot be imported."""
    try:
        return load(target)
    except Exception as reason:
        # A worker that died here stopped the app (and honcho with it, so the whole shop): one
        # bad save ended the lab. The app now says what is wrong until the next save reloads it.
        print("".join(traceback.format_exception(reason)), file=sys.stderr, flush=True)
        return failing_app(reason)


def forget_project_modules() -> None:
    """Drop the project's modules a worker inherited from the master, so it imports them anew.

    `python -m host_app` imports the app (and `shared_contracts` with every contract) in the
    gunicorn master before it forks; a worker restarted by `--reload` is a fresh fork of that
    master, so without this it would run the old code again.
    """
    for name in [name for name in sys.modules if name.partition(".")[0] in PACKAGES]:
        del sys.modules[name]


def since_boot_reloader() -> str:
    """Register gunicorn's polling reloader, changed to count a file saved since its worker
    booted; returns its `reload_engine` name."""
    # Imported here: the development server (`--dev`) runs where gunicorn cannot (Windows).
    from gunicorn.reloader import Reloader, reloader_engines

    class SinceBoot(Reloader):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            # Made before the worker imports the app. gunicorn's own takes its first look at
            # the files only once the worker serves: a file saved in between (a second save
            # right after a reload) was taken as the baseline and never reloaded.
            self._booted = time.time() - 0.05

        def run(self):
            seen = {}
            while True:
                for filename in self.get_files():
                    try:
                        mtime = os.stat(filename).st_mtime
                    except OSError:
                        continue
                    last = seen.get(filename, self._booted)
                    if mtime > last:
                        self._callback(filename)
                    seen[filename] = max(mtime, last)
                time.sleep(self._interval)

    reloader_engines["mfe-since-boot"] = SinceBoot
    return "mfe-since-boot"
