"""`MFE_RELOAD=1 make run` (lab 5): a granian app serves an edited file after its workers
restart, and a file saved with a syntax error stops its workers, not the process.

The app runs from a copy of the repository, which the test edits; the real one is untouched.
"""

import os
import shutil
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from e2e.processes import REPOSITORY, free_port
from shared_contracts.readiness import wait_until

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


def until(condition, what: str) -> None:
    """Wait for `condition()` (a minute at most), or fail naming `what`."""
    assert wait_until(condition, timeout=60.0, interval=0.1), f"timed out waiting for {what}"


def test_a_reloaded_granian_app_serves_the_edited_file_and_outlives_a_syntax_error(tmp_path):
    copy = tmp_path / "repository"
    shutil.copytree(REPOSITORY, copy, ignore=IGNORED)
    catalog = copy / "products_app" / "catalog.py"
    original = catalog.read_text()
    assert "Stoneware Mug" in original
    url = f"http://localhost:{free_port()}"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("MFE_")},
        "MFE_DATA_DIR": str(tmp_path / "data"),
        "MFE_PRODUCTS_V1_URL": url,
    }
    log = (tmp_path / "products.log").open("wb")
    # Run from the copy: `-m` puts it first on sys.path, so its packages are the ones imported.
    proc = subprocess.Popen(
        [sys.executable, "-m", "products_app", "--release", "1", "--reload"],
        cwd=copy,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    output = lambda: Path(log.name).read_text(errors="replace")  # noqa: E731
    try:
        until(lambda: "Stoneware Mug" in (page(url + "/") or ""), "the first page")

        catalog.write_text(original.replace("Stoneware Mug", "Reloaded Mug"))
        until(lambda: "Reloaded Mug" in (page(url + "/") or ""), "the edited name")

        catalog.write_text(original + "\ndef broken(:\n")
        until(lambda: "SyntaxError" in output(), "the syntax error in the log")
        assert proc.poll() is None, output()

        catalog.write_text(original)
        until(lambda: "Stoneware Mug" in (page(url + "/") or ""), "the fixed file")
        assert proc.poll() is None
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=15)
        log.close()
