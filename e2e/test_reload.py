"""`MFE_RELOAD=1 make run` (lab 5): an app serves an edited file after its workers restart,
and while a file cannot be imported it answers 500 saying why, instead of hanging or stopping.

The app runs from a copy of the repository, which the test edits; the real one is untouched.
"""

import json
import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from e2e.processes import REPOSITORY, free_port
from mfe_platform.readiness import wait_until

IGNORED = shutil.ignore_patterns(
    ".venv", ".git", "instance", "__pycache__", "*.egg-info", ".*_cache", ".hypothesis", "bench"
)


def page(url: str) -> str | None:
    """The body of `url`, or None while nothing answers."""
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return reply.read().decode()
    except (OSError, urllib.error.URLError):
        return None


def failure(url: str) -> dict | None:
    """The JSON error body of `url` when it answers 500, else None."""
    try:
        with urllib.request.urlopen(url, timeout=2):
            return None
    except urllib.error.HTTPError as error:
        return json.loads(error.read()) if error.code == 500 else None
    except (OSError, urllib.error.URLError):
        return None


def until(condition, what: str) -> None:
    """Wait for `condition()` (a minute at most), or fail naming `what`."""
    assert wait_until(condition, timeout=60.0, interval=0.1), f"timed out waiting for {what}"


@contextmanager
def reloading(tmp_path, variable: str, *command: str):
    """Run `python -m COMMAND --reload` from a copy of the repository; yield (copy, url, log)."""
    copy = tmp_path / "repository"
    shutil.copytree(REPOSITORY, copy, ignore=IGNORED)
    url = f"http://localhost:{free_port()}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MFE_")},
        "MFE_DATA_DIR": str(tmp_path / "data"),
        variable: url,
    }
    log = (tmp_path / "app.log").open("wb")
    # Run from the copy: `-m` puts it first on sys.path, so its packages are the ones imported.
    proc = subprocess.Popen(
        [sys.executable, "-m", *command, "--reload"],
        cwd=copy,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    output = lambda: Path(log.name).read_text(errors="replace")  # noqa: E731
    try:
        yield copy, url, output
        assert proc.poll() is None, output()
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
        log.close()


def test_a_reloaded_app_serves_the_edited_file_and_reports_a_syntax_error(tmp_path):
    command = ("products_app", "--release", "1")
    with reloading(tmp_path, "MFE_PRODUCTS_V1_URL", *command) as (copy, url, output):
        catalog = copy / "products_app" / "catalog.py"
        original = catalog.read_text()
        assert "Stoneware Mug" in original
        until(lambda: "Stoneware Mug" in (page(url + "/") or ""), "the first page")

        catalog.write_text(original.replace("Stoneware Mug", "Reloaded Mug"))
        until(lambda: "Reloaded Mug" in (page(url + "/") or ""), "the edited name")

        # The file lab 5 edits: shared_contracts itself, imported before any app code runs.
        contract = copy / "shared_contracts" / "events" / "cart.py"
        sound = contract.read_text()
        contract.write_text(sound + "\ndef broken(:\n")
        until(lambda: failure(url + "/healthz") is not None, "a 500 naming the error")
        error = failure(url + "/api/products")
        assert error["error"] == "app-not-loaded", error
        assert "SyntaxError" in error["message"] and "cart.py" in "".join(error["details"])
        assert "SyntaxError" in output()

        contract.write_text(sound)
        until(lambda: "Reloaded Mug" in (page(url + "/") or ""), "the fixed file")


def test_the_reloaded_host_outlives_a_module_that_raises_at_import(tmp_path):
    with reloading(tmp_path, "MFE_HOST_URL", "host_app") as (copy, url, output):
        module = copy / "host_app" / "docs.py"
        original = module.read_text()
        until(lambda: '"ok"' in (page(url + "/healthz") or ""), "the host's health")

        # Not a syntax error: gunicorn itself only survives those.
        module.write_text(original + "\nraise RuntimeError('a lab typo')\n")
        until(lambda: failure(url + "/healthz") is not None, "a 500 naming the error")
        error = failure(url + "/api/deployments")
        assert error["error"] == "app-not-loaded", error
        assert "RuntimeError: a lab typo" in error["message"]
        assert "docs.py" in "".join(error["details"])
        assert "a lab typo" in output()

        module.write_text(original)
        until(lambda: '"ok"' in (page(url + "/healthz") or ""), "the fixed file")
