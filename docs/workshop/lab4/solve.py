"""After `mfe workshop solve 4`: run the solved release in the background and deploy it.

It runs until `mfe workshop reset` stops it (by the pid kept in instance/workshop/processes/).
"""

import os
import signal
import socket
import subprocess
import sys

from mfe_cli import main as mfe
from mfe_platform import settings
from mfe_platform.readiness import wait_healthy

FOLDER = settings.data_dir("workshop")
PID_FILE = FOLDER / "processes" / "products_app.fork.pid"


def free(port: int) -> bool:
    """Whether nothing listens on `port` of the loopback."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def stop_previous() -> None:
    """A release this script started before runs old code: stop it."""
    if PID_FILE.exists():
        pid = int(PID_FILE.read_text())
        running = subprocess.run(["ps", "-o", "command=", "-p", str(pid)], capture_output=True)
        if b"products_app.fork" in running.stdout:
            os.killpg(pid, signal.SIGTERM)
        PID_FILE.unlink()


def start_release() -> str:
    """Start `python -m products_app.fork` on 8021 (or a free port); return its URL."""
    port = 8021
    # A shop moved off the default ports (the tests' shops) gets its release off them too.
    moved = settings.app_url("host") != settings.DEFAULT_URLS["HOST_URL"]
    if moved or not free(port):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
    PID_FILE.parent.mkdir(parents=True, exist_ok=True)
    log = open(FOLDER / "fork.log", "ab")  # noqa: SIM115 (the release keeps writing to it)
    release = subprocess.Popen(
        [sys.executable, "-m", "products_app.fork", "--port", str(port)],
        cwd=settings.REPOSITORY,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    PID_FILE.write_text(str(release.pid))
    url = f"http://localhost:{port}"
    if wait_healthy([url], timeout=30):
        sys.exit(f"your release did not start; see {FOLDER / 'fork.log'}")
    print(f"your release 3 runs at {url} (log: {FOLDER / 'fork.log'})")
    return url


stop_previous()
sys.exit(mfe(["deploy", "products", "3", "--url", start_release()]))
