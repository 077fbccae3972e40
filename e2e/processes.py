"""Start the Procfile's five processes on free ports with their own data folder, and stop them.

Tests and the benchmark use this, so what they run is exactly what `make run` runs.
"""

import contextlib
import functools
import http.client
import json
import os
import random
import selectors
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from mfe_platform.readiness import wait_all, wait_healthy

REPOSITORY = Path(__file__).resolve().parent.parent
MFE = str(Path(sys.executable).parent / "mfe")
PROCESSES = ("host", "products-v1", "checkout-v1", "products-v2", "checkout-v2")
URL_VARIABLES = {
    "host": "MFE_HOST_URL",
    "products-v1": "MFE_PRODUCTS_V1_URL",
    "checkout-v1": "MFE_CHECKOUT_V1_URL",
    "products-v2": "MFE_PRODUCTS_V2_URL",
    "checkout-v2": "MFE_CHECKOUT_V2_URL",
}


@functools.cache
def _ephemeral_floor() -> int:
    """The lowest port the system hands out for outgoing connections."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


# Ports handed out by this process, never handed out twice.
_handed_out: set[int] = set()


def port_range() -> range:
    """Where this process picks ports: below the system's ephemeral range, and under
    pytest-xdist a slice of its own per worker, so two workers never pick the same port."""
    top = min(_ephemeral_floor(), 32768)
    low = max(1024, top - 12000)
    workers = int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1"))
    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
    size = (top - low) // max(workers, 1)
    return range(low + worker * size, low + (worker + 1) * size)


def free_port() -> int:
    """A TCP port nobody listens on right now, for a server that binds it a moment later.

    Chosen below the system's ephemeral range: a port from that range (what binding port 0
    gives) can be taken in the meantime by any outgoing connection, and a CI run once lost a
    server that way. Below it, only another explicit bind could take it.
    """
    ports = port_range()
    for _ in range(500):
        port = random.choice(ports)  # noqa: S311 (not a secret)
        if port in _handed_out:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _handed_out.add(port)
        return port
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def procfile_commands(path: Path = REPOSITORY / "Procfile") -> dict[str, str]:
    """`name: command` lines of the Procfile."""
    commands = {}
    for line in path.read_text().splitlines():
        name, sep, command = line.partition(":")
        if sep and not line.lstrip().startswith("#"):
            commands[name.strip()] = command.strip()
    return commands


@dataclass
class Shop:
    """Five running processes and the environment they share."""

    data_dir: Path
    env: dict[str, str]
    # The checkout whose code runs (the workshop's tests run a copy of the repository).
    root: Path = REPOSITORY
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    logs: dict[str, Path] = field(default_factory=dict)

    def url(self, name: str) -> str:
        """The URL of a process (`host`, `products-v1`, ...)."""
        return self.env[URL_VARIABLES[name]]

    @property
    def host(self) -> str:
        """The host's URL."""
        return self.url("host")

    def start(self, name: str, timeout: float = 30.0, any_status: bool = False) -> None:
        """Start one process and return once it answers `/healthz` (see `start_many`)."""
        self.start_many([name], timeout, any_status)

    def start_many(self, names, timeout: float = 30.0, any_status: bool = False) -> None:
        """Start processes side by side, as honcho does, and return once all answer `/healthz`
        healthy, or with any status at all (`any_status`: an app in chaos `down` answers 503,
        and after a restart too)."""
        outputs = {name: self._launch(name) for name in names}
        for name, out in outputs.items():
            wait_listening(self.procs[name], out, timeout, name)
        urls = [self.url(name) for name in names]
        # granian says "Listening" before its workers accept: poll until one answers.
        if any_status:
            down = wait_all(urls, answers, timeout=timeout, interval=0.02)
        else:
            down = wait_healthy(urls, timeout=timeout, interval=0.02)
        assert not down, f"{', '.join(down)} never answered /healthz:\n{self.log_tail()}"

    def _launch(self, name: str):
        """Start one process of the Procfile; the open log its output goes to."""
        command = procfile_commands(self.root / "Procfile")[name]
        log = self.logs.setdefault(name, self.data_dir / f"{name}.log")
        self.procs[name] = subprocess.Popen(
            ["bash", "-c", f"exec {command}"],
            cwd=self.root,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        return log.open("ab")

    def stop(self, name: str) -> None:
        """Stop one process (its whole process group) and wait for it."""
        self.stop_many([name])

    def stop_many(self, names) -> None:
        """Stop processes (each its whole process group) together, and wait for them."""
        stopping = [self.procs.pop(name) for name in names if name in self.procs]
        for proc in stopping:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in stopping:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=5)

    def mfe(self, *args: str, check: bool = False) -> subprocess.CompletedProcess:
        """Run the `mfe` CLI against this shop; `check` raises (with its output) on failure."""
        result = subprocess.run(
            [MFE, *args], env=self.env, capture_output=True, text=True, timeout=60
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"mfe {' '.join(args)} -> {result.returncode}\n{result.stdout}{result.stderr}"
            )
        return result

    def restart(self, name: str, **env: str) -> None:
        """Stop one process and start it again, with `env` added to its environment."""
        self.stop(name)
        self.env.update(env)
        self.start(name)

    def stop_all(self) -> None:
        """Stop every process."""
        self.stop_many(list(self.procs))

    def __enter__(self) -> "Shop":
        return self

    def __exit__(self, *exc) -> None:
        self.stop_all()

    def log_tail(self, lines: int = 40) -> str:
        """The end of every process's log, for failure messages."""
        parts = []
        for name, path in self.logs.items():
            text = path.read_text(errors="replace").splitlines()[-lines:] if path.exists() else []
            parts.append(f"--- {name} ---\n" + "\n".join(text))
        return "\n".join(parts)


