"""HTTP load: req/s and latency percentiles with N concurrent keep-alive clients.

The load generator is Python (`http.client`, one keep-alive connection per client), split
over `processes` processes of `clients / processes` threads each so one interpreter lock does
not serialise all clients. On a 2-core machine the generator competes with the server for the
same cores: every figure reports the CPU the clients and the server used while it ran, so a
client-bound result is visible as such.
"""

import http.client
import json
import multiprocessing
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from bench.memory import group_cpu_seconds
from bench.stats import figure, percentile
from e2e.processes import REPOSITORY, free_port, get_json, wait_healthy, wait_listening
from mfe_platform.serving import SERVERS
from shared_contracts.envelope import new_envelope

INSERTS_PER_SESSION = 400  # a fresh cart now and then keeps lines under the quantity limit


@dataclass
class Target:
    """What one client does, over and over."""

    url: str  # the server's origin
    kind: str  # "get-cart", "post-item" or "get-deployments"
    products: list = field(default_factory=list)  # (id, price) for inserts


class Client:
    """One keep-alive connection with a session of its own."""

    def __init__(self, target: Target, index: int):
        self.target = target
        self.index = index
        parts = urlsplit(target.url)
        self.port = parts.port
        self.host_header = parts.netloc
        self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        self.token = ""
        self.sessions: list[dict] = []  # {"token", "inserted"}
        self.statuses: Counter = Counter()

    def request(self, method: str, path: str, body: bytes | None = None, headers=None):
        all_headers = {"Host": self.host_header, "Accept": "application/json"}
        if self.token:
            all_headers["Authorization"] = f"Bearer {self.token}"
        all_headers.update(headers or {})
        try:
            self.conn.request(method, path, body=body, headers=all_headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.statuses["connection-error"] += 1
            return None, b""
        return response.status, data

    def new_session(self) -> None:
        """A fresh shopper: a new token (as the host page makes one), so a new cart."""
        self.token = secrets.token_urlsafe(32)
        self.sessions.append({"token": self.token, "inserted": 0})

    def insert(self, n: int) -> int | None:
        product_id, price = self.target.products[n % len(self.target.products)]
        data = {
            "itemId": f"load-{self.index}-{n}",
            "productId": product_id,
            "quantity": 1,
            "price": price,
        }
        envelope = new_envelope("cart:item-added", "1.0.0", "products", data)
        status, _ = self.request(
            "POST",
            "/api/cart/items",
            json.dumps(envelope).encode(),
            {
                "Content-Type": "application/json",
                "Origin": self.target.url,
            },
        )
        if status == 201:
            self.sessions[-1]["inserted"] += 1
            if self.sessions[-1]["inserted"] >= INSERTS_PER_SESSION:
                self.new_session()
        return status

    def setup(self) -> None:
        if self.target.kind in ("get-cart", "post-item"):
            self.new_session()
        if self.target.kind == "get-cart":
            for n in range(3):  # a cart with a few lines, like a shopper's
                self.insert(n)

    def one(self, n: int) -> int | None:
        if self.target.kind == "get-cart":
            return self.request("GET", "/api/cart")[0]
        if self.target.kind == "post-item":
            return self.insert(n)
        return self.request("GET", "/api/deployments")[0]

    def cart_units(self) -> int:
        """Units in this session's cart (-1 when it cannot be read)."""
        status, body = self.request("GET", "/api/cart")
        return json.loads(body)["itemCount"] if status == 200 else -1

    def verify(self) -> dict:
        """Each session's cart holds exactly the units its 201s added: none lost, none twice."""
        lost = doubled = 0
        for session in self.sessions:
            self.token = session["token"]
            count = self.cart_units()
            expected = session["inserted"]
            if count < expected:
                lost += expected - count
            elif count > expected:
                doubled += count - expected
        return {"lost": lost, "doubled": doubled, "carts": len(self.sessions)}


def _thread(target, index, start_at, end_at, out):
    client = Client(target, index)
    try:
        client.setup()
    except Exception as error:  # reported, not raised: the other clients go on
        out.append({"error": f"setup: {error}", "latencies": [], "statuses": {}})
        return
    latencies = []
    n = 0
    expected = {"post-item": 201}.get(target.kind, 200)
    errors = 0
    status = None
    while True:
        started = time.perf_counter()
        if started >= end_at:
            break
        status = client.one(n)
        n += 1
        finished = time.perf_counter()
        if started >= start_at:  # the warm-up before start_at is not counted
            latencies.append((finished - started) * 1000)
            if status != expected:
                errors += 1
                client.statuses[str(status)] += 1
    check = client.verify() if target.kind == "post-item" else {}
    out.append(
        {
            "latencies": latencies,
            "errors": errors,
            "statuses": dict(client.statuses),
            **check,
        }
    )


# How long load processes and the parent wait for each other to be up.
READY_TIMEOUT = 120


def _worker(results, ready, target: Target, threads: int, first_index: int, warmup, duration):
    """One load process: `threads` clients; puts their latencies and the process's CPU."""
    # Spawning and importing take a moment: the clock starts once every load process is up.
    ready.wait(timeout=READY_TIMEOUT)
    now = time.perf_counter()
    start_at, end_at = now + warmup, now + warmup + duration
    out: list[dict] = []
    workers = [
        threading.Thread(target=_thread, args=(target, first_index + i, start_at, end_at, out))
        for i in range(threads)
    ]
    for worker in workers:
        worker.start()
    # Sleeps that mark the measured window, as the parent's do: nothing waits on them.
    time.sleep(max(0.0, start_at - time.perf_counter()))
    cpu_start = time.process_time()
    time.sleep(max(0.0, end_at - time.perf_counter()))
    cpu = time.process_time() - cpu_start
    for worker in workers:
        worker.join()
    results.put({"threads": out, "cpu": cpu})


def run_load(
    target: Target, server_pgid: int, clients=8, processes=2, duration=10.0, warmup=1.0
) -> dict:
    """Drive `clients` clients for `duration` s after `warmup` s; req/s, percentiles, CPU."""
    context = multiprocessing.get_context("spawn")
    per_process = clients // processes
    results_queue = context.Queue()
    # The parent is one more party: it starts its own clock with the load processes.
    ready = context.Barrier(processes + 1)
    loaders = [
        context.Process(
            target=_worker,
            args=(results_queue, ready, target, per_process, i * per_process, warmup, duration),
        )
        for i in range(processes)
    ]
    try:
        for loader in loaders:
            loader.start()
        ready.wait(timeout=READY_TIMEOUT)
        time.sleep(warmup)
        server_cpu = group_cpu_seconds(server_pgid)
        time.sleep(duration)
        server_cpu = group_cpu_seconds(server_pgid) - server_cpu
        results = [results_queue.get(timeout=duration + 120) for _ in loaders]
    finally:
        # A load process that never came (or a parent that gave up) must not hold the others.
        ready.abort()
        for loader in loaders:
            if loader.pid is None:
                continue
            loader.join(timeout=10)
            if loader.is_alive():
                loader.kill()
    threads = [t for r in results for t in r["threads"]]
    latencies = [ms for t in threads for ms in t["latencies"]]
    return {
        "requests": len(latencies),
        "rate": len(latencies) / duration,
        "latencies": latencies,
        "errors": sum(t.get("errors", 0) for t in threads),
        "setup_errors": [t["error"] for t in threads if "error" in t],
        "lost": sum(t.get("lost", 0) for t in threads),
        "doubled": sum(t.get("doubled", 0) for t in threads),
        "carts": sum(t.get("carts", 0) for t in threads),
        "client_cpu": sum(r["cpu"] for r in results) / duration,
        "server_cpu": server_cpu / duration,
        "duration": duration,
        "clients": clients,
        "processes": processes,
    }


def measure(
    target: Target, server_pgid: int, folder: Path, duration: float, warmup: float, generator: str
):
    """Load `target` with 8 clients from `generator`: wrk, python, or auto (wrk if installed)."""
    from bench import wrk

    if generator == "wrk" and not wrk.available():
        raise RuntimeError("--load-generator wrk: wrk is not installed (apt-get install wrk)")
    if generator == "wrk" or (generator == "auto" and wrk.available()):
        return wrk.run_load(target, server_pgid, folder, duration=duration, warmup=warmup)
    result = run_load(target, server_pgid, duration=duration, warmup=warmup)
    result["load_generator"] = "python http.client (install wrk for a lighter one)"
    result["latency_ms"] = {f"p{q}": percentile(result["latencies"], q) for q in (50, 95, 99)}
    return result


def load_figure(section: str, label: str, result: dict, target=None, meets=None, key="") -> dict:
    """A req/s figure with latency percentiles (per request, not batched)."""
    requests = max(result["requests"], 1)
    # CPU per request is what the cores allow: it does not depend on who else runs.
    result["server_cpu_ms_per_request"] = result["server_cpu"] * result["duration"] / requests * 1e3
    result["client_cpu_ms_per_request"] = result["client_cpu"] * result["duration"] / requests * 1e3
    notes = [
        f"{result['errors']} errors",
        f"CPU per request: server {result['server_cpu_ms_per_request']:.2f} ms, "
        f"load generator {result['client_cpu_ms_per_request']:.2f} ms "
        f"({result['server_cpu']:.2f} + {result['client_cpu']:.2f} cores busy)",
    ]
    if "lost" in result and result.get("carts"):
        notes.append(f"{result['lost']} lost / {result['doubled']} doubled inserts")
    if result.get("in_flight"):
        notes.append(f"{result['in_flight']} applied while in flight at wrk's stop")
    notes.append(f"load from {result['load_generator']}")
    skip = ("latencies", "rate", "requests", "latency_ms")
    extra = {k: v for k, v in result.items() if k not in skip}
    return figure(
        section,
        label,
        "req/s",
        result["requests"],
        value=result["rate"],
        target=target,
        meets=meets,
        note="; ".join(notes),
        latency_ms=result["latency_ms"],
        key=key,
        **extra,
    )


def start_checkout(
    shop, data_dir: Path, options: list[str], env: dict | None = None
) -> tuple[subprocess.Popen, str]:
    """Checkout release 1 with `options` (e.g. `--dev`), on a free port of its own."""
    url = f"http://localhost:{free_port()}"
    env = dict(shop.env, MFE_CHECKOUT_V1_URL=url, MFE_DATA_DIR=str(data_dir), **(env or {}))
    data_dir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [sys.executable, "-m", "checkout_app", "--release", "1", *options],
        cwd=REPOSITORY,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    out = (data_dir / "checkout.log").open("ab")
    wait_listening(proc, out, 30, f"checkout {' '.join(options)}")
    # granian says "Listening" before its workers accept: poll until one answers.
    down = wait_healthy([url], timeout=30, interval=0.02)
    assert not down, f"checkout {' '.join(options)} never answered /healthz"
    return proc, url


def stop(proc: subprocess.Popen) -> None:
    """Stop a process group we started."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)


def _catalog(shop) -> list:
    products = get_json(f"{shop.url('products-v1')}/api/products")["products"]
    return [(p["id"], p["price"]) for p in products]


def procfile_server() -> str:
    """How the Procfile serves checkout, e.g. `granian, one process, 4 lanes`."""
    server = SERVERS["checkout"]
    if server["server"] == "granian":
        if server["processes"]:
            return f"granian {server['workers']} worker processes"
        return f"granian, one process, {server['blocking_threads']} lanes"
    return f"gunicorn {server['worker_class']} {server['workers']}x{server.get('threads', 1)}"


# The load-test setting of docs/reference.md, measured beside the Procfile's default.
LOAD_TEST_WORKERS = "3"


def run(
    shop, duration: float, warmup: float, data_dir: Path, generator="auto", log=print
) -> list[dict]:
    """Checkout's two endpoints under the Procfile's server and under Flask's dev server."""
    catalog = _catalog(shop)
    figures = []
    # (results.json key, label, URL, the process we started: None for the shop's own)
    servers = [("procfile", f"{procfile_server()} (Procfile)", shop.url("checkout-v1"), None)]
    workers, workers_url = start_checkout(
        shop, data_dir / "workers", [], {"MFE_WORKERS": LOAD_TEST_WORKERS}
    )
    servers.append(
        (
            "workers",
            f"MFE_WORKERS={LOAD_TEST_WORKERS}: granian {LOAD_TEST_WORKERS} worker processes",
            workers_url,
            workers,
        )
    )
    dev, dev_url = start_checkout(shop, data_dir / "dev-server", ["--dev"])
    servers.append(("dev", "Flask development server", dev_url, dev))
    # Issue 18: useful throughput on the light footprint of `make run` (one process).
    targets = {
        "get-cart": ("GET /api/cart", "≥ 2,000 req/s", 2000),
        "post-item": ("POST /api/cart/items", "≥ 1,000 req/s", 1000),
    }
    try:
        for server_key, server, url, proc in servers:
            pgid = proc.pid if proc else shop.procs["checkout-v1"].pid
            for kind, (label, text, rate) in targets.items():
                log(f"server: {label} on {server} ...")
                folder = data_dir / "load" / f"{kind}-{len(figures)}"
                result = measure(
                    Target(url, kind, catalog), pgid, folder, duration, warmup, generator
                )
                procfile = proc is None
                ok = (
                    result["rate"] >= rate
                    and not result["errors"]
                    and not result.get("lost")
                    and not result.get("doubled")
                )
                figures.append(
                    load_figure(
                        "server",
                        f"{label} — {server}",
                        result,
                        target=text if procfile else None,
                        meets=ok if procfile else None,
                        key=f"{kind}:{server_key}",
                    )
                )
    finally:
        stop(workers)
        stop(dev)
    return figures