def wait_listening(proc: subprocess.Popen, out, timeout: float, name: str) -> None:
    """Copy the process's output to its log until it says it listens; then keep copying."""
    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    seen = b""
    while b"Listening at" not in seen and b"Running on" not in seen:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or not selector.select(timeout=remaining):
            raise RuntimeError(f"{name} did not start within {timeout} s:\n{seen.decode()}")
        chunk = os.read(proc.stdout.fileno(), 65536)
        if not chunk:
            raise RuntimeError(f"{name} exited (code {proc.wait()}):\n{seen.decode()}")
        out.write(chunk)
        out.flush()
        seen += chunk
    selector.close()
    _drain_in_background(proc, out)


def _drain_in_background(proc: subprocess.Popen, out) -> None:
    """Keep copying output to the log so the pipe never fills up."""

    def pump():
        for chunk in iter(lambda: os.read(proc.stdout.fileno(), 65536), b""):
            out.write(chunk)
            out.flush()
        out.close()

    threading.Thread(target=pump, daemon=True).start()


def answers(url: str) -> bool:
    """Whether a server answers HTTP at `url` at all (an app in chaos `down` answers 503)."""
    try:
        with urllib.request.urlopen(f"{url}/healthz", timeout=2):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, http.client.HTTPException):
        return False


def get_json(url: str, timeout: float = 10.0, headers: dict | None = None):
    """GET a URL and parse its JSON body."""
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())


def start_shop(
    data_dir: Path, extra_env: dict | None = None, names=PROCESSES, root: Path = REPOSITORY
) -> Shop:
    """Start the named processes (default: all five) on free ports, from the code in `root`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MFE_")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["PYTHONUNBUFFERED"] = "1"
    env["MFE_DATA_DIR"] = str(data_dir)
    for name in PROCESSES:
        env[URL_VARIABLES[name]] = f"http://localhost:{free_port()}"
    env.update(extra_env or {})
    shop = Shop(data_dir=data_dir, env=env, root=root)
    try:
        shop.start_many(names)
    except BaseException:
        shop.stop_all()
        raise
    return shop


def start_fork(shop: Shop, name: str, log_dir: Path) -> Shop:
    """Another copy of one of the shop's processes (e.g. `products-v2`) on a free port of its
    own: a developer's build on their laptop, which the host has never been told about."""
    env = {**shop.env, URL_VARIABLES[name]: f"http://localhost:{free_port()}"}
    log_dir.mkdir(parents=True, exist_ok=True)
    fork = Shop(data_dir=log_dir, env=env)
    fork.start(name)
    return fork
